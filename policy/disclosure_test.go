package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// MustDisclosure returns the embedded disclosure policy set.
func MustDisclosure(tb testing.TB) *policy.Disclosure {
	tb.Helper()
	d, err := policy.OpenDisclosure("")
	if err != nil {
		tb.Fatalf("embedded disclosure policy set: %v", err)
	}
	return d
}

// publicScenarios is ../shared/scenarios seen from the repository root
// (CI lays shared/ beside the clone).
var publicScenarios = filepath.Join("..", "..", "shared", "scenarios")

// TestScenarios runs our own suite (policy/scenarios) and, when present, the
// public scenarios every build must pass (D1–D10).
func TestScenarios(t *testing.T) {
	d := MustDisclosure(t)
	dirs := map[string]string{"own suite": "scenarios", "public scenarios": publicScenarios}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(dir); err != nil && name == "public scenarios" {
				t.Skipf("%s not found: public scenarios not run", dir)
			}
			cases, err := policy.LoadScenarios(dir)
			if err != nil {
				t.Fatal(err)
			}
			if name == "own suite" && len(cases) < 60 {
				t.Errorf("own suite has %d cases, want at least 60", len(cases))
			}
			var out bytes.Buffer
			sum := policy.RunScenarios(context.Background(), cases, d.DecideJSON, &out)
			if sum.Failed > 0 || sum.Passed != len(cases) {
				t.Errorf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
			}
		})
	}
}

// TestEveryPolicyDeterminesAScenario checks that the own suite makes every
// policy of the embedded set decide at least once: no rule goes untested.
func TestEveryPolicyDeterminesAScenario(t *testing.T) {
	d := MustDisclosure(t)
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	defaultDeny := false
	for _, c := range cases {
		res, err := d.DecideJSON(context.Background(), c.Request)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if len(res.Policies) == 0 {
			defaultDeny = true
		}
		if len(res.Policies) > 0 {
			used[res.Policies[0]] = true
		}
	}
	for _, p := range d.Set().Policies() {
		if !used[p.ID] {
			t.Errorf("policy %s (%s:%d) determines no scenario of policy/scenarios", p.ID, p.File, p.Line)
		}
	}
	if !defaultDeny {
		t.Error("no scenario reaches the default deny (D10)")
	}
}

// TestDecisionJSON checks the exact JSON of the contract, and that the
// default deny lists no policy as [] rather than null.
func TestDecisionJSON(t *testing.T) {
	d := MustDisclosure(t)
	for _, tc := range []struct {
		name string
		req  policy.Request
		want string
		reqs []string // the requirements, for auditors, not in the JSON
	}{
		{"D4 SMS", policy.Request{Requester: "customer", Channel: "phone", Item: "ean",
			Facts: policy.Facts{MeterVerified: true, Occupancy: "current", RegisteredMobile: true, EANCount: 1}},
			`{"outcome":"sms","reason":"ean_by_sms","scope":"own_occupancy","policies":["ean-by-sms"],"explanation":"Nous vous envoyons le code EAN par SMS au numéro de GSM enregistré."}`, []string{"D4"}},
		{"D10 default deny", policy.Request{Requester: "cpas", Channel: "cpas_line", Item: "ean", Facts: policy.Facts{Mandate: "valid"}},
			`{"outcome":"refuse","reason":"not_allowed","scope":"none","policies":[],"explanation":"Je ne peux pas répondre à votre demande."}`, []string{"D10"}},
		{"D8 landlord, English", policy.Request{Requester: "landlord", Channel: "phone", Item: "consumption_history",
			Facts: policy.Facts{ReadingRegime: "annual"}, Lang: "en"},
			`{"outcome":"refuse","reason":"private_data","scope":"none","policies":["landlord-consumption-private","no-relation-third-party"],"explanation":"Consumption data is private: please ask your tenants directly."}`, []string{"D8", "D1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec, err := d.Decide(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(dec); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(buf.String()); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !slices.Equal(dec.Requirements, tc.reqs) {
				t.Errorf("Requirements = %q, want %q", dec.Requirements, tc.reqs)
			}
			if dec.PolicySet != d.Set().Hash() || len(dec.PolicySet) != 64 {
				t.Errorf("PolicySet = %q, want the set's SHA-256 %q", dec.PolicySet, d.Set().Hash())
			}
		})
	}
}

