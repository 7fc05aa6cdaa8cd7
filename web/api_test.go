package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/web/apitest"
)

// openAPIChecked is the transport of the web tests' clients: every exchange
// under /api/ is checked against web/openapi.json (issue 10, item 9), so
// that the code and the document cannot drift apart.
var openAPIChecked = apitest.Transport(OpenAPIDocument(), "/api/", nil)

// TestOpenAPIMatchesRoutes: the OpenAPI document describes exactly the
// /api/v1 routes registered, method by method (issue 6, point 6).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	var documented, registered []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range f.access.Routes() {
		if _, path, _ := strings.Cut(rt.Pattern, " "); strings.HasPrefix(path, "/api/v1/") {
			registered = append(registered, rt.Pattern)
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in web/openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("web/openapi.json documents %s, which is not a route", d)
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
