package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
)

// cliTraceDB is a migrated SQLite database for the command line, its
// environment (the operator is "ops-anna") and a handle on it.
func cliTraceDB(t *testing.T) (map[string]string, *sqlstore.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.db")
	environ := map[string]string{"COUPOLE_DB": path, "USER": "ops-anna"}
	if r := runCLI(t, environ, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	return environ, openDB(t, path)
}

// auditDown makes every append to the audit log fail, as a full or broken
// audit store would.
func auditDown(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	if _, err := db.Writer().Exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit store down'); END`); err != nil {
		t.Fatal(err)
	}
}

// events returns the audit events of actor.
func events(t *testing.T, db *sqlstore.DB, actor string) []audit.Event {
	t.Helper()
	found, err := audit.NewReader(sqlstore.NewAuditStore(db)).Query(context.Background(), audit.Query{Actor: actor, After: -1, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Event
	for _, f := range found {
		out = append(out, f.Event)
	}
	return out
}

func hasItem(ev audit.Event, item string) bool { return slices.Contains(ev.Data, item) }

// TestImportTracedFirst: `coupole import` traces who imported which files
// (with their SHA-256) and how many records of each kind before writing;
// a refused import is traced; with the audit log down nothing is written
// (issue 10, item 5).
func TestImportTracedFirst(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	files := validImport()
	args := append([]string{"import"}, importFiles(t, files)...)

	// Audit log down: nothing written.
	auditDown(t, db)
	if r := runCLI(t, environ, "", args...); r.code == 0 || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("import with the audit log down: %+v", r)
	}
	if cs, err := db.CustomersByName(ctx, "gerard", 10); err != nil || len(cs) != 0 {
		t.Errorf("customers written without a trace: %d, %v", len(cs), err)
	}
	if _, err := db.Writer().Exec(`DROP TRIGGER audit_down`); err != nil {
		t.Fatal(err)
	}

	if r := runCLI(t, environ, "", args...); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	evs := events(t, db, "cli:ops-anna")
	if len(evs) != 1 {
		t.Fatalf("%d events, want one import", len(evs))
	}
	ev := evs[0]
	sum := sha256.Sum256([]byte(files["customers"]))
	if ev.Action != coupole.StaffEventImport || ev.Decision.Outcome != "ok" || !hasItem(ev, "file.customers=customers.csv sha256:"+hex.EncodeToString(sum[:])) ||
		!hasItem(ev, "records.customers=1") || !hasItem(ev, "records.access_points=2") || !hasItem(ev, "records.readings=1") || !hasItem(ev, "records=8") {
		t.Errorf("import event %+v", ev)
	}
	for _, d := range ev.Data {
		if strings.Contains(d, "Dupont") || strings.Contains(d, cliEAN1) {
			t.Errorf("personal data in the import event: %q", d)
		}
	}

	// A refused import: traced with its number of problems, nothing written.
	bad := map[string]string{"customers": "id,given_name,family_name,mobile,mobile_registered_on,street,number,postcode,town\nC-2,Anne,Lebrun,not a phone,2022-01-01,Rue,1,5000,Namur\n"}
	if r := runCLI(t, environ, "", append([]string{"import"}, importFiles(t, bad)...)...); r.code != 2 {
		t.Fatalf("refused import: %+v", r)
	}
	evs = events(t, db, "cli:ops-anna")
	if len(evs) != 2 || evs[1].Decision.Outcome != "refused" || !hasItem(evs[1], "problems=1") {
		t.Errorf("refused import traced as %+v", evs[len(evs)-1])
	}
	for _, d := range evs[1].Data {
		if strings.Contains(d, "Lebrun") || strings.Contains(d, "not a phone") {
			t.Errorf("personal data in the refused import's event: %q", d)
		}
	}
}

// TestAuditQueryTraced: T1, S7 — `coupole audit query --customer/--ean` is
// traced before it reads: full criteria in the erasable fields, the EAN
// masked in the data; with the log down nothing is read.
func TestAuditQueryTraced(t *testing.T) {
	environ, db := cliTraceDB(t)
	r := runCLI(t, environ, "", "audit", "query", "--customer", "C-1", "--ean", cliEAN1)
	if r.code != 0 {
		t.Fatalf("query: %+v", r)
	}
	evs := events(t, db, "cli:ops-anna")
	if len(evs) != 1 {
		t.Fatalf("%d events, want the search", len(evs))
	}
	ev := evs[0]
	if ev.Action != coupole.StaffEventAuditSearch || !slices.Equal(ev.Customers, []string{"C-1"}) || !slices.Equal(ev.AccessPoints, []string{cliEAN1}) ||
		!hasItem(ev, "criteria.ean="+coupole.EAN(cliEAN1).Masked()) || !hasItem(ev, "criteria=customer,ean") {
		t.Errorf("search event %+v", ev)
	}
	// The search is found by searching for the customer: who looked is known.
	if r := runCLI(t, environ, "", "audit", "query", "--customer", "C-1"); !strings.Contains(r.stdout, coupole.StaffEventAuditSearch) {
		t.Errorf("a search for C-1 does not show the earlier search: %+v", r)
	}
	auditDown(t, db)
	if r := runCLI(t, environ, "", "audit", "query", "--customer", "C-1"); r.code == 0 || r.stdout != "" {
		t.Errorf("query with the audit log down: %+v", r)
	}
}

// TestStaffCLITraceFirst: with the audit log down, `staff reinstate` and
// `staff breakglass` change nothing; `staff revoke` still revokes — removing
// access is not held up by the log — and says the trace is missing.
func TestStaffCLITraceFirst(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"s-1", "s-2"} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "emp-" + id, DisplayName: "A", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Revoke(ctx, "s-2", "test", t0); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adm", Kind: coupole.StaffOIDC, Login: "emp-adm", DisplayName: "IT", Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	auditDown(t, db)

	if r := runCLI(t, environ, "", "staff", "reinstate", "s-2"); r.code == 0 {
		t.Errorf("reinstate with the audit log down: %+v", r)
	}
	if st, _ := db.Staff(ctx, "s-2"); st.Status != coupole.StaffRevoked {
		t.Errorf("reinstated without a trace: %s", st.Status)
	}
	if r := runCLI(t, environ, "", "staff", "breakglass", "bg-admin", "--roles", "it_admin", "--password-file", pw); r.code == 0 {
		t.Errorf("break-glass account with the audit log down: %+v", r)
	}
	if _, err := db.Staff(ctx, "bg-bg-admin"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("break-glass account created without a trace: %v", err)
	}
	if r := runCLI(t, environ, "", "staff", "roles", "s-1", "supervisor", "--as", "s-adm"); r.code == 0 || !strings.Contains(r.stderr, "audit log") {
		t.Errorf("roles with the audit log down: %+v", r)
	}
	r := runCLI(t, environ, "", "staff", "revoke", "s-1", "--reason", "laptop stolen")
	if r.code == 0 || !strings.Contains(r.stderr, "s-1 is revoked, but the audit log could not record it") {
		t.Errorf("revoke with the audit log down: %+v", r)
	}
	if st, _ := db.Staff(ctx, "s-1"); st.Status != coupole.StaffRevoked || !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor}) {
		t.Errorf("after revoke: %+v", st)
	}
}

