package coupole_test

import (
	"strings"
	"testing"

	"github.com/coupole/coupole"
)

// validEAN builds a Belgian EAN with a correct check digit from 17 digits.
func validEAN(first17 string) string {
	return first17 + string(coupole.GS1CheckDigit(first17))
}

func TestGS1CheckDigit(t *testing.T) {
	// Known GS1 examples: GTIN-13 4006381333931 and GSRN 735005385000000011.
	tests := []struct{ body, want string }{
		{"400638133393", "1"},
		{"73500538500000001", "1"},
		{"00000000000000000", "0"},
	}
	for _, tt := range tests {
		if got := string(coupole.GS1CheckDigit(tt.body)); got != tt.want {
			t.Errorf("GS1CheckDigit(%s) = %s, want %s", tt.body, got, tt.want)
		}
	}
}

func TestParseEAN(t *testing.T) {
	good := validEAN("54144882000012345")
	wrongCheck := good[:17] + string('0'+(good[17]-'0'+1)%10)
	tests := []struct {
		name    string
		in      string
		want    coupole.EAN
		wantErr string
	}{
		{"digits", good, coupole.EAN(good), ""},
		{"spaces between groups", good[:4] + " " + good[4:8] + " " + good[8:12] + " " + good[12:16] + " " + good[16:], coupole.EAN(good), ""},
		{"dots and dashes", good[:4] + "." + good[4:10] + "-" + good[10:], coupole.EAN(good), ""},
		{"too short", good[:17], "", "18 digits, not 17"},
		{"too long", good + "1", "", "18 digits, not 19"},
		{"empty", "", "", "18 digits, not 0"},
		{"not Belgian", validEAN("54004882000012345"), "", "must start with 5414"},
		{"wrong check digit", wrongCheck, "", "check digit"},
		{"letter", "5414A882000012345", "", "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := coupole.ParseEAN(tt.in)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseEAN = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseEAN error = %v; want one containing %q", err, tt.wantErr)
			}
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Errorf("code = %s, want invalid", coupole.ErrorCode(err))
			}
			if len(tt.in) >= 8 && strings.Contains(err.Error(), tt.in[4:12]) {
				t.Errorf("error repeats the EAN: %v", err)
			}
		})
	}
}

func TestEANMasked(t *testing.T) {
	e := coupole.MustParseEAN(validEAN("54144882000012345"))
	got := e.Masked()
	if want := "5414 •••• •••• ••" + string(e)[14:16] + " " + string(e)[16:]; got != want {
		t.Errorf("Masked = %q, want %q", got, want)
	}
	if strings.Contains(got, string(e)[4:14]) {
		t.Errorf("Masked reveals the middle digits: %q", got)
	}
	if g := e.Grouped(); strings.ReplaceAll(g, " ", "") != string(e) || len(strings.Fields(g)) != 5 {
		t.Errorf("Grouped = %q", g)
	}
}

func TestParseMeterNumber(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"000123456", "000123456", ""},
		{" 0012 3456 ", "00123456", ""},
		{"1SAG1100012345-01", "1SAG1100012345", ""},
		{"abc123", "ABC123", ""},
		{"", "", "empty"},
		{"-01", "", "empty"},
		{"12/34", "", "only digits and letters"},
		{strings.Repeat("1", 21), "", "too long"},
	}
	for _, tt := range tests {
		got, err := coupole.ParseMeterNumber(tt.in)
		if tt.wantErr == "" {
			if err != nil || string(got) != tt.want {
				t.Errorf("ParseMeterNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseMeterNumber(%q) error = %v; want %q", tt.in, err, tt.wantErr)
		}
	}
}
