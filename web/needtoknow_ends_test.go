package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// Issue 10, items 7 and 8, through the HTTP API as the outside test saw it.

// mustGridFixture is mustFixture with the grid fixture loaded and the real
// interaction service as the need-to-know provider and customer reader.
func mustGridFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := mustFixture(tb, sqltest.MustOpenSQLite(tb), AuthConfig{})
	storetest.MustLoad(tb, f.db, storetest.Fixture())
	f.access.Facts, f.access.Customers = f.access.Interactions, f.db
	return f
}

// apiInteraction opens an interaction as s for requester and gives meter
// on EANElecNamur (Gérard Dupont, C-1); it returns its id and the
// verification's status.
func apiInteraction(tb testing.TB, f *fixture, s session, requester, meter string) (string, int) {
	tb.Helper()
	resp := f.do(tb, s, "POST", "/api/v1/interactions", `{"channel":"phone","requester":"`+requester+`"}`)
	var v struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusCreated {
		tb.Fatalf("open: %d %v", resp.StatusCode, err)
	}
	resp = f.do(tb, s, "POST", "/api/v1/interactions/"+v.ID+"/identify", `{"ean":"`+string(storetest.EANElecNamur)+`"}`)
	var idn interaction.Identification
	if err := json.NewDecoder(resp.Body).Decode(&idn); err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("identify: %d %v", resp.StatusCode, err)
	}
	ref := ""
	for _, c := range idn.Candidates {
		if c.Customer == "G••• D•••" && ref == "" { // the current occupant comes first
			ref = c.Ref
		}
	}
	resp = f.do(tb, s, "POST", "/api/v1/interactions/"+v.ID+"/verify", `{"ref":"`+ref+`","meter_number":"`+meter+`"}`)
	return v.ID, resp.StatusCode
}

