package web

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/oauth2-proxy/mockoidc"
)

// The governance routes in the authorization matrix (issue 12).
func init() {
	routeMatrix["GET /governance/sod"] = []coupole.Role{coupole.RolePrivacyOfficer, coupole.RoleAuditor, coupole.RoleServiceDeliveryManager}
	// Elevated-role requests over the JSON API (S3): every role asks,
	// lists its own and withdraws (the service checks an approver's right
	// on somebody else's); approvers list the pending ones and decide.
	for _, p := range []string{"GET /api/v1/privileged", "POST /api/v1/privileged", "POST /api/v1/privileged/{id}/withdraw"} {
		routeMatrix[p] = coupole.Roles
	}
	approvers := []coupole.Role{coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager}
	for _, p := range []string{"GET /api/v1/privileged/pending", "POST /api/v1/privileged/{id}/approve", "POST /api/v1/privileged/{id}/reject"} {
		routeMatrix[p] = approvers
	}
}

// TestSetRolesAPIRefusesIncompatibleRoles: S7 — the admin API goes through
// the lifecycle: an incompatible pair is refused with 403, the problem names
// the rule and says why in the admin's language, and nothing changes.
func TestSetRolesAPIRefusesIncompatibleRoles(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	ctx := context.Background()
	mustStaff(t, f.db, "s-admin", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-1", coupole.StaffOIDC, coupole.RoleAuditor)
	s := f.mustSession(t, "s-admin")
	for _, tc := range []struct {
		lang coupole.Language
		want string
	}{{"fr", "sont incompatibles"}, {"nl", "zijn onverenigbaar"}, {"de", "sind unvereinbar"}, {"en", "are incompatible"}} {
		if err := f.db.SetLanguage(ctx, "s-admin", tc.lang); err != nil {
			t.Fatal(err)
		}
		resp := f.do(t, s, "POST", "/api/v1/staff/s-1/roles", `{"roles":["auditor","it_admin"]}`)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, tc.want) || !strings.Contains(body, "incompatible-auditor-it-admin") {
			t.Errorf("%s: %d %s", tc.lang, resp.StatusCode, body)
		}
	}
	if st, _ := f.db.Staff(ctx, "s-1"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAuditor}) {
		t.Errorf("roles after refusal: %v", st.Roles)
	}
	if resp := f.do(t, s, "POST", "/api/v1/staff/s-1/roles", `{"roles":["supervisor"]}`); resp.StatusCode != http.StatusOK {
		t.Errorf("compatible change: %d %s", resp.StatusCode, readBody(t, resp))
	}
	recs, err := f.db.LifecycleRecords(ctx, "s-1")
	count := map[string]int{}
	for _, r := range recs {
		count[string(r.Kind)+"/"+r.Source+"/"+r.Rule]++
	}
	if err != nil || len(recs) != 5 || count["mover/screen/"] != 1 || count["sod_refused/screen/incompatible-auditor-it-admin"] != 4 {
		t.Errorf("lifecycle records: %v, %v", count, err)
	}
}

// TestOIDCGroupsLostEndAccessNow: S4, issue 12 item 2 — a staff member whose
// identity-provider groups no longer map to any role loses the stored roles
// and every live session at that sign-in, not hours later; groups mapping
// to an incompatible pair are refused and create nothing (S7).
func TestOIDCGroupsLostEndAccessNow(t *testing.T) {
	m := mustMockOIDC(t)
	cfg := oidcConfig(m)
	cfg.GroupRoles["cc-audit-admin"] = []coupole.Role{coupole.RoleAuditor, coupole.RoleITAdmin}
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{OIDC: cfg})
	ctx := context.Background()

	m.QueueUser(&mockoidc.MockUser{Subject: "emp-1001", PreferredUsername: "marie", Groups: []string{"cc-advisors"}})
	b := newBrowser(t)
	resp, err := b.Get(f.ts.URL + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	me := func() int {
		resp, err := b.Get(f.ts.URL + "/api/v1/me")
		if err != nil {
			t.Fatal(err)
		}
		var v meJSON
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := me(); code != http.StatusOK {
		t.Fatalf("first sign-in: /api/v1/me %d", code)
	}

	m.QueueUser(&mockoidc.MockUser{Subject: "emp-1001", PreferredUsername: "marie", Groups: []string{"finance"}})
	resp, _ = newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("sign-in without a mapped group: %d", resp.StatusCode)
	}
	st, err := f.db.StaffByLogin(ctx, coupole.StaffOIDC, "emp-1001")
	if err != nil || len(st.Roles) != 0 {
		t.Errorf("stored roles after the groups are gone: %+v, %v", st.Roles, err)
	}
	if code := me(); code != http.StatusUnauthorized {
		t.Errorf("the earlier session still works: %d", code)
	}

	m.QueueUser(&mockoidc.MockUser{Subject: "emp-3003", Groups: []string{"cc-audit-admin"}})
	resp, _ = newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("incompatible groups: %d", resp.StatusCode)
	}
	if _, err := f.db.StaffByLogin(ctx, coupole.StaffOIDC, "emp-3003"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("joiner with incompatible roles created: %v", err)
	}
}

