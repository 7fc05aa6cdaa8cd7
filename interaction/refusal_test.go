package interaction_test

import (
	"context"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestRefusalsTracedWithTheirTarget: T1 (issue 10, item 5) — every request
// the service refuses on an interaction that is not the actor's, that does
// not exist or that is closed leaves an event naming the interaction asked
// for, the actor and why.
func TestRefusalsTracedWithTheirTarget(t *testing.T) {
	ctx := context.Background()
	s, tr := mustService(t, sqltest.MustOpenSQLite(t))
	mine := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	other := interaction.Actor{StaffID: "s-other", Client: "10.0.0.9"}
	closed := mustOpen(t, s, other, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	if _, err := s.Close(ctx, other, closed, interaction.CloseRequest{CallReasons: []string{"ean_request"}}); err != nil {
		t.Fatal(err)
	}
	steps := map[string]func(a interaction.Actor, id string) error{
		"get": func(a interaction.Actor, id string) error { _, err := s.Get(ctx, a, id); return err },
		"identify": func(a interaction.Actor, id string) error {
			_, err := s.Identify(ctx, a, id, interaction.IdentifyRequest{Name: "Dupont"})
			return err
		},
		"select": func(a interaction.Actor, id string) error { _, err := s.Select(ctx, a, id, "c1"); return err },
		"verify": func(a interaction.Actor, id string) error {
			_, err := s.Verify(ctx, a, id, interaction.VerifyRequest{MeterNumber: "123"})
			return err
		},
		"decide": func(a interaction.Actor, id string) error {
			_, err := s.Decide(ctx, a, id, interaction.DecideRequest{Item: "ean"})
			return err
		},
		"execute": func(a interaction.Actor, id string) error {
			_, err := s.Execute(ctx, a, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k-" + id})
			return err
		},
		"reading": func(a interaction.Actor, id string) error {
			_, err := s.SubmitReading(ctx, a, id, interaction.ReadingRequest{DayKWh: 1})
			return err
		},
		"close": func(a interaction.Actor, id string) error {
			_, err := s.Close(ctx, a, id, interaction.CloseRequest{CallReasons: []string{"ean_request"}})
			return err
		},
		"public info": func(a interaction.Actor, id string) error {
			_, err := s.PublicInfo(ctx, a, interaction.PublicInfoRequest{Postcode: "5000", InteractionID: id})
			return err
		},
	}
	for _, tc := range []struct {
		name, id, reason string
		code             string
	}{
		{"somebody else's", mine, "not_handler", coupole.ENOTFOUND},
		{"unknown", "i-does-not-exist", "not_found", coupole.ENOTFOUND},
		{"closed", closed, "closed", coupole.ECONFLICT},
	} {
		for step, do := range steps {
			if tc.name == "closed" && step == "get" {
				continue // a closed interaction may still be read by its handler
			}
			t.Run(tc.name+"/"+step, func(t *testing.T) {
				a := other
				n := len(tr.Actions())
				if err := do(a, tc.id); coupole.ErrorCode(err) != tc.code {
					t.Fatalf("%s on %s: %v, want %s", step, tc.id, err, tc.code)
				}
				if len(tr.Actions()) != n+1 {
					t.Fatalf("%s on %s: %d events traced, want 1", step, tc.id, len(tr.Actions())-n)
				}
				ev := tr.Last()
				if ev.Action != "interaction.refused" || ev.Interaction != tc.id || ev.Actor != a.StaffID || ev.Client != a.Client ||
					ev.Decision == nil || ev.Decision.Outcome != "refused" || ev.Decision.Reason != tc.reason {
					t.Errorf("%s on %s: event %+v (decision %+v)", step, tc.id, ev, ev.Decision)
				}
			})
		}
	}
}
