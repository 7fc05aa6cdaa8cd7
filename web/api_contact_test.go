package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// TestAPIChangeContact: D7 — POST /api/v1/interactions/{id}/contact with the
// values in the body: the verified occupant's details change, the answer
// shows them masked with the notices; an invalid value is a 400 naming its
// field and changes nothing; with the audit log down, a 503 and nothing
// changed. Every exchange is checked against web/openapi.json.
func TestAPIChangeContact(t *testing.T) {
	f := mustGridFixture(t)
	ctx := context.Background()
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	adv := f.mustSession(t, "s-adv")
	id, status := apiInteraction(t, f, adv, "customer", "9876543A")
	if status != http.StatusOK {
		t.Fatalf("verify: %d", status)
	}
	path := "/api/v1/interactions/" + id + "/contact"
	before, _ := f.db.Customer(ctx, "C-1")

	for _, c := range []struct{ body, field string }{
		{`{"mobile":"081 22 33 44"}`, "mobile: "},
		{`{"email":"not-an-address","language":"nl"}`, "email: "},
		{`{"language":"it"}`, "language: "},
		{`{"postal_address":{"street":"","number":"","postcode":"","town":""}}`, "postal_address: "},
		{`{}`, "contact details: "},
	} {
		p := mustProblem(t, c.body, f.do(t, adv, "POST", path, c.body), http.StatusBadRequest, "invalid")
		if !strings.HasPrefix(p.Detail, c.field) {
			t.Errorf("%s: detail %q, want it to name %q", c.body, p.Detail, c.field)
		}
	}
	if after, _ := f.db.Customer(ctx, "C-1"); after != before {
		t.Errorf("bad input changed the customer: %+v", after)
	}

	f.audit.mu.Lock()
	f.audit.fail = true
	f.audit.mu.Unlock()
	mustProblem(t, "audit log down", f.do(t, adv, "POST", path, `{"mobile":"0471 23 45 78"}`), http.StatusServiceUnavailable, "unavailable")
	f.audit.mu.Lock()
	f.audit.fail = false
	f.audit.mu.Unlock()
	if after, _ := f.db.Customer(ctx, "C-1"); after != before {
		t.Errorf("changed without its trace: %+v", after)
	}

	resp := f.do(t, adv, "POST", path, `{"mobile":"0471 23 45 78","email":"gerard.new@example.org"}`)
	body := readBody(t, resp)
	var res interaction.ContactResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("change: %d %s", resp.StatusCode, body)
	}
	if res.Contact.Mobile != "04•• •• •• 78" || res.Contact.Email != "g•••@e•••.org" || len(res.Notices) != 2 {
		t.Errorf("answer = %+v", res)
	}
	for _, secret := range []string{"471234578", "470123456", "gerard.new", "gd@example"} {
		if strings.Contains(body, secret) {
			t.Errorf("answer holds %q in clear: %s", secret, body)
		}
	}
	if after, _ := f.db.Customer(ctx, "C-1"); after.Mobile != "+32471234578" || after.Email != "gerard.new@example.org" {
		t.Errorf("customer after the change: %+v", after)
	}
}
