package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	"golang.org/x/oauth2"
)

// OIDCConfig configures sign-in through the operator's identity provider
// (S8): authorization-code flow with PKCE and nonce.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://coupole.example/auth/oidc/callback
	// GroupsClaim is the ID-token claim listing the user's groups ("groups").
	GroupsClaim string
	// GroupRoles maps an identity-provider group to Coupole roles. A user
	// whose groups map to no role cannot sign in.
	GroupRoles map[string][]coupole.Role
}

// ParseGroupRoles reads "group=role[+role],group=role" into a mapping.
func ParseGroupRoles(s string) (map[string][]coupole.Role, error) {
	out := map[string][]coupole.Role{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		group, roles, ok := strings.Cut(part, "=")
		group = strings.TrimSpace(group)
		if !ok || group == "" {
			return nil, coupole.Errorf(coupole.EINVALID, "%q: expected group=role", part)
		}
		rs, err := coupole.ParseRoles(strings.ReplaceAll(roles, "+", ","))
		if err != nil {
			return nil, err
		}
		if len(rs) == 0 {
			return nil, coupole.Errorf(coupole.EINVALID, "%q: no role given for group %s", part, group)
		}
		out[group] = append(out[group], rs...)
	}
	return out, nil
}

// RolesOfGroups maps groups to the roles they grant, in the order of
// coupole.Roles.
func (c OIDCConfig) RolesOfGroups(groups []string) []coupole.Role {
	have := map[coupole.Role]bool{}
	for _, g := range groups {
		for _, r := range c.GroupRoles[g] {
			have[r] = true
		}
	}
	var out []coupole.Role
	for _, r := range coupole.Roles {
		if have[r] {
			out = append(out, r)
		}
	}
	return out
}

type oidcClient struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newOIDCClient(ctx context.Context, cfg OIDCConfig) (*oidcClient, error) {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "OIDC: cannot discover the identity provider at %s: %v", cfg.Issuer, err)
	}
	return &oidcClient{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email", "groups"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
	}, nil
}

const oidcCookie = "coupole_oidc"

// handleOIDCStart sends the browser to the identity provider with a fresh
// state, nonce and PKCE verifier, kept in a short-lived cookie bound to this
// browser (so a sign-in started elsewhere cannot be completed here).
func (a *StaffAccess) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	if a.oidc == nil {
		a.refuse(w, r, http.StatusNotFound, "signin.oidc_unavailable")
		return
	}
	state, nonce, verifier := newSecret(), newSecret(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{
		Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/auth/oidc/", MaxAge: 600,
		HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	url := a.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, url, http.StatusFound)
}

