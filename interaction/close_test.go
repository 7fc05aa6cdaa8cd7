package interaction_test

import (
	"context"
	"slices"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestCloseLeavingUnsent: issue 15, item 1 — items the handler chose to
// leave unsent at close are traced with the close; an unknown item is bad
// input and closes nothing.
func TestCloseLeavingUnsent(t *testing.T) {
	ctx := context.Background()
	s, tr := mustService(t, sqltest.MustOpenSQLite(t))
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	if _, err := s.Close(ctx, adv, id, interaction.CloseRequest{CallReasons: []string{"supplier_question"}, Unsent: []string{"pizza"}}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Fatalf("close leaving an unknown item unsent: %v", err)
	}
	if slices.Contains(tr.Actions(), "interaction.close") {
		t.Fatalf("a refused close was traced as a close")
	}
	if _, err := s.Close(ctx, adv, id, interaction.CloseRequest{CallReasons: []string{"supplier_question"}, Unsent: []string{"supplier", "supplier", "ean"}}); err != nil {
		t.Fatal(err)
	}
	ev := tr.Last()
	if ev.Action != "interaction.close" || !slices.Contains(ev.Data, "left_unsent=supplier,ean") {
		t.Errorf("close event = %s %v, want left_unsent=supplier,ean", ev.Action, ev.Data)
	}
}
