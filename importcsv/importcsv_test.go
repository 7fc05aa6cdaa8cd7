package importcsv_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/importcsv"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// ValidFiles is a complete, valid import: every kind, with the variations
// docs/import.md allows (EAN in groups, local mobile numbers, BOM, quotes,
// columns in any order, optional columns left out).
func validFiles() map[importcsv.Kind]string {
	e1, e2 := storetest.EAN(1), storetest.EAN(2)
	return map[importcsv.Kind]string{
		importcsv.Suppliers: "id,name\nSUP-A,Énergie Alpha\n",
		importcsv.CPAS:      "\ufeffid,name,town\nCPAS-NAMUR,CPAS de Namur,Namur\n",
		importcsv.AccessPoints: "ean,energy,regime,street,number,box,postcode,town,meter_number,meter_installed_on\n" +
			e1.Grouped() + `,electricity,annual,"Rue de l'Église",12,3,5000,Namur,9876543a,2021-06-15` + "\n" +
			string(e2) + ",gas,smart,Rue de Fer,1,,5000,Namur,G555,2019-01-01\n",
		importcsv.Meters: "ean,meter_number,installed_on,removed_on\n" + string(e1) + ",0012345-01,2015-05-01,2021-06-15\n",
		importcsv.Customers: "id,family_name,given_name,language,mobile,mobile_registered_on,email,street,number,postcode,town\n" +
			"C-1,Dupont,Gérard,fr,0470 12 34 56,2022-03-04,gd@example.be,Rue de l'Église,12,5000,Namur\n" +
			"C-2,\"Van den Berg\",Éloïse,NL,,,,Rue de Fer,1,5000,Namur\n",
		importcsv.Occupancies: "customer_id,ean,move_in,move_out,move_in_day_kwh,move_in_night_kwh,move_out_day_kwh\n" +
			"C-1," + string(e1) + ",2020-09-01,,9100.5,4050.25,\n" +
			"C-2," + string(e2) + ",2016-01-01,2019-01-01,,,\n",
		importcsv.SupplyPeriods: "ean,supplier_id,starts_on,ends_on\n" + string(e1) + ",SUP-A,2015-05-01,\n",
		importcsv.Mandates: "id,customer_id,mandatary_name,cpas_id,scope,valid_from,valid_to\n" +
			"M-1,C-2,CPAS de Namur,CPAS-NAMUR,all,2022-02-01,\n" +
			"M-2,C-1,Marie Dupont,,consumption,2023-01-01,2024-01-01\n",
		importcsv.Readings: "ean,date,meter_number,source,regime,day_kwh,night_kwh,excl_night_kwh,gas_m3\n" +
			string(e1) + ",2023-01-10,9876543A,customer,annual,14500.5,6100,,\n" +
			string(e2) + ",2024-01-01,G555,remote,smart,,,,2500\n",
	}
}

func files(m map[importcsv.Kind]string) []importcsv.File {
	var fs []importcsv.File
	for _, k := range importcsv.Kinds {
		if s, ok := m[k]; ok {
			fs = append(fs, importcsv.File{Kind: k, Name: string(k) + ".csv", R: strings.NewReader(s)})
		}
	}
	return fs
}

