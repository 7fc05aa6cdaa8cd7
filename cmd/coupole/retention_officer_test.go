package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
)

// retentionCLI is a migrated database with one registered call, two privacy
// officers (dpo-1, dpo-2) and an advisor (adv-1).
func retentionCLI(t *testing.T) (map[string]string, *sqlstore.DB, retention.Item) {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"COUPOLE_DB": filepath.Join(dir, "c.db"), "COUPOLE_DATA_DIR": filepath.Join(dir, "data")}
	for _, c := range []string{"init", "migrate"} {
		if r := runCLI(t, env, "", c); r.code != 0 {
			t.Fatalf("%s: %+v", c, r)
		}
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, env["COUPOLE_DB"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &coupole.FixedClock{T: time.Date(2026, 10, 20, 8, 0, 0, 0, time.UTC)}
	for _, s := range []coupole.Staff{
		{ID: "dpo-1", Roles: []coupole.Role{coupole.RolePrivacyOfficer}},
		{ID: "dpo-2", Roles: []coupole.Role{coupole.RolePrivacyOfficer}},
		{ID: "adv-1", Roles: []coupole.Role{coupole.RoleAdvisor}},
	} {
		s.Kind, s.Login, s.DisplayName, s.Status, s.CreatedAt = coupole.StaffOIDC, s.ID, s.ID, coupole.StaffActive, clock.T
		if err := db.CreateStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	svc := &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	it, err := svc.Register(ctx, "system:genesys", retention.Item{Kind: retention.KindRecording, Source: retention.SourceGenesys, ExternalID: "c-1/r-1",
		InteractionID: "int-1", CallReason: "outage", Start: clock.T})
	if err != nil {
		t.Fatal(err)
	}
	return env, db, it
}

// R3, S7 from the terminal (issue 13 item 2): a privacy officer places a
// hold on a call, asks for its lift, cannot approve it alone; a second
// officer lifts it and the call is then purged. An advisor is refused.
func TestRetentionHoldCommands(t *testing.T) {
	env, db, it := retentionCLI(t)
	ctx := context.Background()
	if r := runCLI(t, env, "", "retention", "hold", "place", "--scope", "item", "--target", it.ID, "--reason", "litige", "--reference", "RG 26/1", "--as", "adv-1"); r.code != 1 || !strings.Contains(r.stderr, "adv-1 may not retention.hold_place") {
		t.Fatalf("advisor placing a hold: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "hold", "place", "--scope", "item", "--target", it.ID, "--reason", "litige", "--as", "dpo-1"); r.code != 2 || !strings.Contains(r.stderr, "reference") {
		t.Fatalf("hold without reference: %+v", r)
	}
	r := runCLI(t, env, "", "retention", "hold", "place", "--scope", "item", "--target", it.ID, "--reason", "litige", "--reference", "RG 26/1", "--as", "dpo-1")
	m := regexp.MustCompile(`^hold (hold_[0-9a-f]+) placed`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("place: %+v", r)
	}
	hold := m[1]
	if r := runCLI(t, env, "", "retention", "hold", "list", "--as", "dpo-2"); r.code != 0 || !strings.Contains(r.stdout, hold) || !strings.Contains(r.stdout, "RG 26/1") {
		t.Fatalf("list: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "run"); r.code != 0 || !strings.HasPrefix(r.stdout, "purged 0") {
		t.Fatalf("run with the hold: %+v", r) // due 20 November, now 1 November… not due yet either
	}
	if r := runCLI(t, env, "", "retention", "hold", "lift", hold, "--reason", "affaire close", "--as", "dpo-1"); r.code != 0 || !strings.Contains(r.stdout, "another privacy officer must approve") {
		t.Fatalf("ask for the lift: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "hold", "lift", hold, "--as", "dpo-1"); r.code != 1 || !strings.Contains(r.stderr, "may not retention.hold_lift") {
		t.Fatalf("self-approval: %+v", r)
	}
	if h, _ := db.Hold(ctx, hold); !h.Active() {
		t.Fatalf("lifted by one person: %+v", h)
	}
	if r := runCLI(t, env, "", "retention", "hold", "lift", hold, "--as", "dpo-2"); r.code != 0 || !strings.Contains(r.stdout, "lifted by dpo-2 (asked by dpo-1)") {
		t.Fatalf("second person: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "hold", "lift", hold, "--as", "dpo-2"); r.code != 1 || !strings.Contains(r.stderr, "already lifted") {
		t.Fatalf("lift again: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "hold", "list", "--as", "nobody"); r.code != 1 || !strings.Contains(r.stderr, "unknown or revoked") {
		t.Fatalf("unknown staff: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "hold", "list"); r.code != 2 || !strings.Contains(r.stderr, "--as") {
		t.Fatalf("no --as: %+v", r)
	}
	// Every refusal is in the trace with its target.
	n := 0
	found, err := audit.NewReader(sqlstore.NewAuditStore(db)).Query(ctx, audit.Query{After: -1, Limit: audit.MaxQueryLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Event.Action == retention.ActionRefused {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d refusals traced, want 3 (advisor, self-approval, unknown staff)", n)
	}
}

// R3 from the terminal: reclassify with a justification; the new class
// and due date are printed and stored; a missing justification is refused.
func TestRetentionReclassifyCommand(t *testing.T) {
	env, db, it := retentionCLI(t)
	if r := runCLI(t, env, "", "retention", "reclassify", it.ID, "--class", "legal_emergency", "--as", "dpo-1"); r.code != 2 || !strings.Contains(r.stderr, "justification") {
		t.Fatalf("no justification: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "reclassify", it.ID, "--class", "nope", "--justification", "x", "--as", "dpo-1"); r.code != 2 || !strings.Contains(r.stderr, `"nope" is not defined`) {
		t.Fatalf("unknown class: %+v", r)
	}
	r := runCLI(t, env, "", "retention", "reclassify", it.ID, "--class", "legal_emergency", "--justification", "odeur de gaz signalée", "--as", "dpo-1")
	if r.code != 0 || !strings.Contains(r.stdout, "class legal_emergency, due 2031-10-20") {
		t.Fatalf("reclassify: %+v", r)
	}
	got, _ := db.RetentionItem(context.Background(), it.ID)
	if got.Class != "legal_emergency" || got.ClassReason != "odeur de gaz signalée" {
		t.Fatalf("stored: %+v", got)
	}
}

// R1 from the terminal (issue 13 item 3): `retention import FILE` is a dry
// run; --apply registers; a bad file exits 2 naming line and column.
func TestRetentionImportCommand(t *testing.T) {
	env, db, _ := retentionCLI(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	mustWrite(t, good, "recording_id,channel,start,call_reason\nr-1,call,2026-10-01T08:00:00Z,outage\nr-2,call,2026-10-01T09:00:00Z,emergency_gas_odour\n")
	mustWrite(t, bad, "recording_id,channel,start\nr-3,call,yesterday\n")
	r := runCLI(t, env, "", "retention", "import", good)
	if r.code != 0 || !strings.Contains(r.stdout, "dry run: 2 recordings would be registered (default 1, legal_emergency 1)") {
		t.Fatalf("dry run: %+v", r)
	}
	if known, _ := db.KnownExternalIDs(context.Background(), retention.SourceCSV, []string{"r-1", "r-2"}); len(known) != 0 {
		t.Fatalf("dry run wrote %v", known)
	}
	if r := runCLI(t, env, "", "retention", "import", good, "--apply"); r.code != 0 || !strings.Contains(r.stdout, "2 recordings registered") {
		t.Fatalf("apply: %+v", r)
	}
	if known, _ := db.KnownExternalIDs(context.Background(), retention.SourceCSV, []string{"r-1", "r-2"}); len(known) != 2 {
		t.Fatalf("after apply: %v", known)
	}
	if r := runCLI(t, env, "", "retention", "import", bad, "--apply"); r.code != 2 || !strings.Contains(r.stderr, "line 2, column start: not a date-time") {
		t.Fatalf("bad file: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "import"); r.code != 2 {
		t.Fatalf("no file: %+v", r)
	}
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// R1 for calls from the terminal (issue 13 item 4): check-recordings raises
// the alert of a call closed three hours ago without a recording, not with
// a grace of four hours, and only once.
func TestRetentionCheckRecordingsCommand(t *testing.T) {
	env, db, _ := retentionCLI(t)
	ctx := context.Background()
	closed := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC) // the CLI's clock is 10:00
	if err := db.CreateInteraction(ctx, coupole.Interaction{ID: "i-call", StaffID: "adv-1", Channel: "phone", Requester: "customer", OpenedAt: closed.Add(-4 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := db.CloseInteraction(ctx, "i-call", []string{"outage"}, closed); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "retention", "check-recordings", "--recording-grace", "4h"); r.code != 0 || !strings.Contains(r.stdout, "0 call(s) without a recording after 4h0m0s") {
		t.Fatalf("grace 4h: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "check-recordings"); r.code != 0 || !strings.Contains(r.stdout, "1 call(s) without a recording after 2h0m0s") || !strings.Contains(r.stdout, "i-call") {
		t.Fatalf("default grace: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "check-recordings"); r.code != 0 || !strings.Contains(r.stdout, "0 call(s)") {
		t.Fatalf("again: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "check-recordings", "--recording-grace", "-1h"); r.code != 2 {
		t.Fatalf("negative grace: %+v", r)
	}
}