// handleOIDCCallback completes the code flow: state, code exchange with the
// PKCE verifier, ID-token signature, audience, expiry and nonce, then roles
// from the groups claim.
func (a *StaffAccess) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	if a.oidc == nil {
		a.refuse(w, r, http.StatusNotFound, "signin.oidc_unavailable")
		return
	}
	ctx := r.Context()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteLaxMode})
	fail := func(reason, subject string, err error) {
		a.Logger.Warn("OIDC sign-in failed", "reason", reason, "err", err)
		if subject == "" {
			// Nobody the provider vouched for: anyone can call the callback
			// with junk, so this is counted, not traced one by one.
			a.refusedAnonymous(r, "oidc_"+reason)
		} else {
			a.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSignInFailed, Subject: subject, Outcome: "refused", Reason: reason,
				Details: map[string]string{"method": "oidc", "client": clientAddrFrom(ctx)}})
		}
		key := "signin.oidc_failed"
		if reason == "no_role" || reason == "revoked" || reason == "sod_refused" {
			key = "signin.no_role"
		}
		a.signInPage(w, r, http.StatusUnauthorized, key)
	}
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		fail("no_flow", "", err)
		return
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || !equalTokens(r.URL.Query().Get("state"), parts[0]) {
		fail("bad_state", "", nil)
		return
	}
	nonce, verifier := parts[1], parts[2]
	if e := r.URL.Query().Get("error"); e != "" {
		fail("provider_error", "", errors.New(e))
		return
	}
	tok, err := a.oidc.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		fail("exchange", "", err)
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		fail("no_id_token", "", nil)
		return
	}
	idt, err := a.oidc.verifier.Verify(ctx, raw)
	if err != nil {
		fail("bad_id_token", "", err)
		return
	}
	if !equalTokens(idt.Nonce, nonce) {
		fail("bad_nonce", idt.Subject, nil)
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		fail("bad_claims", idt.Subject, err)
		return
	}
	var groups []string
	if list, ok := claims[a.oidc.cfg.GroupsClaim].([]any); ok {
		for _, g := range list {
			if s, ok := g.(string); ok {
				groups = append(groups, s)
			}
		}
	}
	name, _ := claims["name"].(string)
	if name == "" {
		name, _ = claims["preferred_username"].(string)
	}
	roles := a.oidc.cfg.RolesOfGroups(groups)
	if len(roles) == 0 {
		// Issue 12, item 2: groups that no longer map to any role are a
		// mover to no role — the stored roles and live sessions go now,
		// not when the sessions time out.
		if err := a.oidcNoRole(ctx, idt.Subject); err != nil {
			a.Server.Error(w, r, err)
			return
		}
		fail("no_role", idt.Subject, nil)
		return
	}
	st, err := a.oidcStaff(ctx, idt.Subject, name, roles)
	if err != nil {
		var ref *sodpolicy.Refusal
		switch {
		case errors.As(err, &ref):
			fail("sod_refused", idt.Subject, nil)
			return
		case coupole.ErrorCode(err) == coupole.EFORBIDDEN:
			fail("revoked", idt.Subject, nil)
			return
		}
		a.Server.Error(w, r, err)
		return
	}
	a.completeSignIn(w, r, st, "oidc")
}

// oidcStaff finds or creates the staff member of an identity-provider
// subject and brings their roles in line with the groups (S4: joiner and
// mover follow the identity provider). A revoked account stays revoked
// whatever the provider says (S6). Each change is traced before it is made
// (trace first, issue 10 item 5): with the audit log down nobody is created
// and no role changes, and the sign-in fails.
func (a *StaffAccess) oidcStaff(ctx context.Context, subject, name string, roles []coupole.Role) (coupole.Staff, error) {
	st, err := a.Store.StaffByLogin(ctx, coupole.StaffOIDC, subject)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return a.Lifecycle.Join(ctx, governance.ActorOIDC, coupole.StaffProfile{Login: subject, DisplayName: name}, roles)
	} else if err != nil {
		return st, err
	}
	if st.Status != coupole.StaffActive {
		return st, coupole.Errorf(coupole.EFORBIDDEN, "account revoked")
	}
	if !slices.Equal(st.Roles, roles) {
		if err := a.Lifecycle.SetRoles(ctx, governance.ActorOIDC, st.ID, roles, coupole.SourceOIDC); err != nil {
			return st, err
		}
		a.sessions.reset() // this process's cached sessions must not keep the old roles
		st.Roles = roles
	}
	return st, nil
}

// oidcNoRole removes the roles and the sessions of the account of subject,
// if there is one and it still holds roles or sessions: the identity
// provider says it may do nothing here any more.
func (a *StaffAccess) oidcNoRole(ctx context.Context, subject string) error {
	st, err := a.Store.StaffByLogin(ctx, coupole.StaffOIDC, subject)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if st.Status == coupole.StaffActive && len(st.Roles) > 0 {
		if err := a.Lifecycle.SetRoles(ctx, governance.ActorOIDC, st.ID, nil, coupole.SourceOIDC); err != nil {
			return err
		}
	}
	n, err := a.Store.DeleteSessionsOf(ctx, st.ID)
	a.sessions.reset() // nor the deleted sessions
	if err != nil {
		return err
	}
	if n > 0 {
		// The sessions are gone already: the trace records it, best effort
		// (ending access never waits for the log).
		a.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSessionsDeleted, Actor: governance.ActorOIDC, Subject: st.ID, Outcome: "ok",
			Reason: "no_role", Details: map[string]string{"sessions": itoa(n)}})
	}
	return nil
}