func mustRead(t *testing.T, m map[importcsv.Kind]string) *importcsv.Import {
	t.Helper()
	im, err := importcsv.Read(files(m))
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func TestReadValidFiles(t *testing.T) {
	im := mustRead(t, validFiles())
	if !im.OK() {
		t.Fatalf("problems in valid files: %v", im.Problems)
	}
	b := im.Batch
	if im.Records != 14 || b.Len() != 13 {
		t.Errorf("records = %d, batch = %d; want 14 rows (13 records and one former meter)", im.Records, b.Len())
	}
	ap := b.AccessPoints[0]
	if ap.EAN != storetest.EAN(1) || len(ap.Meters) != 2 || ap.Meters[0].Number != "0012345" || ap.Meters[1].Number != "9876543A" || !ap.Meters[1].To.IsZero() {
		t.Errorf("access point with meter history = %+v", ap)
	}
	if c := b.Customers[0]; c.Mobile != "+32470123456" || !c.MobileRegisteredAt.Equal(storetest.Day("2022-03-04")) {
		t.Errorf("mobile = %q registered %v; want +32470123456 on 2022-03-04 (D4)", c.Mobile, c.MobileRegisteredAt)
	}
	if c := b.Customers[1]; c.Language != coupole.Dutch || c.FamilyName != "Van den Berg" {
		t.Errorf("customer 2 = %+v", c)
	}
	if o := b.Occupancies[0]; o.MoveInIndex.NightKWh != 4050.25 || !o.MoveOut.IsZero() {
		t.Errorf("occupancy = %+v", o)
	}
	if m := b.Mandates[0]; m.CPASID != "CPAS-NAMUR" || !m.ValidTo.IsZero() {
		t.Errorf("CPAS mandate = %+v", m)
	}
	if r := b.Readings[1]; r.Registers.GasM3 != 2500 || r.Source != coupole.SourceRemote {
		t.Errorf("reading = %+v", r)
	}
	for _, a := range b.AccessPoints {
		if err := a.Validate(); err != nil {
			t.Errorf("access point does not validate: %v", err)
		}
	}
}

// Every problem names file:line:column, the column and a reason, and never
// repeats the value (issue 5).
func TestReadReportsEveryProblem(t *testing.T) {
	badEAN := "541448000000000019" // wrong check digit
	tests := []struct {
		name  string
		kind  importcsv.Kind
		file  string
		wants []string
	}{
		{"unknown column", importcsv.Suppliers, "id,name,colour\nS,N,red\n", []string{"suppliers.csv:1:3: column colour: unknown column"}},
		{"missing required column", importcsv.Suppliers, "id\nS\n", []string{"suppliers.csv:1:0: column name: required column is missing"}},
		{"duplicate column", importcsv.Suppliers, "id,name,id\nS,N,S\n", []string{"suppliers.csv:1:3: column id: the column appears twice"}},
		{"semicolons", importcsv.Suppliers, "id;name\nS;N\n", []string{"suppliers.csv:1:1: the separator must be a comma"}},
		{"empty file", importcsv.Suppliers, "", []string{"suppliers.csv:1:0: the file is empty"}},
		{"field count", importcsv.Suppliers, "id,name\nS,N,X\nT,O\n", []string{"suppliers.csv:2:0: the row has 3 fields, the header 2"}},
		{"bad quote", importcsv.Suppliers, "id,name\nS,\"N\"x\n", []string{"suppliers.csv:2:"}},
		{"not UTF-8", importcsv.Suppliers, "id,name\nS,Ren\xe9\n", []string{"suppliers.csv:2:0: the file is not UTF-8"}},
		{"required value", importcsv.Suppliers, "id,name\n,N\n", []string{"suppliers.csv:2:1: column id: a value is required"}},
		{"duplicate record", importcsv.Suppliers, "id,name\nS,N\nT,O\nS,P\n", []string{"suppliers.csv:4:1: column id: the same record is on line 2"}},
		{"EAN check digit", importcsv.Readings, "ean,date,source,regime\n" + badEAN + ",2024-01-01,customer,annual\n",
			[]string{"readings.csv:2:1: column ean: check digit is wrong"}},
		{"EAN length", importcsv.Readings, "ean,date,source,regime\n5414 4800,2024-01-01,customer,annual\n",
			[]string{"readings.csv:2:1: column ean: must have 18 digits, not 8"}},
		{"date", importcsv.Readings, "ean,date,source,regime\n" + string(storetest.EAN(1)) + ",10/01/2024,customer,annual\n",
			[]string{"readings.csv:2:2: column date: not a date in the form YYYY-MM-DD"}},
		{"enum", importcsv.Readings, "ean,date,source,regime\n" + string(storetest.EAN(1)) + ",2024-01-01,neighbour,yearly\n",
			[]string{"readings.csv:2:3: column source: unknown value (expected one of customer, contact_center", "readings.csv:2:4: column regime: unknown value (expected one of annual"}},
		{"number", importcsv.Readings, "ean,date,source,regime,day_kwh,gas_m3\n" + string(storetest.EAN(1)) + ",2024-01-01,customer,annual,\"1,5\",-3\n",
			[]string{"readings.csv:2:5: column day_kwh: not a number", "readings.csv:2:6: column gas_m3: an index cannot be negative"}},
		{"mobile", importcsv.Customers, "id,family_name,mobile,mobile_registered_on,street,number,postcode,town\n" +
			"C1,X,081 23 45 67,2024-01-01,R,1,5000,Namur\nC2,Y,12,2024-01-01,R,1,5000,Namur\nC3,Z,0470123456,,R,1,5000,Namur\n",
			[]string{"customers.csv:2:3: column mobile: not a mobile number", "customers.csv:3:3: column mobile: not a valid phone number",
				"customers.csv:4:4: column mobile_registered_on: required with a mobile number"}},
		{"postcode and language", importcsv.Customers, "id,family_name,language,street,number,postcode,town\nC1,X,es,R,1,500,Namur\n",
			[]string{"customers.csv:2:3: column language: unknown value (expected one of fr, nl, de, en)", "customers.csv:2:6: column postcode: postcode must be four digits"}},
		{"protection", importcsv.Customers, "id,family_name,street,number,postcode,town,protection\nC1,X,R,1,5000,Namur,vip\n",
			[]string{"customers.csv:2:7: column protection: unknown value (expected staff, protected or nothing)"}},
		{"period", importcsv.Occupancies, "customer_id,ean,move_in,move_out\nC1," + string(storetest.EAN(1)) + ",2024-01-01,2023-01-01\n",
			[]string{"occupancies.csv:2:4: column move_out: occupancy: move-out date must be after move-in date"}},
		{"meter without access point", importcsv.Meters, "ean,meter_number,installed_on,removed_on\n" + string(storetest.EAN(1)) + ",M1,2020-01-01,2021-01-01\n",
			[]string{"meters.csv:2:1: column ean: this access point is not in the access points file"}},
		{"mandate scope", importcsv.Mandates, "id,customer_id,mandatary_name,scope,valid_from\nM1,C1,Marie,everything,2024-01-01\n",
			[]string{"mandates.csv:2:4: column scope: unknown value (expected one of all, consumption, case)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im := mustRead(t, map[importcsv.Kind]string{tt.kind: tt.file})
			var got []string
			for _, p := range im.Problems {
				got = append(got, p.String())
			}
			all := strings.Join(got, "\n")
			for _, want := range tt.wants {
				if !strings.Contains(all, want) {
					t.Errorf("problems:\n%s\nwant one starting %q", all, want)
				}
			}
			if len(got) != len(tt.wants) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tt.wants), all)
			}
			for _, secret := range []string{badEAN, "0470123456", "081 23 45 67", "Ren", "neighbour", "yearly", "everything"} {
				if strings.Contains(all, secret) {
					t.Errorf("a problem repeats the value %q", secret)
				}
			}
		})
	}
}

