package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// CaseDB is what the case conformance suite needs of a store: staff and
// interactions (a case is opened from one) and cases.
type CaseDB interface {
	InteractionDB
	coupole.CaseStore
}

// RunCaseStoreTests runs the conformance suite of coupole.CaseStore (D4,
// issue 11). newStore returns a fresh, empty store for each subtest.
func RunCaseStoreTests(t *testing.T, newStore func(t *testing.T) CaseDB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s CaseDB)
	}{
		{"Lifecycle", testCaseLifecycle},
		{"QueueByStatusAndAge", testCaseQueue},
		{"ConcurrentTakeHasOneWinner", testCaseConcurrentTake},
		{"OnlyTheHandlerAnswersAndCloses", testCaseOnlyHandler},
		{"CasesOfCustomer", testCasesOfCustomer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

// MustCase stores an open case id, opened at at from interaction i-cases.
func MustCase(tb testing.TB, s CaseDB, id, customerID string, at time.Time, eans ...coupole.EAN) coupole.Case {
	tb.Helper()
	c := coupole.Case{ID: id, InteractionID: "i-cases", OpenedBy: "s-front", CustomerID: customerID, EANs: eans, Kind: coupole.CaseMultipleEANs,
		Item: "ean", Channel: "phone", Note: "trois compteurs", OpenedAt: at, AuditIndex: 7}
	if err := s.CreateCase(context.Background(), c); err != nil {
		tb.Fatalf("CreateCase(%s): %v", id, err)
	}
	return c
}

func caseFixture(tb testing.TB, s CaseDB) {
	tb.Helper()
	for _, id := range []string{"s-front", "s-bo1", "s-bo2"} {
		MustStaffMember(tb, s, id)
	}
	MustInteraction(tb, s, "i-cases", "s-front", t10)
}

func caseIDs(cs []coupole.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testCaseLifecycle(t *testing.T, s CaseDB) {
	ctx := context.Background()
	caseFixture(t, s)
	want := MustCase(t, s, "c-1", "C1", t10.Add(time.Minute), EAN(1), EAN(2), EAN(3))
	got, err := s.Case(ctx, "c-1")
	want.Status, want.EANs = coupole.CaseOpen, []coupole.EAN{EAN(1), EAN(2), EAN(3)}
	if err != nil || !equalCase(got, want) {
		t.Fatalf("Case = %+v, %v\nwant %+v", got, err, want)
	}
	_, err = s.Case(ctx, "c-missing")
	wantCode(t, "Case(missing)", err, coupole.ENOTFOUND)

	taken, err := s.TakeCase(ctx, "c-1", "s-bo1", t10.Add(2*time.Minute))
	if err != nil || taken.Status != coupole.CaseTaken || taken.TakenBy != "s-bo1" || !taken.TakenAt.Equal(t10.Add(2*time.Minute)) || !taken.HandledBy("s-bo1") {
		t.Fatalf("TakeCase = %+v, %v", taken, err)
	}
	d := coupole.Delivery{ID: "d-answer", InteractionID: "i-cases", StaffID: "s-bo1", Kind: coupole.DeliveryEmail, Item: "case_answer", EAN: EAN(1),
		CustomerID: "C1", Recipient: "jean@example.org", IdempotencyKey: "case-answer:c-1", RequestHash: "h", AuditIndex: 9, CreatedAt: t10.Add(3 * time.Minute),
		Text: "Votre dossier est traité."}
	answered, err := s.AnswerCase(ctx, "c-1", "s-bo1", d, t10.Add(3*time.Minute))
	if err != nil || answered.Status != coupole.CaseAnswered || answered.AnswerDelivery != "d-answer" || !answered.AnsweredAt.Equal(t10.Add(3*time.Minute)) {
		t.Fatalf("AnswerCase = %+v, %v", answered, err)
	}
	// Exactly one pending delivery with the text (issue 11, item 5).
	ds, err := s.Deliveries(ctx, "i-cases")
	if err != nil || len(ds) != 1 || ds[0].Status != "pending" || ds[0].Text != d.Text || ds[0].Kind != coupole.DeliveryEmail || ds[0].Item != "case_answer" {
		t.Fatalf("Deliveries after the answer = %+v, %v; want one pending e-mail with the text", ds, err)
	}
	_, err = s.AnswerCase(ctx, "c-1", "s-bo1", coupole.Delivery{ID: "d-again", InteractionID: "i-cases", StaffID: "s-bo1", Kind: coupole.DeliveryEmail, IdempotencyKey: "k2", CreatedAt: t10}, t10)
	wantCode(t, "second AnswerCase", err, coupole.ECONFLICT)
	if ds, _ := s.Deliveries(ctx, "i-cases"); len(ds) != 1 {
		t.Errorf("a refused answer left a delivery: %d deliveries", len(ds))
	}
	closed, err := s.CloseCase(ctx, "c-1", "s-bo1", t10.Add(4*time.Minute))
	if err != nil || closed.Status != coupole.CaseClosed || !closed.ClosedAt.Equal(t10.Add(4*time.Minute)) || closed.HandledBy("s-bo1") {
		t.Fatalf("CloseCase = %+v, %v", closed, err)
	}
	_, err = s.CloseCase(ctx, "c-1", "s-bo1", t10.Add(5*time.Minute))
	wantCode(t, "second CloseCase", err, coupole.ECONFLICT)
	_, err = s.TakeCase(ctx, "c-1", "s-bo2", t10.Add(5*time.Minute))
	wantCode(t, "TakeCase of a closed case", err, coupole.ECONFLICT)
	_, err = s.TakeCase(ctx, "c-missing", "s-bo2", t10)
	wantCode(t, "TakeCase(missing)", err, coupole.ENOTFOUND)
	err = s.CreateCase(ctx, coupole.Case{ID: "c-bad", InteractionID: "i-cases", CustomerID: "C1", Kind: "gossip", Channel: "phone", OpenedAt: t10})
	wantCode(t, "CreateCase of an unknown kind", err, coupole.EINVALID)
}

func equalCase(a, b coupole.Case) bool {
	return a.ID == b.ID && a.InteractionID == b.InteractionID && a.OpenedBy == b.OpenedBy && a.CustomerID == b.CustomerID && slices.Equal(a.EANs, b.EANs) &&
		a.Kind == b.Kind && a.Item == b.Item && a.Channel == b.Channel && a.Note == b.Note && a.Status == b.Status && a.TakenBy == b.TakenBy &&
		a.OpenedAt.Equal(b.OpenedAt) && a.AuditIndex == b.AuditIndex
}

func testCaseQueue(t *testing.T, s CaseDB) {
	ctx := context.Background()
	caseFixture(t, s)
	MustCase(t, s, "c-new", "C1", t10.Add(3*time.Minute), EAN(1))
	MustCase(t, s, "c-old", "C2", t10.Add(1*time.Minute), EAN(2))
	MustCase(t, s, "c-mid", "C3", t10.Add(2*time.Minute), EAN(3))
	if _, err := s.TakeCase(ctx, "c-mid", "s-bo1", t10.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status string
		want   []string
	}{
		{"", []string{"c-old", "c-mid", "c-new"}},
		{coupole.CaseOpen, []string{"c-old", "c-new"}},
		{coupole.CaseTaken, []string{"c-mid"}},
		{coupole.CaseAnswered, []string{}},
		{coupole.CaseClosed, []string{}},
	}
	for _, tt := range tests {
		got, err := s.Cases(ctx, tt.status, 0)
		if err != nil || !slices.Equal(caseIDs(got), tt.want) {
			t.Errorf("Cases(%q) = %v, %v; want %v (oldest first)", tt.status, caseIDs(got), err, tt.want)
		}
	}
	if got, _ := s.Cases(ctx, "", 1); !slices.Equal(caseIDs(got), []string{"c-old"}) {
		t.Errorf("Cases limited to 1 = %v", caseIDs(got))
	}
}

// Two back-office members take the same case at once: one wins, the other
// is told it is taken (issue 11, item 5).
func testCaseConcurrentTake(t *testing.T, s CaseDB) {
	ctx := context.Background()
	caseFixture(t, s)
	const n = 8
	for i := range n {
		MustCase(t, s, fmt.Sprintf("c-%d", i), "C1", t10, EAN(1))
	}
	for i := range n {
		id := fmt.Sprintf("c-%d", i)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, who := range []string{"s-bo1", "s-bo2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = s.TakeCase(ctx, id, who, t10.Add(time.Minute))
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch coupole.ErrorCode(err) {
			case "":
				wins++
			case coupole.ECONFLICT:
			default:
				t.Errorf("TakeCase(%s): %v", id, err)
			}
		}
		c, err := s.Case(ctx, id)
		if wins != 1 || err != nil || c.Status != coupole.CaseTaken || (c.TakenBy != "s-bo1" && c.TakenBy != "s-bo2") {
			t.Errorf("case %s: %d winners, %+v, %v; want exactly one handler", id, wins, c, err)
		}
	}
}

func testCaseOnlyHandler(t *testing.T, s CaseDB) {
	ctx := context.Background()
	caseFixture(t, s)
	MustCase(t, s, "c-1", "C1", t10, EAN(1))
	d := coupole.Delivery{ID: "d-x", InteractionID: "i-cases", StaffID: "s-bo2", Kind: coupole.DeliveryLetter, Item: "case_answer", EAN: EAN(1),
		CustomerID: "C1", Recipient: "postal_address", IdempotencyKey: "case-answer:c-1", RequestHash: "h", CreatedAt: t10, Text: "x"}
	_, err := s.AnswerCase(ctx, "c-1", "s-bo2", d, t10)
	wantCode(t, "AnswerCase of an open case", err, coupole.ECONFLICT)
	if _, err := s.TakeCase(ctx, "c-1", "s-bo1", t10); err != nil {
		t.Fatal(err)
	}
	_, err = s.AnswerCase(ctx, "c-1", "s-bo2", d, t10)
	wantCode(t, "AnswerCase by another member", err, coupole.ECONFLICT)
	_, err = s.CloseCase(ctx, "c-1", "s-bo2", t10)
	wantCode(t, "CloseCase by another member", err, coupole.ECONFLICT)
	if ds, _ := s.Deliveries(ctx, "i-cases"); len(ds) != 0 {
		t.Errorf("refused answers left %d deliveries", len(ds))
	}
	// Closed without an answer (answered by phone, or nothing to answer).
	if c, err := s.CloseCase(ctx, "c-1", "s-bo1", t10); err != nil || c.Status != coupole.CaseClosed || c.AnswerDelivery != "" {
		t.Errorf("CloseCase of a taken case = %+v, %v", c, err)
	}
}

func testCasesOfCustomer(t *testing.T, s CaseDB) {
	ctx := context.Background()
	caseFixture(t, s)
	MustCase(t, s, "c-2", "C1", t10.Add(2*time.Minute), EAN(1), EAN(2), EAN(3))
	MustCase(t, s, "c-1", "C1", t10.Add(time.Minute), EAN(3))
	MustCase(t, s, "c-other", "C2", t10, EAN(3))
	tests := []struct {
		customer string
		ean      coupole.EAN
		want     []string
	}{
		{"C1", EAN(3), []string{"c-1", "c-2"}},
		{"C1", EAN(1), []string{"c-2"}},
		{"C1", EAN(4), []string{}},
		{"C2", EAN(3), []string{"c-other"}},
		{"C9", EAN(3), []string{}},
	}
	for _, tt := range tests {
		got, err := s.CasesOfCustomer(ctx, tt.customer, tt.ean)
		if err != nil || !slices.Equal(caseIDs(got), tt.want) {
			t.Errorf("CasesOfCustomer(%s, %s) = %v, %v; want %v", tt.customer, tt.ean.Masked(), caseIDs(got), err, tt.want)
		}
	}
}
