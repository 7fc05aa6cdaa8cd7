package casework_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/audittest"
	"github.com/coupole/coupole/casework"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

var (
	now  = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	bo1  = interaction.Actor{StaffID: "s-bo1", Client: "127.0.0.1"}
	bo2  = interaction.Actor{StaffID: "s-bo2", Client: "127.0.0.1"}
	ean3 = storetest.EANElecLiege
)

// mustCasework loads the fixture and an interaction to open cases from.
func mustCasework(tb testing.TB, db *sqlstore.DB) (*casework.Service, *audittest.Recorder) {
	tb.Helper()
	storetest.MustLoad(tb, db, storetest.Fixture())
	for _, id := range []string{"s-front", "s-bo1", "s-bo2"} {
		storetest.MustStaffMember(tb, db, id)
	}
	storetest.MustInteraction(tb, db, "i-1", "s-front", now.Add(-time.Hour))
	tr := &audittest.Recorder{}
	return &casework.Service{Store: db, Grid: db, Audit: tr, Clock: &coupole.FixedClock{T: now}}, tr
}

func mustOpenCase(tb testing.TB, db *sqlstore.DB, id, customer string, eans ...coupole.EAN) {
	tb.Helper()
	err := db.CreateCase(context.Background(), coupole.Case{ID: id, InteractionID: "i-1", OpenedBy: "s-front", CustomerID: customer, EANs: eans,
		Kind: coupole.CaseMultipleEANs, Item: "ean", Channel: "phone", Note: "trois compteurs", OpenedAt: now.Add(-30 * time.Minute)})
	if err != nil {
		tb.Fatal(err)
	}
}

func mustTake(tb testing.TB, s *casework.Service, a interaction.Actor, id string) {
	tb.Helper()
	if _, err := s.Take(context.Background(), a, id); err != nil {
		tb.Fatalf("Take(%s): %v", id, err)
	}
}

// TestOnlyTheTakerReadsTheCase: C1, issue 11 item 5 — the queue shows no
// customer data; once taken, only the taker reads the case, masked; every
// read and refusal is traced with the case's targets.
func TestOnlyTheTakerReadsTheCase(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustCasework(t, db)
		mustOpenCase(t, db, "c-1", "C-1", storetest.EANElecNamur, storetest.EANGasNamur, ean3)
		q, err := s.List(ctx, bo1, coupole.CaseOpen)
		if err != nil || len(q) != 1 || q[0].ID != "c-1" || q[0].EANCount != 3 || q[0].AgeMinute != 30 || q[0].Mine {
			t.Fatalf("List = %+v, %v", q, err)
		}
		if ev := tr.Last(); ev.Action != "case.list" || len(ev.Customers) != 0 {
			t.Errorf("list trace = %+v", ev)
		}
		_, err = s.Read(ctx, bo1, "c-1")
		if coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("Read of an untaken case: %v, want ENOTFOUND", err)
		}
		mustTake(t, s, bo1, "c-1")
		if ev := tr.Last(); ev.Action != "case.take" || !slices.Contains(ev.Customers, "C-1") || !slices.Contains(ev.Data, "case=c-1") || ev.Actor != "s-bo1" {
			t.Errorf("take trace = %+v", ev)
		}
		tests := []struct {
			who    interaction.Actor
			code   string
			action string
			reason string
		}{
			{bo2, coupole.ENOTFOUND, "case.read", "not_handler"},
			{bo1, "", "case.read", ""},
		}
		for _, tt := range tests {
			v, err := s.Read(ctx, tt.who, "c-1")
			if coupole.ErrorCode(err) != tt.code {
				t.Fatalf("Read as %s: %+v, %v; want %q", tt.who.StaffID, v, err, tt.code)
			}
			ev := tr.Last()
			if ev.Action != tt.action || ev.Actor != tt.who.StaffID || !slices.Contains(ev.Customers, "C-1") || !slices.Contains(ev.AccessPoints, string(ean3)) ||
				(tt.reason != "" && ev.Decision.Reason != tt.reason) {
				t.Errorf("trace of the read as %s = %+v", tt.who.StaffID, ev)
			}
			if tt.code != "" {
				continue
			}
			if v.Customer != "G••• D•••" || v.Email != "g•••@example.be" || v.Note != "trois compteurs" || v.Language != "fr" || len(v.AccessPoints) != 3 ||
				strings.Contains(strings.Join(v.AccessPoints, ""), string(ean3)) || v.LetterTo != "postal_address" || !v.Mine {
				t.Errorf("case view = %+v", v)
			}
		}
		// A concurrent take of a taken case loses.
		if _, err := s.Take(ctx, bo2, "c-1"); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("take of a taken case: %v", err)
		}
	})
}

