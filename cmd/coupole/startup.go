package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// Start-up refuses a configuration with which the server would start but
// could not be used — a sign-in page nobody can pass, a session cookie the
// browser drops — or could only be used unsafely (issue 10, item 11). Each
// refusal says what to configure; all of them are reported at once.

// isLoopbackHost reports whether host (of a listen address or a URL) is
// the local machine only.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (c *Config) listensOnLoopback() bool {
	host, _, _ := net.SplitHostPort(c.Listen)
	return isLoopbackHost(host)
}

// secureCookies says whether session cookies are Secure: always over TLS,
// built-in or at a declared proxy; with auto, also everywhere but the
// plain-HTTP demo on a loopback address.
func (c *Config) secureCookies(demo bool) bool {
	switch {
	case c.SecureCookies == "true":
		return true
	case c.SecureCookies == "false":
		return false
	case c.TLSCertFile != "" || c.BehindTLSProxy:
		return true
	default:
		return !(demo && c.listensOnLoopback())
	}
}

// servesTLS says whether browsers reach Coupole over HTTPS.
func (c *Config) servesTLS() bool { return c.TLSCertFile != "" || c.BehindTLSProxy }

// checkServe checks the configuration of `serve` and returns the built-in
// TLS configuration, nil when Coupole serves plain HTTP.
func (c *Config) checkServe(demo bool, now time.Time) (*tls.Config, error) {
	var problems []string
	refuse := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Somebody must be able to sign in.
	if !demo && c.OIDCIssuer == "" && len(c.BreakGlassAccounts) == 0 {
		refuse("nobody could sign in: configure OIDC (--oidc-issuer, --oidc-client-id, --oidc-redirect-url, --oidc-group-roles)" +
			" or a break-glass account (`coupole staff breakglass`, then --break-glass-accounts); to try Coupole, use `coupole serve --demo`")
	}
	c.checkOIDC(demo, refuse)

	// Built-in TLS.
	var tlsConfig *tls.Config
	switch {
	case (c.TLSCertFile == "") != (c.TLSKeyFile == ""):
		refuse("--tls-cert and --tls-key go together: give both for built-in TLS, or neither")
	case c.TLSCertFile != "":
		var err error
		if tlsConfig, err = web.LoadTLS(c.TLSCertFile, c.TLSKeyFile, now); err != nil {
			refuse("--tls-cert/--tls-key: %s", coupole.ErrorMessage(err))
		}
	}
	if c.BehindTLSProxy && len(c.TrustedProxies) == 0 {
		refuse("--behind-tls-proxy needs --trusted-proxies (the proxy's address ranges): without it every request seems to come from the proxy," +
			" and the allowed networks and the sign-in limits per address see one client")
	}

	// Cookies that the browser keeps.
	secure := c.secureCookies(demo)
	if secure && !c.servesTLS() {
		refuse("session cookies are Secure (--secure-cookies %s) but Coupole would serve plain HTTP on %s: browsers drop Secure cookies over HTTP and sign-in would fail silently."+
			" Give --tls-cert and --tls-key, or put a TLS-terminating proxy in front and declare it with --behind-tls-proxy and --trusted-proxies"+
			" (docs/operations.md, \"Running behind a proxy or with built-in TLS\")", c.SecureCookies, c.Listen)
	}
	if !secure && !demo && !c.listensOnLoopback() {
		refuse("--secure-cookies false on %s, an address other machines reach: session cookies would cross the network in clear; serve over TLS and keep cookies Secure", c.Listen)
	}
	if !secure && c.servesTLS() {
		refuse("--secure-cookies false with TLS: cookies would also be sent over plain HTTP if a link is ever downgraded; remove --secure-cookies false")
	}
	if len(problems) > 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "serve: this configuration cannot be used:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return tlsConfig, nil
}

