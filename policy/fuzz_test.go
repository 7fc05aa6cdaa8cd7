package policy_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// fieldError is how a refused request's message starts: the field at fault,
// or the unknown member named (escaped, cut at 40 characters).
var fieldError = regexp.MustCompile(`^(request|requester|channel|item|facts|facts\.[a-z_]+|lang): |^(facts\.)?[^\n]+: unknown field$`)

// FuzzParseRequest is the `coupole policy decide` input (issue 10, item 9;
// docs/fuzzing.md): a JSON request either decodes to a request that
// validates, is decided without error, and encodes and decodes again to
// itself, or is refused with EINVALID and a one-line message that starts
// with the field at fault. A decision is one of the contract's outcomes; a
// refusal carries one of its reasons.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":true,"occupancy":"current","registered_mobile":true}}`,
		`{"requester":"mandatary","channel":"email","item":"consumption_history","facts":{"mandate":"valid","ean_count":3,"reading_regime":"smart"}}`,
		`{"requester":"landlord","channel":"letter","item":"case_status"}`,
		`{"requester":"cpas","channel":"cpas_line","item":"supplier","facts":{}}`,
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":true,"colour":"blue"}}`,
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":"two"}}`,
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":1e3}}`,
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":1}}`,
		`{"requester":"541448820000123456","channel":"phone","item":"ean"}`,
		`{"requester":"customer","requester":"landlord","channel":"phone","item":"ean"}`,
		`{"":{}}`, `{"requester":"customer","channel":"phone","item":"ean","facts":{"":1}}`, `{"colour":"blue"}`,
		`{"requester":"customer"}`, `null`, `[]`, `{}`, ``, `{"a":`,
	} {
		f.Add([]byte(s))
	}
	d, err := policy.OpenDisclosure("")
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := policy.ParseRequest(data)
		if err != nil {
			msg := coupole.ErrorMessage(err)
			if coupole.ErrorCode(err) != coupole.EINVALID || !fieldError.MatchString(msg) || strings.ContainsAny(msg, "\n\r") || strings.HasPrefix(msg, ": ") || strings.HasPrefix(msg, "facts.: ") {
				t.Fatalf("ParseRequest(%q): %q (code %s), want EINVALID naming the field on one line", data, msg, coupole.ErrorCode(err))
			}
			return
		}
		dec, err := d.Decide(ctx, req)
		if err != nil {
			t.Fatalf("Decide(%+v) of %q: %v", req, data, err)
		}
		if !slices.Contains(policy.Outcomes, dec.Outcome) || (dec.Outcome == policy.OutcomeRefuse) != slices.Contains(policy.RefusalReasons, dec.Reason) {
			t.Fatalf("Decide(%+v) = %+v: not an outcome and reason of the contract", req, dec)
		}
		enc, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := policy.ParseRequest(enc)
		if err != nil || !reflect.DeepEqual(again, req) {
			t.Fatalf("%q decoded to %+v; its encoding %s decodes to %+v, %v", data, req, enc, again, err)
		}
	})
}

// FuzzLoadPolicy: a policy file of any text, in the shipped disclosure set,
// either loads or is refused with EINVALID and every problem located as
// "file:" (and its line when there is one); loading never panics.
func FuzzLoadPolicy(f *testing.F) {
	shipped := policy.EmbeddedDisclosureFS()
	const fuzzed = "30-ean.cedar"
	original, err := fs.ReadFile(shipped, fuzzed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(original)
	for _, s := range []string{
		"", "permit(principal, action, resource);", "@id(\"x\")\npermit(principal, action, resource) when { context.nope };",
		"@id(\"ean-sms\")\n@outcome(\"sms\")\npermit(principal, action, resource);", "forbid(principal, action, resource) unless {", "/* unterminated",
		"@id(\"a\")\n@id(\"b\")\nforbid(principal == Requester::\"nobody\", action, resource);",
	} {
		f.Add([]byte(s))
	}
	base := fstest.MapFS{}
	entries, err := fs.ReadDir(shipped, ".")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(shipped, e.Name())
		if err != nil {
			f.Fatal(err)
		}
		base[e.Name()] = &fstest.MapFile{Data: b}
	}
	located := regexp.MustCompile(`^  fuzzed/[0-9a-z-]+\.cedar(schema)?(:[1-9][0-9]*)?: \S`)
	f.Fuzz(func(t *testing.T, text []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys[fuzzed] = &fstest.MapFile{Data: text}
		set, err := policy.Load(fsys, "fuzzed", policy.DisclosureSpec)
		if err == nil {
			for _, p := range set.Policies() {
				if p.File == "" || p.Line < 1 || p.ID == "" {
					t.Fatalf("loaded policy %+v without a place or an id", p)
				}
			}
			return
		}
		if coupole.ErrorCode(err) != coupole.EINVALID {
			t.Fatalf("code %s, want EINVALID: %v", coupole.ErrorCode(err), err)
		}
		lines := strings.Split(coupole.ErrorMessage(err), "\n")
		for _, l := range lines[1:] {
			if !located.MatchString(l) {
				t.Fatalf("problem %q is not located as file:line", l)
			}
		}
		if len(lines) < 2 {
			t.Fatalf("error without a problem: %v", err)
		}
	})
}

// TestUnknownEmptyMemberIsNamed is the finding of FuzzParseRequest: a
// member with an empty name was refused as ": unknown field", naming nothing.
func TestUnknownEmptyMemberIsNamed(t *testing.T) {
	for in, want := range map[string]string{
		`{"":{}}`: `"": unknown field`,
		`{"requester":"customer","channel":"phone","item":"ean","facts":{"":1}}`: `facts."": unknown field`,
	} {
		if _, err := policy.ParseRequest([]byte(in)); coupole.ErrorMessage(err) != want {
			t.Errorf("ParseRequest(%s): %v, want %q", in, err, want)
		}
	}
}
