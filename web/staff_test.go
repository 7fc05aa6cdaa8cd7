package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/casework"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/policy"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// --- fixture ---

var testEAN = coupole.MustParseEAN("54141234567890123" + string(coupole.GS1CheckDigit("54141234567890123")))

// fakeFacts is the minimal interaction fact provider: each staff member
// handles the interactions listed for them.
type fakeFacts struct {
	mu      sync.Mutex
	handled map[string][]coupole.HandledInteraction
}

func (f *fakeFacts) HandledInteractions(ctx context.Context, staffID string) ([]coupole.HandledInteraction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.handled[staffID], nil
}

func (f *fakeFacts) OpenInteractions(ctx context.Context) ([]coupole.InteractionMeta, error) {
	return []coupole.InteractionMeta{{ID: "i-1", StaffID: "s-x", Channel: "phone", OpenedAt: time.Unix(0, 0).UTC()}}, nil
}

func (f *fakeFacts) handle(staffID string, hi coupole.HandledInteraction) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handled[staffID] = append(f.handled[staffID], hi)
}

type fakeCustomers struct{}

func (fakeCustomers) Customer(ctx context.Context, id string) (coupole.Customer, error) {
	return coupole.Customer{ID: id, GivenName: "Marie", FamilyName: "Dupont", Language: coupole.French}, nil
}

func (fakeCustomers) AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error) {
	return coupole.AccessPoint{EAN: ean, Energy: coupole.Electricity, Regime: coupole.RegimeAnnual}, nil
}

// recTracer records staff events.
type recTracer struct {
	mu     sync.Mutex
	events []coupole.StaffEvent
}

func (t *recTracer) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, e)
	return nil
}

func (t *recTracer) types() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, e := range t.events {
		out = append(out, e.Type)
	}
	return out
}

type fixture struct {
	db     *sqlstore.DB
	clock  *coupole.FixedClock
	access *StaffAccess
	facts  *fakeFacts
	tracer *recTracer
	audit  *recAudit
	ts     *httptest.Server
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func mustFixture(tb testing.TB, db *sqlstore.DB, cfg AuthConfig) *fixture {
	tb.Helper()
	f := &fixture{db: db, clock: &coupole.FixedClock{T: t0}, facts: &fakeFacts{handled: map[string][]coupole.HandledInteraction{}}, tracer: &recTracer{}}
	var srv *Server
	f.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.ServeHTTP(w, r) }))
	tb.Cleanup(f.ts.Close)
	if cfg.OIDC != nil && cfg.OIDC.RedirectURL == "" {
		cfg.OIDC.RedirectURL = f.ts.URL + "/auth/oidc/callback"
	}
	srv = NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		tb.Fatal(err)
	}
	f.audit = &recAudit{}
	f.access = &StaffAccess{Store: db, Authz: staffpolicy.MustEmbedded(), Facts: f.facts, Customers: fakeCustomers{},
		Tracer: f.tracer, Clock: f.clock, Config: cfg,
		Interactions: &interaction.Service{Grid: db, Store: db, Policy: pol, Audit: f.audit, Clock: f.clock},
		Cases:        &casework.Service{Store: db, Grid: db, Audit: f.audit, Clock: f.clock},
		AuditProofs:  audit.NewReader(sqlstore.NewAuditStore(db))}
	if err := srv.EnableStaffAccess(context.Background(), f.access); err != nil {
		tb.Fatal(err)
	}
	f.access.EnablePages(PagesConfig{Traces: audit.NewReader(sqlstore.NewAuditStore(db))})
	// Issue 13: e-mail and chat bodies.
	f.access.Interactions.Messages = mustMessageKeeper(tb, db, f.clock, f.audit)
	f.access.EnableOversight(&oversight.Service{Store: db, Audit: f.audit, Clock: f.clock, Interactions: db, OpenTooLong: 4 * time.Hour}, // issue 16
		&oversight.Dashboard{Store: db, Deliveries: db, Audit: f.audit, Clock: f.clock, Location: time.UTC, OpenTooLong: 4 * time.Hour})
	return f
}

