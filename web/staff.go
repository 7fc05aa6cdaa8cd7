package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/casework"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/oversight"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	"github.com/coupole/coupole/scim"
	"github.com/coupole/coupole/secretkey"
)

// AuthConfig is the staff-access part of the configuration (issue 5).
type AuthConfig struct {
	Limits          coupole.SessionLimits
	SecureCookies   bool           // false only for the plain-HTTP loopback demo
	AllowedNetworks []netip.Prefix // C5; DefaultAllowedNetworks when empty
	TrustedProxies  []netip.Prefix // whose X-Forwarded-For is believed
	// LocalAccounts names the break-glass accounts allowed to sign in with a
	// password and a TOTP code; any other local account is refused.
	LocalAccounts []string
	Demo          bool // demo accounts may sign in (serve --demo only)
	OIDC          *OIDCConfig
}

// CustomerReader is what the staff routes read of the grid data; the grid
// store satisfies it.
type CustomerReader interface {
	Customer(ctx context.Context, id string) (coupole.Customer, error)
	AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error)
}

// StaffAccess serves sign-in, sessions and the staff routes: who may act,
// need-to-know, break-glass and emergency revocation (issue 5).
type StaffAccess struct {
	Server    *Server
	Store     coupole.StaffStore
	Authz     coupole.StaffAuthorizer
	Facts     coupole.InteractionFacts
	Customers CustomerReader
	Tracer    coupole.StaffTracer
	// Interactions is the interaction service (issue 6); when set, its API
	// is served and it is the need-to-know fact provider unless Facts is set.
	Interactions *interaction.Service
	// Cases is the back office's case queue (issue 11); when set, its API
	// and pages are served.
	Cases *casework.Service
	// AuditProofs, when set, serves the audit checkpoint and proofs to
	// auditors (T2).
	AuditProofs AuditReader
	Clock       coupole.Clock
	Logger      *slog.Logger
	Config      AuthConfig
	// Secrets opens the break-glass TOTP secrets and keys the sign-in
	// counters' account hashes (issue 10, item 11): the data directory's
	// key in a server; a random one per process when nil (tests).
	Secrets *secretkey.Key
	// SignInAttempts keeps the sign-in counters; Store when nil, if it
	// keeps them too (sqlstore.DB does).
	SignInAttempts coupole.SignInAttempts
	// Lifecycle is the one door of role assignments (issue 12); built on
	// Store when nil. SoD is the segregation-of-duties set; the embedded
	// one when nil.
	Lifecycle *governance.Lifecycle
	SoD       *sodpolicy.Checker
	// Privileged is privileged access and break-glass grants (S3): request,
	// approval or rejection by somebody else, withdrawal, expiry; built on
	// Store when nil. PrivilegedMax and BreakGlassMax bound their durations
	// (serve's --privileged-max and --break-glass-max) when it is built here.
	Privileged                   *governance.Privileged
	PrivilegedMax, BreakGlassMax time.Duration
	// ReviewLength is how long a review campaign started from the screen
	// stays open (governance.DefaultReviewLength when 0).
	ReviewLength time.Duration
	// SCIMTokens, when set, lets the IT administrator's page list, create,
	// rotate and revoke the identity system's bearer tokens.
	SCIMTokens *scim.Tokens

	pages PagesConfig // the staff pages (issue 7), set by EnablePages
	desk  deskStates  // what each open interaction's page shows (issue 15, desk_state.go)

	// oversight and dashboard: alerts, team lead's pages, redaction and
	// the supervisor dashboard (issue 16), set by EnableOversight.
	oversight *oversight.Service
	dashboard *oversight.Dashboard
	oidc      *oidcClient
	throttle  *throttle
	routes    []*Route
	// compliance: the registers' screens are on (issue 14).
	compliance bool
	// retention: the privacy officer's retention screens are on (issue 13).
	retention bool

	// anonymous counts the refusals of requests that name nobody.
	anonymous anonymousRefusals
	// sessions holds recently read sessions (sessioncache.go).
	sessions sessionCache

	// Issue 12, items 5 and 6 (charter.go, validation_pages.go): the
	// charter's gate and its recent answers, business validation, reviews.
	charters    *governance.Charters
	charterMemo charterCache
	validation  *governance.Validation
	reviews     *governance.Reviews
}

