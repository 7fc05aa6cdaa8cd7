package importcsv_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/importcsv"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// FuzzRead (issue 10, item 9; docs/fuzzing.md): one file of any kind holds
// arbitrary bytes, the files of the other kinds are the valid ones. Read
// never fails for a readable file; every problem names its file, a line and
// a reason on one line, and repeats no run of six digits of the file (an
// EAN, a phone number). An import without problems is whole: every row read
// is in the batch, every record validates and every index is a finite,
// non-negative number.
func FuzzRead(f *testing.F) {
	valid := validFiles()
	for i, k := range importcsv.Kinds {
		f.Add(byte(i), []byte(valid[k]))
	}
	e1 := string(storetest.EAN(1))
	for _, s := range []struct {
		kind importcsv.Kind
		data string
	}{
		{importcsv.Readings, "ean,date,meter_number,source,regime,day_kwh\n" + e1 + ",2023-01-10,9876543A,customer,annual,NaN\n"},
		{importcsv.Occupancies, "customer_id,ean,move_in,move_in_day_kwh\nC-1," + e1 + ",2020-09-01,+Inf\n"},
		{importcsv.AccessPoints, e1 + ",electricity,annual,Rue,1,,5000,Namur,M1,2021-06-15\n"},
		{importcsv.Customers, "id;family_name\nC-9;Dupont\n"},
		{importcsv.Suppliers, "id,name\n\"SUP-A,Alpha\n"},
		{importcsv.Suppliers, "id,name\nSUP-A\xff,Alpha\n"},
		{importcsv.Meters, "ean,meter_number,installed_on,removed_on\n" + e1 + ",M0,2015-05-01,2025-06-15\n"},
		{importcsv.Customers, "id,family_name,street,number,postcode,town,mobile,mobile_registered_on\nC-9,X,R,1,5000,N,+32470123456,2022-01-01\n"},
	} {
		f.Add(byte(indexOf(s.kind)), []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, kind byte, data []byte) {
		fuzzed := importcsv.Kinds[int(kind)%len(importcsv.Kinds)]
		var fs []importcsv.File
		for _, k := range importcsv.Kinds {
			r := strings.NewReader(valid[k])
			if k == fuzzed {
				r = strings.NewReader(string(data))
			}
			fs = append(fs, importcsv.File{Kind: k, Name: string(k) + ".csv", R: r})
		}
		im, err := importcsv.Read(fs)
		if err != nil {
			t.Fatalf("Read failed on readable files: %v", err)
		}
		for _, p := range im.Problems {
			s := p.String()
			if p.Line < 1 || p.Column < 0 || p.Reason == "" || indexOf(importcsv.Kind(strings.TrimSuffix(p.File, ".csv"))) < 0 {
				t.Fatalf("problem %q: no file, line or reason", s)
			}
			if strings.ContainsAny(s, "\n\r") {
				t.Fatalf("problem on more than one line: %q", s)
			}
			if run, ok := sharedDigits(s, data); ok {
				t.Fatalf("problem %q repeats the digits %s of the file", s, run)
			}
		}
		if !im.OK() {
			return
		}
		b := im.Batch
		loaded := b.Len()
		for _, ap := range b.AccessPoints {
			loaded += len(ap.Meters) - 1 // rows of the meters file
		}
		if loaded != im.Records {
			t.Fatalf("no problem, but %d records loaded of %d rows read", loaded, im.Records)
		}
		check := func(what string, err error) {
			if err != nil {
				t.Fatalf("no problem, but a %s does not validate: %v", what, err)
			}
		}
		finite := func(what string, r coupole.Registers) {
			for _, v := range []float64{r.DayKWh, r.NightKWh, r.ExclusiveNightKWh, r.GasM3} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("no problem, but a %s has the index %v", what, v)
				}
			}
		}
		for _, x := range b.Suppliers {
			check("supplier", x.Validate())
		}
		for _, x := range b.CPAS {
			check("CPAS", x.Validate())
		}
		for _, x := range b.AccessPoints {
			check("access point", x.Validate())
		}
		for _, x := range b.Customers {
			check("customer", x.Validate())
		}
		for _, x := range b.Occupancies {
			check("occupancy", x.Validate())
			finite("move-in", x.MoveInIndex)
			finite("move-out", x.MoveOutIndex)
		}
		for _, x := range b.SupplyPeriods {
			check("supply period", x.Validate())
		}
		for _, x := range b.Mandates {
			check("mandate", x.Validate())
		}
		for _, x := range b.Readings {
			check("reading", x.Validate())
			finite("reading", x.Registers)
		}
	})
}

func indexOf(k importcsv.Kind) int {
	for i, x := range importcsv.Kinds {
		if x == k {
			return i
		}
	}
	return -1
}

// sharedDigits returns a run of six ASCII digits found in both s and data.
func sharedDigits(s string, data []byte) (string, bool) {
	for i := 0; i+6 <= len(s); i++ {
		w := s[i : i+6]
		if strings.Trim(w, "0123456789") == "" && bytes.Contains(data, []byte(w)) {
			return w, true
		}
	}
	return "", false
}

// TestReadFindingsOfFuzzRead are the findings of FuzzRead: an index of
// "NaN" or "Inf" (or in hexadecimal) was imported, and the first row of a
// file without header, printed back as an unknown column's name, showed an
// EAN in full.
func TestReadFindingsOfFuzzRead(t *testing.T) {
	e1 := string(storetest.EAN(1))
	tests := []struct {
		name string
		kind importcsv.Kind
		data string
		want string
	}{
		{"NaN", importcsv.Readings, "ean,date,source,regime,day_kwh\n" + e1 + ",2023-01-10,customer,annual,NaN\n", "readings.csv:2:5: column day_kwh: not a number (use a dot for decimals, no thousands separator)"},
		{"Inf", importcsv.Occupancies, "customer_id,ean,move_in,move_in_day_kwh\nC-1," + e1 + ",2020-09-01,+Inf\n", "occupancies.csv:2:4: column move_in_day_kwh: not a number (use a dot for decimals, no thousands separator)"},
		{"hexadecimal", importcsv.Readings, "ean,date,source,regime,gas_m3\n" + e1 + ",2023-01-10,customer,annual,0x1p3\n", "readings.csv:2:5: column gas_m3: not a number (use a dot for decimals, no thousands separator)"},
		{"no header", importcsv.Meters, e1 + ",M0,2015-05-01,2021-06-15\n", "meters.csv:1:1: unknown column for a meters file: the first row must be the header (see docs/import.md)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validFiles()
			m[tt.kind] = tt.data
			im := mustRead(t, m)
			if len(im.Problems) == 0 || im.Problems[0].String() != tt.want {
				t.Errorf("problems = %v, want first %q", im.Problems, tt.want)
			}
		})
	}
}
