package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/scim"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// recTracer records staff events; set fail to make tracing fail.
type recTracer struct {
	mu     sync.Mutex
	events []coupole.StaffEvent
	fail   bool
}

func (r *recTracer) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return coupole.Errorf(coupole.EUNAVAILABLE, "audit log down (test)")
	}
	r.events = append(r.events, e)
	return nil
}

func (r *recTracer) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	return out
}

// testRoles maps the groups of the tests to roles.
var testRoles = scim.RoleMap{
	"Coupole Advisors": {coupole.RoleAdvisor},
	"Coupole Leads":    {coupole.RoleTeamLead, coupole.RoleAdvisor},
	"Coupole Auditors": {coupole.RoleAuditor},
}

// rig is a running SCIM service provider over a real database.
type rig struct {
	t      *testing.T
	db     *sqlstore.DB
	srv    *httptest.Server
	token  string
	tokID  string
	tracer *recTracer
	store  *sqlstore.SCIMStore
	h      *scim.Handler
}

func mustRig(t *testing.T, db *sqlstore.DB, lc func(base scim.Lifecycle) scim.Lifecycle) *rig {
	t.Helper()
	clock := coupole.SystemClock{}
	tracer := &recTracer{}
	store := sqlstore.NewSCIMStore(db)
	var life scim.Lifecycle = &governance.Lifecycle{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: tracer, Clock: clock}
	if lc != nil {
		life = lc(life)
	}
	h := &scim.Handler{Store: store, Lifecycle: life, Roles: testRoles, Clock: clock}
	mux := http.NewServeMux()
	mux.Handle(scim.Prefix+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tok, secret, err := scim.Tokens{Store: store, Tracer: tracer, Clock: clock}.Create(context.Background(), "cli:test", "Entra ID")
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, db: db, srv: srv, token: secret, tokID: tok.ID, tracer: tracer, store: store, h: h}
}

func forEachRig(t *testing.T, fn func(t *testing.T, r *rig)) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) { fn(t, mustRig(t, db, nil)) })
}

// response is one exchange's outcome.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

// do sends a request with the rig's token; body is JSON-encoded unless it
// is a string. extra headers come as name, value pairs.
func (r *rig) do(method, path string, body any, headers ...string) response {
	r.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, r.srv.URL+scim.Prefix+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 {
		if ct := resp.Header.Get("Content-Type"); ct != scim.ContentType {
			r.t.Errorf("%s %s: Content-Type %q, want %q", method, path, ct, scim.ContentType)
		}
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			r.t.Fatalf("%s %s: body is not a JSON object: %v", method, path, err)
		}
	}
	return out
}

// must checks the status of an exchange.
func (r *rig) must(want int, resp response) response {
	r.t.Helper()
	if resp.Status != want {
		raw := resp.Raw
		if len(raw) > 400 {
			raw = raw[:400] + "…"
		}
		r.t.Fatalf("status %d, want %d: %s", resp.Status, want, raw)
	}
	return resp
}

// mustError checks a SCIM error response (RFC 7644 §3.12).
func (r *rig) mustError(status int, scimType string, resp response) {
	r.t.Helper()
	r.must(status, resp)
	schemas, _ := resp.Body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != scim.MsgError {
		r.t.Errorf("error schemas %v", resp.Body["schemas"])
	}
	if resp.Body["status"] != itoa(status) {
		r.t.Errorf("error status %v, want the string %q", resp.Body["status"], itoa(status))
	}
	if got, _ := resp.Body["scimType"].(string); got != scimType {
		r.t.Errorf("scimType %q, want %q (%s)", got, scimType, resp.Raw)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// user is a User body in the shape Entra ID sends.
func entraUser(userName, externalID string) map[string]any {
	return map[string]any{
		"schemas":    []string{scim.SchemaUser, scim.SchemaEnterprise},
		"externalId": externalID,
		"userName":   userName,
		"active":     true,
		"emails":     []any{map[string]any{"primary": true, "type": "work", "value": userName}},
		"meta":       map[string]any{"resourceType": "User"},
		"name":       map[string]any{"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
		"roles":      []any{},
	}
}

func patch(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{scim.MsgPatch}, "Operations": list}
}

func op(kind, path string, value any) map[string]any {
	m := map[string]any{"op": kind}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// resources returns a ListResponse's resources after checking its shape.
func (r *rig) resources(resp response) []map[string]any {
	r.t.Helper()
	r.must(200, resp)
	schemas, _ := resp.Body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != scim.MsgList {
		r.t.Fatalf("not a ListResponse: %s", resp.Raw)
	}
	for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if _, ok := resp.Body[k].(float64); !ok {
			r.t.Fatalf("ListResponse without %s: %s", k, resp.Raw)
		}
	}
	list, ok := resp.Body["Resources"].([]any)
	if !ok {
		r.t.Fatalf("ListResponse without Resources: %s", resp.Raw)
	}
	var out []map[string]any
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

func (r *rig) staffOf(scimID string) coupole.Staff {
	r.t.Helper()
	res, err := r.store.Resource(context.Background(), "User", scimID)
	if err != nil {
		r.t.Fatal(err)
	}
	s, err := r.db.Staff(context.Background(), res.StaffID)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}