// TestTakeHasOneWinner: two back-office members take the same case at once.
func TestTakeHasOneWinner(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		s, _ := mustCasework(t, db)
		mustOpenCase(t, db, "c-1", "C-1", ean3)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []interaction.Actor{bo1, bo2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Take(context.Background(), a, "c-1")
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Errorf("take errors %v, %v: want exactly one winner", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && coupole.ErrorCode(err) != coupole.ECONFLICT {
				t.Errorf("loser: %v, want ECONFLICT", err)
			}
		}
	})
}

// TestAnswerGoesThroughTheOutbox: issue 11 item 5 — an answer creates
// exactly one pending delivery carrying the text, to the registered e-mail
// or the address docs/policies.md decides; the text is never traced.
func TestAnswerGoesThroughTheOutbox(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustCasework(t, db)
		const text = "Bonjour,\nvos trois codes EAN vous parviennent par courrier séparé."
		tests := []struct {
			name, customer string
			ean            coupole.EAN
			req            casework.AnswerRequest
			code           string
			kind, to       string
		}{
			{"e-mail to the registered address", "C-1", storetest.EANElecNamur, casework.AnswerRequest{By: "email", Text: text}, "", coupole.DeliveryEmail, "gd@example.be"},
			{"letter to the correspondence address", "C-1", storetest.EANElecNamur, casework.AnswerRequest{By: "letter", Text: text}, "", coupole.DeliveryLetter, "postal_address"},
			{"a former occupant's letter to their correspondence address", "C-2", storetest.EANElecNamur, casework.AnswerRequest{By: "letter", Text: text}, "", coupole.DeliveryLetter, "postal_address"},
			{"no e-mail without a registered address", "C-2", storetest.EANElecNamur, casework.AnswerRequest{By: "email", Text: text}, coupole.ECONFLICT, "", ""},
			{"empty text", "C-1", ean3, casework.AnswerRequest{By: "email", Text: "  \n "}, coupole.EINVALID, "", ""},
			{"invalid UTF-8", "C-1", ean3, casework.AnswerRequest{By: "email", Text: "caf\xe9"}, coupole.EINVALID, "", ""},
			{"too long", "C-1", ean3, casework.AnswerRequest{By: "email", Text: strings.Repeat("x", casework.MaxAnswer+1)}, coupole.EINVALID, "", ""},
			{"unknown medium", "C-1", ean3, casework.AnswerRequest{By: "pigeon", Text: text}, coupole.EINVALID, "", ""},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := "c-" + string(rune('a'+i))
				mustOpenCase(t, db, id, tt.customer, tt.ean)
				mustTake(t, s, bo1, id)
				before, _ := db.Deliveries(ctx, "i-1")
				v, err := s.Answer(ctx, bo1, id, tt.req)
				if coupole.ErrorCode(err) != tt.code {
					t.Fatalf("Answer = %+v, %v; want %q", v, err, tt.code)
				}
				after, _ := db.Deliveries(ctx, "i-1")
				if tt.code != "" {
					if len(after) != len(before) {
						t.Errorf("a refused answer created a delivery")
					}
					if c, _ := db.Case(ctx, id); c.Status != coupole.CaseTaken {
						t.Errorf("a refused answer changed the case: %s", c.Status)
					}
					return
				}
				if len(after) != len(before)+1 {
					t.Fatalf("%d deliveries created, want exactly 1", len(after)-len(before))
				}
				var d coupole.Delivery
				for _, x := range after {
					if x.ID == v.AnswerDelivery {
						d = x
					}
				}
				if d.Kind != tt.kind || d.Recipient != tt.to || d.Status != "pending" || d.Text != strings.TrimSpace(text) || d.Item != casework.ItemCaseAnswer ||
					d.CustomerID != tt.customer || d.StaffID != "s-bo1" || v.Status != coupole.CaseAnswered {
					t.Errorf("delivery = %+v, view = %+v", d, v)
				}
				ev := tr.Last()
				if ev.Action != "case.answer" || !slices.Contains(ev.Customers, tt.customer) || !slices.Contains(ev.Data, "delivery="+d.ID) || d.AuditIndex != uint64(len(tr.Events())-1) {
					t.Errorf("answer trace = %+v (delivery audit index %d)", ev, d.AuditIndex)
				}
				for _, x := range ev.Data {
					if strings.Contains(x, "courrier") || strings.Contains(x, "@") {
						t.Errorf("the answer or the address is traced: %v", ev.Data)
					}
				}
				// Answered once: a second answer is refused.
				if _, err := s.Answer(ctx, bo1, id, tt.req); coupole.ErrorCode(err) != coupole.ECONFLICT {
					t.Errorf("second answer: %v", err)
				}
			})
		}
	})
}