// TestStaffReadsMaskedUnlessBreakGlass: item 8 (C1) — a third party that
// knows the meter number: the staff routes answer masked values; only a
// privacy officer's break-glass grant shows the record in full.
func TestStaffReadsMaskedUnlessBreakGlass(t *testing.T) {
	f := mustGridFixture(t)
	ctx := context.Background()
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-po2", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	adv := f.mustSession(t, "s-adv")
	if _, status := apiInteraction(t, f, adv, "third_party", "9876543A"); status != http.StatusOK {
		t.Fatalf("verify: %d", status)
	}
	ean := string(storetest.EANElecNamur)
	for _, c := range []struct {
		what, method, path, body string
		s                        session
		field, full, masked      string
	}{
		{"advisor reads the customer", "GET", "/api/v1/customers/C-1", "", adv, "name", "Gérard Dupont", "G••• D•••"},
		{"advisor reads the access point", "POST", "/api/v1/access-points/read", `{"ean":"` + ean + `"}`, adv, "ean", ean, storetest.EANElecNamur.Masked()},
	} {
		resp := f.do(t, c.s, c.method, c.path, c.body)
		body := readBody(t, resp)
		var got map[string]any
		json.Unmarshal([]byte(body), &got)
		if resp.StatusCode != http.StatusOK || got[c.field] != c.masked || got["masked"] != true || strings.Contains(body, c.full) {
			// The answer itself is not printed: it may carry the full value.
			t.Errorf("%s: status %d, full value in the answer %v, masked flag %v; want %s masked (%q)", c.what, resp.StatusCode, strings.Contains(body, c.full), got["masked"], c.field, c.masked)
		}
	}
	// Break-glass: requested by one privacy officer, approved by another.
	if err := f.db.CreateGrant(ctx, coupole.BreakGlassGrant{ID: "g-1", StaffID: "s-po", CustomerID: "C-1", Reason: "GDPR request 12", RequestedAt: t0, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ApproveGrant(ctx, "g-1", "s-po2", t0); err != nil {
		t.Fatal(err)
	}
	resp := f.do(t, f.mustSession(t, "s-po"), "GET", "/api/v1/customers/C-1", "")
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != http.StatusOK || got["name"] != "Gérard Dupont" || got["masked"] != false {
		t.Errorf("break-glass read: status %d, masked flag %v; want the full name", resp.StatusCode, got["masked"])
	}
	// Each read is traced with what was shown.
	var masked []string
	for _, e := range f.tracer.events {
		if e.Type == coupole.StaffEventCustomerAccess {
			masked = append(masked, e.Details["masked"])
		}
	}
	if strings.Join(masked, ",") != "true,true,false" {
		t.Errorf("customer reads traced with masked = %v", masked)
	}
}

// TestIdleInteractionRefusedOverHTTP: item 8 — an interaction left open
// keeps nobody's access: 30 minutes without a step and the API refuses it,
// without waiting for the sweeper.
func TestIdleInteractionRefusedOverHTTP(t *testing.T) {
	f := mustGridFixture(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	id, status := apiInteraction(t, f, f.mustSession(t, "s-adv"), "customer", "9876543A")
	if status != http.StatusOK {
		t.Fatalf("verify: %d", status)
	}
	f.clock.T = t0.Add(29 * time.Minute)
	if resp := f.do(t, f.mustSession(t, "s-adv"), "GET", "/api/v1/customers/C-1", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("read within the idle time: %d", resp.StatusCode)
	}
	f.clock.T = t0.Add(31 * time.Minute)
	s := f.mustSession(t, "s-adv")
	for _, rq := range []struct{ method, path string }{{"GET", "/api/v1/interactions/" + id}, {"GET", "/api/v1/customers/C-1"}} {
		if resp := f.do(t, s, rq.method, rq.path, ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s on an idle interaction: %d, want 403", rq.method, rq.path, resp.StatusCode)
		}
	}
}

// TestRevokedThenReinstatedRegainsNothing: item 8 — revocation closes the
// member's open interactions, traced; reinstated, they give nothing back.
func TestRevokedThenReinstatedRegainsNothing(t *testing.T) {
	f := mustGridFixture(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	id, status := apiInteraction(t, f, f.mustSession(t, "s-adv"), "customer", "9876543A")
	if status != http.StatusOK {
		t.Fatalf("verify: %d", status)
	}
	if resp := f.do(t, f.mustSession(t, "s-it"), "POST", "/api/v1/staff/s-adv/revoke", `{"reason":"laptop stolen"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	var revoked *coupole.StaffEvent
	for i, e := range f.tracer.events {
		if e.Type == coupole.StaffEventRevoked {
			revoked = &f.tracer.events[i]
		}
	}
	if revoked == nil || revoked.Details["closed_interactions"] != id || revoked.Details["close_reason"] != coupole.CloseStaffRevoked {
		t.Errorf("revocation traced as %+v, want the interaction it closed", revoked)
	}
	if err := f.db.Reinstate(context.Background(), "s-adv"); err != nil {
		t.Fatal(err)
	}
	s := f.mustSession(t, "s-adv")
	for _, rq := range []struct{ method, path string }{{"GET", "/api/v1/interactions/" + id}, {"GET", "/api/v1/customers/C-1"}} {
		if resp := f.do(t, s, rq.method, rq.path, ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s after revocation and reinstatement: %d, want 403", rq.method, rq.path, resp.StatusCode)
		}
	}
}

// TestVerificationBudgetOverHTTP: item 7 — the outside test's sequence:
// four interactions locked (12 wrong guesses), a fifth with the right
// number, another advisor too: refused. A team lead unlocks with a reason;
// an advisor may not.
func TestVerificationBudgetOverHTTP(t *testing.T) {
	f := mustGridFixture(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-adv2", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	adv := f.mustSession(t, "s-adv")
	for range 4 {
		id, status := apiInteraction(t, f, adv, "customer", "0000000")
		for range 2 {
			if status == http.StatusOK {
				status = f.do(t, adv, "POST", "/api/v1/interactions/"+id+"/verify", `{"meter_number":"0000000"}`).StatusCode
			}
		}
	}
	for _, s := range []session{adv, f.mustSession(t, "s-adv2")} {
		if _, status := apiInteraction(t, f, s, "customer", "9876543A"); status != http.StatusForbidden {
			t.Errorf("right number once the budget is spent: %d, want 403", status)
		}
	}
	resp := f.do(t, f.mustSession(t, "s-lead"), "GET", "/api/v1/alerts", "")
	var alerts []interaction.AlertView
	if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
		t.Fatal(err)
	}
	alertID := ""
	for _, a := range alerts {
		if a.Kind == coupole.AlertVerificationBudgetSpent {
			alertID = a.ID
		}
	}
	if alertID == "" {
		t.Fatalf("no budget alert among %+v", alerts)
	}
	if resp := f.do(t, adv, "POST", "/api/v1/alerts/"+alertID+"/unlock", `{"reason":"me"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("advisor unlock: %d, want 403", resp.StatusCode)
	}
	if resp := f.do(t, f.mustSession(t, "s-lead"), "POST", "/api/v1/alerts/"+alertID+"/unlock", `{"reason":"caller identified at the desk"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("team lead unlock: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if _, status := apiInteraction(t, f, f.mustSession(t, "s-adv2"), "customer", "9876543A"); status != http.StatusOK {
		t.Errorf("right number after the unlock: %d", status)
	}
}

// TestTeamLeadUnlocksOnTheAlertsPage: the alerts page offers the unlock of
// a spent budget, asks for the reason, and says what happened.
func TestTeamLeadUnlocksOnTheAlertsPage(t *testing.T) {
	f := mustGridFixture(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	adv := f.mustSession(t, "s-adv")
	for range 2 {
		id, status := apiInteraction(t, f, adv, "customer", "0000000")
		for range 2 {
			if status == http.StatusOK {
				status = f.do(t, adv, "POST", "/api/v1/interactions/"+id+"/verify", `{"meter_number":"0000000"}`).StatusCode
			}
		}
	}
	alerts, err := f.access.Interactions.Alerts(context.Background(), interaction.Actor{StaffID: "s-lead"})
	if err != nil {
		t.Fatal(err)
	}
	alertID := ""
	for _, a := range alerts {
		if a.Kind == coupole.AlertVerificationBudgetSpent {
			alertID = a.ID
		}
	}
	lead := f.mustSession(t, "s-lead")
	page := f.get(t, lead, "/alerts", nil)
	if alertID == "" || !strings.Contains(page, `action="/alerts/`+alertID+`/unlock"`) {
		t.Fatalf("the alerts page offers no unlock of the budget alert %q", alertID)
	}
	resp := f.form(t, lead, "/alerts/"+alertID+"/unlock", url.Values{"reason": {" "}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), Message(coupole.French, "alerts.unlock_reason_required")) {
		t.Errorf("unlock without a reason: status %d", resp.StatusCode)
	}
	resp = f.form(t, lead, "/alerts/"+alertID+"/unlock", url.Values{"reason": {"client identifié au guichet"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(body), Message(coupole.French, "alerts.unlock_done")) ||
		strings.Contains(body, `action="/alerts/`+alertID+`/unlock"`) {
		t.Errorf("unlock: status %d, or the page still offers it", resp.StatusCode)
	}
}
