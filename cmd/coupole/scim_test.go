package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// auditSize is the number of events in the database's audit log.
func auditSize(t *testing.T, dsn string) uint64 {
	t.Helper()
	db := openDB(t, dsn)
	n, err := audit.NewReader(sqlstore.NewAuditStore(db)).Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// scimStatus asks the served SCIM endpoint for its configuration with a
// bearer token.
func scimStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/scim/v2/ServiceProviderConfig", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Issue 12, item 1: SCIM tokens are created, rotated and revoked from the
// command line, shown once, stored hashed, each change traced; the server
// mounts /scim/v2 and accepts exactly the live tokens.
func TestSCIMTokenCommands(t *testing.T) {
	dsn := migratedSQLite(t)
	environ := map[string]string{"COUPOLE_DB": dsn, "USER": "alice"}

	before := auditSize(t, dsn)
	r := runCLI(t, environ, "", "scim", "token", "create", "Entra ID")
	secret := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(secret, "scim_") || !strings.Contains(r.stderr, "shown once") {
		t.Fatalf("create: %+v", r)
	}
	if got := auditSize(t, dsn); got != before+1 {
		t.Errorf("audit events after create: %d, want %d", got, before+1)
	}
	list := runCLI(t, environ, "", "scim", "token", "list")
	if list.code != 0 || !strings.Contains(list.stdout, "Entra ID") || strings.Contains(list.stdout, secret) {
		t.Fatalf("list: %+v", list)
	}
	id := strings.Fields(strings.Split(list.stdout, "\n")[1])[0]

	// The secret is not in the database, only its hash.
	db := openDB(t, dsn)
	var stored string
	if err := db.Reader().QueryRow(`SELECT hash FROM scim_tokens WHERE id = $1`, id).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == secret || strings.Contains(stored, secret) {
		t.Fatal("the token's secret is stored in clear")
	}

	// The server mounts /scim/v2 with the token store.
	ctx := context.Background()
	alog, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: coupole.SystemClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := web.NewServer(logger, db)
	enableSCIM(&Env{Clock: coupole.SystemClock{}}, &Config{}, db, srv, alog, logger)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if got := scimStatus(t, ts.URL, secret); got != 200 {
		t.Fatalf("live token: %d", got)
	}
	if got := scimStatus(t, ts.URL, ""); got != 401 {
		t.Fatalf("no token: %d", got)
	}

	rot := runCLI(t, environ, "", "scim", "token", "rotate", id)
	newSecret := strings.TrimSpace(rot.stdout)
	if rot.code != 0 || newSecret == secret || newSecret == "" {
		t.Fatalf("rotate: %+v", rot)
	}
	if got := scimStatus(t, ts.URL, secret); got != 401 {
		t.Errorf("rotated-out token: %d, want 401", got)
	}
	if got := scimStatus(t, ts.URL, newSecret); got != 200 {
		t.Errorf("new token: %d, want 200", got)
	}
	list = runCLI(t, environ, "", "scim", "token", "list")
	newID := ""
	for _, line := range strings.Split(list.stdout, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 && f[0] != id {
			newID = f[0]
		}
	}
	if rv := runCLI(t, environ, "", "scim", "token", "revoke", newID); rv.code != 0 {
		t.Fatalf("revoke: %+v", rv)
	}
	if got := scimStatus(t, ts.URL, newSecret); got != 401 {
		t.Errorf("revoked token: %d, want 401", got)
	}
	if rv := runCLI(t, environ, "", "scim", "token", "revoke", newID); rv.code == 0 {
		t.Errorf("revoking twice succeeded: %+v", rv)
	}
	if got := auditSize(t, dsn); got < before+3 {
		t.Errorf("audit events: %d, want at least %d (create, rotate, revoke)", got, before+3)
	}
	if bad := runCLI(t, environ, "", "scim", "token", "create"); bad.code != 2 {
		t.Errorf("create without label: %+v", bad)
	}
}