// completeSignIn starts a session, traces the sign-in and goes home.
func (a *StaffAccess) completeSignIn(w http.ResponseWriter, r *http.Request, st coupole.Staff, method string) {
	ctx := r.Context()
	if err := a.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSignIn, Actor: st.ID, Subject: st.ID, Outcome: "ok",
		Details: map[string]string{"method": method, "roles": strings.Join(rolesStrings(st.Roles), ","), "client": clientAddrFrom(ctx)}}); err != nil {
		a.Server.Error(w, r, err) // no untraced sign-in
		return
	}
	if err := a.startSession(ctx, w, st); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if st.Language != "" { // the staff member's choice, on this browser too
		a.setLanguageCookie(w, st.Language)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// preCSRFCookie carries the double-submit token of the sign-in forms, which
// are posted before any session exists.
const preCSRFCookie = "coupole_signin_csrf"

func (a *StaffAccess) handleSignInPage(w http.ResponseWriter, r *http.Request) {
	key := ""
	if r.URL.Query().Get("out") != "" {
		key = "signout.done"
	}
	a.signInPage(w, r, http.StatusOK, key)
}

func (a *StaffAccess) signInPage(w http.ResponseWriter, r *http.Request, status int, msgKey string) {
	token := newSecret()
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: token, Path: "/signin/", HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	lang := RequestLanguage(r)
	d := pageData{Lang: lang, CSRF: token, OIDC: a.oidc != nil}
	if msgKey != "" {
		d.Message = Message(lang, msgKey)
	}
	if a.Config.Demo {
		d.DemoAccounts = DemoAccounts()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	a.render(w, "signin", d)
}

func (a *StaffAccess) checkPreCSRF(r *http.Request) bool {
	c, err := r.Cookie(preCSRFCookie)
	return err == nil && equalTokens(r.PostFormValue("csrf_token"), c.Value)
}

// handleLocalSignIn signs in a break-glass account: user name, argon2id
// password and a TOTP code never accepted twice. Every failure looks the
// same, whether the account exists or not.
func (a *StaffAccess) handleLocalSignIn(w http.ResponseWriter, r *http.Request) {
	if !a.checkPreCSRF(r) {
		a.refusedAnonymous(r, "signin_csrf")
		a.refuse(w, r, http.StatusForbidden, "refused.csrf")
		return
	}
	ctx := r.Context()
	now := a.Clock.Now()
	user := signInName(r.PostFormValue("user"))
	addr := clientAddrFrom(ctx)
	attempt, refusal := a.throttle.begin(ctx, user, addr, now)
	if refusal != "" {
		// Counted, not traced one by one: the failures that led here are,
		// and a flood of throttled attempts must not fill the log.
		a.refusedAnonymous(r, "signin_"+refusal)
		a.signInPage(w, r, http.StatusTooManyRequests, "signin.throttled")
		return
	}
	st, reason := a.checkLocal(ctx, user, r.PostFormValue("password"), r.PostFormValue("totp"), now)
	if reason != "" { // the attempt stays recorded: it is a failure
		// The typed name is never traced: a password typed in the name field
		// would stay in the log for good. A known account is named by its
		// id, an unknown name by a keyed hash (repeats stay visible).
		subject := st.ID
		if subject == "" {
			subject = a.throttle.accountKey(user)
		}
		a.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSignInFailed, Subject: subject, Outcome: "refused", Reason: reason,
			Details: map[string]string{"method": "local", "client": addr}})
		a.signInPage(w, r, http.StatusUnauthorized, "signin.failed")
		return
	}
	if err := a.throttle.succeed(ctx, attempt, user); err != nil {
		a.Logger.Warn("sign-in counters not reset", "err", err)
	}
	a.completeSignIn(w, r, st, "local")
}

