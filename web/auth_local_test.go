package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// syncBuffer is a log destination a test reads after the server wrote to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// node is one Coupole server of a deployment in a test: its own process
// state, the shared database and the shared data-directory key.
type node struct {
	url    string
	tracer *recTracer
	log    *syncBuffer
}

func mustNode(tb testing.TB, db *sqlstore.DB, key *secretkey.Key, clock coupole.Clock) *node {
	tb.Helper()
	n := &node{tracer: &recTracer{}, log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(n.log, nil))
	srv := NewServer(logger, db)
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	n.url = ts.URL
	a := &StaffAccess{Store: db, Authz: staffpolicy.MustEmbedded(), Facts: &fakeFacts{}, Customers: fakeCustomers{},
		Tracer: n.tracer, Clock: clock, Secrets: key, Config: AuthConfig{LocalAccounts: []string{"bg-admin", "bg-other"}}}
	if err := srv.EnableStaffAccess(context.Background(), a); err != nil {
		tb.Fatal(err)
	}
	a.EnablePages(PagesConfig{Traces: audit.NewReader(sqlstore.NewAuditStore(db))})
	return n
}

// signIn posts the local sign-in form from a fresh browser.
func (n *node) signIn(tb testing.TB, user, password, code string) int {
	tb.Helper()
	c := newBrowser(tb)
	token := signInForm(tb, c, n.url)
	resp, err := c.PostForm(n.url+"/signin/local", url.Values{"csrf_token": {token}, "user": {user}, "password": {password}, "totp": {code}})
	if err != nil {
		tb.Fatal(err)
	}
	readBody(tb, resp)
	return resp.StatusCode
}

func (n *node) lastReason() string {
	n.tracer.mu.Lock()
	defer n.tracer.mu.Unlock()
	if len(n.tracer.events) == 0 {
		return ""
	}
	return n.tracer.events[len(n.tracer.events)-1].Reason
}

func (n *node) lastDetail(key string) string {
	n.tracer.mu.Lock()
	defer n.tracer.mu.Unlock()
	if len(n.tracer.events) == 0 {
		return ""
	}
	return n.tracer.events[len(n.tracer.events)-1].Details[key]
}

const bgPassword = "correct horse battery staple"

// mustBreakGlass creates a break-glass account whose TOTP secret is sealed
// with key, and returns the secret.
func mustBreakGlass(tb testing.TB, db *sqlstore.DB, key *secretkey.Key, id, login string) string {
	tb.Helper()
	ctx := context.Background()
	st := coupole.Staff{ID: id, Kind: coupole.StaffLocal, Login: login, DisplayName: login, Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: t0}
	if err := db.CreateStaff(ctx, st); err != nil {
		tb.Fatal(err)
	}
	hash, err := HashPassword(bgPassword)
	if err != nil {
		tb.Fatal(err)
	}
	secret, _, err := NewTOTPKey(login)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: id, PasswordHash: hash, TOTPSecret: SealTOTPSecret(key, id, secret)}); err != nil {
		tb.Fatal(err)
	}
	return secret
}

func mustCode(tb testing.TB, secret string, at time.Time) string {
	tb.Helper()
	code, err := TOTPCode(secret, at)
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

// The brute-force counters hold across nodes and restarts (issue 10, item
// 11): 3 failures on one node and 2 on another use up the account's 5, and a
// node started afterwards still refuses, even the right password and code.
func TestSignInCountersAcrossNodesAndRestarts(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		key, clock := secretkey.Ephemeral(), &coupole.FixedClock{T: time.Now().UTC()}
		secret := mustBreakGlass(t, db, key, "s-bg", "bg-admin")
		a, b := mustNode(t, db, key, clock), mustNode(t, db, key, clock)
		for i, n := range []*node{a, a, a, b, b} {
			if got := n.signIn(t, "bg-admin", "wrong password!!", "000000"); got != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d, want 401", i+1, got)
			}
		}
		if got := a.signIn(t, "bg-admin", bgPassword, mustCode(t, secret, clock.T)); got != http.StatusTooManyRequests {
			t.Errorf("after 5 failures on two nodes: %d, want 429", got)
		}
		restarted := mustNode(t, db, key, clock)
		// A throttled attempt is counted, not traced one by one (the
		// failures that led to it are): the new node's first count is traced.
		if got := restarted.signIn(t, "bg-admin", bgPassword, mustCode(t, secret, clock.T)); got != http.StatusTooManyRequests || restarted.lastDetail("refused.signin_throttled") != "1" {
			t.Errorf("on a node started afterwards: %d (throttled count %q), want 429 and a count of 1", got, restarted.lastDetail("refused.signin_throttled"))
		}
		// The window runs on the injected clock.
		clock.T = clock.T.Add(throttleWindow)
		if got := b.signIn(t, "bg-admin", bgPassword, mustCode(t, secret, clock.T)); got != http.StatusOK {
			t.Errorf("after the window: %d, want 200", got)
		}
	})
}

