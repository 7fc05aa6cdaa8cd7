package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/coupole/coupole"
)

// Sessions are server-side (issue 5, S6): the cookie carries a 256-bit random
// id, the database keeps only its SHA-256, and every request looks the
// session up together with the staff member's status, so that a revocation
// on any node refuses the very next request on every node.

// Principal is the signed-in staff member of a request.
type Principal struct {
	Staff   coupole.Staff
	Session coupole.Session
	// CSRF is the form token of this session: a MAC of the secret session id,
	// so only a page served to the cookie's holder can know it.
	CSRF string
}

type principalKey struct{}

// PrincipalFrom returns the signed-in staff member of ctx, if any.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// DefaultSessionLimits: a session ends after 30 minutes without activity or
// 10 hours after sign-in (one working day), whichever comes first.
var DefaultSessionLimits = coupole.SessionLimits{Idle: 30 * time.Minute, Absolute: 10 * time.Hour}

// touchEvery bounds writes: activity is recorded at most this often per
// session, which makes the idle timeout precise to within this much.
const touchEvery = 30 * time.Second

// sessionCookieName is __Host- prefixed when cookies are Secure: the browser
// then refuses it from a sub-domain or over plain HTTP.
func (a *StaffAccess) sessionCookieName() string {
	if a.Config.SecureCookies {
		return "__Host-coupole_session"
	}
	return "coupole_session"
}

// newSecret returns 256 random bits, base64url-encoded.
func newSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSessionID is what the store keeps of a session id.
func hashSessionID(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func csrfToken(raw string) string {
	m := hmac.New(sha256.New, []byte(raw))
	m.Write([]byte("coupole csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func equalTokens(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// startSession creates a session for st and sets its cookie.
func (a *StaffAccess) startSession(ctx context.Context, w http.ResponseWriter, st coupole.Staff) error {
	raw := newSecret()
	now := a.Clock.Now()
	sess := coupole.Session{IDHash: hashSessionID(raw), StaffID: st.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.limits().Absolute)}
	if err := a.Store.CreateSession(ctx, sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: a.sessionCookieName(), Value: raw, Path: "/",
		HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (a *StaffAccess) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: a.sessionCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (a *StaffAccess) limits() coupole.SessionLimits {
	l := a.Config.Limits
	if l.Idle <= 0 {
		l.Idle = DefaultSessionLimits.Idle
	}
	if l.Absolute <= 0 {
		l.Absolute = DefaultSessionLimits.Absolute
	}
	return l
}

// loadSession returns the principal of r, or EUNAUTHORIZED. An expired
// session is deleted. The session and staff record may come from an
// earlier request's read of at most SessionStaleness ago (sessioncache.go);
// the timeouts are checked on every request.
func (a *StaffAccess) loadSession(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(a.sessionCookieName())
	if err != nil || c.Value == "" {
		return nil, coupole.Errorf(coupole.EUNAUTHORIZED, "not signed in")
	}
	ctx := r.Context()
	h := hashSessionID(c.Value)
	now := a.Clock.Now()
	e, cached := a.sessions.get(h, now)
	if !cached {
		sess, st, err := a.Store.ActiveSession(ctx, h)
		if err != nil {
			a.sessions.forget(h)
			return nil, err
		}
		if st, err = a.withoutOverdueRoles(ctx, st, now); err != nil { // issue 12: business validation (S5)
			return nil, err
		}
		e = cachedSession{sess: sess, st: st, csrf: csrfToken(c.Value), readAt: now}
	}
	sess, st := e.sess, e.st
	if !sess.Live(now, a.limits()) {
		a.sessions.forget(h)
		a.Store.DeleteSession(ctx, h)
		return nil, coupole.Errorf(coupole.EUNAUTHORIZED, "session expired")
	}
	if st, err = a.withElevatedRoles(ctx, st, now); err != nil { // issue 12: privileged access
		return nil, err
	}
	if st.Kind == coupole.StaffDemo && !a.Config.Demo {
		return nil, coupole.Errorf(coupole.EUNAUTHORIZED, "demo accounts exist only in demo mode")
	}
	touched := now.Sub(sess.LastSeenAt) >= touchEvery
	if touched {
		if err := a.Store.TouchSession(ctx, h, now); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
		e.sess.LastSeenAt = now
	}
	if !cached || touched {
		a.sessions.put(h, e) // readAt stays the time of the read: the bound holds
	}
	return &Principal{Staff: st, Session: sess, CSRF: e.csrf}, nil
}
