package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// TestAuditCommands walks the auditor's procedure (T2): init creates a
// private key and prints the verifier; events are appended; export writes a
// bundle that verifies offline with the verifier string alone, and fails once
// changed; erase keeps it verifiable; proofs are served by CLI and HTTP.
func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	dbPath := filepath.Join(dir, "c.db")
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir}

	r := runCLI(t, env, "", "init", "--origin", "test.grid/audit")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "test.grid/audit+") {
		t.Fatalf("init: %+v", r)
	}
	vkey := strings.TrimSpace(r.stdout)
	st, err := os.Stat(filepath.Join(dataDir, audit.SigningKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v, %v", st.Mode(), err)
	}
	if r := runCLI(t, env, "", "init"); r.code != 0 || strings.TrimSpace(r.stdout) != vkey || !strings.Contains(r.stderr, "kept") {
		t.Errorf("second init: %+v", r)
	}
	if r := runCLI(t, env, "", "audit", "verifier"); strings.TrimSpace(r.stdout) != vkey {
		t.Errorf("audit verifier: %+v", r)
	}
	if r := runCLI(t, env, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}

	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlstore.NewAuditStore(db)
	signer, err := audit.LoadSigner(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clock := &coupole.FixedClock{T: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, store, audit.Options{Clock: clock, Signer: signer, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if i == 10 {
			clock.T = clock.T.AddDate(0, 1, 0)
		}
		ev := audit.Event{Actor: "staff-1", Action: "read", Customers: []string{"cust-9"}, AccessPoints: []string{"541448820000000015"}, Interaction: "call-1"}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()

	r = runCLI(t, env, "", "audit", "checkpoint")
	if r.code != 0 || !strings.Contains(r.stdout, "\n30\n") {
		t.Fatalf("audit checkpoint: %+v", r)
	}
	saved := filepath.Join(dir, "saved.checkpoint")
	os.WriteFile(saved, []byte(r.stdout), 0o644)

	bundle := filepath.Join(dir, "audit.bundle")
	if r := runCLI(t, env, "", "audit", "export", "-o", bundle); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	// Offline: only the bundle and the verifier string.
	if r := runCLI(t, nil, "", "audit", "verify", bundle, "--key", vkey, "--checkpoint", saved); r.code != 0 || !strings.HasPrefix(r.stdout, "OK") {
		t.Fatalf("verify: %+v", r)
	}
	if r := runCLI(t, nil, "", "audit", "verify", "--db", dbPath, "--key", filepath.Join(dataDir, audit.VerifierFile)); r.code != 0 {
		t.Fatalf("verify --db: %+v", r)
	}
	b, _ := os.ReadFile(bundle)
	lines := strings.Split(string(b), "\n")
	tampered := filepath.Join(dir, "tampered.bundle")
	os.WriteFile(tampered, []byte(strings.Join(append(lines[:len(lines)-3], lines[len(lines)-2:]...), "\n")), 0o644)
	if r := runCLI(t, nil, "", "audit", "verify", tampered, "--key", vkey); r.code != 1 || !strings.Contains(r.stderr, "VERIFICATION FAILED") {
		t.Errorf("tampered bundle: %+v", r)
	}

	r = runCLI(t, env, "", "audit", "query", "--ean", "5414 4882 0000 0000 15", "--limit", "5")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 5 || !strings.Contains(r.stdout, `"customers":["cust-9"]`) {
		t.Errorf("query: %+v", r)
	}
	if r := runCLI(t, env, "", "audit", "erase", "--before", "2026-02-01"); r.code != 0 || !strings.Contains(r.stdout, "0 to 9") {
		t.Errorf("erase: %+v", r)
	}
	// 20 events left unerased, and the search for cust-9 itself (traced, T1).
	if r := runCLI(t, env, "", "audit", "query", "--customer", "cust-9", "--limit", "100"); strings.Count(r.stdout, "\n") != 21 {
		t.Errorf("query after erase: %+v", r)
	}
	if r := runCLI(t, env, "", "audit", "export", "-o", bundle); r.code != 0 {
		t.Fatalf("export after erase: %+v", r)
	}
	if r := runCLI(t, nil, "", "audit", "verify", bundle, "--key", vkey, "--checkpoint", saved); r.code != 0 || !strings.Contains(r.stdout, "25 payloads") { // 20, and the traced searches, exports and erasure
		t.Fatalf("verify after erase: %+v", r)
	}
	if r := runCLI(t, env, "", "audit", "prove", "inclusion", "3"); r.code != 0 || !strings.Contains(r.stdout, `"leaf_hash"`) {
		t.Errorf("prove inclusion: %+v", r)
	}
	if r := runCLI(t, env, "", "audit", "erase"); r.code != 2 {
		t.Errorf("erase without --before: %+v", r)
	}

	// HTTP: checkpoint and proofs verify against each other.
	srv := httptest.NewServer(web.AuditHandler(slog.New(slog.DiscardHandler), audit.NewReader(store)))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, note := get("/audit/checkpoint")
	v, _ := audit.ParseVerifier(vkey)
	c, err := verify.OpenCheckpoint(note, v)
	if code != 200 || err != nil {
		t.Fatalf("GET /audit/checkpoint: %d %v", code, err)
	}
	code, body := get("/audit/proof/inclusion?index=7")
	var ip audit.InclusionProof
	if code != 200 || json.Unmarshal(body, &ip) != nil || verify.VerifyInclusion(7, c.Size, ip.LeafHash, ip.Hashes, c.Root) != nil {
		t.Errorf("inclusion proof: %d %s", code, body)
	}
	code, body = get("/audit/proof/consistency?from=12&to=30")
	var cp audit.ConsistencyProof
	if code != 200 || json.Unmarshal(body, &cp) != nil || len(cp.Hashes) == 0 {
		t.Errorf("consistency proof: %d %s", code, body)
	}
	if code, _ := get("/audit/proof/inclusion?index=99"); code != 400 {
		t.Errorf("index beyond size: %d, want 400", code)
	}
	if code, _ := get("/audit/proof/inclusion?index=x"); code != 400 {
		t.Errorf("bad index: %d, want 400", code)
	}
}
