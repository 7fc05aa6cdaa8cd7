package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestAPIMessages: R1 (c) through the interaction API, on both engines,
// every exchange checked against web/openapi.json — the handler attaches an
// e-mail (201, class and due date, size and SHA-256, no body in the
// answer), lists it and reads it; another advisor is refused (403, traced
// with the interaction); bad input is a 400 problem naming the field and
// never the body; with the audit log down, reading is a 503 without body.
func TestAPIMessages(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, AuthConfig{})
		storetest.MustLoad(t, f.db, storetest.Fixture())
		f.access.Facts, f.access.Customers = f.access.Interactions, f.db
		l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: f.clock, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		media, err := blob.NewLocal(t.TempDir(), bytes.Repeat([]byte{3}, 32))
		if err != nil {
			t.Fatal(err)
		}
		f.access.Interactions.Messages = &retention.Service{Store: db, Audit: l, Clock: f.clock, Config: retention.DefaultConfig(), Bodies: media}
		mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		mustStaff(t, f.db, "s-other", coupole.StaffOIDC, coupole.RoleAdvisor)
		adv, other := f.mustSession(t, "s-adv"), f.mustSession(t, "s-other")
		id, status := apiInteraction(t, f, adv, "customer", "9876543A")
		if status != http.StatusOK {
			t.Fatalf("verify: %d", status)
		}
		const secret = "Mon IBAN est BE71 0961 2345 6769, rappelez-moi au 0471 23 45 78"
		path := "/api/v1/interactions/" + id + "/messages"
		body, _ := json.Marshal(map[string]string{"channel": "email", "direction": "inbound", "started_at": t0.Format("2006-01-02T15:04:05Z"), "body": secret})
		resp := f.do(t, adv, "POST", path, string(body))
		raw := readBody(t, resp)
		var m interaction.MessageView
		if err := json.Unmarshal([]byte(raw), &m); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("attach: %d %s", resp.StatusCode, raw)
		}
		if m.RetentionClass != "default" || !m.DueAt.Equal(t0.AddDate(0, 1, 0)) || m.Size != int64(len(secret)) || len(m.SHA256) != 64 || strings.Contains(raw, "IBAN") {
			t.Fatalf("attached: %s", raw)
		}

		resp = f.do(t, adv, "GET", path, "")
		var list []interaction.MessageView
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("list: %d %+v %v", resp.StatusCode, list, err)
		}
		resp = f.do(t, adv, "GET", path+"/"+m.ID, "")
		var b interaction.MessageBody
		if err := json.NewDecoder(resp.Body).Decode(&b); err != nil || resp.StatusCode != http.StatusOK || b.Body != secret || b.ID != m.ID {
			t.Fatalf("read: %d %+v %v", resp.StatusCode, b, err)
		}
		if ct := resp.Header.Get("Cache-Control"); ct != "no-store" {
			t.Errorf("a body is served with Cache-Control %q", ct)
		}
		f.audit.mu.Lock()
		last := f.audit.events[len(f.audit.events)-1]
		f.audit.mu.Unlock()
		if last.Action != "interaction.message_read" || last.Actor != "s-adv" || last.Interaction != id || len(last.Customers) != 1 || last.Customers[0] != "C-1" {
			t.Fatalf("read not traced: %+v", last)
		}

		// Another advisor has no need-to-know: refused, the refusal traced
		// with the interaction it aimed at.
		mustProblem(t, "read by another advisor", f.do(t, other, "GET", path+"/"+m.ID, ""), http.StatusForbidden, "forbidden")
		refusedTraced := false
		f.tracer.mu.Lock()
		for _, e := range f.tracer.events {
			if e.Actor == "s-other" && e.Outcome == "refused" && strings.Contains(strings.Join(mapValues(e.Details), " "), id) {
				refusedTraced = true
			}
		}
		f.tracer.mu.Unlock()
		if !refusedTraced {
			t.Errorf("the refusal is not traced with its interaction")
		}
		mustProblem(t, "unknown message", f.do(t, adv, "GET", path+"/msg_nothing", ""), http.StatusNotFound, "not_found")

		for _, c := range []struct{ body, field string }{
			{`{"channel":"sms","direction":"inbound","started_at":"2026-01-01T00:00:00Z","body":"` + secret + `"}`, "channel"},
			{`{"channel":"chat","direction":"inbound","started_at":"2026-01-01T00:00:00Z","body":""}`, "body"},
			{`{"channel":"chat","direction":"up","started_at":"2026-01-01T00:00:00Z","body":"` + secret + `"}`, "direction"},
		} {
			// The validator would refuse these before the server sees them:
			// send them around it, to see what the server itself answers.
			p := mustProblemRaw(t, f, adv, "POST", path, c.body, http.StatusBadRequest, "invalid")
			if !strings.HasPrefix(p.Detail, c.field) || strings.Contains(p.Detail, "IBAN") {
				t.Errorf("%s: detail %q", c.field, p.Detail)
			}
		}
		big, _ := json.Marshal(map[string]string{"channel": "chat", "direction": "inbound", "started_at": "2026-01-01T00:00:00Z", "body": strings.Repeat("a", retention.MaxBodyBytes+1)})
		mustProblem(t, "too large", f.do(t, adv, "POST", path, string(big)), http.StatusBadRequest, "invalid")
		if items, _ := db.InteractionItems(ctx, id); len(items) != 1 {
			t.Errorf("bad input registered something: %d items", len(items))
		}

		f.audit.mu.Lock()
		f.audit.fail = true
		f.audit.mu.Unlock()
		resp = f.do(t, adv, "GET", path+"/"+m.ID, "")
		if raw := readBody(t, resp); resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(raw, "IBAN") {
			t.Fatalf("read with the audit log down: %d %s", resp.StatusCode, raw)
		}
		f.audit.mu.Lock()
		f.audit.fail = false
		f.audit.mu.Unlock()
	})
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// mustProblemRaw sends a request without the OpenAPI-checking transport
// (for bodies the document itself forbids) and checks its problem.
func mustProblemRaw(tb testing.TB, f *fixture, s session, method, path, body string, status int, code string) Problem {
	tb.Helper()
	req, _ := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(s.cookie)
	req.Header.Set("X-CSRF-Token", s.csrf)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	return mustProblem(tb, method+" "+path, resp, status, code)
}

// stepRecAudit is the fixture's recorded audit log with the AppendThen the
// retention registry writes through: the event, then the write.
type stepRecAudit struct{ *recAudit }

func (a stepRecAudit) AppendThen(ctx context.Context, ev audit.Event, then func(context.Context, uint64) error) (uint64, error) {
	idx, err := a.Append(ctx, ev)
	if err != nil {
		return 0, err
	}
	return idx, then(ctx, idx)
}

// mustMessageKeeper keeps the fixture's message bodies in a temporary
// encrypted blob store.
func mustMessageKeeper(tb testing.TB, db *sqlstore.DB, clock coupole.Clock, a *recAudit) *retention.Service {
	media, err := blob.NewLocal(tb.TempDir(), bytes.Repeat([]byte{5}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return &retention.Service{Store: db, Audit: stepRecAudit{a}, Clock: clock, Config: retention.DefaultConfig(), Bodies: media}
}
