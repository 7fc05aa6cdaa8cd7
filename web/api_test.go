package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/web/apitest"
)

// openAPIChecked is the transport of the web tests' clients: every exchange
// under /api/ is checked against web/openapi.json (issue 10, item 9), so
// that the code and the document cannot drift apart.
var openAPIChecked = apitest.Transport(OpenAPIDocument(), "/api/", nil)

// TestOpenAPIDocument: web/openapi.json is a valid OpenAPI document (linted
// by kin-openapi: issue 10 found a path parameter on a path without one),
// it describes exactly the /api/ routes registered on StaffAccess, method by
// method (issue 6, point 6), and its session cookies are the server's.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := apitest.Lint(OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	enableTestRetention(t, f) // issue 13: the privacy officer's routes
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, stale []string
	registered := map[string]bool{}
	for _, pattern := range machineAPIRoutes { // served outside StaffAccess, documented too
		registered[pattern] = true
	}
	for _, rt := range f.access.Routes() {
		if _, path, _ := strings.Cut(rt.Pattern, " "); strings.HasPrefix(path, "/api/") {
			registered[rt.Pattern] = true
			if !documented[rt.Pattern] {
				missing = append(missing, rt.Pattern)
			}
		}
	}
	for d := range documented {
		if !registered[d] {
			stale = append(stale, d)
		}
	}
	slices.Sort(missing)
	slices.Sort(stale)
	if len(missing) > 0 {
		t.Errorf("web/openapi.json lacks %d route(s) registered on StaffAccess; add an operation (request body, responses, the Problem default) for each:\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
	if len(stale) > 0 {
		t.Errorf("web/openapi.json documents %d operation(s) that are not routes; remove them or register the route:\n\t%s",
			len(stale), strings.Join(stale, "\n\t"))
	}
	for scheme, secure := range map[string]bool{"session": true, "demoSession": false} {
		want := (&StaffAccess{Config: AuthConfig{SecureCookies: secure}}).sessionCookieName()
		s := doc.Components.SecuritySchemes[scheme]
		if s == nil || s.Value.In != "cookie" || s.Value.Name != want {
			t.Errorf("security scheme %s: want the cookie %s (SecureCookies %v), got %+v", scheme, want, secure, s)
		}
	}
	resp := f.do(t, session{}, "GET", "/api/v1/openapi.json", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("GET /api/v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestAPIProblems: errors of the API are RFC 9457 problem details with a
// stable code, refusals by the middleware included.
func TestAPIProblems(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", "oidc", "advisor")
	s := f.mustSession(t, "s-adv")
	for _, c := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/api/v1/interactions", `{"channel":"pigeon","requester":"customer"}`, 400, "invalid"},
		{"POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer","ean":"1"}`, 400, "invalid"},
		{"GET", "/api/v1/interactions/i-nobody", "", 403, "forbidden"},
		{"GET", "/api/v1/alerts", "", 403, "forbidden"},
	} {
		resp := f.do(t, s, c.method, c.path, c.body)
		var p Problem
		json.NewDecoder(resp.Body).Decode(&p)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/problem+json" || p.Code != c.code || p.Status != c.status || p.Type != ProblemType(c.code) {
			t.Errorf("%s %s: %d %s %+v", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), p)
		}
	}
	resp := f.do(t, session{}, "POST", "/api/v1/interactions", `{}`)
	var p Problem
	json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != 401 || p.Code != "unauthorized" {
		t.Errorf("anonymous: %d %+v", resp.StatusCode, p)
	}
}

// TestAPITraceFirst: T1 — with a failing audit store nothing is served: the
// answer is a 503 problem and carries no data.
func TestAPITraceFirst(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", "oidc", "advisor")
	s := f.mustSession(t, "s-adv")
	resp := f.do(t, s, "POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`)
	var in struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&in)
	if resp.StatusCode != 201 || in.ID == "" {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	f.audit.mu.Lock()
	f.audit.fail = true
	f.audit.mu.Unlock()
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/interactions/" + in.ID, ""},
		{"POST", "/api/v1/interactions/" + in.ID + "/identify", `{"name":"Dupont"}`},
		{"POST", "/api/v1/interactions/" + in.ID + "/decide", `{"item":"consumption_history"}`},
		{"POST", "/api/v1/public-info", `{"postcode":"5000"}`},
		{"POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`},
	} {
		resp := f.do(t, s, c.method, c.path, c.body)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) || strings.Contains(body, "candidates") || strings.Contains(body, "outcome") {
			t.Errorf("%s %s with a failing audit store: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
}

// send is f.do with headers of the test's choosing (Content-Type and Accept
// included), through the OpenAPI-checked client.
func (f *fixture) send(tb testing.TB, s session, method, path, body string, headers ...string) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest(method, f.ts.URL+path, strings.NewReader(body))
	if s.cookie != nil {
		req.AddCookie(s.cookie)
	}
	if s.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// goInternals are what an error message must never show: Go type names and
// encoding/json's own wording.
var goInternals = regexp.MustCompile(`json:|Go struct|Go value|interaction\.|coupole\.|\bwant [a-z]+\.|map\[|\[\]string|unmarshal|float64|int64`)

// mustProblem reads an RFC 9457 problem with the given status and code, in
// the domain's words.
func mustProblem(tb testing.TB, what string, resp *http.Response, status int, code string) Problem {
	tb.Helper()
	body := readBody(tb, resp)
	var p Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" {
		tb.Errorf("%s: %d %s %q: not a problem detail", what, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		return p
	}
	if resp.StatusCode != status || p.Status != status || p.Code != code || p.Type != ProblemType(code) || p.Title != http.StatusText(status) {
		tb.Errorf("%s: %d %+v, want %d %s", what, resp.StatusCode, p, status, code)
	}
	if goInternals.MatchString(p.Detail) {
		tb.Errorf("%s: the detail shows Go internals: %q", what, p.Detail)
	}
	return p
}

// TestErrorsAreProblems (issue 10, item 9): every error under /api/ and
// /audit/ is an RFC 9457 problem, whoever answers it — a handler, the
// resource decoder, the staff middleware, the mux (no route, no method,
// with Allow kept) — whatever the client says it accepts.
func TestErrorsAreProblems(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor)
	adv, po, it, aud := f.mustSession(t, "s-adv"), f.mustSession(t, "s-po"), f.mustSession(t, "s-it"), f.mustSession(t, "s-aud")
	html := []string{"Accept", "text/html,application/xhtml+xml", "Content-Type", "application/json"}
	for _, c := range []struct {
		name         string
		s            session
		method, path string
		body         string
		headers      []string
		status       int
		code         string
	}{
		{"access point, EAN too short", adv, "POST", "/api/v1/access-points/read", `{"ean":"123"}`, nil, 400, "invalid"},
		{"access point, no body", adv, "POST", "/api/v1/access-points/read", ``, nil, 400, "invalid"},
		{"break-glass, minutes out of range", po, "POST", "/api/v1/breakglass", `{"customer_id":"C1","reason":"r","minutes":0}`, nil, 400, "invalid"},
		{"break-glass, reason not a string", po, "POST", "/api/v1/breakglass", `{"customer_id":"C1","reason":5,"minutes":30}`, nil, 400, "invalid"},
		{"break-glass approval, no such grant", po, "POST", "/api/v1/breakglass/g-none/approve", ``, nil, 404, "not_found"},
		{"revoke without a reason", it, "POST", "/api/v1/staff/s-adv/revoke", `{}`, nil, 400, "invalid"},
		{"revoke, reason not a string", it, "POST", "/api/v1/staff/s-adv/revoke", `{"reason":1}`, nil, 400, "invalid"},
		{"revoke, no such staff member", it, "POST", "/api/v1/staff/s-none/revoke", `{"reason":"left"}`, nil, 404, "not_found"},
		{"roles, unknown role", it, "POST", "/api/v1/staff/s-adv/roles", `{"roles":["king"]}`, nil, 400, "invalid"},
		{"roles, not a list", it, "POST", "/api/v1/staff/s-adv/roles", `{"roles":"advisor"}`, nil, 400, "invalid"},
		{"identify, name not a string", adv, "POST", "/api/v1/interactions", `{"channel":"phone","requester":1}`, nil, 400, "invalid"},
		{"unknown route", adv, "GET", "/api/v1/nothing", ``, nil, 404, "not_found"},
		{"unknown route, anonymous", session{}, "GET", "/api/v2/anything", ``, nil, 404, "not_found"},
		{"not signed in, browser", session{}, "GET", "/api/v1/me", ``, html, 401, "unauthorized"},
		{"no CSRF token, browser", session{cookie: adv.cookie}, "POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, html, 403, "forbidden"},
		{"forbidden, browser", adv, "GET", "/api/v1/staff", ``, html, 403, "forbidden"},
		{"audit proof without index", aud, "GET", "/audit/proof/inclusion", ``, nil, 400, "invalid"},
		{"audit proof, index not a number", aud, "GET", "/audit/proof/inclusion?index=x", ``, nil, 400, "invalid"},
		{"audit, unknown route", aud, "GET", "/audit/nothing", ``, nil, 404, "not_found"},
	} {
		headers := c.headers
		if headers == nil && c.body != "" {
			headers = []string{"Content-Type", "application/json"}
		}
		mustProblem(t, c.name, f.send(t, c.s, c.method, c.path, c.body, headers...), c.status, c.code)
	}

	// A wrong method: 405, a problem, and the methods the route takes.
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/me", "GET, HEAD"},
		{"PUT", "/api/v1/interactions", "GET, HEAD, POST"},
		{"POST", "/audit/checkpoint", "GET, HEAD"},
	} {
		resp := f.send(t, adv, c.method, c.path, "")
		mustProblem(t, c.method+" "+c.path, resp, http.StatusMethodNotAllowed, ProblemMethodNotAllowed)
		if got := resp.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}

	// Pages keep their HTML, probes their plain text.
	if resp := f.send(t, session{}, "GET", "/alerts", "", "Accept", "text/html"); resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page refusal: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp := f.send(t, session{}, "GET", "/healthz", ""); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("/healthz: %s", resp.Header.Get("Content-Type"))
	}
}

// TestStrictDecoding (issue 10, item 9): every JSON body — the interaction
// API's, the staff routes', the access-point resource's — is read by one
// strict decoder: unknown fields, trailing data, a body that is not one
// object, too large or not declared JSON are refused with a problem that
// names the field and never quotes the value.
func TestStrictDecoding(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-target", coupole.StaffOIDC, coupole.RoleAdvisor)
	adv, po, it := f.mustSession(t, "s-adv"), f.mustSession(t, "s-po"), f.mustSession(t, "s-it")
	routes := []struct {
		s    session
		path string
		ok   string // a valid body, as a JSON object without its closing brace
	}{
		{adv, "/api/v1/interactions", `{"channel":"phone","requester":"customer"`},
		{adv, "/api/v1/access-points/read", `{"ean":"` + string(testEAN) + `"`},
		{po, "/api/v1/breakglass", `{"customer_id":"C1","reason":"GDPR request 7","minutes":30`},
		{it, "/api/v1/staff/s-target/roles", `{"roles":["advisor"]`},
	}
	for _, rt := range routes {
		for _, c := range []struct {
			name, body, contentType, detail string
		}{
			{"unknown field", rt.ok + `,"extra":1}`, "application/json", `unknown field "extra"`},
			{"unknown field, name not shown", rt.ok + `,"Marie Dupont 0471":1}`, "application/json", "unknown field (not shown)"},
			{"a field twice", rt.ok + "," + strings.TrimPrefix(strings.Split(rt.ok, ",")[0], "{") + "}", "application/json", "appears twice"},
			{"a second object after the first", rt.ok + `} {"x":1}`, "application/json", "data after the JSON object"},
			{"garbage after the object", rt.ok + `}xyz`, "application/json", "data after the JSON object"},
			{"not an object", `["` + rt.path + `"]`, "application/json", "must be a JSON object"},
			{"null", `null`, "application/json", "must be a JSON object"},
			{"cut short", rt.ok, "application/json", "not valid JSON"},
			{"not JSON", `{channel: phone}`, "application/json", "not valid JSON"},
			{"declared as a form", rt.ok + `}`, "application/x-www-form-urlencoded", "Content-Type must be application/json"},
			{"no Content-Type", rt.ok + `}`, "", "Content-Type must be application/json"},
			{"too large", rt.ok + `,"x":"` + strings.Repeat("a", maxBodyBytes) + `"}`, "application/json", "larger than 64 KiB"},
		} {
			what := rt.path + ", " + c.name
			var headers []string
			if c.contentType != "" {
				headers = []string{"Content-Type", c.contentType}
			}
			p := mustProblem(t, what, f.send(t, rt.s, "POST", rt.path, c.body, headers...), 400, "invalid")
			if !strings.Contains(p.Detail, c.detail) {
				t.Errorf("%s: detail %q, want it to say %q", what, p.Detail, c.detail)
			}
			if strings.Contains(p.Detail, "Marie") {
				t.Errorf("%s: the detail quotes what was sent: %q", what, p.Detail)
			}
		}
		if resp := f.send(t, rt.s, "POST", rt.path, rt.ok+"}\n", "Content-Type", "application/json; charset=utf-8"); resp.StatusCode == http.StatusBadRequest {
			t.Errorf("%s, a valid body refused: %d %s", rt.path, resp.StatusCode, readBody(t, resp))
		}
	}

	// encoding/json alone matches keys whatever their case.
	for _, c := range []struct {
		s                  session
		path, body, detail string
	}{
		{adv, "/api/v1/interactions", `{"CHANNEL":"phone","requester":"customer"}`, `unknown field "CHANNEL"`},
		{adv, "/api/v1/access-points/read", `{"Ean":"` + string(testEAN) + `"}`, `unknown field "Ean"`},
		{po, "/api/v1/breakglass", `{"customer_id":"C1","Reason":"r","minutes":30}`, `unknown field "Reason"`},
	} {
		p := mustProblem(t, c.body, f.send(t, c.s, "POST", c.path, c.body, "Content-Type", "application/json"), 400, "invalid")
		if !strings.Contains(p.Detail, c.detail) {
			t.Errorf("%s %s: detail %q, want %q", c.path, c.body, p.Detail, c.detail)
		}
	}

	// Wrong types name the field and the kinds, never the value.
	for _, c := range []struct {
		s                  session
		path, body, detail string
	}{
		{adv, "/api/v1/interactions", `{"channel":"phone","requester":"customer","mandatary_name":47110815}`, "field mandatary_name: expected a string, got a number"},
		{adv, "/api/v1/interactions", `{"channel":["phone"],"requester":"customer"}`, "field channel: expected a string, got a list"},
		{po, "/api/v1/breakglass", `{"customer_id":"C1","reason":"r","minutes":"30"}`, "field minutes: expected a whole number, got a string"},
		{po, "/api/v1/breakglass", `{"customer_id":"C1","reason":"r","minutes":47110815470000000000}`, "field minutes: the number is out of range or not a whole number"},
		{po, "/api/v1/breakglass", `{"customer_id":"C1","reason":"r","minutes":1.5}`, "field minutes: the number is out of range or not a whole number"},
		{it, "/api/v1/staff/s-target/revoke", `{"reason":{"text":"x"}}`, "field reason: expected a string, got an object"},
		{it, "/api/v1/staff/s-target/roles", `{"roles":[true]}`, "expected a string, got true or false"},
	} {
		p := mustProblem(t, c.body, f.send(t, c.s, "POST", c.path, c.body, "Content-Type", "application/json"), 400, "invalid")
		if !strings.Contains(p.Detail, c.detail) || strings.Contains(p.Detail, "4711") {
			t.Errorf("%s %s: detail %q, want %q and no value", c.path, c.body, p.Detail, c.detail)
		}
	}
}

// knownCustomers is a grid with the given customers only.
type knownCustomers map[string]bool

func (k knownCustomers) Customer(ctx context.Context, id string) (coupole.Customer, error) {
	if !k[id] {
		return coupole.Customer{}, coupole.Errorf(coupole.ENOTFOUND, "no such customer")
	}
	return fakeCustomers{}.Customer(ctx, id)
}

func (k knownCustomers) AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error) {
	return fakeCustomers{}.AccessPoint(ctx, ean)
}

// TestBreakGlassUnknownCustomer (issue 10, item 9): a break-glass grant for
// a customer who does not exist is refused (400, nothing created) and the
// refusal is traced with the id asked for, so probing for customer ids shows
// in the audit trail; a grant for an existing customer is still created.
func TestBreakGlassUnknownCustomer(t *testing.T) {
	sqltest.ForEachEngine(t, testBreakGlassUnknownCustomer)
}

func testBreakGlassUnknownCustomer(t *testing.T, db *sqlstore.DB) {
	f := mustFixture(t, db, AuthConfig{})
	f.access.Customers = knownCustomers{"C1": true}
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	po := f.mustSession(t, "s-po")
	for _, id := range []string{"C-none", ""} {
		resp := f.do(t, po, "POST", "/api/v1/breakglass", `{"customer_id":"`+id+`","reason":"GDPR request 7","minutes":30}`)
		if p := mustProblem(t, "grant for "+id, resp, 400, "invalid"); !strings.Contains(p.Detail, "customer_id") {
			t.Errorf("grant for %q: detail %q", id, p.Detail)
		}
	}
	grants, err := f.db.ListGrants(context.Background())
	if err != nil || len(grants) != 0 {
		t.Fatalf("grants after refusals: %+v %v", grants, err)
	}
	var refused []coupole.StaffEvent
	f.tracer.mu.Lock()
	for _, e := range f.tracer.events {
		if e.Type == coupole.StaffEventGrantRequested && e.Outcome == "refused" {
			refused = append(refused, e)
		}
	}
	f.tracer.mu.Unlock()
	if len(refused) != 1 || refused[0].Actor != "s-po" || refused[0].Details["customer"] != "C-none" || refused[0].Reason != "unknown_customer" {
		t.Errorf("traced refusals: %+v", refused)
	}
	if resp := f.do(t, po, "POST", "/api/v1/breakglass", `{"customer_id":"C1","reason":"GDPR request 7","minutes":30}`); resp.StatusCode != http.StatusCreated {
		t.Errorf("grant for an existing customer: %d %s", resp.StatusCode, readBody(t, resp))
	}
	// No oracle for the roles that may not request a grant: the policy
	// refuses them before the id is looked at, the same way for both ids.
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	adv := f.mustSession(t, "s-adv")
	var answers []string
	for _, id := range []string{"C1", "C-none"} {
		resp := f.do(t, adv, "POST", "/api/v1/breakglass", `{"customer_id":"`+id+`","reason":"GDPR request 7","minutes":30}`)
		answers = append(answers, fmt.Sprint(resp.StatusCode, " ", readBody(t, resp)))
	}
	if answers[0] != answers[1] || !strings.HasPrefix(answers[0], "403 ") {
		t.Errorf("an advisor asking for an existing and an unknown customer: %q", answers)
	}
}

// TestListsAreArrays (issue 10, item 9): the list routes answer a JSON
// array, empty or not, as the document says (it said objects; clients and
// the pages read arrays, so the document changed, not the answers).
func TestListsAreArrays(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	mustStaff(t, f.db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	for _, c := range []struct{ staff, path string }{
		{"s-it", "/api/v1/staff"},
		{"s-lead", "/api/v1/interactions"},
		{"s-lead", "/api/v1/alerts"},
		{"s-aud", "/api/v1/breakglass"},
		{"s-adv", "/api/v1/call-reasons"},
	} {
		resp := f.do(t, f.mustSession(t, c.staff), "GET", c.path, "")
		var list []json.RawMessage
		body := readBody(t, resp)
		if err := json.Unmarshal([]byte(body), &list); resp.StatusCode != 200 || err != nil || list == nil {
			t.Errorf("GET %s: %d %q, want a JSON array", c.path, resp.StatusCode, body)
		}
	}
}
