package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestReportCommands: `report yearly` writes a signed report that `report
// verify` accepts alone and with an audit export, and refuses once a figure
// is changed (G4, issue 14 items 2 and 3).
func TestReportCommands(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	dbPath := filepath.Join(dir, "c.db")
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir}
	if r := runCLI(t, env, "", "init", "--origin", "test.grid/audit"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := runCLI(t, env, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := audit.LoadSigner(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clock := &coupole.FixedClock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Signer: signer, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustLoad(t, db, storetest.Fixture())
	for i := range 5 {
		ev := audit.Event{Actor: "staff-1", Action: "interaction.open", Interaction: "call-" + string(rune('a'+i)), Data: []string{"channel=phone", "requester=customer"}}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		ev := audit.Event{Actor: "staff-1", Action: "interaction.select", Interaction: "call-a", Customers: []string{"C-1"}}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	db.Close()

	for _, format := range []string{"md", "html"} {
		out := filepath.Join(dir, "r."+format)
		r := runCLI(t, env, "", "report", "yearly", "--year", "2026", "--format", format, "-o", out)
		// Governance, retention and oversight are wired: no chapter waits for its source.
		if r.code != 0 || strings.Contains(r.stderr, "not available yet") {
			t.Fatalf("report yearly: %+v", r)
		}
		text, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(text), "Rapport de confidentialité 2026") {
			t.Fatalf("report: %v\n%.300s", err, text)
		}
		bundle := filepath.Join(dir, "audit.bundle")
		if r := runCLI(t, env, "", "audit", "export", "-o", bundle); r.code != 0 {
			t.Fatalf("export: %+v", r)
		}
		r = runCLI(t, env, "", "report", "verify", out, "--export", bundle)
		if r.code != 0 || !strings.Contains(r.stdout, "OK") || !strings.Contains(r.stdout, "same value") {
			t.Fatalf("report verify: %+v", r)
		}
		changed := strings.Replace(string(text), "interactions.channel.phone", "interactions.channel.email", 1)
		if format == "md" || format == "html" {
			changed = strings.Replace(string(text), ">5<", ">6<", 1)
			if format == "md" {
				changed = strings.Replace(string(text), "| phone | 5 |", "| phone | 6 |", 1)
			}
		}
		if changed == string(text) {
			t.Fatalf("test setup: no figure 5 found in the %s", format)
		}
		os.WriteFile(out, []byte(changed), 0o644)
		if r := runCLI(t, env, "", "report", "verify", out); r.code == 0 || !strings.Contains(r.stderr, "VERIFICATION FAILED") {
			t.Errorf("changed report verified: %+v", r)
		}
	}
	// Art. 15: the accesses to C-1 (three selections and the report
	// itself, traced first), as JSON with proofs and as a letter.
	accessJSON := filepath.Join(dir, "access.json")
	r := runCLI(t, env, "", "report", "access", "--customer", "C-1", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json", "-o", accessJSON)
	if r.code != 0 || !strings.Contains(r.stderr, "4 accesses") {
		t.Fatalf("report access: %+v", r)
	}
	if r := runCLI(t, env, "", "report", "verify", accessJSON); r.code != 0 || !strings.Contains(r.stdout, "4 accesses") {
		t.Errorf("verify access report: %+v", r)
	}
	if r := runCLI(t, env, "", "report", "access", "--customer", "C-1", "-o", filepath.Join(dir, "access.pdf")); r.code != 0 {
		t.Errorf("access letter: %+v", r)
	}
	// The access reports themselves are traced, naming the customer.
	r = runCLI(t, env, "", "audit", "query", "--customer", "C-1")
	if strings.Count(r.stdout, "report.access") != 2 {
		t.Errorf("access reports not traced: %+v", r)
	}
	// Requirement coverage: every ID listed, with tests or figures.
	r = runCLI(t, env, "", "report", "requirements")
	if r.code != 0 || !strings.Contains(r.stdout, "G1 ") || !strings.Contains(r.stdout, "registers.processing.entries") || !strings.Contains(r.stderr, "34 requirements") {
		t.Errorf("report requirements: %+v", r)
	}
	if r := runCLI(t, env, "", "report", "yearly", "--year", "2026", "--format", "docx"); r.code != 2 {
		t.Errorf("bad format: %+v", r)
	}
}
