package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// TestLoadRejects: a policy set with a mistake does not load, and the error
// names the file, the line and what is wrong.
func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   string
		edit   func(src string) string
		want   string // substring of the error, after file:line
		atLine string // the line of the file the error must point to (its text)
	}{
		{"typo in a context attribute", "30-ean.cedar",
			func(s string) string {
				return strings.Replace(s, "context.registered_mobile &&", "context.registred_mobile &&", 1)
			},
			"attribute `registred_mobile` in context", "context.registred_mobile &&"},
		{"a letter recipient that is no address", "30-ean.cedar",
			func(s string) string {
				return strings.Replace(s, `@recipient("postal_address")`, `@recipient("new_occupant")`, 1)
			},
			"@recipient belongs on permits and must be one of installation_address, postal_address", `@id("ean-by-letter-former-occupant")`},
		{"typo in an enumerated value", "90-refusals.cedar",
			func(s string) string { return strings.Replace(s, `Occupancy::"none"`, `Occupancy::"nobody"`, 1) },
			`names Occupancy::"nobody"`, `Occupancy::"nobody"`},
		{"typo in an action", "40-supplier-question.cedar",
			func(s string) string { return strings.Replace(s, `Action::"ask_supplier"`, `Action::"ask_suplier"`, 1) },
			"unrecognized action", `Action::"ask_suplier"`},
		{"wrong type", "30-ean.cedar",
			func(s string) string {
				return strings.Replace(s, "context.ean_count > 2", `context.ean_count > "2"`, 1)
			},
			"does not match the schema", ""},
		{"syntax error", "60-case-status.cedar",
			func(s string) string {
				return strings.Replace(s, `Requester::"mandatary" };`, `Requester::"mandatary" &&  };`, 1)
			},
			"syntax error at column", `Requester::"mandatary" &&  };`},
		{"missing translation", "10-public-info.cedar",
			func(s string) string { return removeLine(s, "@reason_de(") },
			"no @reason_de annotation", `@id("public-info-to-anyone")`},
		{"missing id", "60-case-status.cedar",
			func(s string) string { return removeLine(s, "@id(") },
			"no @id annotation", `@outcome("oral")`},
		{"duplicate id", "60-case-status.cedar",
			func(s string) string { return strings.Replace(s, `@id("case-status-told")`, `@id("ean-by-sms")`, 1) },
			`policy id "ean-by-sms" is already used at`, `@id("ean-by-sms")`},
		{"unknown outcome", "60-case-status.cedar",
			func(s string) string { return strings.Replace(s, `@outcome("oral")`, `@outcome("fax")`, 1) },
			"@outcome must be one of", `@id("case-status-told")`},
		{"unknown scope", "60-case-status.cedar",
			func(s string) string { return strings.Replace(s, `@scope("own_occupancy")`, `@scope("everything")`, 1) },
			"@scope must be one of", `@id("case-status-told")`},
		{"forbid with an outcome", "90-refusals.cedar",
			func(s string) string {
				return strings.Replace(s, `@id("no-mandate")`, "@id(\"no-mandate\")\n@outcome(\"oral\")", 1)
			},
			"belong on permits", `@id("no-mandate")`},
		{"forbid with an unknown refusal reason", "90-refusals.cedar",
			func(s string) string { return strings.Replace(s, `@reason("not_verified")`, `@reason("too_late")`, 1) },
			"@reason must be one of", `@id("verify-meter-first")`},
		{"a requirement code in a sentence read out to the caller", "60-case-status.cedar",
			func(s string) string {
				return strings.Replace(s, "pour votre période d'occupation.\")", "pour votre période d'occupation (D1).\")", 1)
			},
			"@reason_fr names the requirement D1", `@id("case-status-told")`},
		{"no requirement", "60-case-status.cedar",
			func(s string) string { return removeLine(s, "@requirement(") },
			"no @requirement annotation", `@id("case-status-told")`},
		{"a requirement that is no code", "60-case-status.cedar",
			func(s string) string {
				return strings.Replace(s, `@requirement("D1")`, `@requirement("D1, access")`, 1)
			},
			`@requirement "access"`, `@id("case-status-told")`},
		{"misspelt annotation", "60-case-status.cedar",
			func(s string) string { return strings.Replace(s, `@reason_en(`, `@raison_en(`, 1) },
			"unknown annotation @raison_en", `@id("case-status-told")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := MustCopyEmbedded(t)
			p := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			edited := tc.edit(string(b))
			if edited == string(b) {
				t.Fatal("the edit changed nothing: fix the test")
			}
			if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = policy.OpenDisclosure(dir)
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("load: err = %v, want EINVALID", err)
			}
			msg := coupole.ErrorMessage(err)
			var hit string
			for _, l := range strings.Split(msg, "\n") {
				if strings.Contains(l, tc.want) {
					hit = strings.TrimSpace(l)
					break
				}
			}
			if hit == "" {
				t.Fatalf("error does not say %q:\n%s", tc.want, msg)
			}
			if tc.atLine != "" {
				line := lineNumber(edited, tc.atLine)
				if prefix := p + ":" + itoa(line) + ":"; !strings.HasPrefix(hit, prefix) {
					t.Errorf("error %q should start with %q", hit, prefix)
				}
			} else if !strings.HasPrefix(hit, p+":") {
				t.Errorf("error %q does not name the file %s", hit, p)
			}
		})
	}
}

// TestLoadNeedsSchemaAndPolicies: a directory without its schema or without
// any policy is refused.
func TestLoadNeedsSchemaAndPolicies(t *testing.T) {
	dir := MustCopyEmbedded(t)
	if err := os.Remove(filepath.Join(dir, "disclosure.cedarschema")); err != nil {
		t.Fatal(err)
	}
	if _, err := policy.OpenDisclosure(dir); err == nil || !strings.Contains(err.Error(), "exactly one schema") {
		t.Errorf("without schema: err = %v", err)
	}
	empty := t.TempDir()
	if _, err := policy.OpenDisclosure(empty); err == nil || !strings.Contains(err.Error(), "no policy file") {
		t.Errorf("empty directory: err = %v", err)
	}
	if _, err := policy.OpenDisclosure(filepath.Join(empty, "missing")); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("missing directory: err = %v, want EINVALID", err)
	}
}

func removeLine(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
		}
	}
	return s
}

func lineNumber(s, text string) int {
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return i + 1
		}
	}
	return -1
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
