package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// importFiles writes CSV files into a temporary directory and returns the
// flags that name them.
func importFiles(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for flag, body := range files {
		p := filepath.Join(dir, flag+".csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--"+flag, p)
	}
	return args
}

func migratedSQLite(t *testing.T) string {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "coupole.db")
	if r := runCLI(t, nil, "", "migrate", "--db", dsn); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	return dsn
}

var (
	cliEAN1 = string(storetest.EAN(1))
	cliEAN2 = string(storetest.EAN(2))
)

func validImport() map[string]string {
	return map[string]string{
		"suppliers": "id,name\nSUP-A,Alpha\n",
		"access-points": "ean,energy,regime,street,number,postcode,town,meter_number,meter_installed_on\n" +
			cliEAN1 + ",electricity,annual,Rue de l'Église,12,5000,Namur,M1,2020-01-01\n" +
			cliEAN2 + ",gas,smart,Rue de Fer,1,5000,Namur,G1,2020-01-01\n",
		"customers":      "id,given_name,family_name,mobile,mobile_registered_on,street,number,postcode,town\nC-1,Gérard,Dupont,0470123456,2022-01-01,Rue de l'Église,12,5000,Namur\n",
		"occupancies":    "customer_id,ean,move_in\nC-1," + cliEAN1 + ",2020-09-01\n",
		"supply-periods": "ean,supplier_id,starts_on\n" + cliEAN1 + ",SUP-A,2020-01-01\n",
		"mandates":       "id,customer_id,mandatary_name,scope,valid_from\nM-1,C-1,Marie Dupont,all,2023-01-01\n",
		"readings":       "ean,date,meter_number,source,regime,day_kwh\n" + cliEAN1 + ",2023-01-10,M1,customer,annual,1234.5\n",
	}
}

func openDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Issue 5: an import writes everything once; importing again changes nothing.
func TestImportThenReimport(t *testing.T) {
	dsn := migratedSQLite(t)
	args := append([]string{"import", "--db", dsn}, importFiles(t, validImport())...)
	r := runCLI(t, nil, "", args...)
	if r.code != 0 || !strings.Contains(r.stdout, "8 records in 7 files") {
		t.Fatalf("import: %+v", r)
	}
	db := openDB(t, dsn)
	cs, err := db.CustomersByName(context.Background(), "gerard", 10)
	if err != nil || len(cs) != 1 || cs[0].Mobile != "+32470123456" {
		t.Errorf("imported customer = %+v, %v", cs, err)
	}
	r = runCLI(t, nil, "", args...)
	if r.code != 0 || !strings.Contains(r.stdout, "; 0 rows inserted or updated") {
		t.Errorf("re-import: %+v; want 0 rows changed", r)
	}
}

// Issue 5: a malformed file exits 2, lists every problem as
// file:line:column, and writes nothing — not even the valid files.
func TestImportMalformedWritesNothing(t *testing.T) {
	files := validImport()
	files["customers"] = "id,given_name,family_name,colour,street,number,postcode,town\nC-1,Gérard,Dupont,red,Rue,1,5000,Namur\n"
	files["readings"] = "ean,date,source,regime,day_kwh\n" +
		"541448000000000019,2023-01-10,customer,annual,1\n" + // bad check digit
		cliEAN1 + ",2023-13-10,customer,annual,1\n" +
		cliEAN1 + ",2023-01-10,customer,annual,-4\n"
	dsn := migratedSQLite(t)
	r := runCLI(t, nil, "", append([]string{"import", "--db", dsn}, importFiles(t, files)...)...)
	if r.code != 2 {
		t.Errorf("exit code %d, want 2: %+v", r.code, r)
	}
	for _, want := range []string{
		"customers.csv:1:4: column colour: unknown column",
		"readings.csv:2:1: column ean: check digit is wrong",
		"readings.csv:3:2: column date: not a date",
		"readings.csv:4:5: column day_kwh: an index cannot be negative",
		"4 problems in the files; nothing was written",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "541448000000000019") {
		t.Error("an error repeats the EAN")
	}
	if _, err := openDB(t, dsn).AccessPoint(context.Background(), coupole.EAN(cliEAN1)); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("the valid access points file was written (%v)", err)
	}
}

// A reference to something in neither the files nor the database is found
// by the store and reported at its line.
func TestImportMissingReferenceWritesNothing(t *testing.T) {
	dsn := migratedSQLite(t)
	db := openDB(t, dsn)
	{
		files := validImport()
		files["occupancies"] = "customer_id,ean,move_in\nC-1," + cliEAN1 + ",2020-09-01\nC-404," + cliEAN2 + ",2020-09-01\n"
		r := runCLI(t, nil, "", append([]string{"import", "--db", dsn}, importFiles(t, files)...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "occupancies.csv:3:1: column customer_id: the customer is neither") {
			t.Errorf("import with a missing customer: %+v", r)
		}
		if _, err := db.AccessPoint(context.Background(), coupole.EAN(cliEAN1)); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("the import was partly written (%v)", err)
		}
	}
}

func TestImportUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "needs at least one file"},
		{[]string{"import", "x.csv"}, "takes files through flags"},
		{[]string{"import", "--customers", "/nonexistent/c.csv"}, "--customers: cannot open"},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %+v; want exit 2 and %q", tt.args, r, tt.want)
		}
	}
	r := runCLI(t, nil, "", append([]string{"import", "--dry-run"}, importFiles(t, validImport())...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "nothing written") {
		t.Errorf("dry run: %+v", r)
	}
}
