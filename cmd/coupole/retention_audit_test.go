package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
)

// R3, T2 (issue 13): audit erase skips the payloads a legal hold covers;
// the log still verifies, from the database and from an export; once the
// hold is lifted by a second person, the next erase erases them.
func TestAuditEraseSkipsHeldPayloads(t *testing.T) {
	dir := t.TempDir()
	dataDir, dbPath := filepath.Join(dir, "data"), filepath.Join(dir, "c.db")
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir}
	r := runCLI(t, env, "", "init", "--origin", "test.grid/audit")
	if r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	vkey := strings.TrimSpace(r.stdout)
	if r := runCLI(t, env, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	signer, err := audit.LoadSigner(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clock := &coupole.FixedClock{T: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Signer: signer, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		call, cust := "call-1", "cust-9"
		if i%2 == 1 {
			call, cust = "call-2", "cust-8"
		}
		if _, err := l.Append(ctx, audit.Event{Actor: "staff-1", Action: "read", Customers: []string{cust}, Interaction: call}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()
	hold := retention.Hold{ID: "hold-1", Scope: retention.ScopeInteraction, Target: "call-1", Reason: "litigation", Reference: "court 2026/1",
		PlacedBy: "dpo-1", PlacedAt: clock.T}
	if err := db.PlaceHold(ctx, hold); err != nil {
		t.Fatal(err)
	}
	count := func(customer string) int {
		r := runCLI(t, env, "", "audit", "query", "--customer", customer, "--limit", "100")
		if r.code != 0 {
			t.Fatalf("query: %+v", r)
		}
		return strings.Count(r.stdout, "\n")
	}
	mustVerify := func(wantHeld string) {
		t.Helper()
		bundle := filepath.Join(dir, "audit.bundle")
		if r := runCLI(t, env, "", "audit", "export", "-o", bundle); r.code != 0 {
			t.Fatalf("export: %+v", r)
		}
		for _, args := range [][]string{{"audit", "verify", bundle, "--key", vkey}, {"audit", "verify", "--db", dbPath, "--key", vkey}} {
			r := runCLI(t, nil, "", args...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "OK") || (wantHeld != "" && !strings.Contains(r.stdout, wantHeld)) || (wantHeld == "" && strings.Contains(r.stdout, "legal holds")) {
				t.Fatalf("%v: %+v, want held %q", args, r, wantHeld)
			}
		}
	}

	r = runCLI(t, env, "", "audit", "erase", "--before", "2026-02-01")
	if r.code != 0 || !strings.Contains(r.stdout, "10 events kept their personal data") {
		t.Fatalf("erase with a hold: %+v", r)
	}
	// A search is traced before it runs (T1) and finds itself.
	if n := count("cust-9"); n != 10+1 {
		t.Fatalf("held events found after erase: %d, want 10 and the search", n)
	}
	if n := count("cust-8"); n != 1 {
		t.Fatalf("unheld events found after erase: %d, want only the search", n)
	}
	mustVerify("10 payloads below")

	if err := db.RequestLift(ctx, hold.ID, "dpo-1", "case closed", clock.T); err != nil {
		t.Fatal(err)
	}
	if err := db.LiftHold(ctx, hold.ID, "dpo-2", clock.T); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "audit", "erase", "--before", "2026-02-01"); r.code != 0 || strings.Contains(r.stdout, "kept their personal data") {
		t.Fatalf("erase after the lift: %+v", r)
	}
	if n := count("cust-9"); n != 1+1 { // the earlier search and this one, after the cut
		t.Fatalf("events of the lifted hold found after erase: %d, want only the searches", n)
	}
	mustVerify("")
}