// TestCloseIsTraced: closing is traced first with its targets; a close
// whose trace cannot be written does not happen; only the taker closes.
func TestCloseIsTraced(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustCasework(t, db)
		mustOpenCase(t, db, "c-1", "C-1", storetest.EANElecNamur)
		mustTake(t, s, bo1, "c-1")
		if _, err := s.Close(ctx, bo2, "c-1"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("close by another member: %v", err)
		}
		tr.SetFail(true)
		if _, err := s.Close(ctx, bo1, "c-1"); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("close without a trace: %v, want EUNAVAILABLE", err)
		}
		if c, _ := db.Case(ctx, "c-1"); c.Status != coupole.CaseTaken {
			t.Errorf("closed without its trace: %s", c.Status)
		}
		tr.SetFail(false)
		q, err := s.Close(ctx, bo1, "c-1")
		if err != nil || q.Status != coupole.CaseClosed || q.ClosedAt == nil {
			t.Fatalf("close: %+v, %v", q, err)
		}
		if ev := tr.Last(); ev.Action != "case.close" || !slices.Contains(ev.Customers, "C-1") || !slices.Contains(ev.AccessPoints, string(storetest.EANElecNamur)) || !slices.Contains(ev.Data, "case=c-1") {
			t.Errorf("close trace = %+v", ev)
		}
		// Closed: the taker no longer reads it (need-to-know ends).
		if _, err := s.Read(ctx, bo1, "c-1"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("read after close: %v", err)
		}
		if ok, _ := s.HandlesCase(ctx, "s-bo1", "c-1"); ok {
			t.Error("HandlesCase after close")
		}
	})
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{"gd@example.be": "g•••@example.be", "élodie@x.org": "é•••@x.org", "nope": "•••", "@x": "•••"} {
		if got := casework.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWithTheAuditLog: on the real audit log (*audit.Log, a StepTracer),
// each change is written in its event's own transaction: the delivery's
// audit index is its event's; a losing concurrent take leaves its event
// (an attempted action) and changes nothing.
func TestWithTheAuditLog(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustCasework(t, db)
		alog, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: s.Clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { alog.Close() })
		s.Audit = alog
		mustOpenCase(t, db, "c-1", "C-1", storetest.EANElecNamur)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []interaction.Actor{bo1, bo2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Take(ctx, a, "c-1")
			}()
		}
		wg.Wait()
		winner := bo1
		if errs[0] != nil {
			winner = bo2
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("take errors %v, %v: want one winner", errs[0], errs[1])
		}
		v, err := s.Answer(ctx, winner, "c-1", casework.AnswerRequest{By: "email", Text: "Réponse."})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := db.Deliveries(ctx, "i-1")
		if len(ds) != 1 || ds[0].ID != v.AnswerDelivery {
			t.Fatalf("deliveries = %+v", ds)
		}
		var payload string
		err = sqlstore.NewAuditStore(db).Entries(ctx, ds[0].AuditIndex, ds[0].AuditIndex+1, func(e audit.Entry) error {
			payload = string(e.Payload)
			return nil
		})
		if err != nil || !strings.Contains(payload, `"case.answer"`) || !strings.Contains(payload, "delivery="+ds[0].ID) || strings.Contains(payload, "Réponse") {
			t.Errorf("event at the delivery's audit index = %s, %v", payload, err)
		}
		// The loser's attempt is in the log too, refused before or after the
		// winner's change: either way, one case.take per member.
		takes := 0
		sqlstore.NewAuditStore(db).Entries(ctx, 0, ds[0].AuditIndex, func(e audit.Entry) error {
			if strings.Contains(string(e.Payload), `"case.take"`) {
				takes++
			}
			return nil
		})
		if takes != 2 {
			t.Errorf("%d case.take events, want 2 (the winner's and the loser's)", takes)
		}
	})
}
