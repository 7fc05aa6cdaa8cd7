package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// DefaultAllowedNetworks are the ranges staff may sign in from when none are
// configured (C5): loopback and the private ranges of RFC 1918 and RFC 4193.
var DefaultAllowedNetworks = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

// ParsePrefixes reads a comma-separated list of CIDR ranges or single
// addresses ("10.0.0.0/8, 192.0.2.7").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, coupole.Errorf(coupole.EINVALID, "%q is not an address or a CIDR range", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%q is not a CIDR range like 10.0.0.0/8", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func inAny(a netip.Addr, nets []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the browser: the peer's address, unless the
// peer is a configured trusted proxy, in which case X-Forwarded-For is read
// from the right, skipping trusted proxies, and the first address that is not
// one is the client. X-Forwarded-For from anyone else is ignored: it is
// whatever the client chose to write.
func (a *StaffAccess) ClientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	// A zone ("%eth0") is how the kernel names a link; it is no part of
	// who the client is, and text after "%" is not an address.
	peer = peer.Unmap().WithZone("")
	if !inAny(peer, a.Config.TrustedProxies) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil || hop.Zone() != "" { // a zone is free text a proxy never writes
			return netip.Addr{} // a garbled chain proves nothing: refuse
		}
		client = hop.Unmap()
		if !inAny(client, a.Config.TrustedProxies) {
			return client
		}
	}
	return client
}

func (a *StaffAccess) allowedNetworks() []netip.Prefix {
	if len(a.Config.AllowedNetworks) == 0 {
		return DefaultAllowedNetworks
	}
	return a.Config.AllowedNetworks
}

type clientAddrKey struct{}

// clientAddrFrom returns the client address the network check established.
func clientAddrFrom(ctx context.Context) string {
	if a, ok := ctx.Value(clientAddrKey{}).(netip.Addr); ok && a.IsValid() {
		return a.String()
	}
	return ""
}

// securityHeaders are set on every staff page and API response.
func securityHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// formToken returns the CSRF token a request carries: the X-CSRF-Token
// header (API clients) or the csrf_token form field (pages).
func formToken(r *http.Request) string {
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return r.PostFormValue("csrf_token")
	}
	return ""
}

// wrap is the chain every staff route goes through, in this order:
// security headers, network range (C5), cross-origin protection, session,
// form token, authorization (S2, C1), then the handler.
func (a *StaffAccess) wrap(rt *Route) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Public {
			rt.public(w, r)
			return
		}
		p, err := a.loadSession(r)
		if err != nil {
			if coupole.ErrorCode(err) == coupole.EUNAUTHORIZED {
				a.refusedAnonymous(r, "signin_required")
				a.refuse(w, r, http.StatusUnauthorized, "refused.signin_required")
				return
			}
			a.Server.Error(w, r, err)
			return
		}
		if unsafeMethod(r.Method) && !equalTokens(formToken(r), p.CSRF) {
			// The session is known: the refusal is traced with who and
			// what the forged or stale request was about.
			typ, id := "Page", rt.Pattern
			if rt.Resource != nil {
				if t, i, _, err := rt.Resource(r, p); err == nil {
					typ, id = t, i
				}
			}
			a.traceRefusal(r, p.Staff.ID, rt, coupole.AccessRequest{Action: rt.Action, ResourceType: typ, ResourceID: id}, "csrf", nil)
			a.refuse(w, r, http.StatusForbidden, "refused.csrf")
			return
		}
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		if rt.Resource != nil {
			// The resource's facts and the handler read the same rows.
			ctx = interaction.WithInteractionMemo(ctx)
		}
		r = r.WithContext(ctx)
		req := coupole.AccessRequest{Staff: p.Staff, Action: rt.Action, ResourceType: "Page", ResourceID: rt.Pattern}
		if rt.Resource != nil {
			typ, id, facts, err := rt.Resource(r, p)
			if err != nil {
				a.Server.Error(w, r, err)
				return
			}
			req.ResourceType, req.ResourceID, req.Facts = typ, id, facts
		}
		d, err := a.Authz.AuthorizeStaff(ctx, req)
		if err != nil {
			a.Server.Error(w, r, err)
			return
		}
		if !d.Allow {
			a.denied(w, r, rt, req, d)
			return
		}
		if !a.charterGate(w, r, p, rt, req) { // issue 12: the confidentiality charter (S1)
			return
		}
		rt.handler(w, r, p)
	})
	xop := http.NewCrossOriginProtection()
	xop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A cross-origin request's cookie is not taken to name anyone: it
		// is the victim's, sent by somebody else's page.
		a.refusedAnonymous(r, "cross_origin")
		a.refuse(w, r, http.StatusForbidden, "refused.csrf")
	}))
	protected := xop.Handler(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		addr := a.ClientAddr(r)
		if !addr.IsValid() || !inAny(addr, a.allowedNetworks()) {
			a.Logger.Warn("request refused: address outside allowed networks", "route", rt.Pattern, "addr", addr.String())
			a.refusedAnonymous(r, "network")
			a.refuse(w, r, http.StatusForbidden, "refused.network")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr))
		protected.ServeHTTP(w, r)
	})
}

