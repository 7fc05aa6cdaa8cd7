package apitest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coupole/coupole/web/apitest"
)

// document is a small API: GET /api/thing/{id} answers a closed object.
const document = `{
 "openapi": "3.1.0",
 "info": {"title": "t", "version": "1"},
 "security": [{"session": []}],
 "components": {
  "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "s"}},
  "schemas": {
   "Problem": {"type": "object", "required": ["type", "title", "status", "code"], "additionalProperties": false,
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "code": {"type": "string"}}}
  },
  "responses": {"Problem": {"description": "problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
 },
 "paths": {
  "/api/thing/{id}": {
   "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
   "post": {
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["n"], "additionalProperties": false, "properties": {"n": {"type": "integer"}}}}}},
    "responses": {
     "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "required": ["id"], "additionalProperties": false, "properties": {"id": {"type": "string"}}}}}},
     "default": {"$ref": "#/components/responses/Problem"}
    }
   }
  }
 }
}`

const problem404 = `{"type":"urn:coupole:problem:not_found","title":"Not Found","status":404,"code":"not_found"}`
const problem400 = `{"type":"urn:coupole:problem:invalid","title":"Bad Request","status":400,"code":"invalid"}`

// TestTransport: each rule of apitest.Transport holds on a canned server.
func TestTransport(t *testing.T) {
	for _, c := range []struct {
		name         string
		method, path string
		body         string
		cookie       bool
		// the server's answer
		status      int
		contentType string
		answer      string
		allow       string
		wantErr     string // "" when the exchange matches the document
	}{
		{"valid exchange", "POST", "/api/thing/1", `{"n":1}`, true, 200, "application/json", `{"id":"1"}`, "", ""},
		{"undocumented field in the answer", "POST", "/api/thing/1", `{"n":1}`, true, 200, "application/json", `{"id":"1","extra":2}`, "", "does not match"},
		{"wrong type in the answer", "POST", "/api/thing/1", `{"n":1}`, true, 200, "application/json", `{"id":1}`, "", "does not match"},
		{"undocumented content type", "POST", "/api/thing/1", `{"n":1}`, true, 200, "text/plain", `x`, "", "does not match"},
		{"error as plain text", "POST", "/api/thing/1", `{"n":1}`, true, 400, "text/plain; charset=utf-8", "bad\n", "", "does not match"},
		{"error as a problem", "POST", "/api/thing/1", `{"n":"x"}`, true, 400, "application/problem+json", problem400, "", ""},
		{"problem status differs", "POST", "/api/thing/1", `{"n":"x"}`, true, 400, "application/problem+json", problem404, "", "problem status"},
		{"invalid request accepted", "POST", "/api/thing/1", `{"n":"x"}`, true, 200, "application/json", `{"id":"1"}`, "", "the document refuses this request"},
		{"unknown field accepted", "POST", "/api/thing/1", `{"n":1,"m":2}`, true, 200, "application/json", `{"id":"1"}`, "", "the document refuses this request"},
		{"no session accepted", "POST", "/api/thing/1", `{"n":1}`, false, 200, "application/json", `{"id":"1"}`, "", "the document refuses this request"},
		{"no session refused", "POST", "/api/thing/1", `{"n":1}`, false, 401, "application/problem+json", `{"type":"t","title":"Unauthorized","status":401,"code":"unauthorized"}`, "", ""},
		{"unknown path as a problem", "GET", "/api/nothing", "", true, 404, "application/problem+json", problem404, "", ""},
		{"unknown path as plain text", "GET", "/api/nothing", "", true, 404, "text/plain; charset=utf-8", "404 page not found\n", "", "not application/problem+json"},
		{"unknown path answered", "GET", "/api/nothing", "", true, 200, "application/json", `{}`, "", "the document has no path for GET /api/nothing (add it if the route is new), yet the server answered 200, not 404"},
		{"wrong method with Allow", "GET", "/api/thing/1", "", true, 405, "application/problem+json", `{"type":"t","title":"Method Not Allowed","status":405,"code":"method_not_allowed"}`, "POST", ""},
		{"wrong method without Allow", "GET", "/api/thing/1", "", true, 405, "application/problem+json", `{"type":"t","title":"Method Not Allowed","status":405,"code":"method_not_allowed"}`, "", "Allow"},
		{"outside the prefix", "GET", "/page", "", false, 404, "text/plain", "nothing", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.ReadAll(r.Body)
				w.Header().Set("Content-Type", c.contentType)
				if c.allow != "" {
					w.Header().Set("Allow", c.allow)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.answer)
			}))
			defer srv.Close()
			client := &http.Client{Transport: apitest.Transport([]byte(document), "/api/", nil)}
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.cookie {
				req.AddCookie(&http.Cookie{Name: "s", Value: "v"})
			}
			resp, err := client.Do(req)
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("refused a matching exchange: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("error = %v, want one saying %q", err, c.wantErr)
			}
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != c.answer {
					t.Errorf("the body the test reads is %q, want %q", b, c.answer)
				}
			}
		})
	}
}

// TestLintRefusesAnInvalidDocument: the linter is a real one (the defect of
// issue 10: a path parameter declared on a path that has none).
func TestLintRefusesAnInvalidDocument(t *testing.T) {
	bad := strings.Replace(document, `"/api/thing/{id}"`, `"/api/thing"`, 1)
	if _, err := apitest.Lint([]byte(bad)); err == nil || !strings.Contains(err.Error(), "path parameters") {
		t.Errorf("Lint(a path parameter on a path without one) = %v", err)
	}
	if _, err := apitest.Lint([]byte(document)); err != nil {
		t.Errorf("Lint(a valid document) = %v", err)
	}
}