func mustStaff(tb testing.TB, db *sqlstore.DB, id string, kind coupole.StaffKind, roles ...coupole.Role) coupole.Staff {
	tb.Helper()
	s := coupole.Staff{ID: id, Kind: kind, Login: id, DisplayName: "Agent " + id, Roles: roles, Status: coupole.StaffActive, CreatedAt: t0}
	if err := db.CreateStaff(context.Background(), s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// session is a signed-in browser of a test.
type session struct {
	cookie *http.Cookie
	csrf   string
}

// mustSession signs st in directly in the store, as a sign-in would.
func (f *fixture) mustSession(tb testing.TB, staffID string) session {
	tb.Helper()
	raw := newSecret()
	now := f.clock.Now()
	if err := f.db.CreateSession(context.Background(), coupole.Session{IDHash: hashSessionID(raw), StaffID: staffID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(f.access.limits().Absolute)}); err != nil {
		tb.Fatal(err)
	}
	return session{&http.Cookie{Name: f.access.sessionCookieName(), Value: raw}, csrfToken(raw)}
}

// do sends a request as s (zero session: anonymous); body, if any, is JSON.
func (f *fixture) do(tb testing.TB, s session, method, path, body string) *http.Response {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.cookie != nil {
		req.AddCookie(s.cookie)
	}
	if s.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

var noRedirect = &http.Client{Transport: openAPIChecked, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func readBody(tb testing.TB, resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// --- the authorization matrix (issue 5, point 9) ---

// routeMatrix says, for every staff route, which roles may use it. A route
// registered without a row here fails TestAuthorizationMatrix: adding a route
// means deciding who may use it. "public" routes are open before sign-in.
var routeMatrix = map[string][]coupole.Role{
	"GET /signin":                           nil,
	"GET /auth/oidc/start":                  nil,
	"GET /auth/oidc/callback":               nil,
	"POST /signin/local":                    nil,
	"POST /signin/demo":                     nil,
	"GET /{$}":                              coupole.Roles,
	"GET /api/v1/me":                        coupole.Roles,
	"POST /signout":                         coupole.Roles,
	"POST /signout/everywhere":              coupole.Roles,
	"GET /api/v1/customers/{id}":            {coupole.RoleAdvisor, coupole.RoleCPASAdvisor, coupole.RoleBackOffice},
	"POST /api/v1/access-points/read":       {coupole.RoleAdvisor, coupole.RoleCPASAdvisor, coupole.RoleBackOffice},
	"GET /api/v1/interactions":              {coupole.RoleTeamLead, coupole.RoleSupervisor},
	"GET /api/v1/staff":                     {coupole.RoleITAdmin, coupole.RoleServiceDeliveryManager},
	"POST /api/v1/staff/{id}/revoke":        {coupole.RoleITAdmin, coupole.RoleServiceDeliveryManager},
	"POST /api/v1/staff/{id}/roles":         {coupole.RoleITAdmin},
	"GET /api/v1/breakglass":                {coupole.RoleAuditor, coupole.RolePrivacyOfficer},
	"POST /api/v1/breakglass":               {coupole.RolePrivacyOfficer},
	"POST /api/v1/breakglass/{id}/approve":  {coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},
	"POST /api/v1/breakglass/{id}/reject":   {coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},
	"POST /api/v1/breakglass/{id}/withdraw": {coupole.RolePrivacyOfficer},

	// identity governance screens (issue 12)
	"GET /governance/admin":                             {coupole.RoleITAdmin},
	"POST /governance/admin/staff/{id}/roles":           {coupole.RoleITAdmin},
	"POST /governance/admin/staff/{id}/revoke":          {coupole.RoleITAdmin, coupole.RoleServiceDeliveryManager},
	"POST /governance/admin/tokens":                     {coupole.RoleITAdmin},
	"POST /governance/admin/tokens/{id}/{verb}":         {coupole.RoleITAdmin},
	"GET /governance/approvals":                         {coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},
	"POST /governance/approvals/privileged/{id}/{verb}": {coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},
	"POST /governance/approvals/breakglass/{id}/{verb}": {coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},

	// Interactions, JSON API (issue 6).
	"GET /api/v1/openapi.json":                  nil,
	"POST /api/v1/interactions":                 frontOffice,
	"POST /api/v1/cpas-line/interactions":       {coupole.RoleCPASAdvisor},
	"GET /api/v1/call-reasons":                  frontOffice,
	"GET /api/v1/interactions/{id}":             frontOffice,
	"POST /api/v1/interactions/{id}/identify":   frontOffice,
	"POST /api/v1/interactions/{id}/select":     frontOffice,
	"POST /api/v1/interactions/{id}/verify":     frontOffice,
	"POST /api/v1/interactions/{id}/decide":     frontOffice,
	"POST /api/v1/interactions/{id}/deliveries": frontOffice,
	"POST /api/v1/interactions/{id}/readings":   frontOffice,
	"POST /api/v1/interactions/{id}/contact":    frontOffice,
	"POST /api/v1/interactions/{id}/close":      frontOffice,
	"POST /api/v1/public-info":                  {coupole.RoleAdvisor, coupole.RoleCPASAdvisor, coupole.RoleBackOffice, coupole.RoleTeamLead, coupole.RoleSupervisor},
	"GET /api/v1/alerts":                        {coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RolePrivacyOfficer},
	"GET /api/v1/deliveries/failed":             {coupole.RoleBackOffice, coupole.RoleTeamLead},
	"POST /api/v1/alerts/{id}/unlock":           {coupole.RoleTeamLead, coupole.RoleSupervisor},
	"GET /audit/checkpoint":                     {coupole.RoleAuditor},
	"GET /audit/proof/inclusion":                {coupole.RoleAuditor},
	"GET /audit/proof/consistency":              {coupole.RoleAuditor},
	// Interaction pages (issue 7), on the same actions.
	"POST /interactions":                  frontOffice,
	"GET /interactions/{id}":              frontOffice,
	"GET /interactions/{id}/deliveries":   frontOffice, // issue 15: the live delivery status of the timeline
	"POST /interactions/{id}/identify":    frontOffice,
	"POST /interactions/{id}/select":      frontOffice,
	"POST /interactions/{id}/verify":      frontOffice,
	"POST /interactions/{id}/decide":      frontOffice,
	"POST /interactions/{id}/execute":     frontOffice,
	"POST /interactions/{id}/reading":     frontOffice,
	"POST /interactions/{id}/contact":     frontOffice,
	"POST /interactions/{id}/public-info": frontOffice,
	"POST /interactions/{id}/close":       frontOffice,
	"GET /cpas":                           {coupole.RoleCPASAdvisor},
	"POST /cpas":                          {coupole.RoleCPASAdvisor},
	"GET /alerts":                         {coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RolePrivacyOfficer},
	"GET /deliveries/failed":              {coupole.RoleBackOffice, coupole.RoleTeamLead},
	"POST /alerts/{id}/unlock":            {coupole.RoleTeamLead, coupole.RoleSupervisor},

	// E-mail and chat bodies of an interaction (issue 13).
	"POST /api/v1/interactions/{id}/messages":          frontOffice,
	"GET /api/v1/interactions/{id}/messages":           frontOffice,
	"GET /api/v1/interactions/{id}/messages/{message}": frontOffice,

	// Back-office cases (issue 11): the queue for the back office; a case
	// for the member who took it (every role "took" one in the matrix: only
	// the role decides; C1 itself is tested in web/cases_test.go).
	"GET /api/v1/cases":                    {coupole.RoleBackOffice},
	"GET /api/v1/cases/{id}":               {coupole.RoleBackOffice},
	"POST /api/v1/cases/{id}/take":         {coupole.RoleBackOffice},
	"POST /api/v1/cases/{id}/answer":       {coupole.RoleBackOffice},
	"POST /api/v1/cases/{id}/close":        {coupole.RoleBackOffice},
	"POST /api/v1/interactions/{id}/cases": frontOffice,
	"GET /cases":                           {coupole.RoleBackOffice},
	"GET /cases/{id}":                      {coupole.RoleBackOffice},
	"POST /cases/{id}/take":                {coupole.RoleBackOffice},
	"POST /cases/{id}/answer":              {coupole.RoleBackOffice},
	"POST /cases/{id}/close":               {coupole.RoleBackOffice},

	// Oversight (issue 16; issue 15 item 8).
	"POST /api/v1/alerts/{id}/acknowledge": reviewers,
	"POST /alerts/{id}/acknowledge":        reviewers,
	"POST /api/v1/redact":                  {coupole.RoleAdvisor, coupole.RoleCPASAdvisor, coupole.RoleBackOffice, coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RolePrivacyOfficer, coupole.RoleServiceDeliveryManager},
	"GET /team":                            {coupole.RoleTeamLead, coupole.RoleSupervisor},
	"GET /team/interactions/{id}":          {coupole.RoleTeamLead, coupole.RoleSupervisor},
	"GET /dashboard":                       {coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RoleServiceDeliveryManager, coupole.RolePrivacyOfficer},
	"GET /dashboard.csv":                   {coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RoleServiceDeliveryManager, coupole.RolePrivacyOfficer},

	// staff pages (issue 7)
	"POST /signin/language":      nil,
	"POST /preferences/language": coupole.Roles,
	"GET /traces":                {coupole.RoleAuditor},
	"POST /traces":               {coupole.RoleAuditor},
}

var frontOffice = []coupole.Role{coupole.RoleAdvisor, coupole.RoleCPASAdvisor, coupole.RoleBackOffice}

// reviewers acknowledge alerts (issue 16).
var reviewers = []coupole.Role{coupole.RoleTeamLead, coupole.RoleSupervisor, coupole.RolePrivacyOfficer}

var publicRoutes = []string{"GET /api/v1/openapi.json", "GET /signin", "GET /auth/oidc/start", "GET /auth/oidc/callback", "POST /signin/local", "POST /signin/demo", "POST /signin/language"}

// matrixRequest fills a route pattern with a path and a valid body.
func matrixRequest(pattern string) (method, path, body string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{$}", "", "{ean}", string(testEAN), "{id}/approve", "g-other/approve", "{id}/unlock", "al-none/unlock", "{id}/acknowledge", "al-none/acknowledge",
		"breakglass/{id}/reject", "breakglass/g-other/reject", "breakglass/{id}/withdraw", "breakglass/g-other/withdraw",
		"breakglass/{id}/{verb}", "breakglass/g-other/approve", "privileged/{id}/{verb}", "privileged/pr-none/approve",
		"tokens/{id}/{verb}", "tokens/tok-none/rotate", "admin/staff/{id}/", "admin/staff/s-target/").Replace(path)
	switch {
	case strings.HasPrefix(path, "/api/v1/customers/"):
		path = "/api/v1/customers/C1"
	case strings.HasPrefix(path, "/api/v1/staff/"):
		path = strings.Replace(path, "{id}", "s-target", 1)
	}
	switch pattern {
	case "POST /api/v1/access-points/read":
		body = `{"ean":"` + string(testEAN) + `"}`
	case "POST /api/v1/staff/{id}/revoke":
		body = `{"reason":"matrix test"}`
	case "POST /api/v1/staff/{id}/roles":
		body = `{"roles":["advisor"]}`
	case "POST /api/v1/breakglass":
		body = `{"customer_id":"C1","reason":"GDPR request 7","minutes":30}`
	case "POST /api/v1/interactions":
		body = `{"channel":"phone","requester":"customer"}`
	case "POST /api/v1/cpas-line/interactions":
		body = `{"cpas_id":"CPAS-X"}`
	case "POST /api/v1/interactions/{id}/messages": // issue 13
		body = `{"channel":"chat","direction":"inbound","started_at":"2026-01-01T00:00:00Z","body":"matrix"}`
	case "POST /api/v1/interactions/{id}/identify":
		body = `{"name":"Dupont"}`
	case "POST /api/v1/interactions/{id}/select":
		body = `{"ref":"c1"}`
	case "POST /api/v1/interactions/{id}/verify":
		body = `{"meter_number":"123"}`
	case "POST /api/v1/interactions/{id}/decide", "POST /api/v1/interactions/{id}/deliveries":
		body = `{"item":"ean"}`
	case "POST /api/v1/interactions/{id}/contact":
		body = `{"language":"nl"}`
	case "POST /api/v1/interactions/{id}/readings":
		body = `{"day_kwh":1}`
	case "POST /api/v1/interactions/{id}/close":
		body = `{"call_reasons":[]}` // refused as invalid: the interaction stays open for the next rows
	case "POST /api/v1/public-info":
		body = `{"postcode":"5000"}`
	case "POST /api/v1/alerts/{id}/unlock":
		body = `{"reason":"matrix test"}`
	case "POST /api/v1/alerts/{id}/acknowledge":
		body = `{"note":"matrix test"}`
	case "POST /api/v1/redact":
		body = `{"text":"matrix test"}`
	case "POST /api/v1/cases/{id}/answer":
		body = `{"by":"letter","text":"matrix test"}`
	case "POST /api/v1/interactions/{id}/cases":
		body = `{"kind":"research"}`
	}
	return method, path, body
}

// recAudit records interaction audit events; fail makes appends fail.
type recAudit struct {
	mu     sync.Mutex
	events []audit.Event
	fail   bool
}

func (t *recAudit) Append(ctx context.Context, ev audit.Event) (uint64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fail {
		return 0, coupole.Errorf(coupole.EUNAVAILABLE, "audit store down")
	}
	t.events = append(t.events, ev)
	return uint64(len(t.events) - 1), nil
}

// TestAuthorizationMatrix: every role × every route, deny by default. Every
// staff member handles an interaction in which customer C1 and testEAN are
// identified, so that customer routes are refused only by role (C1 itself
// is tested in TestNeedToKnow).
func TestAuthorizationMatrix(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	ctx := context.Background()
	mustStaff(t, f.db, "s-target", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-other", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	if err := f.db.CreateGrant(ctx, coupole.BreakGlassGrant{ID: "g-other", StaffID: "s-other", CustomerID: "C9", Reason: "r", RequestedAt: t0, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}

	interactionOf := map[string]string{}
	var registered []string
	for _, rt := range f.access.Routes() {
		registered = append(registered, rt.Pattern)
		if _, ok := routeMatrix[rt.Pattern]; !ok {
			t.Errorf("route %q has no row in routeMatrix: decide which roles may use it", rt.Pattern)
		}
		if rt.Public != slices.Contains(publicRoutes, rt.Pattern) {
			t.Errorf("route %q: public = %v, the matrix says otherwise", rt.Pattern, rt.Public)
		}
		if !rt.Public && rt.Action == "" {
			t.Errorf("route %q has no policy action", rt.Pattern)
		}
	}
	for pattern := range routeMatrix {
		if !slices.Contains(registered, pattern) {
			t.Errorf("routeMatrix row %q matches no registered route", pattern)
		}
	}

	for _, pattern := range registered {
		if slices.Contains(publicRoutes, pattern) {
			continue
		}
		method, path, body := matrixRequest(pattern)
		// Anonymous: refused before anything else.
		if resp := f.do(t, session{}, method, path, body); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: status %d, want 401", method, path, resp.StatusCode)
		}
		for _, role := range coupole.Roles {
			id := "s-" + string(role)
			if _, err := f.db.Staff(ctx, id); err != nil {
				mustStaff(t, f.db, id, coupole.StaffOIDC, role)
				f.facts.handle(id, coupole.HandledInteraction{ID: "i-" + id, CustomerIDs: []string{"C1"}, EANs: []coupole.EAN{testEAN}})
			}
			f.db.Reinstate(ctx, "s-target") // a previous row may have revoked it
			want := slices.Contains(routeMatrix[pattern], role)
			path := path
			if strings.Contains(path, "/interactions/{id}") {
				// Everyone works in an interaction of their own: only the
				// role decides (C1 itself is tested in the interaction E2E tests).
				iid, ok := interactionOf[id]
				if !ok {
					v, err := f.access.Interactions.Open(ctx, interaction.Actor{StaffID: id}, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
					if err != nil {
						t.Fatal(err)
					}
					iid, interactionOf[id] = v.ID, v.ID
				}
				path = strings.Replace(path, "{id}", iid, 1)
			}
			if strings.Contains(path, "/cases/{id}") {
				path = strings.Replace(path, "{id}", f.matrixCase(t, id, pattern), 1)
			}
			resp := f.do(t, f.mustSession(t, id), method, path, body)
			got := resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized
			if got != want || resp.StatusCode >= 500 {
				t.Errorf("%s on %s %s: status %d, want allowed=%v", role, method, path, resp.StatusCode, want)
			}
		}
	}
}

// TestNeedToKnow: C1 — no role reads a customer or an access point outside
// an open interaction it handles; the fact comes from the server, and a
// client-sent "interaction" changes nothing.
func TestNeedToKnow(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	ctx := context.Background()
	for _, role := range coupole.Roles {
		mustStaff(t, f.db, "s-"+string(role), coupole.StaffOIDC, role)
	}
	f.facts.handle("s-advisor", coupole.HandledInteraction{ID: "i-1", CustomerIDs: []string{"C1"}, EANs: []coupole.EAN{testEAN}})

	for _, role := range coupole.Roles {
		s := f.mustSession(t, "s-"+string(role))
		otherEAN := coupole.MustParseEAN("54140000000000000" + string(coupole.GS1CheckDigit("54140000000000000")))
		for _, rq := range []struct{ method, path, body string }{
			{"GET", "/api/v1/customers/C2?interaction=i-1", ""},
			{"POST", "/api/v1/access-points/read", `{"ean":"` + string(otherEAN) + `"}`},
		} {
			if resp := f.do(t, s, rq.method, rq.path, rq.body); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s reads %s %s outside any handled interaction: status %d", role, rq.method, rq.path, resp.StatusCode)
			}
		}
		want := http.StatusForbidden
		if role == coupole.RoleAdvisor {
			want = http.StatusOK
		}
		if resp := f.do(t, s, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != want {
			t.Errorf("%s reads C1 (handled by the advisor only): status %d, want %d", role, resp.StatusCode, want)
		}
	}
	// Every read and every refusal of customer data is traced (T1).
	types := f.tracer.types()
	if !slices.Contains(types, coupole.StaffEventCustomerAccess) || !slices.Contains(types, coupole.StaffEventAccessDenied) {
		t.Errorf("trace types = %v", types)
	}

	// S3: break-glass for a privacy officer, approved by someone else, ends
	// by itself when the clock passes its expiry.
	po, sdm := f.mustSession(t, "s-privacy_officer"), f.mustSession(t, "s-service_delivery_manager")
	resp := f.do(t, po, "POST", "/api/v1/breakglass", `{"customer_id":"C2","reason":"GDPR access request 2026-17","minutes":60}`)
	var g grantJSON
	json.NewDecoder(resp.Body).Decode(&g)
	if resp.StatusCode != http.StatusCreated || g.Active {
		t.Fatalf("request grant: %d %+v", resp.StatusCode, g)
	}
	if resp := f.do(t, po, "POST", "/api/v1/breakglass/"+g.ID+"/approve", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("self-approval: status %d, want 403 (S7)", resp.StatusCode)
	}
	if resp := f.do(t, po, "GET", "/api/v1/customers/C2", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("read before approval: status %d", resp.StatusCode)
	}
	if resp := f.do(t, sdm, "POST", "/api/v1/breakglass/"+g.ID+"/approve", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("approval: status %d: %s", resp.StatusCode, readBody(t, resp))
	}
	if resp := f.do(t, po, "GET", "/api/v1/customers/C2", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("read with an approved grant: status %d", resp.StatusCode)
	}
	if resp := f.do(t, po, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the grant is for C2 only, C1: status %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(61 * time.Minute)
	po = f.mustSession(t, "s-privacy_officer")
	if resp := f.do(t, po, "GET", "/api/v1/customers/C2", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("read after the grant expired: status %d", resp.StatusCode)
	}
	// Auditors see the grant.
	var list []grantJSON
	resp = f.do(t, f.mustSession(t, "s-auditor"), "GET", "/api/v1/breakglass", "")
	json.NewDecoder(resp.Body).Decode(&list)
	if len(list) != 1 || list[0].ApprovedBy != "s-service_delivery_manager" {
		t.Errorf("auditor's view of grants = %+v", list)
	}
	for _, want := range []string{coupole.StaffEventGrantRequested, coupole.StaffEventGrantApproved} {
		if !slices.Contains(f.tracer.types(), want) {
			t.Errorf("no %s event traced", want)
		}
	}
	_ = ctx
}

// TestRevocationWithinOneSecond: S6 — revoke from "another node" (a second
// connection pool on the same database, as the CLI does) and the next
// request on the live server is refused, well within a second.
func TestRevocationWithinOneSecond(t *testing.T) {
	// Sessions are cached for SessionStaleness (issue 17): a revocation made
	// by another node (here another handle on the database, as the CLI
	// does) may let requests through until then, never longer, and the
	// promise is one second.
	if SessionStaleness > time.Second/2 {
		t.Fatalf("SessionStaleness %v leaves no margin in the one-second promise", SessionStaleness)
	}
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			f := mustFixture(t, db, AuthConfig{})
			mustStaff(t, db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
			s1, s2 := f.mustSession(t, "s-adv"), f.mustSession(t, "s-adv")
			for _, s := range []session{s1, s2} {
				if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
					t.Fatalf("before revocation: %d", resp.StatusCode)
				}
			}
			other := otherNode(t, db)
			n, err := RevokeStaff(context.Background(), other, f.tracer, f.clock, "cli", "s-adv", "left the company today")
			if err != nil || n != 2 {
				t.Fatalf("RevokeStaff = %d, %v", n, err)
			}
			// The cache is on: the same instant, the sessions read just
			// before are still served (the bound, not a leak of revoked
			// access beyond it).
			if resp := f.do(t, s1, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
				t.Errorf("within the staleness bound: status %d, want 200 from the cache (is the cache off?)", resp.StatusCode)
			}
			f.clock.T = f.clock.T.Add(SessionStaleness)
			for _, s := range []session{s1, s2} {
				if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%v after revocation: status %d, want 401", SessionStaleness, resp.StatusCode)
				}
			}
			if !slices.Contains(f.tracer.types(), coupole.StaffEventRevoked) {
				t.Errorf("revocation not traced: %v", f.tracer.types())
			}
		})
	}
}

// TestSessionCacheThisNode: what this process changes takes effect at the
// very next request, cache or not (issue 17): signing out, roles set by an
// administrator; and roles removed on another node end within the bound,
// so need-to-know is not widened for longer than SessionStaleness.
func TestSessionCacheThisNode(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "s-adv")
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	// Roles removed on another node: the advisor's API is refused once the
	// bound has passed.
	if err := otherNode(t, f.db).SetRoles(context.Background(), "s-adv", []coupole.Role{coupole.RoleAuditor}); err != nil {
		t.Fatal(err)
	}
	open := func() int {
		return f.do(t, s, "POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`).StatusCode
	}
	f.clock.T = f.clock.T.Add(SessionStaleness)
	if code := open(); code != http.StatusForbidden {
		t.Errorf("open an interaction %v after the advisor role was removed: %d, want 403", SessionStaleness, code)
	}
	// Signing out on this node: refused at once, without the clock moving.
	if resp := f.do(t, s, "POST", "/signout", ""); resp.StatusCode >= 400 {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after signing out: %d, want 401 at once", resp.StatusCode)
	}
}

// otherNode opens a second handle on the same database.
func otherNode(tb testing.TB, db *sqlstore.DB) *sqlstore.DB {
	tb.Helper()
	dsn := strings.TrimPrefix(db.Describe(), "SQLite file ")
	if db.Dialect == sqlstore.Postgres {
		return db // same server, same pool semantics: every node reads the same rows
	}
	other, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { other.Close() })
	return other
}

// TestSessionTimeouts: idle and absolute timeouts follow the clock.
func TestSessionTimeouts(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Limits: coupole.SessionLimits{Idle: 30 * time.Minute, Absolute: 2 * time.Hour}})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "s-adv")
	f.clock.T = f.clock.T.Add(29 * time.Minute)
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 29 min idle: %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(30*time.Minute + time.Second)
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after 30 min idle: %d, want 401", resp.StatusCode)
	}
	// Active all along, the session still ends at its absolute limit.
	s = f.mustSession(t, "s-adv")
	created := f.clock.T
	for i := 0; i < 4; i++ {
		f.clock.T = f.clock.T.Add(25 * time.Minute)
		if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("active session after %d×25 min: %d", i+1, resp.StatusCode)
		}
	}
	f.clock.T = created.Add(2 * time.Hour)
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("at the absolute limit: %d, want 401", resp.StatusCode)
	}
}

