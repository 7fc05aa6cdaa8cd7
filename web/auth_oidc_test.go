package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/oauth2-proxy/mockoidc"
)

// mustMockOIDC runs a real OIDC provider in-process.
func mustMockOIDC(tb testing.TB) *mockoidc.MockOIDC {
	tb.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Shutdown() })
	return m
}

func oidcConfig(m *mockoidc.MockOIDC) *OIDCConfig {
	c := m.Config()
	return &OIDCConfig{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, GroupsClaim: "groups",
		GroupRoles: map[string][]coupole.Role{
			"cc-advisors":    {coupole.RoleAdvisor},
			"cc-supervisors": {coupole.RoleSupervisor, coupole.RoleTeamLead},
		}}
}

// TestOIDCSignIn: a staff member signs in through the full redirect flow
// (authorization code + PKCE S256 + nonce) against a real provider, with a
// browser cookie jar; roles come from the group claim (S8, S4).
func TestOIDCSignIn(t *testing.T) {
	m := mustMockOIDC(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{OIDC: oidcConfig(m)})
	m.QueueUser(&mockoidc.MockUser{Subject: "emp-1001", PreferredUsername: "marie.dupont", Groups: []string{"cc-advisors", "unrelated"}})

	b := newBrowser(t)
	var visited []string
	b.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		visited = append(visited, req.URL.Host+req.URL.Path)
		if req.URL.Path == "/oidc/authorize" {
			q := req.URL.Query()
			if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
				t.Errorf("authorization request lacks PKCE, nonce or state: %v", q)
			}
		}
		return nil
	}
	resp, err := b.Get(f.ts.URL + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bienvenue, marie.dupont") {
		t.Fatalf("after the flow: %d, visited %v\n%s", resp.StatusCode, visited, body)
	}
	if len(visited) != 3 || !strings.HasSuffix(visited[1], "/auth/oidc/callback") {
		t.Errorf("redirects = %v, want provider, callback, home", visited)
	}
	// The session cookie is HttpOnly and SameSite (checked on the raw header).
	resp, _ = b.Get(f.ts.URL + "/api/v1/me")
	var me meJSON
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if len(me.Roles) != 1 || me.Roles[0] != "advisor" || me.Kind != "oidc" {
		t.Errorf("me = %+v", me)
	}
	st, err := f.db.StaffByLogin(context.Background(), coupole.StaffOIDC, "emp-1001")
	if err != nil || st.ID != me.ID {
		t.Errorf("provisioned staff = %+v, %v", st, err)
	}

	// Mover (S4): the next sign-in with other groups changes the roles, and
	// the change is traced.
	m.QueueUser(&mockoidc.MockUser{Subject: "emp-1001", PreferredUsername: "marie.dupont", Groups: []string{"cc-supervisors"}})
	resp, _ = newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	resp.Body.Close()
	if st, _ := f.db.Staff(context.Background(), me.ID); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleTeamLead, coupole.RoleSupervisor}) {
		t.Errorf("roles after group change = %v", st.Roles)
	}
	types := f.tracer.types()
	for _, want := range []string{coupole.StaffEventCreated, coupole.StaffEventSignIn, coupole.StaffEventRolesChanged} {
		if !slices.Contains(types, want) {
			t.Errorf("no %s event; traced %v", want, types)
		}
	}

	// No mapped group: refused, nothing created.
	m.QueueUser(&mockoidc.MockUser{Subject: "emp-2002", Groups: []string{"finance"}})
	resp, _ = newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	body = readBody(t, resp)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "aucun rôle") {
		t.Errorf("user without a mapped group: %d", resp.StatusCode)
	}
	if _, err := f.db.StaffByLogin(context.Background(), coupole.StaffOIDC, "emp-2002"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("a user without role was provisioned: %v", err)
	}

	// Revoked (S6): the provider still says yes, Coupole says no.
	if _, err := f.db.Revoke(context.Background(), me.ID, "left", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	m.QueueUser(&mockoidc.MockUser{Subject: "emp-1001", Groups: []string{"cc-advisors"}})
	resp, _ = newBrowser(t).Get(f.ts.URL + "/auth/oidc/start")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked staff signing in through OIDC: %d", resp.StatusCode)
	}
}

// TestOIDCCallbackChecks: a callback with a forged state, or without the
// browser's flow cookie (login CSRF), is refused.
func TestOIDCCallbackChecks(t *testing.T) {
	m := mustMockOIDC(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{OIDC: oidcConfig(m)})
	b := newBrowser(t)
	b.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/auth/oidc/callback") {
			return http.ErrUseLastResponse // stop before the callback
		}
		return nil
	}
	resp, err := b.Get(f.ts.URL + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cb.Query().Get("code") == "" {
		t.Fatalf("no callback location: %v", resp.Header)
	}
	forged := *cb
	q := forged.Query()
	q.Set("state", "forged")
	forged.RawQuery = q.Encode()
	b.CheckRedirect = nil
	if resp, _ := b.Get(forged.String()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged state: %d", resp.StatusCode)
	}
	// Another browser (no flow cookie) presenting the victim's callback.
	if resp, _ := newBrowser(t).Get(cb.String()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("callback without the flow cookie: %d", resp.StatusCode)
	}
	if slices.Contains(f.tracer.types(), coupole.StaffEventSignIn) {
		t.Errorf("a sign-in was recorded: %v", f.tracer.types())
	}
}

func TestParseGroupRoles(t *testing.T) {
	m, err := ParseGroupRoles("cc-advisors=advisor, cc-leads=team_lead+supervisor")
	if err != nil || len(m["cc-leads"]) != 2 || m["cc-advisors"][0] != coupole.RoleAdvisor {
		t.Errorf("ParseGroupRoles = %v, %v", m, err)
	}
	for _, bad := range []string{"cc=admin", "=advisor", "cc-advisors", "cc="} {
		if _, err := ParseGroupRoles(bad); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("ParseGroupRoles(%q): %v, want invalid", bad, err)
		}
	}
}