// TestSoDReportPage: S7 — the report lists an existing violation with its
// rule's explanation in the page's language.
func TestSoDReportPage(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-bad", coupole.StaffOIDC, coupole.RoleAuditor, coupole.RoleITAdmin)
	if err := f.db.SetLanguage(context.Background(), "s-po", "de"); err != nil {
		t.Fatal(err)
	}
	resp := f.do(t, f.mustSession(t, "s-po"), "GET", "/governance/sod", "")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-staff="s-bad"`) || !strings.Contains(body, "sind unvereinbar") || strings.Contains(body, `data-staff="s-po"`) {
		t.Errorf("SoD page: %d\n%s", resp.StatusCode, body)
	}
}

// TestPrivilegedRoleEndsOnLiveSession: S3 — an approved elevated role is
// held by the holder's live session from the approval, and stops at its end
// on the very next request of the same session (the injected clock moves
// past the end; nothing else happens: no sweeper, no sign-out).
func TestPrivilegedRoleEndsOnLiveSession(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	ctx := context.Background()
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-sdm", coupole.StaffOIDC, coupole.RoleServiceDeliveryManager)
	p := &governance.Privileged{Store: f.db, SoD: f.access.SoD, Access: f.access.Authz, Tracer: f.tracer, Clock: f.clock}
	s := f.mustSession(t, "s-adv")
	if resp := f.do(t, s, "GET", "/alerts", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("advisor on /alerts before: %d", resp.StatusCode)
	}
	r, err := p.Request(ctx, "s-adv", coupole.RoleSupervisor, "covering a shift", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Decide(ctx, "s-sdm", r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if resp := f.do(t, s, "GET", "/alerts", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("during the grant: %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(30*time.Minute - time.Second)
	if resp := f.do(t, s, "GET", "/alerts", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("one second before the end: %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(time.Second)
	if resp := f.do(t, s, "GET", "/alerts", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("at the end, same live session: %d, want 403", resp.StatusCode)
	}
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the session itself lives on: %d", resp.StatusCode)
	}
}

// TestGovernanceScreensInEveryLanguage: issue 12 item 7 — the access
// administration page and the approvals inbox speak the staff member's
// language, each of the four.
func TestGovernanceScreensInEveryLanguage(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	ctx := context.Background()
	mustStaff(t, f.db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	want := map[coupole.Language][2]string{
		coupole.French:  {"Administration des accès", "Approbations"},
		coupole.Dutch:   {"Toegangsbeheer", "Goedkeuringen"},
		coupole.German:  {"Zugriffsverwaltung", "Genehmigungen"},
		coupole.English: {"Access administration", "Approvals"},
	}
	for lang, titles := range want {
		for i, page := range []struct{ staff, path string }{{"s-it", "/governance/admin"}, {"s-po", "/governance/approvals"}} {
			if err := f.db.SetLanguage(ctx, page.staff, lang); err != nil {
				t.Fatal(err)
			}
			resp := f.do(t, f.mustSession(t, page.staff), "GET", page.path, "")
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<h1>"+html.EscapeString(titles[i])+"</h1>") {
				t.Errorf("%s in %s: %d, want the title %q", page.path, lang, resp.StatusCode, titles[i])
			}
		}
	}
}
