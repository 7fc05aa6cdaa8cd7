package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/oauth2-proxy/mockoidc"
)

// staffLog is the audit log as the staff tracer sees it: every event is
// encoded the way the log encodes it (so an event the log would refuse, e.g.
// one that is not valid UTF-8, is refused here too); down makes it fail.
type staffLog struct {
	mu     sync.Mutex
	events []audit.Event
	down   bool
}

func (l *staffLog) Append(ctx context.Context, ev audit.Event) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return 0, coupole.Errorf(coupole.EUNAVAILABLE, "audit store down")
	}
	if _, err := verify.EncodePayload(ev); err != nil {
		return 0, coupole.Wrap(err, coupole.EINVALID, "audit event: %v", err)
	}
	l.events = append(l.events, ev)
	return uint64(len(l.events) - 1), nil
}

func (l *staffLog) setDown(down bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = down
}

func (l *staffLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// since returns the events appended after the first n.
func (l *staffLog) since(n int) []audit.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events[n:])
}

// withStaffLog makes f's staff events go through the real mapping
// (AuditStaffTracer) into a recorded log.
func withStaffLog(f *fixture) *staffLog {
	l := &staffLog{}
	f.access.Tracer = AuditStaffTracer{Log: l}
	return l
}

func hasData(ev audit.Event, item string) bool { return slices.Contains(ev.Data, item) }

// checkTarget reports what is wrong with the target of a refusal event.
func checkTarget(ev audit.Event, kind, id string) string {
	switch kind {
	case "Customer":
		if !slices.Equal(ev.Customers, []string{id}) {
			return "customers " + strings.Join(ev.Customers, ",") + ", want " + id
		}
		for _, d := range ev.Data {
			if strings.HasSuffix(d, "="+id) {
				return "the customer is in the readable data"
			}
		}
	case "AccessPoint":
		if !slices.Equal(ev.AccessPoints, []string{id}) {
			return "access points " + strings.Join(ev.AccessPoints, ",") + ", want the EAN"
		}
		if !hasData(ev, "target="+coupole.EAN(id).Masked()) {
			return "no masked EAN in the data"
		}
		for _, d := range ev.Data {
			if strings.Contains(d, id) {
				return "the full EAN is in the readable data"
			}
		}
	case "Interaction":
		if ev.Interaction != id {
			return "interaction " + ev.Interaction + ", want " + id
		}
	case "StaffAccount", "Grant":
		if !hasData(ev, "subject="+id) {
			return "no subject=" + id
		}
	}
	return ""
}