// checkOIDC refuses an OIDC configuration that is incomplete, half-given,
// sends the authorization code over plain HTTP or names a secret file that
// cannot be read.
func (c *Config) checkOIDC(demo bool, refuse func(string, ...any)) {
	if c.OIDCIssuer == "" {
		var set []string
		for _, s := range []struct {
			name string
			set  bool
		}{{"--oidc-client-id", c.OIDCClientID != ""}, {"--oidc-client-secret-file", c.OIDCClientSecretFile != ""},
			{"--oidc-redirect-url", c.OIDCRedirectURL != ""}, {"--oidc-group-roles", len(c.OIDCGroupRoles) > 0}} {
			if s.set {
				set = append(set, s.name)
			}
		}
		if len(set) > 0 {
			refuse("%s given but --oidc-issuer is empty, so OIDC sign-in is off: set --oidc-issuer, or remove them", strings.Join(set, ", "))
		}
		return
	}
	if c.OIDCClientID == "" || c.OIDCRedirectURL == "" || len(c.OIDCGroupRoles) == 0 {
		refuse("--oidc-issuer needs --oidc-client-id, --oidc-redirect-url and --oidc-group-roles")
	}
	for _, u := range []struct{ name, value string }{{"--oidc-issuer", c.OIDCIssuer}, {"--oidc-redirect-url", c.OIDCRedirectURL}} {
		if u.value == "" {
			continue
		}
		p, err := url.Parse(u.value)
		switch {
		case err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http"):
			refuse("%s must be an absolute https:// URL", u.name)
		case p.Scheme == "http" && !(demo && isLoopbackHost(p.Hostname())):
			refuse("%s must be https:// (it carries the sign-in's codes and tokens); plain http is accepted only under --demo on a loopback address", u.name)
		}
	}
	if f := c.OIDCClientSecretFile; f != "" {
		if b, err := os.ReadFile(f); err != nil {
			refuse("--oidc-client-secret-file: cannot read %s", f)
		} else if strings.TrimSpace(string(b)) == "" {
			refuse("--oidc-client-secret-file: %s is empty", f)
		}
	}
}

// openSecretKey loads the data directory's secret key, creating it on first
// need (like the audit signing key) and saying so.
func openSecretKey(env *Env, cfg *Config) (*secretkey.Key, error) {
	key, created, err := secretkey.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(env.Stderr, "coupole: secret key created: %s (mode 0600; it seals the break-glass TOTP secrets: back it up, give every node the same file, never share it)\n",
			filepath.Join(cfg.DataDir, secretkey.File))
	}
	return key, nil
}

// sealTOTPSecrets seals the TOTP secrets that a Coupole before issue 10
// stored in clear (a SQL migration cannot: it has no key), and reports the
// sealed ones this key cannot open — sealed on a node with another key, or
// altered. Those accounts cannot sign in until the right key is in place.
func sealTOTPSecrets(ctx context.Context, db *sqlstore.DB, key *secretkey.Key, logger *slog.Logger) (unreadable map[string]bool, err error) {
	secrets, err := db.TOTPSecrets(ctx)
	if err != nil {
		return nil, err
	}
	unreadable = map[string]bool{}
	sealed := 0
	for id, s := range secrets {
		if !secretkey.IsSealed(s) {
			ok, err := db.ReplaceTOTPSecret(ctx, id, s, web.SealTOTPSecret(key, id, s))
			if err != nil {
				return nil, err
			}
			if ok {
				sealed++
			}
			continue
		}
		if _, err := web.OpenTOTPSecret(key, id, s); err != nil {
			unreadable[id] = true
			logger.Error("a break-glass account's TOTP secret does not open with this data directory's secret key: it cannot sign in; give this node the secrets.key of the node that created the account",
				"staff", id)
		}
	}
	if sealed > 0 {
		logger.Info("TOTP secrets stored in clear by an older Coupole are now sealed", "accounts", sealed)
	}
	return unreadable, nil
}

// checkBreakGlassAccounts refuses to start when break-glass accounts are
// the only way in and none of them can sign in; it warns about each listed
// account that cannot.
func checkBreakGlassAccounts(ctx context.Context, cfg *Config, demo bool, db *sqlstore.DB, unreadable map[string]bool, logger *slog.Logger) error {
	var why []string
	usable := 0
	for _, login := range cfg.BreakGlassAccounts {
		st, err := db.StaffByLogin(ctx, coupole.StaffLocal, login)
		var problem string
		switch {
		case coupole.ErrorCode(err) == coupole.ENOTFOUND:
			problem = "no such break-glass account (create it with `coupole staff breakglass`)"
		case err != nil:
			return err
		case st.Status != coupole.StaffActive:
			problem = "revoked"
		case unreadable[st.ID]:
			problem = "its TOTP secret does not open with " + filepath.Join(cfg.DataDir, secretkey.File)
		default:
			if _, err := db.LocalCredential(ctx, st.ID); err != nil {
				problem = "it has no password and TOTP secret"
			}
		}
		if problem == "" {
			usable++
			continue
		}
		why = append(why, login+": "+problem)
		logger.Warn("a listed break-glass account cannot sign in", "login", login, "why", problem)
	}
	if !demo && cfg.OIDCIssuer == "" && usable == 0 && len(cfg.BreakGlassAccounts) > 0 {
		return coupole.Errorf(coupole.EINVALID, "serve: nobody could sign in: OIDC is not configured and no account of --break-glass-accounts can sign in (%s)", strings.Join(why, "; "))
	}
	return nil
}
