package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

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
				a.refuse(w, r, http.StatusUnauthorized, "refused.signin_required")
				return
			}
			a.Server.Error(w, r, err)
			return
		}
		if unsafeMethod(r.Method) && !equalTokens(formToken(r), p.CSRF) {
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
			a.denied(w, r, req, d)
			return
		}
		rt.handler(w, r, p)
	})
	xop := http.NewCrossOriginProtection()
	xop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.refuse(w, r, http.StatusForbidden, "refused.csrf")
	}))
	protected := xop.Handler(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		addr := a.ClientAddr(r)
		if !addr.IsValid() || !inAny(addr, a.allowedNetworks()) {
			a.Logger.Warn("request refused: address outside allowed networks", "route", rt.Pattern, "addr", addr.String())
			a.refuse(w, r, http.StatusForbidden, "refused.network")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr))
		protected.ServeHTTP(w, r)
	})
}

// denied answers a refused authorization, and traces refusals to read
// customer data (T1: the decision taken is traced too).
func (a *StaffAccess) denied(w http.ResponseWriter, r *http.Request, req coupole.AccessRequest, d coupole.AccessDecision) {
	key := "refused.forbidden"
	if req.Action == coupole.ActionReadCustomer || req.Action == coupole.ActionReadAccessPoint {
		key = "refused.need_to_know"
		a.trace(r.Context(), coupole.StaffEvent{
			Type: coupole.StaffEventAccessDenied, Actor: req.Staff.ID, Outcome: "refused", Reason: d.Reason,
			Details: map[string]string{"action": string(req.Action), "resource_type": req.ResourceType, "policies": strings.Join(d.Policies, ","), "client": clientAddrFrom(r.Context())},
		})
	}
	a.refuse(w, r, http.StatusForbidden, key)
}

// refuse writes a localized refusal: a small page for browsers, plain text
// for API clients.
func (a *StaffAccess) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := RequestLanguage(r)
	msg := Message(lang, key)
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		signin := status == http.StatusUnauthorized
		a.render(w, "refused", pageData{Lang: lang, Message: msg, SignInLink: signin})
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblemStatus(w, status, problemCode(status), msg)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}