func TestSignOutEverywhereAndCSRF(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s1, s2 := f.mustSession(t, "s-adv"), f.mustSession(t, "s-adv")

	noToken := s1
	noToken.csrf = ""
	if resp := f.do(t, noToken, "POST", "/signout/everywhere", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without form token: %d, want 403", resp.StatusCode)
	}
	wrong := s1
	wrong.csrf = s2.csrf
	if resp := f.do(t, wrong, "POST", "/signout/everywhere", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with another session's token: %d, want 403", resp.StatusCode)
	}
	// Cross-origin request with the right token: refused by
	// CrossOriginProtection.
	req, _ := http.NewRequest("POST", f.ts.URL+"/signout/everywhere", nil)
	req.AddCookie(s1.cookie)
	req.Header.Set("X-CSRF-Token", s1.csrf)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %v %v", resp.StatusCode, err)
	}

	if resp := f.do(t, s1, "POST", "/signout/everywhere", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	if resp := f.do(t, s2, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("other session after sign-out everywhere: %d", resp.StatusCode)
	}
}

// TestNetworkRanges: C5 — refused outside the configured ranges, with the
// refusal in the browser's language; X-Forwarded-For believed only from a
// trusted proxy.
func TestNetworkRanges(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	req, _ := http.NewRequest("GET", f.ts.URL+"/signin", nil)
	req.Header.Set("Accept-Language", "nl-BE,nl;q=0.9")
	req.Header.Set("X-Forwarded-For", "10.1.2.3") // not believed: no trusted proxy
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "bedrijfsnetwerk") {
		t.Errorf("outside the ranges: %d %q", resp.StatusCode, body)
	}
	if resp, _ := http.Get(f.ts.URL + "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("probes stay open to the load balancer: %d", resp.StatusCode)
	}

	a := &StaffAccess{Config: AuthConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}
	tests := []struct {
		remote, xff, want string
	}{
		{"203.0.113.9:5000", "10.0.0.1", "203.0.113.9"},          // untrusted peer: header ignored
		{"192.0.2.10:5000", "10.0.0.1", "10.0.0.1"},              // trusted proxy
		{"192.0.2.10:5000", "203.0.113.5, 10.0.0.1", "10.0.0.1"}, // rightmost untrusted hop
		{"192.0.2.10:5000", "10.0.0.1, 192.0.2.11", "10.0.0.1"},  // skip chained trusted proxies
		{"192.0.2.10:5000", "", "192.0.2.10"},                    // no header
		{"192.0.2.10:5000", "garbage", ""},                       // garbled: refused
		{"[::ffff:10.0.0.7]:5000", "", "10.0.0.7"},               // v4-mapped
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		got := a.ClientAddr(r)
		if (tt.want == "" && got.IsValid()) || (tt.want != "" && got.String() != tt.want) {
			t.Errorf("ClientAddr(%s, XFF %q) = %v, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInForm loads the sign-in page in a browser with a cookie jar and
// returns the form token.
func signInForm(tb testing.TB, c *http.Client, base string) string {
	tb.Helper()
	resp, err := c.Get(base + "/signin")
	if err != nil {
		tb.Fatal(err)
	}
	m := csrfField.FindStringSubmatch(readBody(tb, resp))
	resp.Body.Close()
	if m == nil {
		tb.Fatal("sign-in page has no form token")
	}
	return m[1]
}

func newBrowser(tb testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: openAPIChecked}
}

// TestLocalBreakGlassSignIn: argon2id password + TOTP, a code never accepted
// twice, throttling, and the same message whether the account exists or not.
func TestLocalBreakGlassSignIn(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{LocalAccounts: []string{"bg-admin"}})
	ctx := context.Background()
	f.clock.T = time.Now().UTC()
	st := coupole.Staff{ID: "s-bg", Kind: coupole.StaffLocal, Login: "bg-admin", DisplayName: "Break glass", Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: t0}
	if err := f.db.CreateStaff(ctx, st); err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword("correct horse battery staple")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash %q, %v", hash, err)
	}
	secret, uri, _ := NewTOTPKey("bg-admin")
	if !strings.HasPrefix(uri, "otpauth://totp/Coupole:bg-admin?") {
		t.Errorf("provisioning URI %q", uri)
	}
	if err := f.db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: st.ID, PasswordHash: hash, TOTPSecret: SealTOTPSecret(f.access.Secrets, st.ID, secret)}); err != nil {
		t.Fatal(err)
	}

	post := func(c *http.Client, user, password, code string) (*http.Response, string) {
		token := signInForm(t, c, f.ts.URL)
		resp, err := c.PostForm(f.ts.URL+"/signin/local", url.Values{"csrf_token": {token}, "user": {user}, "password": {password}, "totp": {code}})
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}
	code, _ := TOTPCode(secret, f.clock.T)
	b := newBrowser(t)
	resp, body := post(b, "bg-admin", "correct horse battery staple", code)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bienvenue") {
		t.Fatalf("good sign-in: %d %s", resp.StatusCode, body)
	}
	// Replay of the same code, even with the right password.
	resp, replay := post(newBrowser(t), "bg-admin", "correct horse battery staple", code)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed TOTP code: %d", resp.StatusCode)
	}
	_, unknown := post(newBrowser(t), "nobody", "correct horse battery staple", code)
	_, wrongPw := post(newBrowser(t), "bg-admin", "wrong password!!", code)
	msg := Message(coupole.French, "signin.failed")
	for name, body := range map[string]string{"replay": replay, "unknown": unknown, "wrong password": wrongPw} {
		if !strings.Contains(body, template_escape(msg)) {
			t.Errorf("%s: page does not say the generic refusal", name)
		}
	}
	// Throttle: the account has used 2 failures; 3 more and it is blocked,
	// even with the right password and a fresh code.
	for i := 0; i < 3; i++ {
		post(newBrowser(t), "bg-admin", "nope nope nope", "000000")
	}
	f.clock.T = f.clock.T.Add(30 * time.Second)
	code, _ = TOTPCode(secret, f.clock.T)
	if resp, _ := post(newBrowser(t), "bg-admin", "correct horse battery staple", code); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 5 failures: %d, want 429", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(throttleWindow)
	code, _ = TOTPCode(secret, f.clock.T)
	if resp, _ := post(newBrowser(t), "bg-admin", "correct horse battery staple", code); resp.StatusCode != http.StatusOK {
		t.Errorf("after the throttle window: %d", resp.StatusCode)
	}
	types := f.tracer.types()
	if !slices.Contains(types, coupole.StaffEventSignIn) || !slices.Contains(types, coupole.StaffEventSignInFailed) {
		t.Errorf("trace types = %v", types)
	}
}

func template_escape(s string) string {
	return strings.NewReplacer("'", "&#39;").Replace(s)
}

func TestMessagesComplete(t *testing.T) {
	for key, m := range Messages {
		for _, l := range coupole.Languages {
			if strings.TrimSpace(m[l]) == "" {
				t.Errorf("message %q has no %s text", key, l)
			}
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "en-GB, fr;q=0.5")
	if RequestLanguage(r) != coupole.English {
		t.Errorf("Accept-Language en-GB → %s", RequestLanguage(r))
	}
	r.Header.Set("Accept-Language", "es")
	if RequestLanguage(r) != coupole.French {
		t.Errorf("unknown language should fall back to French")
	}
}

func TestPasswordHashCheck(t *testing.T) {
	h, err := HashPassword("a sufficiently long one")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "a sufficiently long one") || CheckPassword(h, "a sufficiently long two") {
		t.Error("CheckPassword is wrong")
	}
	weak := strings.Replace(h, "m=65536", "m=1024", 1)
	if CheckPassword(weak, "a sufficiently long one") {
		t.Error("a hash below the OWASP memory minimum must not verify")
	}
	if _, err := HashPassword("short"); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("short password: %v", err)
	}
}
