package main

import (
	"context"
	"crypto/tls"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
	"github.com/coupole/coupole/web/testcert"
)

// mustServeConfig loads the configuration of `serve` from environ as the
// command line would.
func mustServeConfig(tb testing.TB, environ map[string]string) *Config {
	tb.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var names []string
	for _, cf := range configFlags {
		names = append(names, cf.name)
	}
	load := registerConfig(fs, func(k string) string { return environ[k] }, names...)
	if err := fs.Parse(nil); err != nil {
		tb.Fatal(err)
	}
	cfg, err := load()
	if err != nil {
		tb.Fatalf("load %v: %v", environ, err)
	}
	return cfg
}

// with returns base plus the given settings.
func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// Every start-up refusal of issue 10, item 11, and the configurations that
// stay accepted — the README's `serve --demo` first.
func TestServeRefusesUnusableConfigurations(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	cert := testcert.MustWrite(t, dir, "ok", now.Add(-time.Hour), now.Add(24*time.Hour))
	expired := testcert.MustWrite(t, dir, "expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	secretFile, emptyFile := filepath.Join(dir, "oidc-secret"), filepath.Join(dir, "empty")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	os.WriteFile(emptyFile, nil, 0o600)

	bg := map[string]string{"COUPOLE_BREAK_GLASS_ACCOUNTS": "bg-admin"}
	proxy := with(bg, "COUPOLE_BEHIND_TLS_PROXY", "true", "COUPOLE_TRUSTED_PROXIES", "10.0.0.5/32", "COUPOLE_LISTEN", "10.0.0.9:8080")
	builtin := with(bg, "COUPOLE_TLS_CERT", cert.CertFile, "COUPOLE_TLS_KEY", cert.KeyFile, "COUPOLE_LISTEN", "0.0.0.0:8443")
	oidc := with(proxy, "COUPOLE_BREAK_GLASS_ACCOUNTS", "", "COUPOLE_OIDC_ISSUER", "https://idp.example.be/realms/grid", "COUPOLE_OIDC_CLIENT_ID", "coupole",
		"COUPOLE_OIDC_REDIRECT_URL", "https://coupole.example.be/auth/oidc/callback", "COUPOLE_OIDC_GROUP_ROLES", "cc=advisor", "COUPOLE_OIDC_CLIENT_SECRET_FILE", secretFile)
	tests := []struct {
		name    string
		demo    bool
		environ map[string]string
		want    string // "" when the configuration is accepted
	}{
		{"README demo on loopback", true, nil, ""},
		{"no sign-in method", false, nil, "nobody could sign in"},
		{"Secure cookies over plain HTTP", false, bg, "browsers drop Secure cookies over HTTP"},
		{"demo on a network address, plain HTTP", true, map[string]string{"COUPOLE_LISTEN": "0.0.0.0:8080"}, "browsers drop Secure cookies over HTTP"},
		{"demo on a network address, cookies explicitly not Secure", true, map[string]string{"COUPOLE_LISTEN": "0.0.0.0:8080", "COUPOLE_SECURE_COOKIES": "false"}, ""},
		{"behind a TLS proxy", false, proxy, ""},
		{"behind a TLS proxy without trusted proxies", false, with(proxy, "COUPOLE_TRUSTED_PROXIES", ""), "--behind-tls-proxy needs --trusted-proxies"},
		{"built-in TLS", false, builtin, ""},
		{"certificate without key", false, with(builtin, "COUPOLE_TLS_KEY", ""), "--tls-cert and --tls-key go together"},
		{"key without certificate", false, with(builtin, "COUPOLE_TLS_CERT", ""), "--tls-cert and --tls-key go together"},
		{"expired certificate", false, with(builtin, "COUPOLE_TLS_CERT", expired.CertFile, "COUPOLE_TLS_KEY", expired.KeyFile), "expired on"},
		{"missing certificate file", false, with(builtin, "COUPOLE_TLS_CERT", dir+"/none.crt"), "none.crt"},
		{"cookies not Secure on a network address", false, with(bg, "COUPOLE_SECURE_COOKIES", "false", "COUPOLE_LISTEN", "0.0.0.0:8080"), "cross the network in clear"},
		{"cookies not Secure on loopback (developer)", false, with(bg, "COUPOLE_SECURE_COOKIES", "false"), ""},
		{"cookies not Secure with TLS", false, with(builtin, "COUPOLE_SECURE_COOKIES", "false"), "--secure-cookies false with TLS"},
		{"OIDC", false, oidc, ""},
		{"OIDC without client id", false, with(oidc, "COUPOLE_OIDC_CLIENT_ID", ""), "--oidc-issuer needs --oidc-client-id"},
		{"OIDC settings without issuer", false, with(oidc, "COUPOLE_OIDC_ISSUER", "", "COUPOLE_BREAK_GLASS_ACCOUNTS", "bg-admin"), "--oidc-client-id, --oidc-client-secret-file, --oidc-redirect-url, --oidc-group-roles given but --oidc-issuer is empty"},
		{"OIDC redirect over http", false, with(oidc, "COUPOLE_OIDC_REDIRECT_URL", "http://coupole.example.be/auth/oidc/callback"), "--oidc-redirect-url must be https://"},
		{"OIDC issuer over http", false, with(oidc, "COUPOLE_OIDC_ISSUER", "http://idp.example.be/realms/grid"), "--oidc-issuer must be https://"},
		{"OIDC issuer not a URL", false, with(oidc, "COUPOLE_OIDC_ISSUER", "idp.example.be"), "--oidc-issuer must be an absolute https:// URL"},
		{"OIDC over http on loopback under demo", true, with(oidc, "COUPOLE_BEHIND_TLS_PROXY", "false", "COUPOLE_LISTEN", "127.0.0.1:8080",
			"COUPOLE_OIDC_ISSUER", "http://127.0.0.1:5556", "COUPOLE_OIDC_REDIRECT_URL", "http://localhost:8080/auth/oidc/callback"), ""},
		{"OIDC secret file missing", false, with(oidc, "COUPOLE_OIDC_CLIENT_SECRET_FILE", dir+"/nope"), "--oidc-client-secret-file: cannot read"},
		{"OIDC secret file empty", false, with(oidc, "COUPOLE_OIDC_CLIENT_SECRET_FILE", emptyFile), "is empty"},
	}
	for _, tt := range tests {
		cfg := mustServeConfig(t, tt.environ)
		tlsConfig, err := cfg.checkServe(tt.demo, now)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.want != "" && (coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(coupole.ErrorMessage(err), tt.want)):
			t.Errorf("%s: %v, want a refusal saying %q", tt.name, err, tt.want)
		case tt.want == "" && (tlsConfig != nil) != (cfg.TLSCertFile != ""):
			t.Errorf("%s: TLS configuration %v with --tls-cert %q", tt.name, tlsConfig != nil, cfg.TLSCertFile)
		}
	}
}