// Route is one staff route. Every route either names the policy action that
// authorizes it or is declared public: there is no third way to add one, and
// the matrix test walks Routes().
type Route struct {
	Pattern string
	Action  coupole.StaffAction // empty for public routes
	Public  bool
	// Resource derives the resource and the facts of the request; nil means
	// the resource is the page itself.
	Resource func(r *http.Request, p *Principal) (typ, id string, facts coupole.AccessFacts, err error)

	handler func(w http.ResponseWriter, r *http.Request, p *Principal)
	public  func(w http.ResponseWriter, r *http.Request)
}

// Routes lists the registered staff routes.
func (a *StaffAccess) Routes() []Route {
	out := make([]Route, len(a.routes))
	for i, rt := range a.routes {
		out[i] = *rt
	}
	return out
}

func (a *StaffAccess) handle(pattern string, action coupole.StaffAction, res func(*http.Request, *Principal) (string, string, coupole.AccessFacts, error), h func(http.ResponseWriter, *http.Request, *Principal)) {
	if action == "" {
		panic("web: route " + pattern + " has no policy action")
	}
	rt := &Route{Pattern: pattern, Action: action, Resource: res, handler: h}
	a.routes = append(a.routes, rt)
	a.Server.Handle(pattern, a.wrap(rt))
}

func (a *StaffAccess) public(pattern string, h http.HandlerFunc) {
	rt := &Route{Pattern: pattern, Public: true, public: h}
	a.routes = append(a.routes, rt)
	a.Server.Handle(pattern, a.wrap(rt))
}

// EnableStaffAccess registers the sign-in and staff routes on s. When
// cfg.OIDC is set, the identity provider is discovered now.
func (s *Server) EnableStaffAccess(ctx context.Context, a *StaffAccess) error {
	a.Server = s
	if a.Logger == nil {
		a.Logger = s.Logger
	}
	if a.Clock == nil {
		a.Clock = coupole.SystemClock{}
	}
	if a.Facts == nil && a.Interactions != nil {
		a.Facts = a.Interactions
	}
	if a.Secrets == nil {
		a.Secrets = secretkey.Ephemeral()
	}
	if a.SignInAttempts == nil {
		a.SignInAttempts, _ = a.Store.(coupole.SignInAttempts)
	}
	if a.SignInAttempts == nil {
		return coupole.Errorf(coupole.EINTERNAL, "staff access: no store for the sign-in counters")
	}
	a.throttle = &throttle{store: a.SignInAttempts, key: a.Secrets, logger: a.Logger}
	// The desk states live in the database when the store keeps them, so
	// that every node shows the same call (issue 15); in memory otherwise.
	a.desk.store, _ = a.Store.(DeskStore)
	if a.Config.OIDC != nil {
		c, err := newOIDCClient(ctx, *a.Config.OIDC)
		if err != nil {
			return err
		}
		a.oidc = c
	}

	a.public("GET /signin", a.handleSignInPage)
	a.public("GET /auth/oidc/start", a.handleOIDCStart)
	a.public("GET /auth/oidc/callback", a.handleOIDCCallback)
	a.public("POST /signin/local", a.handleLocalSignIn)
	if a.Config.Demo {
		a.public("POST /signin/demo", a.handleDemoSignIn)
	}

	a.handle("GET /{$}", coupole.ActionViewHome, nil, a.handleHome)
	a.handle("GET /api/v1/me", coupole.ActionViewHome, nil, a.handleMe)
	a.handle("POST /signout", coupole.ActionSignOut, nil, a.handleSignOut)
	a.handle("POST /signout/everywhere", coupole.ActionSignOut, nil, a.handleSignOutEverywhere)

	a.handle("GET /api/v1/customers/{id}", coupole.ActionReadCustomer, a.customerResource, a.handleCustomer)
	// The EAN travels in the body, never in the URL: URLs end up in proxy and
	// browser logs, and an EAN is personal data.
	a.handle("POST /api/v1/access-points/read", coupole.ActionReadAccessPoint, a.accessPointResource, a.handleAccessPoint)
	a.handle("GET /api/v1/interactions", coupole.ActionReadInteractionMeta, nil, a.handleInteractions)

	a.handle("GET /api/v1/staff", coupole.ActionListStaff, nil, a.handleListStaff)
	a.handle("POST /api/v1/staff/{id}/revoke", coupole.ActionRevokeStaff, a.staffResource, a.handleRevoke)
	a.handle("POST /api/v1/staff/{id}/roles", coupole.ActionSetRoles, a.staffResource, a.handleSetRoles)

	if err := a.enableGovernance(); err != nil {
		return err
	}
	a.handle("GET /api/v1/breakglass", coupole.ActionListBreakGlass, nil, a.handleListGrants)
	a.handle("POST /api/v1/breakglass", coupole.ActionRequestBreakGlass, nil, a.handleRequestGrant)
	a.handle("POST /api/v1/breakglass/{id}/approve", coupole.ActionApproveBreakGlass, a.grantResource, a.handleApproveGrant)
	a.handle("POST /api/v1/breakglass/{id}/reject", coupole.ActionApproveBreakGlass, a.grantResource, a.handleRejectGrant)
	a.handle("POST /api/v1/breakglass/{id}/withdraw", coupole.ActionRequestBreakGlass, a.grantResource, a.handleWithdrawGrant)
	if a.Interactions != nil {
		a.registerInteractionAPI()
	}
	if a.AuditProofs != nil {
		a.registerAuditAPI()
	}
	if a.Cases != nil {
		a.registerCaseAPI()
	}
	return nil
}