// TestEveryRefusalTracedWithItsTarget walks every registered staff route
// (issue 10, item 5; T1): each is requested by a signed-in staff member the
// policy refuses — for want of the role, and, where the route has a
// need-to-know resource, with the role but without the need to know (an
// advisor on another advisor's interaction, a customer or an EAN they do not
// handle). Every refusal must leave exactly one access.denied event naming
// the actor, the route and the target.
func TestEveryRefusalTracedWithItsTarget(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	log := withStaffLog(f)
	ctx := context.Background()
	mustStaff(t, f.db, "s-target", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-other", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-owner", coupole.StaffOIDC, coupole.RoleAdvisor)
	if err := f.db.CreateGrant(ctx, coupole.BreakGlassGrant{ID: "g-other", StaffID: "s-other", CustomerID: "C9", Reason: "r", RequestedAt: t0, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for _, role := range coupole.Roles {
		mustStaff(t, f.db, "s-"+string(role), coupole.StaffOIDC, role)
	}
	// Somebody else's interaction: the one the forbidden actors probe.
	v, err := f.access.Interactions.Open(ctx, interaction.Actor{StaffID: "s-owner"}, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	theirs := v.ID

	walked := 0
	for _, rt := range f.access.Routes() {
		if rt.Public {
			continue
		}
		method, path, body := matrixRequest(rt.Pattern)
		path = strings.Replace(path, "{id}", theirs, 1)
		typ, id := "Page", ""
		switch {
		case strings.Contains(rt.Pattern, "/customers/"):
			typ, id = "Customer", "C1"
		case strings.Contains(rt.Pattern, "/access-points/"):
			typ, id = "AccessPoint", string(testEAN)
		case strings.Contains(rt.Pattern, "interactions/{id}"):
			typ, id = "Interaction", theirs
		case strings.Contains(rt.Pattern, "/staff/{id}"):
			typ, id = "StaffAccount", "s-target"
		case strings.Contains(rt.Pattern, "/breakglass/{id}"):
			typ, id = "Grant", "g-other"
		}
		var actors []string
		for _, role := range coupole.Roles {
			if !slices.Contains(routeMatrix[rt.Pattern], role) {
				actors = append(actors, "s-"+string(role)) // without the role
				break
			}
		}
		if typ == "Customer" || typ == "AccessPoint" || typ == "Interaction" {
			actors = append(actors, "s-advisor") // the role, not the need to know
		}
		if len(actors) == 0 {
			// Open to every signed-in role, on no resource: nobody signed in
			// is refused (anonymous requests are counted, see below).
			if len(routeMatrix[rt.Pattern]) != len(coupole.Roles) || rt.Resource != nil {
				t.Errorf("%s: no forbidden actor found", rt.Pattern)
			}
			continue
		}
		for _, actor := range actors {
			walked++
			n := log.len()
			resp := f.do(t, f.mustSession(t, actor), method, path, body)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s by %s: status %d, want 403", rt.Pattern, actor, resp.StatusCode)
				continue
			}
			evs := log.since(n)
			if len(evs) != 1 {
				t.Errorf("%s by %s: %d events, want one access.denied", rt.Pattern, actor, len(evs))
				continue
			}
			ev := evs[0]
			if ev.Action != coupole.StaffEventAccessDenied || ev.Actor != actor || ev.Decision == nil || ev.Decision.Outcome != "refused" ||
				!hasData(ev, "route="+rt.Pattern) || !hasData(ev, "action="+string(rt.Action)) || ev.Client == "" {
				t.Errorf("%s by %s: event %+v", rt.Pattern, actor, ev)
			}
			if problem := checkTarget(ev, typ, id); problem != "" {
				t.Errorf("%s by %s: target: %s", rt.Pattern, actor, problem)
			}
		}
	}
	if walked < 40 {
		t.Errorf("only %d refusals walked", walked)
	}
}

// TestSevenProbesOnAnotherAdvisorsInteraction is the outside test's case: an
// advisor sends seven requests on another advisor's interaction; each is
// refused and traced with the interaction.
func TestSevenProbesOnAnotherAdvisorsInteraction(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	log := withStaffLog(f)
	mustStaff(t, f.db, "s-owner", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-prober", coupole.StaffOIDC, coupole.RoleAdvisor)
	v, err := f.access.Interactions.Open(context.Background(), interaction.Actor{StaffID: "s-owner"}, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	s := f.mustSession(t, "s-prober")
	steps := []string{"GET /api/v1/interactions/{id}", "POST /api/v1/interactions/{id}/identify", "POST /api/v1/interactions/{id}/select",
		"POST /api/v1/interactions/{id}/verify", "POST /api/v1/interactions/{id}/decide", "POST /api/v1/interactions/{id}/deliveries",
		"POST /api/v1/interactions/{id}/close"}
	for _, step := range steps {
		method, path, body := matrixRequest(step)
		if resp := f.do(t, s, method, strings.Replace(path, "{id}", v.ID, 1), body); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", step, resp.StatusCode)
		}
	}
	n := 0
	for _, ev := range log.since(0) {
		if ev.Action == coupole.StaffEventAccessDenied && ev.Actor == "s-prober" && ev.Interaction == v.ID {
			n++
		}
	}
	if n != len(steps) {
		t.Errorf("%d refusals traced with the interaction, want %d", n, len(steps))
	}
}

// TestCSRFRefusalOfAKnownSessionTraced: a state-changing request with the
// session cookie but without its form token names its staff member: it is
// traced with the target.
func TestCSRFRefusalOfAKnownSessionTraced(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	log := withStaffLog(f)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	v, err := f.access.Interactions.Open(context.Background(), interaction.Actor{StaffID: "s-adv"}, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	s := f.mustSession(t, "s-adv")
	s.csrf = ""
	if resp := f.do(t, s, "POST", "/api/v1/interactions/"+v.ID+"/close", `{"call_reasons":["ean_request"]}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without form token: %d", resp.StatusCode)
	}
	evs := log.since(0)
	if len(evs) != 1 || evs[0].Action != coupole.StaffEventAccessDenied || evs[0].Actor != "s-adv" || evs[0].Interaction != v.ID ||
		evs[0].Decision.Reason != "csrf" || !hasData(evs[0], "route=POST /api/v1/interactions/{id}/close") {
		t.Errorf("events = %+v", evs)
	}
}

// TestAnonymousRefusalsCounted: requests that name nobody (not signed in,
// cross-origin, outside the allowed networks) cannot fill the audit log: a
// hundred of them within a minute make one event at once and one event with
// the count once the window has passed.
func TestAnonymousRefusalsCounted(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	log := withStaffLog(f)
	for i := 0; i < 100; i++ {
		if resp := f.do(t, session{}, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", f.ts.URL+"/signout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %v %v", resp, err)
	}
	if n := log.len(); n != 1 {
		t.Fatalf("%d events for 101 anonymous refusals within a minute, want 1", n)
	}
	f.clock.T = f.clock.T.Add(anonymousWindow)
	f.do(t, session{}, "GET", "/api/v1/me", "")
	evs := log.since(0)
	if len(evs) != 2 {
		t.Fatalf("%d events after the window, want 2", len(evs))
	}
	first, second := evs[0], evs[1]
	if first.Action != coupole.StaffEventAnonymousRefusals || !hasData(first, "refused.signin_required=1") {
		t.Errorf("first event %+v", first)
	}
	if second.Action != coupole.StaffEventAnonymousRefusals || second.Actor != "anonymous" || second.Decision.Reason != "refusals=101" ||
		!hasData(second, "refused.signin_required=100") || !hasData(second, "refused.cross_origin=1") {
		t.Errorf("second event %+v %+v", second, second.Decision)
	}
}

// TestPrivilegeChangesTraceFirst: with the audit log down, a role change, a
// break-glass request or approval, and an account created or changed at
// OIDC sign-in are not made (503); signing out and revocation, which only
// remove access, still happen — revocation answers 503 to say it is not
// traced (issue 10, item 5).
func TestPrivilegeChangesTraceFirst(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testPrivilegeChangesTraceFirst(t, e.Open(t)) })
	}
}

func testPrivilegeChangesTraceFirst(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	f := mustFixture(t, db, AuthConfig{})
	log := withStaffLog(f)
	mustStaff(t, f.db, "s-admin", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-sdm", coupole.StaffOIDC, coupole.RoleServiceDeliveryManager)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	if err := f.db.CreateGrant(ctx, coupole.BreakGlassGrant{ID: "g-1", StaffID: "s-po", CustomerID: "C9", Reason: "GDPR request", RequestedAt: t0, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	admin, po, sdm := f.mustSession(t, "s-admin"), f.mustSession(t, "s-po"), f.mustSession(t, "s-sdm")
	log.setDown(true)

	if resp := f.do(t, admin, "POST", "/api/v1/staff/s-adv/roles", `{"roles":["it_admin"]}`); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("role change with the log down: %d, want 503", resp.StatusCode)
	}
	if st, _ := f.db.Staff(ctx, "s-adv"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor}) {
		t.Errorf("roles changed without a trace: %v", st.Roles)
	}
	if resp := f.do(t, po, "POST", "/api/v1/breakglass", `{"customer_id":"C1","reason":"GDPR request 9","minutes":30}`); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("break-glass request with the log down: %d, want 503", resp.StatusCode)
	}
	if gs, _ := f.db.GrantsOf(ctx, "s-po"); len(gs) != 1 {
		t.Errorf("a grant was requested without a trace: %+v", gs)
	}
	if resp := f.do(t, sdm, "POST", "/api/v1/breakglass/g-1/approve", ""); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("approval with the log down: %d, want 503", resp.StatusCode)
	}
	if g, _ := f.db.Grant(ctx, "g-1"); g.ApprovedBy != "" {
		t.Errorf("grant approved without a trace: %+v", g)
	}

	// Removing access is not held up by the log.
	adv := f.mustSession(t, "s-adv")
	if resp := f.do(t, adv, "POST", "/signout", ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out with the log down: %d", resp.StatusCode)
	}
	if resp := f.do(t, adv, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session alive after sign-out: %d", resp.StatusCode)
	}
	adv = f.mustSession(t, "s-adv")
	if resp := f.do(t, admin, "POST", "/api/v1/staff/s-adv/revoke", `{"reason":"laptop stolen"}`); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("revocation with the log down: %d, want 503 (revoked, not traced)", resp.StatusCode)
	}
	if st, _ := f.db.Staff(ctx, "s-adv"); st.Status != coupole.StaffRevoked || st.RevokedReason != "laptop stolen" {
		t.Errorf("revocation must stand with the log down: %+v", st)
	}
	if resp := f.do(t, adv, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked session still works: %d", resp.StatusCode)
	}
	if n := log.len(); n != 0 {
		t.Errorf("%d events recorded by a log that is down", n)
	}

	// With the log back, the same changes are traced before they are made.
	log.setDown(false)
	f.db.Reinstate(ctx, "s-adv")
	if resp := f.do(t, admin, "POST", "/api/v1/staff/s-adv/roles", `{"roles":["back_office"]}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("role change: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if resp := f.do(t, sdm, "POST", "/api/v1/breakglass/g-1/approve", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("approval: %d %s", resp.StatusCode, readBody(t, resp))
	}
	// The role change, its entry in the validation queue (S5), the approval.
	evs := log.since(0)
	if len(evs) != 3 || evs[0].Action != coupole.StaffEventRolesChanged || !hasData(evs[0], "to=back_office") ||
		evs[1].Action != governance.EventGrantOpened || !hasData(evs[1], "role=back_office") ||
		evs[2].Action != coupole.StaffEventGrantApproved || !slices.Equal(evs[2].Customers, []string{"C9"}) {
		t.Errorf("events = %+v", evs)
	}
	// A refused approval (already approved) is traced as refused, once.
	n := log.len()
	if resp := f.do(t, sdm, "POST", "/api/v1/breakglass/g-1/approve", ""); resp.StatusCode != http.StatusConflict {
		t.Errorf("second approval: %d", resp.StatusCode)
	}
	if evs := log.since(n); len(evs) != 1 || evs[0].Action != coupole.StaffEventGrantRefused {
		t.Errorf("second approval traced as %+v", evs)
	}
}

// TestOIDCProvisioningTraceFirst: with the audit log down, a first OIDC
// sign-in creates nobody and a mover's new groups change no role.
func TestOIDCProvisioningTraceFirst(t *testing.T) {
	m := mustMockOIDC(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{OIDC: oidcConfig(m)})
	log := withStaffLog(f)
	ctx := context.Background()
	signIn := func(subject string, groups ...string) int {
		m.QueueUser(&mockoidc.MockUser{Subject: subject, PreferredUsername: subject, Groups: groups})
		resp, err := newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	log.setDown(true)
	if code := signIn("emp-1", "cc-advisors"); code != http.StatusServiceUnavailable {
		t.Errorf("first sign-in with the log down: %d, want 503", code)
	}
	if _, err := f.db.StaffByLogin(ctx, coupole.StaffOIDC, "emp-1"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("account created without a trace: %v", err)
	}
	log.setDown(false)
	if code := signIn("emp-1", "cc-advisors"); code != http.StatusOK {
		t.Fatalf("first sign-in: %d", code)
	}
	log.setDown(true)
	if code := signIn("emp-1", "cc-supervisors"); code != http.StatusServiceUnavailable {
		t.Errorf("mover's sign-in with the log down: %d, want 503", code)
	}
	if st, _ := f.db.StaffByLogin(ctx, coupole.StaffOIDC, "emp-1"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor}) {
		t.Errorf("roles changed without a trace: %v", st.Roles)
	}
}

// TestAuditorSearchTraced: T1, S7 — an auditor's search by customer or EAN
// is traced before anything is read: the criteria in the event's erasable
// fields, the EAN masked in its readable data; with the log down, no
// results.
func TestAuditorSearchTraced(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	log := withStaffLog(f)
	mustStaff(t, f.db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor)
	s := f.mustSession(t, "s-aud")
	search := func() *http.Response {
		form := url.Values{"csrf_token": {s.csrf}, "customer": {"C1"}, "ean": {string(testEAN)}, "from": {"2026-01-01"}}
		req, _ := http.NewRequest("POST", f.ts.URL+"/traces", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(s.cookie)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := search(); resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d %s", resp.StatusCode, readBody(t, resp))
	}
	evs := log.since(0)
	if len(evs) != 1 {
		t.Fatalf("%d events for one search, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Action != coupole.StaffEventAuditSearch || ev.Actor != "s-aud" || !slices.Equal(ev.Customers, []string{"C1"}) ||
		!slices.Equal(ev.AccessPoints, []string{string(testEAN)}) || !hasData(ev, "criteria=customer,ean,from") ||
		!hasData(ev, "criteria.ean="+testEAN.Masked()) {
		t.Errorf("search event %+v", ev)
	}
	for _, d := range ev.Data {
		if strings.Contains(d, string(testEAN)) || strings.Contains(d, "C1") {
			t.Errorf("criterion in the readable data: %q", d)
		}
	}
	log.setDown(true)
	if resp := search(); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("search with the log down: %d, want 503", resp.StatusCode)
	}
}

// TestGarbledSignInNameTraced: a failed local sign-in whose user name is not
// valid UTF-8, or is cut mid-character at the length limit, is traced with a
// sanitized name (issue 10, item 5).
func TestGarbledSignInNameTraced(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{LocalAccounts: []string{"bg-admin"}})
	log := withStaffLog(f)
	for name, user := range map[string]string{
		"invalid UTF-8":  "bg-\xff\xfeadmin",
		"cut at 128":     strings.Repeat("é", 100), // 200 bytes: byte 128 is mid-character
		"control + long": "\x00" + strings.Repeat("€", 300),
	} {
		t.Run(name, func(t *testing.T) {
			n := log.len()
			b := newBrowser(t)
			token := signInForm(t, b, f.ts.URL)
			resp, err := b.PostForm(f.ts.URL+"/signin/local", url.Values{"csrf_token": {token}, "user": {user}, "password": {"wrong password!!"}, "totp": {"000000"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d", resp.StatusCode)
			}
			evs := log.since(n)
			if len(evs) != 1 || evs[0].Action != coupole.StaffEventSignInFailed {
				t.Fatalf("events %+v", evs)
			}
			for _, d := range evs[0].Data {
				if strings.HasPrefix(d, "subject=") && len(d)-len("subject=") > maxSignInName {
					t.Errorf("traced name is %d bytes", len(d)-len("subject="))
				}
			}
		})
	}
}

// TestStaffAuditEventSanitizes: every text of a staff event reaches the log
// as valid UTF-8 within bounds, whatever its origin (a reason typed on the
// command line, a display name from a provider).
func TestStaffAuditEventSanitizes(t *testing.T) {
	e := coupole.StaffEvent{Type: coupole.StaffEventRevoked, Actor: "cli:op\xc3", Subject: "s-1", Outcome: "ok", Reason: strings.Repeat("ü", 1000) + "\xff",
		Details: map[string]string{"name": "Ren\xe9", "customer": "C1", "access_point": string(testEAN), "interaction": "i-1", "client": "10.0.0.1"}}
	ev := StaffAuditEvent(e)
	if _, err := verify.EncodePayload(ev); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if len(ev.Decision.Reason) > maxTracedText || !strings.HasPrefix(ev.Decision.Reason, "üü") {
		t.Errorf("reason %d bytes", len(ev.Decision.Reason))
	}
	if !slices.Equal(ev.Customers, []string{"C1"}) || !slices.Equal(ev.AccessPoints, []string{string(testEAN)}) || ev.Interaction != "i-1" ||
		ev.Client != "10.0.0.1" || !slices.Equal(ev.Data, []string{"subject=s-1", "name=Ren\uFFFD"}) {
		t.Errorf("event %+v", ev)
	}
}

// TestJunkSignInsCounted: calls that name nobody on the public sign-in
// routes — an OIDC callback without a flow, a local sign-in without its form
// token — are counted into the window's event, not traced one by one; a
// sign-in refused for a subject the provider vouched for is traced.
func TestJunkSignInsCounted(t *testing.T) {
	m := mustMockOIDC(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{OIDC: oidcConfig(m)})
	log := withStaffLog(f)
	for i := 0; i < 30; i++ {
		f.do(t, session{}, "GET", "/auth/oidc/callback?state=x&code=y", "")
		f.do(t, session{}, "POST", "/signin/local", "")
	}
	if n := log.len(); n != 1 {
		t.Errorf("%d events for 60 junk sign-ins within a minute, want 1", n)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "emp-9", Groups: []string{"finance"}})
	resp, err := newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	evs := log.since(1)
	if len(evs) != 1 || evs[0].Action != coupole.StaffEventSignInFailed || !hasData(evs[0], "subject=emp-9") || evs[0].Decision.Reason != "no_role" {
		t.Errorf("refused provider-vouched sign-in traced as %+v", evs)
	}
}

// TestRevokeWithGarbledReason: an emergency revocation whose reason is not
// valid UTF-8 (typed in a terminal with another encoding) is made, stored and
// traced, on both engines (PostgreSQL refuses invalid UTF-8 text).
func TestRevokeWithGarbledReason(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			mustStaff(t, db, "s-garbled", coupole.StaffOIDC, coupole.RoleAdvisor)
			log := &staffLog{}
			if _, err := RevokeStaff(context.Background(), db, AuditStaffTracer{Log: log}, &coupole.FixedClock{T: t0}, "cli:ops", "s-garbled", "vol du portable \xe9t\xe9"); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if st, _ := db.Staff(context.Background(), "s-garbled"); st.Status != coupole.StaffRevoked || st.RevokedReason != "vol du portable \uFFFDt\uFFFD" {
				t.Errorf("after revoke: %+v", st)
			}
			if evs := log.since(0); len(evs) != 1 || evs[0].Action != coupole.StaffEventRevoked {
				t.Errorf("events %+v", evs)
			}
		})
	}
}