// The counters never store the account name typed — a password typed into
// the name field would otherwise sit in the database — only its keyed hash;
// the address is stored (a staff workstation, already in the trace).
func TestSignInCountersStoreNoAccountName(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	key := secretkey.Ephemeral()
	n := mustNode(t, db, key, &coupole.FixedClock{T: t0})
	const typedByMistake = "my-secret-password-typed-as-name"
	n.signIn(t, typedByMistake, "x", "000000")
	rows, err := db.Reader().Query(`SELECT throttle_key FROM signin_attempts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	want := []string{"account:" + key.MAC("signin-account", typedByMistake), "address:127.0.0.1"}
	if len(keys) != 2 || !(keys[0] == want[0] && keys[1] == want[1] || keys[0] == want[1] && keys[1] == want[0]) {
		t.Errorf("stored keys %q, want %q", keys, want)
	}
	for _, k := range keys {
		if strings.Contains(k, typedByMistake) {
			t.Errorf("the typed name is stored: %q", k)
		}
	}
}

// TOTP secrets are sealed at rest with the data directory's key, bound to
// the account (issue 10, item 11): a sealed secret moved to another account,
// altered, sealed with another key or left in clear does not open, and the
// sign-in is refused and logged without the secret.
func TestSignInRefusesUnopenableTOTPSecret(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	key, clock := secretkey.Ephemeral(), &coupole.FixedClock{T: time.Now().UTC()}
	n := mustNode(t, db, key, clock)
	otherSecret := mustBreakGlass(t, db, key, "s-other", "bg-other")
	secret := mustBreakGlass(t, db, key, "s-bg", "bg-admin")
	stored := func(id string) string {
		c, err := db.LocalCredential(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.TOTPSecret
	}
	good := stored("s-bg")
	if strings.Contains(good, secret) {
		t.Fatal("the stored value contains the TOTP secret")
	}
	setRaw := func(v string) {
		if _, err := db.Writer().Exec(`UPDATE staff_local_credentials SET totp_secret = $1 WHERE staff_id = 's-bg'`, v); err != nil {
			t.Fatal(err)
		}
	}
	flipped := []byte(good)
	flipped[len(flipped)-3] ^= 1
	tests := []struct {
		name   string
		stored string
		secret string // whose code the caller types: the one that would match
	}{
		{"another account's sealed secret", stored("s-other"), otherSecret},
		{"altered ciphertext", string(flipped), secret},
		{"sealed with another key", SealTOTPSecret(secretkey.Ephemeral(), "s-bg", secret), secret},
		{"left in clear", secret, secret},
	}
	for _, tt := range tests {
		setRaw(tt.stored)
		if got := n.signIn(t, "bg-admin", bgPassword, mustCode(t, tt.secret, clock.T)); got != http.StatusUnauthorized || n.lastReason() != "totp_secret_unreadable" {
			t.Errorf("%s: %d (%s), want 401 totp_secret_unreadable", tt.name, got, n.lastReason())
		}
		clock.T = clock.T.Add(30 * time.Second) // a fresh code each time
	}
	for _, s := range []string{secret, otherSecret} {
		if strings.Contains(n.log.String(), s) {
			t.Error("the log shows a TOTP secret")
		}
	}
	if !strings.Contains(n.log.String(), "does not open") {
		t.Errorf("the refusal is not logged: %s", n.log.String())
	}
	// The account itself is fine: with its own sealed secret back, it signs
	// in (the counter allows it: 4 failures).
	setRaw(good)
	if got := n.signIn(t, "bg-admin", bgPassword, mustCode(t, secret, clock.T)); got != http.StatusOK {
		t.Errorf("with its own sealed secret: %d (%s), want 200", got, n.lastReason())
	}
}
