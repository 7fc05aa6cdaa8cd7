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

// R1–R4 from the command line (issue 13): two calls recorded in September,
// one about an outage whose media Coupole keeps, one about a gas odour;
// on 1 November `retention run` purges the first (media too) and keeps the
// second; the report and status say so.
func TestRetentionCommands(t *testing.T) {
	dir := t.TempDir()
	dataDir, dbPath := filepath.Join(dir, "data"), filepath.Join(dir, "c.db")
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir}
	if r := runCLI(t, env, "", "init"); r.code != 0 {
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
	defer db.Close()
	clock := &coupole.FixedClock{T: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	media, err := openMediaStore(&Env{Getenv: func(string) string { return "" }}, &Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	info, err := media.Put(ctx, "rec/outage.wav", []byte("RIFF outage call"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	outage, err := svc.Register(ctx, "system:genesys", retention.Item{Kind: retention.KindRecording, Source: retention.SourceCoupole, CallReason: "outage",
		Start: clock.T, MediaRef: info.Key, Size: info.Size, SHA256: info.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	gas, err := svc.Register(ctx, "system:genesys", retention.Item{Kind: retention.KindRecording, Source: retention.SourceCoupole, CallReason: "emergency_gas_odour", Start: clock.T})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()

	if r := runCLI(t, env, "", "retention", "run"); r.code != 0 || !strings.HasPrefix(r.stdout, "purged 1 (late 1)") {
		t.Fatalf("retention run: %+v", r) // due 1 October, run 1 November: late
	}
	if _, err := media.Get(ctx, info.Key); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Fatalf("media after the purge: %v", err)
	}
	if it, _ := db.RetentionItem(ctx, gas.ID); it.State != retention.StateKept || it.Class != "legal_emergency" {
		t.Fatalf("gas-odour call: %+v", it)
	}
	r := runCLI(t, env, "", "retention", "report", "--month", "2026-11")
	if r.code != 0 || !strings.Contains(r.stdout, outage.ID) || !strings.Contains(r.stdout, "purged late (more than 1h0m0s after due): 1") || !strings.Contains(r.stdout, info.SHA256) {
		t.Fatalf("report: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "status"); r.code != 0 || !strings.Contains(r.stdout, "due now: 0; held: 0; purged on time: 0; purged late: 1") {
		t.Fatalf("status: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "classes"); r.code != 0 || !strings.Contains(r.stdout, "default (default)") || !strings.Contains(r.stdout, "emergency_gas_odour") {
		t.Fatalf("classes: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "run"); r.code != 0 || !strings.HasPrefix(r.stdout, "purged 0") {
		t.Fatalf("second run: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "report", "--month", "nov"); r.code != 2 || !strings.Contains(r.stderr, "--month") {
		t.Fatalf("bad month: %+v", r)
	}
	if r := runCLI(t, map[string]string{"COUPOLE_RETENTION_EVERY": "2h"}, "", "retention", "classes", "--retention-classes", filepath.Join(dir, "missing.json")); r.code != 2 {
		t.Fatalf("missing classes file: %+v", r)
	}
}