// trace appends a staff event; a failure is logged (the caller decides
// whether the action may stand without it).
func (a *StaffAccess) trace(ctx context.Context, e coupole.StaffEvent) error {
	if e.At.IsZero() {
		e.At = a.Clock.Now()
	}
	if a.Tracer == nil {
		return nil
	}
	if err := a.Tracer.TraceStaff(ctx, e); err != nil {
		a.Logger.Error("cannot trace staff event", "type", e.Type, "err", err)
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this action now")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// --- resources: the facts are derived by the server, never sent (C1) ---

func (a *StaffAccess) customerResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	var f coupole.AccessFacts
	handled, err := a.Facts.HandledInteractions(r.Context(), p.Staff.ID)
	if err != nil {
		return "", "", f, err
	}
	for _, hi := range handled {
		if slices.Contains(hi.CustomerIDs, id) {
			f.HandlesInteraction = true
		}
	}
	grants, err := a.Store.GrantsOf(r.Context(), p.Staff.ID)
	if err != nil {
		return "", "", f, err
	}
	now := a.Clock.Now()
	for _, g := range grants {
		if g.CustomerID == id && g.Active(now) {
			f.BreakGlass = true
		}
	}
	return "Customer", id, f, nil
}

func (a *StaffAccess) accessPointResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	var f coupole.AccessFacts
	var body struct {
		EAN string `json:"ean"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return "", "", f, err
	}
	ean, err := coupole.ParseEAN(body.EAN)
	if err != nil {
		return "", "", f, err
	}
	// The handler reads the parsed EAN from here: the body is consumed.
	r.SetPathValue("ean", string(ean))
	handled, err := a.Facts.HandledInteractions(r.Context(), p.Staff.ID)
	if err != nil {
		return "", "", f, err
	}
	for _, hi := range handled {
		if slices.Contains(hi.EANs, ean) {
			f.HandlesInteraction = true
		}
	}
	return "AccessPoint", string(ean), f, nil
}

func (a *StaffAccess) staffResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	return "StaffAccount", id, coupole.AccessFacts{TargetIsSelf: id == p.Staff.ID}, nil
}

// --- handlers ---

func (a *StaffAccess) handleHome(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.homePage(w, r, p) // web/pages.go (issue 7)
}

type meJSON struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"display_name"`
	Kind        string    `json:"kind"`
	Roles       []string  `json:"roles"`
	CSRFToken   string    `json:"csrf_token"`
	ExpiresAt   time.Time `json:"session_expires_at"`
}

func rolesStrings(rs []coupole.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func (a *StaffAccess) handleMe(w http.ResponseWriter, r *http.Request, p *Principal) {
	writeJSON(w, http.StatusOK, meJSON{p.Staff.ID, p.Staff.DisplayName, string(p.Staff.Kind), rolesStrings(p.Staff.Roles), p.CSRF, p.Session.ExpiresAt})
}

func (a *StaffAccess) handleSignOut(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.sessions.forget(p.Session.IDHash)
	if err := a.Store.DeleteSession(r.Context(), p.Session.IDHash); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	// Signing out only removes access: it happens even when the audit log
	// cannot record it (a failure is in the runtime log), as revocation does.
	a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventSignOut, Actor: p.Staff.ID, Subject: p.Staff.ID, Outcome: "ok"})
	a.clearSessionCookie(w)
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

func (a *StaffAccess) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.sessions.reset()
	n, err := a.Store.DeleteSessionsOf(r.Context(), p.Staff.ID)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	// Like signing out: access removed even if the trace cannot be written.
	a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventSessionsDeleted, Actor: p.Staff.ID, Subject: p.Staff.ID, Outcome: "ok",
		Details: map[string]string{"sessions": itoa(n)}})
	a.clearSessionCookie(w)
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