// denied answers a refused authorization and traces it with its target
// (T1: every refused attempt, with who was probed).
func (a *StaffAccess) denied(w http.ResponseWriter, r *http.Request, rt *Route, req coupole.AccessRequest, d coupole.AccessDecision) {
	key := "refused.forbidden"
	if req.Action == coupole.ActionReadCustomer || req.Action == coupole.ActionReadAccessPoint {
		key = "refused.need_to_know"
	}
	a.traceRefusal(r, req.Staff.ID, rt, req, d.Reason, d.Policies)
	a.refuse(w, r, http.StatusForbidden, key)
}

// traceRefusal traces a refused request of a known staff member: the route,
// the action, the target and the policies that refused. A customer id, an
// EAN or an interaction id goes in the event's erasable, searchable fields;
// the readable data carries the EAN masked only. The refusal stands whether
// or not the trace is written (nothing was served); a trace that fails is
// in the runtime log, without the target.
func (a *StaffAccess) traceRefusal(r *http.Request, staffID string, rt *Route, req coupole.AccessRequest, reason string, policies []string) {
	if reason == "" {
		reason = "forbidden"
	}
	e := coupole.StaffEvent{Type: coupole.StaffEventAccessDenied, Actor: staffID, Outcome: "refused", Reason: reason,
		Details: map[string]string{"route": rt.Pattern, "action": string(req.Action), "resource_type": req.ResourceType,
			"policies": strings.Join(policies, ","), "client": clientAddrFrom(r.Context())}}
	switch req.ResourceType {
	case "Customer":
		e.Details["customer"] = req.ResourceID
	case "AccessPoint":
		e.Details["access_point"] = req.ResourceID
		e.Details["target"] = coupole.EAN(req.ResourceID).Masked()
	case "Interaction":
		e.Details["interaction"] = req.ResourceID
	case "Page":
		// The route says it all, unless the resource names what the
		// request was about (a legal hold, issue 13): then it is the subject.
		if req.ResourceID != rt.Pattern {
			e.Subject = req.ResourceID
		}
	default: // a staff account, a break-glass grant: identifiers of staff data
		e.Subject = req.ResourceID
	}
	a.trace(r.Context(), e)
}

// anonymousWindow is the period over which refusals of requests without a
// principal are counted into one event.
const anonymousWindow = time.Minute

// anonymousRefusals counts the refusals of requests that name nobody. Each
// is not traced on its own: anyone who can reach the server could otherwise
// write to the audit log at line rate. The first refusal after a quiet window
// writes an event at once; the others are counted and written, by reason,
// with the first refusal after the window has passed. (A count still pending
// when the server stops is lost; the runtime log keeps the network refusals.)
type anonymousRefusals struct {
	mu     sync.Mutex
	next   time.Time
	since  time.Time
	counts map[string]int
}

// add counts a refusal for reason at now and returns the counts to trace,
// if the window has passed.
func (c *anonymousRefusals) add(reason string, now time.Time) (map[string]int, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts, c.since = map[string]int{}, now
	}
	c.counts[reason]++
	if now.Before(c.next) {
		return nil, time.Time{}
	}
	out, since := c.counts, c.since
	c.counts, c.since, c.next = map[string]int{}, now, now.Add(anonymousWindow)
	return out, since
}

// refusedAnonymous counts a refusal of a request without a principal and,
// once per window, traces the counts.
func (a *StaffAccess) refusedAnonymous(r *http.Request, reason string) {
	now := a.Clock.Now()
	counts, since := a.anonymous.add(reason, now)
	if counts == nil {
		return
	}
	// No client address: the counts are of many requests, maybe many
	// clients; the runtime log keeps the addresses refused by network.
	d := map[string]string{"since": since.UTC().Format(time.RFC3339)}
	total := 0
	for k, n := range counts {
		d["refused."+k] = itoa(n)
		total += n
	}
	a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventAnonymousRefusals, Outcome: "refused", Reason: "refusals=" + itoa(total), Details: d})
}

// refuse writes a localized refusal: a problem detail under /api/ (and the
// other problem paths), a small page for browsers, plain text otherwise.
func (a *StaffAccess) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := RequestLanguage(r)
	msg := Message(lang, key)
	// Under /api/ (and the other problemPath prefixes) a problem detail,
	// whatever the client accepts: the API answers in one format.
	if problemPath(r.URL.Path) {
		writeProblemStatus(w, status, problemCode(status), msg)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		signin := status == http.StatusUnauthorized
		a.render(w, "refused", pageData{Lang: lang, Message: msg, SignInLink: signin})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}