// TestExplanationsInEveryLanguage: every decision explains itself in French,
// Dutch, German and English, and the four are distinct sentences (a
// forgotten translation is often a copy of the French). The sentence is
// read out to the caller (issue 15, item 7): it speaks to them — vous, u,
// Sie, you — and names no requirement code; the codes are in @requirement.
func TestExplanationsInEveryLanguage(t *testing.T) {
	d := MustDisclosure(t)
	toCaller := []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(vous|votre|vos|vôtre)\b`),
		regexp.MustCompile(`(?i)\b(u|uw|uwe)\b`),
		regexp.MustCompile(`\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem)\b`),
		regexp.MustCompile(`(?i)\byou`),
	}
	code := regexp.MustCompile(`\b[A-Z][0-9]+\b`)
	check := func(what string, m policy.Messages, reqs []string) {
		if len(reqs) == 0 {
			t.Errorf("%s: no @requirement", what)
		}
		seen := map[string]string{}
		for i, lang := range policy.Languages {
			s := strings.TrimSpace(m[i])
			if s == "" {
				t.Errorf("%s: no explanation in %s", what, lang)
				continue
			}
			if other, dup := seen[s]; dup {
				t.Errorf("%s: the %s explanation is the same as the %s one", what, lang, other)
			}
			seen[s] = lang
			if !strings.HasSuffix(s, ".") {
				t.Errorf("%s: %s explanation should be a sentence: %q", what, lang, s)
			}
			if c := code.FindString(s); c != "" {
				t.Errorf("%s: %s explanation names the requirement %s: %q", what, lang, c, s)
			}
			if !toCaller[i].MatchString(s) {
				t.Errorf("%s: %s explanation does not speak to the caller: %q", what, lang, s)
			}
		}
	}
	for _, p := range d.Set().Policies() {
		check(p.ID, p.Messages, p.Requirements)
	}
	check("default deny", policy.DisclosureSpec.DefaultDeny, policy.DisclosureSpec.DefaultDenyRequirements)

	// And the decision carries the language asked for.
	req := policy.Request{Requester: "third_party", Channel: "phone", Item: "public_info"}
	for i, lang := range policy.Languages {
		req.Lang = lang
		dec, err := d.Decide(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if want := d.Set().Policies()[0].Messages[i]; dec.Explanation != want {
			t.Errorf("lang %s: explanation %q, want %q", lang, dec.Explanation, want)
		}
	}
	req.Lang = "es"
	if _, err := d.Decide(context.Background(), req); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("lang es: err = %v, want EINVALID", err)
	}
}

// TestParseRequestErrors: a malformed request is EINVALID with a one-line
// message naming the field, and echoes no value that could be personal data.
func TestParseRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, field string
	}{
		{"bad JSON", `{"requester": "customer",`, "request"},
		{"not an object", `[1, 2]`, "request"},
		{"null", `null`, "request"},
		{"trailing data", `{"requester":"customer","channel":"phone","item":"ean"} {}`, "request"},
		{"unknown field", `{"requester":"customer","channel":"phone","item":"ean","lang":"fr"}`, "lang: unknown field"},
		{"unknown fact", `{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verifed":true}}`, "facts.meter_verifed: unknown field"},
		{"unknown requester", `{"requester":"tenant","channel":"phone","item":"ean"}`, "requester: unknown value"},
		{"unknown channel", `{"requester":"customer","channel":"fax","item":"ean"}`, "channel: unknown value"},
		{"unknown item", `{"requester":"customer","channel":"phone","item":"iban"}`, "item: unknown value"},
		{"unknown occupancy", `{"requester":"customer","channel":"phone","item":"ean","facts":{"occupancy":"curent"}}`, "facts.occupancy: unknown value"},
		{"unknown mandate", `{"requester":"mandatary","channel":"phone","item":"ean","facts":{"mandate":"revoked"}}`, "facts.mandate: unknown value"},
		{"unknown regime", `{"requester":"customer","channel":"phone","item":"consumption_history","facts":{"reading_regime":"weekly"}}`, "facts.reading_regime: unknown value"},
		{"bool as string", `{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":"yes"}}`, "facts.meter_verified: must be true or false"},
		{"mobile as number", `{"requester":"customer","channel":"phone","item":"ean","facts":{"registered_mobile":1}}`, "facts.registered_mobile: must be true or false"},
		{"count as string", `{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":"3"}}`, "facts.ean_count: must be an integer"},
		{"count fraction", `{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":2.5}}`, "facts.ean_count: must be an integer"},
		{"count zero", `{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":0}}`, "facts.ean_count: must be an integer ≥ 1"},
		{"requester as number", `{"requester":3,"channel":"phone","item":"ean"}`, "requester: must be a string"},
		{"facts not object", `{"requester":"customer","channel":"phone","item":"ean","facts":[]}`, "facts: must be a JSON object"},
		{"missing item", `{"requester":"customer","channel":"phone"}`, "item: required"},
		{"null fact", `{"requester":"customer","channel":"phone","item":"ean","facts":{"occupancy":null}}`, "facts.occupancy: must be a string"},
		{"newline in field name", `{"requester":"customer","channel":"phone","item":"ean","a\nb":1}`, `a\nb: unknown field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ParseRequest([]byte(tc.in))
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			msg := coupole.ErrorMessage(err)
			if !strings.HasPrefix(msg, tc.field) {
				t.Errorf("message %q does not start with %q", msg, tc.field)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message %q spans several lines", msg)
			}
		})
	}
	// A value that looks like personal data is never echoed.
	_, err := policy.ParseRequest([]byte(`{"requester":"541448820000000001","channel":"phone","item":"ean"}`))
	if msg := coupole.ErrorMessage(err); strings.Contains(msg, "5414") || !strings.HasPrefix(msg, "requester: unknown value") {
		t.Errorf("message %q echoes the value or misses the field", msg)
	}
}

// TestParseRequestDefaults: missing facts take the contract's defaults.
func TestParseRequestDefaults(t *testing.T) {
	r, err := policy.ParseRequest([]byte(`{"requester":"customer","channel":"phone","item":"ean","facts":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := policy.Facts{MeterVerified: false, Occupancy: "none", Mandate: "none", MandateScope: "all", RegisteredMobile: false, EANCount: 1}
	if !reflect.DeepEqual(r.Facts, want) {
		t.Errorf("facts = %+v, want %+v", r.Facts, want)
	}
	r2, err := policy.ParseRequest([]byte(`{"requester":"customer","channel":"phone","item":"ean"}`))
	if err != nil || !reflect.DeepEqual(r2, r) {
		t.Errorf("without facts: %+v, %v; want %+v", r2, err, r)
	}
}

// TestDecideRejectsBadGoRequests: Go callers get the same validation.
func TestDecideRejectsBadGoRequests(t *testing.T) {
	d := MustDisclosure(t)
	for _, req := range []policy.Request{
		{Requester: "customer", Channel: "phone"},
		{Requester: "nobody", Channel: "phone", Item: "ean"},
		{Requester: "customer", Channel: "phone", Item: "ean", Facts: policy.Facts{EANCount: -1}},
		{Requester: "customer", Channel: "phone", Item: "ean", Facts: policy.Facts{Occupancy: "later"}},
	} {
		if _, err := d.Decide(context.Background(), req); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", req, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Decide(ctx, policy.Request{Requester: "customer", Channel: "phone", Item: "ean"}); err == nil {
		t.Error("Decide with a cancelled context succeeded")
	}
}

// TestDecideConcurrently: Decide is safe for concurrent use and pure (run
// with -race to make the first half of the claim bite).
func TestDecideConcurrently(t *testing.T) {
	d := MustDisclosure(t)
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]policy.Result, len(cases))
	for i, c := range cases {
		if want[i], err = d.DecideJSON(context.Background(), c.Request); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range cases {
				got, err := d.DecideJSON(context.Background(), c.Request)
				if err != nil || !reflect.DeepEqual(got, want[i]) {
					errs <- c.Name
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for name := range errs {
		t.Errorf("concurrent decision differs for %s", name)
	}
}

// TestOverrideDirectory: a reviewed set loaded from a directory decides like
// the embedded one when it is the same, and its hash names the change when
// it is not.
func TestOverrideDirectory(t *testing.T) {
	embedded := MustDisclosure(t)
	dir := MustCopyEmbedded(t)
	same, err := policy.OpenDisclosure(dir)
	if err != nil {
		t.Fatal(err)
	}
	if same.Set().Hash() != embedded.Set().Hash() {
		t.Errorf("same files, different hash: %s vs %s", same.Set().Hash(), embedded.Set().Hash())
	}
	// A reviewed change that switches SMS off: a spoken request with a
	// registered mobile is then covered by no permit.
	p := filepath.Join(dir, "30-ean.cedar")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("  context.registered_mobile &&\n"), []byte("  false &&\n"), 1)
	if err := os.WriteFile(p, src, 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := policy.OpenDisclosure(dir)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Set().Hash() == embedded.Set().Hash() {
		t.Error("changed policy file, same hash")
	}
	req := policy.Request{Requester: "customer", Channel: "phone", Item: "ean",
		Facts: policy.Facts{MeterVerified: true, Occupancy: "current", RegisteredMobile: true}}
	dec, err := changed.Decide(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Outcome != policy.OutcomeRefuse || dec.Reason != policy.ReasonNotAllowed || dec.PolicySet != changed.Set().Hash() {
		t.Errorf("changed set decided %+v, want refuse/not_allowed by the changed set", dec)
	}
}

// MustCopyEmbedded copies the embedded disclosure set into a temporary
// directory and returns it.
func MustCopyEmbedded(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	err := fs.WalkDir(policy.EmbeddedDisclosureFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(policy.EmbeddedDisclosureFS(), path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}
