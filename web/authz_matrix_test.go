package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

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
