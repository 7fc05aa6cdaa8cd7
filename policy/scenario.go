package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/coupole/coupole"
)

// Case is one scenario: a request and the decision expected for it. The
// request stays raw JSON so that the runner works for any policy set.
type Case struct {
	Name    string          `json:"name"`
	Request json.RawMessage `json:"request"`
	Expect  Expect          `json:"expect"`

	File string `json:"-"` // where the case was read, for messages
	Line int    `json:"-"` // its line (YAML files), 0 if unknown
}

// Expect is what a case expects: an outcome, and optionally a reason.
type Expect struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Where returns file:line (or file) of the case.
func (c Case) Where() string {
	if c.Line > 0 {
		return fmt.Sprintf("%s:%d", c.File, c.Line)
	}
	return c.File
}

// ScenarioExts are the file name extensions read as scenario files.
var ScenarioExts = []string{".json", ".yaml", ".yml"}

// LoadScenarios reads the cases of every file named, and of every scenario
// file (*.json, *.yaml, *.yml) under every directory named, in name order.
// A file that is not a list of well-formed cases is an EINVALID error with
// its name (and line, for YAML).
func LoadScenarios(paths ...string) ([]Case, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: no such file or directory", p)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(ScenarioExts, strings.ToLower(filepath.Ext(path))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, coupole.Wrap(err, coupole.EINVALID, "%s: cannot read the directory", p)
		}
		if len(found) == 0 {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: no scenario file (*.json, *.yaml, *.yml)", p)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	var cases []Case
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, coupole.Wrap(err, coupole.EINVALID, "%s: cannot read", f)
		}
		cs, err := ParseScenarios(f, data)
		if err != nil {
			return nil, err
		}
		cases = append(cases, cs...)
	}
	return cases, nil
}

// ParseScenarios parses one scenario file: YAML when its name ends in .yaml
// or .yml, JSON otherwise.
func ParseScenarios(name string, data []byte) ([]Case, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".yaml" || ext == ".yml" {
		return parseYAMLScenarios(name, data)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "%s: want a JSON list of cases {name, request, expect}: %v", name, err)
	}
	cases := make([]Case, 0, len(raws))
	for i, raw := range raws {
		c, err := decodeCase(raw)
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: case %d: %s", name, i+1, coupole.ErrorMessage(err))
		}
		c.File = name
		cases = append(cases, c)
	}
	return cases, nil
}

func parseYAMLScenarios(name string, data []byte) ([]Case, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "%s: %v", name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode {
		return nil, coupole.Errorf(coupole.EINVALID, "%s: want a YAML list of cases {name, request, expect}", name)
	}
	var cases []Case
	for i, item := range doc.Content[0].Content {
		var v any
		if err := item.Decode(&v); err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s:%d: case %d: %v", name, item.Line, i+1, err)
		}
		raw, err := json.Marshal(jsonable(v))
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s:%d: case %d: %v", name, item.Line, i+1, err)
		}
		c, err := decodeCase(raw)
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s:%d: case %d: %s", name, item.Line, i+1, coupole.ErrorMessage(err))
		}
		c.File, c.Line = name, item.Line
		cases = append(cases, c)
	}
	return cases, nil
}

// jsonable turns what YAML decodes (maps with any keys) into JSON values.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
		return v
	}
	return v
}

// decodeCase decodes one case strictly: a misspelt key ("expected") would
// otherwise make a case pass without checking anything.
func decodeCase(raw []byte) (Case, error) {
	var c Case
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, coupole.Errorf(coupole.EINVALID, "%v", strings.TrimPrefix(err.Error(), "json: "))
	}
	switch {
	case strings.TrimSpace(c.Name) == "":
		return c, coupole.Errorf(coupole.EINVALID, "name: required")
	case len(c.Request) == 0:
		return c, coupole.Errorf(coupole.EINVALID, "%q: request: required", c.Name)
	case c.Expect.Outcome == "":
		return c, coupole.Errorf(coupole.EINVALID, "%q: expect.outcome: required", c.Name)
	}
	return c, nil
}

// Result is what a set decided for a case.
type Result struct {
	Outcome  string
	Reason   string
	Policies []string
}

// DecideFunc decides one raw request of a policy set.
type DecideFunc func(ctx context.Context, request json.RawMessage) (Result, error)

// Summary counts the cases of a run.
type Summary struct {
	Passed, Failed int
}

// RunScenarios decides every case and writes one line per case to w
// ("PASS name" or "FAIL name: what differs"), then a summary line
// "N passed, M failed". A request that cannot be decoded is a failure.
func RunScenarios(ctx context.Context, cases []Case, decide DecideFunc, w io.Writer) Summary {
	var s Summary
	for _, c := range cases {
		got, err := decide(ctx, c.Request)
		var problem string
		switch {
		case err != nil:
			problem = "request rejected: " + coupole.ErrorMessage(err)
		case got.Outcome != c.Expect.Outcome || (c.Expect.Reason != "" && got.Reason != c.Expect.Reason):
			want := c.Expect.Outcome
			if c.Expect.Reason != "" {
				want += "/" + c.Expect.Reason
			}
			problem = fmt.Sprintf("want %s, got %s/%s (policies: %s)", want, got.Outcome, got.Reason, formatPolicies(got.Policies))
		}
		if problem == "" {
			s.Passed++
			fmt.Fprintf(w, "PASS  %s (%s)\n", c.Name, c.Where())
		} else {
			s.Failed++
			fmt.Fprintf(w, "FAIL  %s (%s): %s\n", c.Name, c.Where(), problem)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", s.Passed, s.Failed)
	return s
}

func formatPolicies(ids []string) string {
	if len(ids) == 0 {
		return "none, default deny"
	}
	return strings.Join(ids, ", ")
}

// DecideJSON is the DecideFunc of the disclosure set: the request is decoded
// strictly, exactly as `coupole policy decide` does.
func (d *Disclosure) DecideJSON(ctx context.Context, request json.RawMessage) (Result, error) {
	req, err := ParseRequest(request)
	if err != nil {
		return Result{}, err
	}
	dec, err := d.Decide(ctx, req)
	if err != nil {
		return Result{}, err
	}
	return Result{Outcome: string(dec.Outcome), Reason: dec.Reason, Policies: dec.Policies}, nil
}