// The refusal comes from the command line, before anything starts, with exit
// code 2 and every problem at once.
func TestServeWithoutSignInMethodIsRefused(t *testing.T) {
	r := runCLI(t, map[string]string{"COUPOLE_DATA_DIR": t.TempDir()}, "", "serve", "--db", t.TempDir()+"/c.db", "--listen", "0.0.0.0:0")
	if r.code != 2 || !strings.Contains(r.stderr, "nobody could sign in") || !strings.Contains(r.stderr, "browsers drop Secure cookies") {
		t.Errorf("serve with nothing configured: %+v", r)
	}
}

// Break-glass accounts as the only way in: serve refuses to start when none
// of them can sign in, and says why for each.
func TestServeRefusesWhenNoBreakGlassAccountCanSignIn(t *testing.T) {
	dir := t.TempDir()
	environ := map[string]string{"COUPOLE_DB": dir + "/c.db", "COUPOLE_DATA_DIR": dir + "/data", "COUPOLE_LISTEN": "127.0.0.1:0",
		"COUPOLE_BREAK_GLASS_ACCOUNTS": "bg-nobody", "COUPOLE_BEHIND_TLS_PROXY": "true", "COUPOLE_TRUSTED_PROXIES": "127.0.0.1/32"}
	if r := runCLI(t, environ, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	r := runCLI(t, environ, "", "serve")
	if r.code != 2 || !strings.Contains(r.stderr, "bg-nobody: no such break-glass account") {
		t.Errorf("serve with an unknown break-glass account: %+v", r)
	}
}

// TOTP secrets an older Coupole stored in clear are sealed at start-up with
// the data directory's key; a sealed secret this key cannot open is
// reported without the secret.
func TestStartUpSealsTOTPSecretsLeftInClear(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := dir + "/c.db"
	if r := runCLI(t, map[string]string{"COUPOLE_DB": path}, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const secret, other = "JBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLU"
	for _, id := range []string{"bg-a", "bg-b"} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffLocal, Login: id, DisplayName: id, Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	hash, _ := web.HashPassword("a long enough secret phrase")
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO staff_local_credentials (staff_id, password_hash, totp_secret) VALUES ('bg-a', $1, $2), ('bg-b', $1, $3)`,
		hash, secret, web.SealTOTPSecret(secretkey.Ephemeral(), "bg-b", other)); err != nil {
		t.Fatal(err)
	}
	key, _, err := secretkey.LoadOrCreate(dir + "/data")
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	unreadable, err := sealTOTPSecrets(ctx, db, key, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := db.LocalCredential(ctx, "bg-a")
	if c.TOTPSecret == secret || !secretkey.IsSealed(c.TOTPSecret) {
		t.Fatalf("stored after start-up: %q, want it sealed", c.TOTPSecret)
	}
	if got, err := web.OpenTOTPSecret(key, "bg-a", c.TOTPSecret); err != nil || got != secret {
		t.Errorf("sealed secret opens to %q, %v", got, err)
	}
	if len(unreadable) != 1 || !unreadable["bg-b"] {
		t.Errorf("unreadable = %v, want bg-b (sealed with another key)", unreadable)
	}
	if strings.Contains(log.String(), secret) || strings.Contains(log.String(), other) || !strings.Contains(log.String(), "staff=bg-b") {
		t.Errorf("log: %s", log.String())
	}
	// A second start changes nothing.
	if _, err := sealTOTPSecrets(ctx, db, key, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if c2, _ := db.LocalCredential(ctx, "bg-a"); c2.TOTPSecret != c.TOTPSecret {
		t.Error("a second start sealed the secret again")
	}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// End to end (issue 10, item 11): `coupole staff breakglass` stores the TOTP
// secret sealed, and `coupole serve` with built-in TLS signs the account in
// over HTTPS with its password and a code from the printed URI, answering
// with HSTS and a Secure __Host- session cookie.
func TestBreakGlassSignInOverBuiltInTLS(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now().UTC()
	cert := testcert.MustWrite(t, dir, "server", now.Add(-time.Hour), now.Add(24*time.Hour))
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("a long enough secret phrase\n"), 0o600)
	environ := map[string]string{"COUPOLE_DB": dir + "/c.db", "COUPOLE_DATA_DIR": dir + "/data"}
	if r := runCLI(t, environ, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	r := runCLI(t, environ, "", "staff", "breakglass", "bg-admin", "--roles", "it_admin", "--password-file", pw)
	m := regexp.MustCompile(`otpauth://\S+`).FindString(r.stdout)
	u, err := url.Parse(m)
	if r.code != 0 || err != nil {
		t.Fatalf("breakglass: %+v", r)
	}
	secret := u.Query().Get("secret")
	db, err := sqlstore.Open(ctx, environ["COUPOLE_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if c, err := db.LocalCredential(ctx, "bg-bg-admin"); err != nil || secret == "" || strings.Contains(c.TOTPSecret, secret) {
		t.Fatalf("stored credential %+v, %v: want the secret sealed", c, err)
	}

	out, errOut := &syncBuffer{}, &syncBuffer{}
	clock := &coupole.FixedClock{T: now}
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut, Getenv: func(k string) string { return environ[k] }, Clock: clock}
	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		done <- run(serveCtx, env, []string{"serve", "--listen", "127.0.0.1:0", "--break-glass-accounts", "bg-admin", "--tls-cert", cert.CertFile, "--tls-key", cert.KeyFile})
	}()
	defer func() {
		stop()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	}()
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, rest, ok := strings.Cut(out.String(), "Coupole is running at "); ok {
			base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		default:
		}
	}
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serve did not start over https: %q %s", base, errOut.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	resp, err := c.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := csrfInput.FindStringSubmatch(string(page))
	if token == nil {
		t.Fatalf("no form token on /signin: %d", resp.StatusCode)
	}
	code, _ := web.TOTPCode(secret, clock.T)
	resp, err = c.PostForm(base+"/signin/local", url.Values{"csrf_token": {token[1]}, "user": {"bg-admin"}, "password": {"a long enough secret phrase"}, "totp": {code}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("break-glass sign-in over TLS: %d; log: %s", resp.StatusCode, errOut.String())
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != web.HSTS {
		t.Errorf("Strict-Transport-Security = %q", got)
	}
	var session *http.Cookie
	for _, ck := range resp.Request.Response.Cookies() {
		if strings.HasPrefix(ck.Name, "__Host-") {
			session = ck
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly {
		t.Errorf("session cookie %+v, want __Host-, Secure, HttpOnly", session)
	}
}

// `coupole init` creates the secret key beside the audit signing key, mode
// 0600, and keeps it when run again.
func TestInitCreatesTheSecretKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	environ := map[string]string{"COUPOLE_DATA_DIR": data}
	if r := runCLI(t, environ, "", "init"); r.code != 0 || !strings.Contains(r.stderr, "secret key created") {
		t.Fatalf("init: %+v", r)
	}
	st, err := os.Stat(filepath.Join(data, secretkey.File))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key: %v, mode %v", err, st.Mode().Perm())
	}
	before, _ := os.ReadFile(filepath.Join(data, secretkey.File))
	if r := runCLI(t, environ, "", "init"); r.code != 0 || strings.Contains(r.stderr, "secret key created") {
		t.Errorf("second init: %+v", r)
	}
	if after, _ := os.ReadFile(filepath.Join(data, secretkey.File)); string(after) != string(before) {
		t.Error("a second init replaced the secret key")
	}
}