// handleCustomer serves the customer record to a staff member the policy
// allowed, and traces the read before answering (T1): a read that cannot be
// traced is not served. The record is masked unless the staff policy allows
// it unmasked (C1: masked unless the request needs it; only break-glass).
func (a *StaffAccess) handleCustomer(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	c, err := a.Customers.Customer(r.Context(), id)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	_, _, facts, err := a.customerResource(r, p)
	unmasked := false
	if err == nil {
		unmasked, err = a.unmasked(r.Context(), p, "Customer", id, facts)
	}
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if err := a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventCustomerAccess, Actor: p.Staff.ID, Outcome: "ok",
		Details: map[string]string{"customer": id, "data": "customer_profile", "masked": strconv.FormatBool(!unmasked), "client": clientAddrFrom(r.Context())}}); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	name := c.MaskedName()
	if unmasked {
		name = c.Name()
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "name": name, "language": string(c.Language), "masked": !unmasked})
}

// handleAccessPoint serves an access point, its EAN masked unless the staff
// policy allows it unmasked (C1).
func (a *StaffAccess) handleAccessPoint(w http.ResponseWriter, r *http.Request, p *Principal) {
	ean, _ := coupole.ParseEAN(r.PathValue("ean"))
	ap, err := a.Customers.AccessPoint(r.Context(), ean)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	// The route was allowed on an interaction's need-to-know; break-glass
	// grants are per customer, never per access point.
	unmasked, err := a.unmasked(r.Context(), p, "AccessPoint", string(ean), coupole.AccessFacts{HandlesInteraction: true})
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if err := a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventCustomerAccess, Actor: p.Staff.ID, Outcome: "ok",
		Details: map[string]string{"access_point": string(ean), "data": "access_point", "masked": strconv.FormatBool(!unmasked), "client": clientAddrFrom(r.Context())}}); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	shown := ap.EAN.Masked()
	if unmasked {
		shown = string(ap.EAN)
	}
	writeJSON(w, http.StatusOK, map[string]any{"ean": shown, "energy": string(ap.Energy), "regime": string(ap.Regime), "masked": !unmasked})
}

// unmasked asks the staff policy whether the principal sees the resource's
// personal data in full (customer_data.unmasked), on the request's facts.
func (a *StaffAccess) unmasked(ctx context.Context, p *Principal, typ, id string, facts coupole.AccessFacts) (bool, error) {
	d, err := a.Authz.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: p.Staff, Action: coupole.ActionReadUnmasked, ResourceType: typ, ResourceID: id, Facts: facts})
	return d.Allow, err
}