// TestAuditExportAndEraseTracedFirst: exporting the log (every payload kept)
// and erasing old payloads are traced before they happen; with the audit log
// down neither happens.
func TestAuditExportAndEraseTracedFirst(t *testing.T) {
	environ, db := cliTraceDB(t)
	environ["COUPOLE_DATA_DIR"] = filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, environ, "", "init", "--origin", "test.grid/audit"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	bundle := filepath.Join(t.TempDir(), "audit.bundle")
	if r := runCLI(t, environ, "", "audit", "export", "-o", bundle); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	if r := runCLI(t, environ, "", "audit", "erase", "--before", "2026-10-01"); r.code != 0 {
		t.Fatalf("erase: %+v", r)
	}
	evs := events(t, db, "cli:ops-anna")
	if len(evs) != 2 || evs[0].Action != coupole.StaffEventAuditExport || !hasItem(evs[0], "to=audit.bundle") ||
		evs[1].Action != coupole.StaffEventAuditErase || !hasItem(evs[1], "before=2026-10-01T00:00:00Z") {
		t.Errorf("events %+v", evs)
	}
	auditDown(t, db)
	other := filepath.Join(t.TempDir(), "other.bundle")
	if r := runCLI(t, environ, "", "audit", "export", "-o", other); r.code == 0 {
		t.Errorf("export with the audit log down: %+v", r)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("a bundle was written without a trace: %v", err)
	}
	if r := runCLI(t, environ, "", "audit", "erase", "--before", "2026-10-15"); r.code == 0 {
		t.Errorf("erase with the audit log down: %+v", r)
	}
}
