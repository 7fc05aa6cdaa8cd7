package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// The local break-glass sign-in (password form) and its password hashes.

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInForm loads the sign-in page in a browser with a cookie jar and
// returns the form token.
func signInForm(tb testing.TB, c *http.Client, base string) string {
	tb.Helper()
	resp, err := c.Get(base + "/signin")
	if err != nil {
		tb.Fatal(err)
	}
	m := csrfField.FindStringSubmatch(readBody(tb, resp))
	resp.Body.Close()
	if m == nil {
		tb.Fatal("sign-in page has no form token")
	}
	return m[1]
}

func newBrowser(tb testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: openAPIChecked}
}

// TestLocalBreakGlassSignIn: argon2id password + TOTP, a code never accepted
// twice, throttling, and the same message whether the account exists or not.
func TestLocalBreakGlassSignIn(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{LocalAccounts: []string{"bg-admin"}})
	ctx := context.Background()
	f.clock.T = time.Now().UTC()
	st := coupole.Staff{ID: "s-bg", Kind: coupole.StaffLocal, Login: "bg-admin", DisplayName: "Break glass", Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: t0}
	if err := f.db.CreateStaff(ctx, st); err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword("correct horse battery staple")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=1$") {
		t.Fatalf("hash %q, %v", hash, err)
	}
	secret, uri, _ := NewTOTPKey("bg-admin")
	if !strings.HasPrefix(uri, "otpauth://totp/Coupole:bg-admin?") {
		t.Errorf("provisioning URI %q", uri)
	}
	if err := f.db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: st.ID, PasswordHash: hash, TOTPSecret: SealTOTPSecret(f.access.Secrets, st.ID, secret)}); err != nil {
		t.Fatal(err)
	}

	post := func(c *http.Client, user, password, code string) (*http.Response, string) {
		token := signInForm(t, c, f.ts.URL)
		resp, err := c.PostForm(f.ts.URL+"/signin/local", url.Values{"csrf_token": {token}, "user": {user}, "password": {password}, "totp": {code}})
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}
	code, _ := TOTPCode(secret, f.clock.T)
	b := newBrowser(t)
	resp, body := post(b, "bg-admin", "correct horse battery staple", code)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Bienvenue") {
		t.Fatalf("good sign-in: %d %s", resp.StatusCode, body)
	}
	// Replay of the same code, even with the right password.
	resp, replay := post(newBrowser(t), "bg-admin", "correct horse battery staple", code)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed TOTP code: %d", resp.StatusCode)
	}
	_, unknown := post(newBrowser(t), "nobody", "correct horse battery staple", code)
	_, wrongPw := post(newBrowser(t), "bg-admin", "wrong password!!", code)
	msg := Message(coupole.French, "signin.failed")
	for name, body := range map[string]string{"replay": replay, "unknown": unknown, "wrong password": wrongPw} {
		if !strings.Contains(body, template_escape(msg)) {
			t.Errorf("%s: page does not say the generic refusal", name)
		}
	}
	// Throttle: the account has used 2 failures; 3 more and it is blocked,
	// even with the right password and a fresh code.
	for i := 0; i < 3; i++ {
		post(newBrowser(t), "bg-admin", "nope nope nope", "000000")
	}
	f.clock.T = f.clock.T.Add(30 * time.Second)
	code, _ = TOTPCode(secret, f.clock.T)
	if resp, _ := post(newBrowser(t), "bg-admin", "correct horse battery staple", code); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 5 failures: %d, want 429", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(throttleWindow)
	code, _ = TOTPCode(secret, f.clock.T)
	if resp, _ := post(newBrowser(t), "bg-admin", "correct horse battery staple", code); resp.StatusCode != http.StatusOK {
		t.Errorf("after the throttle window: %d", resp.StatusCode)
	}
	types := f.tracer.types()
	if !slices.Contains(types, coupole.StaffEventSignIn) || !slices.Contains(types, coupole.StaffEventSignInFailed) {
		t.Errorf("trace types = %v", types)
	}
}

func template_escape(s string) string {
	return strings.NewReplacer("'", "&#39;").Replace(s)
}

func TestPasswordHashCheck(t *testing.T) {
	h, err := HashPassword("a sufficiently long one")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "a sufficiently long one") || CheckPassword(h, "a sufficiently long two") {
		t.Error("CheckPassword is wrong")
	}
	weak := strings.Replace(h, "m=65536", "m=1024", 1)
	if CheckPassword(weak, "a sufficiently long one") {
		t.Error("a hash below the OWASP memory minimum must not verify")
	}
	if _, err := HashPassword("short"); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("short password: %v", err)
	}
}