func TestMeterHistoryMustNotOverlap(t *testing.T) {
	e := string(storetest.EAN(1))
	im := mustRead(t, map[importcsv.Kind]string{
		importcsv.AccessPoints: "ean,energy,regime,street,number,postcode,town,meter_number,meter_installed_on\n" + e + ",gas,annual,R,1,5000,Namur,M2,2021-01-01\n",
		importcsv.Meters:       "ean,meter_number,installed_on,removed_on\n" + e + ",M1,2019-01-01,2021-06-01\n",
	})
	if len(im.Problems) != 1 || !strings.HasPrefix(im.Problems[0].String(), "meters.csv:2:4: column removed_on:") {
		t.Errorf("problems = %v; want one on meters.csv line 2, removed_on", im.Problems)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name\n")
	for i := 0; i < 120; i++ {
		fmt.Fprintf(&b, "S%d,\n", i)
	}
	im := mustRead(t, map[importcsv.Kind]string{importcsv.Suppliers: b.String()})
	if len(im.Problems) != importcsv.MaxProblems || im.ProblemCount() != 120 {
		t.Errorf("%d problems listed of %d; want %d of 120", len(im.Problems), im.ProblemCount(), importcsv.MaxProblems)
	}
}

// A Load error that names a record is traced back to its line.
func TestLocateLoadError(t *testing.T) {
	im := mustRead(t, validFiles())
	err := coupole.Wrap(&coupole.BatchRecordError{Kind: "Occupancies", Index: 1, Field: "customer_id"}, coupole.EINVALID,
		"occupancy record 2: the customer is neither in the batch nor in the database")
	p, ok := im.Locate(err)
	if !ok || p.String() != "occupancies.csv:3:1: column customer_id: the customer is neither in the batch nor in the database" {
		t.Errorf("Locate = %v, %v", p, ok)
	}
	if _, ok := im.Locate(coupole.Errorf(coupole.EINVALID, "x")); ok {
		t.Error("Locate found a line for an error that names no record")
	}
}

// docs/import.md defines the formats: it must list every column of every
// kind, and its examples must import without a problem.
func TestDocsListEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../docs/import.md")
	if err != nil {
		t.Fatal(err)
	}
	for k, cols := range importcsv.Columns {
		for _, c := range cols {
			if !strings.Contains(string(doc), "| `"+c.Name+"` |") {
				t.Errorf("docs/import.md does not describe column %s of %s files", c.Name, k)
			}
		}
	}
	examples := map[importcsv.Kind]string{}
	for _, k := range []importcsv.Kind{importcsv.AccessPoints, importcsv.Customers, importcsv.Mandates} {
		_, after, ok := strings.Cut(string(doc), "`"+string(k)+".csv`")
		if !ok {
			t.Fatalf("no example of %s.csv", k)
		}
		var lines []string
		for _, l := range strings.Split(after, "\n")[1:] {
			if l == "" && len(lines) > 0 {
				break
			}
			if strings.HasPrefix(l, "    ") {
				lines = append(lines, strings.TrimPrefix(l, "    "))
			}
		}
		examples[k] = strings.Join(lines, "\n") + "\n"
	}
	examples[importcsv.CPAS] = "id,name\nCPAS-NAMUR,CPAS de Namur\n"
	im := mustRead(t, examples)
	if !im.OK() || len(im.Batch.AccessPoints) != 2 || len(im.Batch.Customers) != 2 || len(im.Batch.Mandates) != 2 {
		t.Errorf("the examples of docs/import.md: %v, batch %+v", im.Problems, im.Batch)
	}
}

// TestProtectionColumn (issue 16): the optional protection column flags a
// customer as a staff member or a protected person.
func TestProtectionColumn(t *testing.T) {
	im := mustRead(t, map[importcsv.Kind]string{importcsv.Customers: "id,family_name,street,number,postcode,town,protection\n" +
		"C1,X,R,1,5000,Namur,staff\nC2,Y,R,2,5000,Namur,Protected\nC3,Z,R,3,5000,Namur,\n"})
	if len(im.Problems) != 0 {
		t.Fatalf("problems: %v", im.Problems)
	}
	got := map[string]string{}
	for _, c := range im.Batch.Customers {
		got[c.ID] = c.Protection
	}
	if got["C1"] != coupole.ProtectionStaff || got["C2"] != coupole.ProtectionProtected || got["C3"] != "" {
		t.Errorf("protection = %v", got)
	}
}