// checkLocal returns the staff member, or a refusal code for the trace (never
// shown: the page says the same for all).
func (a *StaffAccess) checkLocal(ctx context.Context, user, password, code string, now time.Time) (coupole.Staff, string) {
	st, err := a.Store.StaffByLogin(ctx, coupole.StaffLocal, user)
	var cred coupole.LocalCredential
	if err == nil {
		cred, err = a.Store.LocalCredential(ctx, st.ID)
	}
	if err != nil {
		CheckPassword(dummyHash(), password) // same time as a wrong password
		return st, "unknown_account"
	}
	if !CheckPassword(cred.PasswordHash, password) {
		return st, "bad_password"
	}
	secret, err := OpenTOTPSecret(a.Secrets, st.ID, cred.TOTPSecret)
	if err != nil { // never the secret in the log: the error does not carry it
		a.Logger.Error("break-glass sign-in refused: the stored TOTP secret does not open with this server's secret key (another key, another account's secret, or altered)",
			"staff", st.ID, "err", err)
		return st, "totp_secret_unreadable"
	}
	step := matchTOTP(secret, code, now)
	if step < 0 {
		return st, "bad_totp"
	}
	if err := a.Store.UseTOTPStep(ctx, st.ID, step); err != nil {
		return st, "totp_replayed"
	}
	if st.Status != coupole.StaffActive {
		return st, "revoked"
	}
	if !slices.Contains(a.Config.LocalAccounts, user) {
		return st, "not_a_break_glass_account"
	}
	return st, ""
}

// DemoAccount is a staff member that exists only under `serve --demo`.
type DemoAccount struct {
	Login string
	Role  coupole.Role
}

// DemoAccounts lists one demo account per role.
func DemoAccounts() []DemoAccount {
	out := make([]DemoAccount, len(coupole.Roles))
	for i, r := range coupole.Roles {
		out[i] = DemoAccount{"demo-" + strings.ReplaceAll(string(r), "_", "-"), r}
	}
	return out
}

// EnsureDemoAccounts creates the demo staff members if they are missing.
func EnsureDemoAccounts(ctx context.Context, store coupole.StaffStore, clock coupole.Clock) ([]DemoAccount, error) {
	accounts := DemoAccounts()
	for _, d := range accounts {
		_, err := store.StaffByLogin(ctx, coupole.StaffDemo, d.Login)
		if coupole.ErrorCode(err) != coupole.ENOTFOUND {
			if err != nil {
				return nil, err
			}
			continue
		}
		st := coupole.Staff{ID: d.Login, Kind: coupole.StaffDemo, Login: d.Login, DisplayName: staffName(coupole.French, coupole.Staff{Kind: coupole.StaffDemo, Roles: []coupole.Role{d.Role}}),
			Roles: []coupole.Role{d.Role}, Status: coupole.StaffActive, CreatedAt: clock.Now()}
		if err := store.CreateStaff(ctx, st); err != nil {
			return nil, err
		}
	}
	return accounts, nil
}

// handleDemoSignIn signs in a demo account with one click; the route exists
// only under --demo.
func (a *StaffAccess) handleDemoSignIn(w http.ResponseWriter, r *http.Request) {
	if !a.checkPreCSRF(r) {
		a.refusedAnonymous(r, "signin_csrf")
		a.refuse(w, r, http.StatusForbidden, "refused.csrf")
		return
	}
	st, err := a.Store.StaffByLogin(r.Context(), coupole.StaffDemo, r.PostFormValue("account"))
	if err != nil || st.Status != coupole.StaffActive {
		a.refusedAnonymous(r, "demo_signin_failed")
		a.signInPage(w, r, http.StatusUnauthorized, "signin.failed")
		return
	}
	a.completeSignIn(w, r, st, "demo")
}
