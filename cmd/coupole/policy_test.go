package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The public scenarios every build must pass: ../shared/scenarios seen from
// the repository root, i.e. ../../../shared/scenarios from this package.
var publicScenarioDir = filepath.Join("..", "..", "..", "shared", "scenarios")

// TestPolicyTestScenarios runs `coupole policy test` on our own suite and,
// when the directory exists (CI lays it beside the clone), on the public
// scenarios (D1–D10).
func TestPolicyTestScenarios(t *testing.T) {
	dirs := []string{filepath.Join("..", "..", "policy", "scenarios")}
	if _, err := os.Stat(publicScenarioDir); err == nil {
		dirs = append(dirs, publicScenarioDir)
	} else {
		t.Logf("%s not found: public scenarios not run here", publicScenarioDir)
	}
	for _, dir := range dirs {
		r := runCLI(t, nil, "", append([]string{"policy", "test"}, dir)...)
		if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed\n") {
			t.Errorf("policy test %s: exit %d\n%s%s", dir, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "FAIL") {
			t.Errorf("policy test %s reports a failure:\n%s", dir, r.stdout)
		}
	}
}

// TestPolicyTestFailsOnAFailingCase: one wrong expectation, one line FAIL,
// a summary, and a non-zero exit.
func TestPolicyTestFailsOnAFailingCase(t *testing.T) {
	dir := t.TempDir()
	yaml := `- name: D4 EAN told orally?
  request: {requester: customer, channel: phone, item: ean, facts: {meter_verified: true, occupancy: current, registered_mobile: true}}
  expect: {outcome: oral}
- name: D9 public info
  request: {requester: third_party, channel: phone, item: public_info}
  expect: {outcome: oral, reason: public_info}
`
	if err := os.WriteFile(filepath.Join(dir, "cases.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "", "policy", "test", dir)
	if r.code == 0 {
		t.Errorf("exit 0 with a failing case:\n%s", r.stdout)
	}
	for _, want := range []string{"FAIL  D4 EAN told orally?", "want oral, got sms/ean_by_sms", "PASS  D9 public info", "1 passed, 1 failed\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// A misspelt key in a case is an error, not a silent pass.
	if err := os.WriteFile(filepath.Join(dir, "cases.yaml"), []byte("- name: x\n  request: {}\n  expected: {outcome: oral}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "", "policy", "test", dir); r.code != 2 || !strings.Contains(r.stderr, `unknown field "expected"`) {
		t.Errorf("misspelt case key: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestPolicyDecide follows the contract: one JSON object on stdout and exit 0
// for every well-formed request, refusals included.
func TestPolicyDecide(t *testing.T) {
	for _, tc := range []struct {
		name, lang, in   string
		outcome, reason  string
		explanationStart string
	}{
		{"D4 SMS, French by default", "", `{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":true,"occupancy":"current","mandate":"none","registered_mobile":true,"ean_count":1,"reading_regime":"annual"}}`,
			"sms", "ean_by_sms", "Nous vous envoyons le code EAN par SMS"},
		{"D4 refusal exits 0, Dutch", "nl", `{"requester":"customer","channel":"phone","item":"ean","facts":{"occupancy":"current"}}`,
			"refuse", "not_verified", "Ik moet eerst uw meternummer"},
		{"D9 German", "de", `{"requester":"third_party","channel":"phone","item":"public_info","facts":{}}`,
			"oral", "public_info", "Geplante Arbeiten"},
		{"D10 English", "en", `{"requester":"cpas","channel":"cpas_line","item":"ean","facts":{"mandate":"valid"}}`,
			"refuse", "not_allowed", "I cannot answer your request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"policy", "decide"}
			if tc.lang != "" {
				args = append(args, "--lang", tc.lang)
			}
			r := runCLI(t, nil, tc.in, args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
				t.Errorf("stdout is not one JSON line: %q", r.stdout)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
			}
			if len(got) != 5 {
				t.Errorf("decision has fields %v, want outcome, reason, scope, policies, explanation", got)
			}
			if got["outcome"] != tc.outcome || got["reason"] != tc.reason {
				t.Errorf("got %v/%v, want %s/%s", got["outcome"], got["reason"], tc.outcome, tc.reason)
			}
			if e, _ := got["explanation"].(string); !strings.HasPrefix(e, tc.explanationStart) {
				t.Errorf("explanation %q, want it to start with %q", e, tc.explanationStart)
			}
			if _, ok := got["policies"].([]any); !ok {
				t.Errorf("policies = %v, want a list", got["policies"])
			}
		})
	}
}

// TestPolicyDecideMalformed: a malformed request exits 2 with a one-line
// error naming the field on stderr, and nothing on stdout.
func TestPolicyDecideMalformed(t *testing.T) {
	for _, tc := range []struct{ name, in, field string }{
		{"bad JSON", `{"requester":`, "request"},
		{"empty input", ``, "request"},
		{"unknown field", `{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":true,"colour":"blue"}}`, "facts.colour"},
		{"unknown enum value", `{"requester":"customer","channel":"fax","item":"ean"}`, "channel"},
		{"wrong type", `{"requester":"customer","channel":"phone","item":"ean","facts":{"ean_count":"two"}}`, "facts.ean_count"},
		{"wrong type bool", `{"requester":"customer","channel":"phone","item":"ean","facts":{"meter_verified":1}}`, "facts.meter_verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, tc.in, "policy", "decide")
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "coupole: "+tc.field+":") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line naming %s", r.stderr, tc.field)
			}
		})
	}
	if r := runCLI(t, nil, `{}`, "policy", "decide", "--lang", "es"); r.code != 2 || r.stdout != "" {
		t.Errorf("--lang es: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestPolicyDirOverride: --policy-dir and COUPOLE_POLICY_DIR load a reviewed
// set; a broken one stops with file:line.
func TestPolicyDirOverride(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "policy", "disclosure")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "50-consumption.cedar" {
			b = []byte(strings.Replace(string(b), "context.reading_regime == ReadingRegime::\"smart\"", "context.reading_regim == ReadingRegime::\"smart\"", 1))
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	req := `{"requester":"third_party","channel":"phone","item":"public_info"}`
	for _, r := range []cliResult{
		runCLI(t, nil, req, "policy", "decide", "--policy-dir", dir),
		runCLI(t, map[string]string{"COUPOLE_POLICY_DIR": dir}, req, "policy", "decide"),
	} {
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, filepath.Join(dir, "50-consumption.cedar")+":") ||
			!strings.Contains(r.stderr, "reading_regim") {
			t.Errorf("broken policy dir: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	}
}

// TestPolicyDecideContractRules: every required field and every enumeration
// of the contract (../shared/contracts/DECISIONS.md), broken one at a time,
// exits 2 naming the field, with nothing on stdout; the same request made
// well-formed exits 0 (issue 10, item 10: consumption_history without
// reading_regime used to answer refuse/not_allowed with exit 0).
func TestPolicyDecideContractRules(t *testing.T) {
	const ok = `"requester":"customer","channel":"phone"`
	for _, tc := range []struct{ name, bad, good, field string }{
		{"consumption_history needs reading_regime",
			`{` + ok + `,"item":"consumption_history","facts":{"meter_verified":true,"occupancy":"current"}}`,
			`{` + ok + `,"item":"consumption_history","facts":{"meter_verified":true,"occupancy":"current","reading_regime":"annual"}}`, "facts.reading_regime"},
		{"consumption_history without facts",
			`{` + ok + `,"item":"consumption_history"}`,
			`{` + ok + `,"item":"consumption_history","facts":{"reading_regime":"smart"}}`, "facts.reading_regime"},
		{"landlord's consumption_history needs reading_regime too",
			`{"requester":"landlord","channel":"letter","item":"consumption_history"}`,
			`{"requester":"landlord","channel":"letter","item":"consumption_history","facts":{"reading_regime":"monthly"}}`, "facts.reading_regime"},
		{"reading_regime null", `{` + ok + `,"item":"consumption_history","facts":{"reading_regime":null}}`,
			`{` + ok + `,"item":"consumption_history","facts":{"reading_regime":"remote"}}`, "facts.reading_regime"},
		{"reading_regime unknown", `{` + ok + `,"item":"ean","facts":{"reading_regime":"weekly"}}`,
			`{` + ok + `,"item":"ean","facts":{"reading_regime":"monthly"}}`, "facts.reading_regime"},
		{"requester required", `{"channel":"phone","item":"ean"}`, `{"requester":"landlord","channel":"phone","item":"ean"}`, "requester"},
		{"requester unknown", `{"requester":"tenant","channel":"phone","item":"ean"}`, `{"requester":"third_party","channel":"phone","item":"ean"}`, "requester"},
		{"requester empty", `{"requester":"","channel":"phone","item":"ean"}`, `{"requester":"supplier","channel":"phone","item":"ean"}`, "requester"},
		{"channel required", `{"requester":"customer","item":"ean"}`, `{"requester":"customer","channel":"messenger","item":"ean"}`, "channel"},
		{"channel unknown", `{"requester":"customer","channel":"fax","item":"ean"}`, `{"requester":"customer","channel":"web_form","item":"ean"}`, "channel"},
		{"item required", `{` + ok + `}`, `{` + ok + `,"item":"case_status"}`, "item"},
		{"item unknown", `{` + ok + `,"item":"iban"}`, `{` + ok + `,"item":"supplier"}`, "item"},
		{"item wrong type", `{` + ok + `,"item":1}`, `{` + ok + `,"item":"public_info"}`, "item"},
		{"occupancy unknown", `{` + ok + `,"item":"ean","facts":{"occupancy":"future"}}`, `{` + ok + `,"item":"ean","facts":{"occupancy":"past"}}`, "facts.occupancy"},
		{"mandate unknown", `{` + ok + `,"item":"ean","facts":{"mandate":"pending"}}`, `{` + ok + `,"item":"ean","facts":{"mandate":"expired"}}`, "facts.mandate"},
		{"mandate_scope unknown", `{"requester":"mandatary","channel":"phone","item":"ean","facts":{"mandate":"valid","mandate_scope":"everything"}}`,
			`{"requester":"mandatary","channel":"phone","item":"ean","facts":{"mandate":"valid","mandate_scope":"case"}}`, "facts.mandate_scope"},
		{"mandate_scope wrong type", `{"requester":"cpas","channel":"cpas_line","item":"supplier","facts":{"mandate":"valid","mandate_scope":true}}`,
			`{"requester":"cpas","channel":"cpas_line","item":"supplier","facts":{"mandate":"valid","mandate_scope":"consumption"}}`, "facts.mandate_scope"},
		{"ean_count zero", `{` + ok + `,"item":"ean","facts":{"ean_count":0}}`, `{` + ok + `,"item":"ean","facts":{"ean_count":3}}`, "facts.ean_count"},
		{"ean_count negative", `{` + ok + `,"item":"ean","facts":{"ean_count":-2}}`, `{` + ok + `,"item":"ean","facts":{"ean_count":2}}`, "facts.ean_count"},
		{"ean_count fraction", `{` + ok + `,"item":"ean","facts":{"ean_count":1.5}}`, `{` + ok + `,"item":"ean","facts":{"ean_count":1}}`, "facts.ean_count"},
		{"registered_mobile wrong type", `{` + ok + `,"item":"ean","facts":{"registered_mobile":"yes"}}`, `{` + ok + `,"item":"ean","facts":{"registered_mobile":true}}`, "facts.registered_mobile"},
		{"facts not an object", `{` + ok + `,"item":"ean","facts":[]}`, `{` + ok + `,"item":"ean","facts":{}}`, "facts"},
		{"facts null", `{` + ok + `,"item":"ean","facts":null}`, `{` + ok + `,"item":"ean"}`, "facts"},
		{"unknown top-level field", `{` + ok + `,"item":"ean","lang":"en"}`, `{` + ok + `,"item":"ean"}`, "lang"},
		{"trailing data", `{` + ok + `,"item":"ean"} {}`, `{` + ok + `,"item":"ean"}` + "\n", "request"},
		{"not an object", `[{` + ok + `,"item":"ean"}]`, `{` + ok + `,"item":"ean"}`, "request"},
		{"meter_reading extension: unknown fact", `{` + ok + `,"item":"meter_reading","facts":{"index":123}}`,
			`{` + ok + `,"item":"meter_reading","facts":{"meter_verified":true,"occupancy":"current"}}`, "facts.index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, tc.bad, "policy", "decide")
			if r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "coupole: "+tc.field+":") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", tc.bad, r.code, r.stdout, r.stderr, tc.field)
			}
			if r := runCLI(t, nil, tc.good, "policy", "decide"); r.code != 0 || r.stderr != "" {
				t.Errorf("well-formed %s: exit %d, stderr %q", tc.good, r.code, r.stderr)
			}
		})
	}
}

// TestPolicyDecideHelpListsTheExtension: the help names every item, the
// meter_reading extension and the mandate scope (docs/policies.md).
func TestPolicyDecideHelpListsTheExtension(t *testing.T) {
	r := runCLI(t, nil, "", "policy", "decide", "-h")
	for _, want := range []string{"meter_reading", "extension", "facts.mandate_scope", "all, consumption, case", "required for consumption_history"} {
		if !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("help lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}