func (a *StaffAccess) handleInteractions(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := a.Facts.OpenInteractions(r.Context())
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	type item struct {
		ID       string    `json:"id"`
		StaffID  string    `json:"staff_id"`
		Channel  string    `json:"channel"`
		OpenedAt time.Time `json:"opened_at"`
	}
	out := []item{}
	for _, m := range list {
		out = append(out, item{m.ID, m.StaffID, m.Channel, m.OpenedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

type staffJSON struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	DisplayName   string     `json:"display_name"`
	Roles         []string   `json:"roles"`
	Status        string     `json:"status"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	RevokedReason string     `json:"revoked_reason,omitempty"`
}

func (a *StaffAccess) handleListStaff(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := a.Store.ListStaff(r.Context())
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	out := []staffJSON{}
	for _, s := range list {
		j := staffJSON{ID: s.ID, Kind: string(s.Kind), DisplayName: s.DisplayName, Roles: rolesStrings(s.Roles), Status: string(s.Status), RevokedReason: s.RevokedReason}
		if !s.RevokedAt.IsZero() {
			t := s.RevokedAt
			j.RevokedAt = &t
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// RevokeStaff is the emergency revocation (S6) shared by the API and the
// command line: disable the account, destroy its sessions and grants, close
// its open interactions with a system reason (issue 10: a reinstated member
// regains no access through them), trace. It returns the number of sessions
// destroyed.
//
// It is the one staff-side change made before its trace, on purpose
// (issue 10, item 5): revocation removes access, and refusing it while the
// audit log is down would keep a compromised account working for as long as
// the log stays down — which whoever holds the account may have caused. The
// staff row keeps who was revoked, when and why; the error returned says the
// trace is missing, and the API answers 503 so that the operator knows.
func RevokeStaff(ctx context.Context, store coupole.StaffStore, tracer coupole.StaffTracer, clock coupole.Clock, actor, id, reason string) (int, error) {
	// The reason is typed by a person, maybe in a terminal that does not
	// speak UTF-8: it is stored and traced all the same.
	reason = strings.TrimSpace(strings.ToValidUTF8(reason, "\uFFFD"))
	if reason == "" {
		return 0, coupole.Errorf(coupole.EINVALID, "revoke: --reason is required: say why the access is removed")
	}
	now := clock.Now()
	rv, err := store.Revoke(ctx, id, reason, now)
	if err != nil {
		return 0, err
	}
	if tracer != nil {
		details := map[string]string{"sessions": itoa(rv.Sessions), "interactions_closed": itoa(len(rv.Interactions))}
		if len(rv.Interactions) > 0 {
			details["closed_interactions"] = strings.Join(rv.Interactions, ",")
			details["close_reason"] = coupole.CloseStaffRevoked
		}
		if err := tracer.TraceStaff(ctx, coupole.StaffEvent{Type: coupole.StaffEventRevoked, At: now, Actor: actor, Subject: id, Outcome: "ok", Reason: reason,
			Details: details}); err != nil {
			// The revocation stands: access is removed even if the trace
			// cannot be written now; the error tells the operator.
			return rv.Sessions, coupole.Wrap(err, coupole.EUNAVAILABLE, "staff %s is revoked, but the audit log could not record it: %v", id, err)
		}
	}
	return rv.Sessions, nil
}

func (a *StaffAccess) handleRevoke(w http.ResponseWriter, r *http.Request, p *Principal) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	n, err := RevokeStaff(r.Context(), a.Store, a.Tracer, a.Clock, p.Staff.ID, r.PathValue("id"), body.Reason)
	a.sessions.reset()
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "status": "revoked", "sessions_destroyed": n})
}

func (a *StaffAccess) handleSetRoles(w http.ResponseWriter, r *http.Request, p *Principal) {
	var body struct {
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(r, &body); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	roles, err := coupole.ParseRoles(strings.Join(body.Roles, ","))
	if err == nil && len(roles) == 0 {
		err = coupole.Errorf(coupole.EINVALID, "roles: at least one role is required")
	}
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	id := r.PathValue("id")
	defer a.sessions.reset()
	// The one door (issue 12): staff policy, segregation of duties, trace
	// first, lifecycle record.
	if err := a.Lifecycle.SetRoles(r.Context(), p.Staff.ID, id, roles, coupole.SourceScreen); err != nil {
		a.Server.Error(w, r, translateRefusal(err, RequestLanguage(r)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "roles": rolesStrings(roles)})
}

// traceFailure records that a change traced first could not be made: the
// first event says it was decided, this one that it did not happen (best
// effort: the log has just worked).
func (a *StaffAccess) traceFailure(ctx context.Context, ev coupole.StaffEvent, err error) {
	ev.Outcome, ev.Reason = "failed", coupole.ErrorCode(err)
	a.trace(ctx, ev)
}

func itoa(n int) string { return strconv.Itoa(n) }
