package report

import (
	_ "embed"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// Requirement coverage (issue 14, item 5): every requirement ID of
// REQUIREMENTS.md with the tests that cite it and the report figures that
// evidence it. The binary knows the tests from a generated index committed
// beside this file (go generate ./report); a test checks the index is
// current, another that no requirement is left with neither.

//go:generate go run ./gencoverage -o coverage_index.json

//go:embed coverage_index.json
var coverageIndexJSON []byte

// Requirement is one requirement of REQUIREMENTS.md.
type Requirement struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// CoverageIndex is the generated index.
type CoverageIndex struct {
	Requirements []Requirement       `json:"requirements"`
	Tests        map[string][]string `json:"tests"` // requirement ID → "package.TestName", sorted
}

// EmbeddedIndex returns the index built into the binary.
func EmbeddedIndex() (CoverageIndex, error) {
	var ix CoverageIndex
	if err := json.Unmarshal(coverageIndexJSON, &ix); err != nil {
		return ix, coupole.Errorf(coupole.EINTERNAL, "report: the requirement index is unreadable: %v", err)
	}
	return ix, nil
}

// FigureDecl declares a family of figures (a key, or a prefix ending in
// ".") and the requirement it evidences.
type FigureDecl struct {
	Key         string
	Requirement string
}

// TraceCatalog declares the figures the report counts over the trace and
// the audit log's own.
func TraceCatalog() []FigureDecl {
	out := []FigureDecl{{"audit.log_size", "T2"}, {"audit.verified", "T2"}, {"audit.checkpoints", "T2"}, {"report.yearly", "G4"}}
	for _, f := range traceFamilies {
		out = append(out, FigureDecl{f.key, f.req})
	}
	return out
}

// Covered is one requirement with its evidence.
type Covered struct {
	Requirement
	Tests   []string `json:"tests"`
	Figures []string `json:"figures"`
}

// Coverage joins the index and the figure catalog, in the order of
// REQUIREMENTS.md.
func Coverage(ix CoverageIndex, figures []FigureDecl) []Covered {
	out := make([]Covered, 0, len(ix.Requirements))
	for _, r := range ix.Requirements {
		c := Covered{Requirement: r, Tests: ix.Tests[r.ID], Figures: []string{}}
		if c.Tests == nil {
			c.Tests = []string{}
		}
		for _, f := range figures {
			if f.Requirement == r.ID {
				c.Figures = append(c.Figures, f.Key)
			}
		}
		out = append(out, c)
	}
	return out
}

var (
	reqLine = regexp.MustCompile(`^- \*\*([A-Z][0-9]+)\*\* (.*)$`)
	reqID   = regexp.MustCompile(`\b([DCSTRG][0-9]{1,2})\b`)
	reqSpan = regexp.MustCompile(`\b([DCSTRG])([0-9]{1,2})\s*[–-]\s*([DCSTRG])?([0-9]{1,2})\b`)
)

// citedIDs returns the requirement IDs text cites, spans ("G1–G3", "R1-R4")
// expanded.
func citedIDs(text string) []string {
	out := reqID.FindAllString(text, -1)
	for _, m := range reqSpan.FindAllStringSubmatch(text, -1) {
		if m[3] != "" && m[3] != m[1] {
			continue
		}
		lo, hi := atoi(m[2]), atoi(m[4])
		for n := lo + 1; n < hi && n-lo < 20; n++ {
			out = append(out, m[1]+strconv.Itoa(n))
		}
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ParseRequirements reads the requirement IDs and their first sentence from
// REQUIREMENTS.md.
func ParseRequirements(text string) []Requirement {
	var out []Requirement
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		m := reqLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		title := m[2]
		// The requirement goes on in the indented lines below it.
		for _, next := range lines[i+1:] {
			if !strings.HasPrefix(next, "  ") || strings.HasPrefix(strings.TrimSpace(next), "- ") {
				break
			}
			title += " " + strings.TrimSpace(next)
		}
		// The first sentence ("art. 30" and "e.g. " do not end one).
		for i := 0; i+1 < len(title); i++ {
			if title[i] == '.' && title[i+1] == ' ' && !strings.HasSuffix(title[:i], "art") && !strings.HasSuffix(title[:i], "e.g") && !strings.HasSuffix(title[:i], "i.e") {
				title = title[:i+1]
				break
			}
		}
		if len(title) > 140 {
			title = title[:137] + "…"
		}
		out = append(out, Requirement{ID: m[1], Title: title})
	}
	return out
}

// ScanTests walks the module at root and returns, for every requirement ID
// of reqs, the tests (Test, Fuzz and Benchmark functions) whose name, doc
// comment or body comments cite it.
func ScanTests(root string, reqs []Requirement) (map[string][]string, error) {
	known := map[string]bool{}
	for _, r := range reqs {
		known[r.ID] = true
	}
	found := map[string]map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".yaml") && filepath.Base(filepath.Dir(path)) == "scenarios" {
			// Policy scenarios are tests too: TestScenarios runs every file.
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			text := string(b) + " " + strings.ToUpper(strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(filepath.Base(path)))
			for _, m := range citedIDs(text) {
				if known[m] {
					if found[m] == nil {
						found[m] = map[string]bool{}
					}
					found[m]["scenarios:"+filepath.ToSlash(rel)] = true
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if pkg == "." {
			pkg = "coupole"
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !(strings.HasPrefix(fn.Name.Name, "Test") || strings.HasPrefix(fn.Name.Name, "Fuzz") || strings.HasPrefix(fn.Name.Name, "Benchmark")) {
				continue
			}
			text := fn.Name.Name
			if fn.Doc != nil {
				text += " " + fn.Doc.Text()
			}
			for _, cg := range f.Comments {
				if cg.Pos() > fn.Pos() && cg.End() < fn.End() {
					text += " " + cg.Text()
				}
			}
			// Names like TestD1Refusal cite D1 too.
			text += " " + strings.Join(camelParts(fn.Name.Name), " ")
			for _, m := range citedIDs(text) {
				if known[m] {
					if found[m] == nil {
						found[m] = map[string]bool{}
					}
					found[m][pkg+"."+fn.Name.Name] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINVALID, "report: scan tests: %v", err)
	}
	out := map[string][]string{}
	for id, set := range found {
		for t := range set {
			out[id] = append(out[id], t)
		}
		sort.Strings(out[id])
	}
	return out, nil
}

// camelParts splits TestD1RefusalT2 into its parts, so that IDs written
// into test names count.
func camelParts(s string) []string {
	var parts []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			parts = append(parts, s[start:i])
			start = i
		}
	}
	return append(parts, s[start:])
}

// BuildIndex builds the index from REQUIREMENTS.md and the module's tests.
func BuildIndex(requirementsPath, moduleRoot string) (CoverageIndex, error) {
	b, err := os.ReadFile(requirementsPath)
	if err != nil {
		return CoverageIndex{}, coupole.Errorf(coupole.EINVALID, "report: cannot read %s", requirementsPath)
	}
	ix := CoverageIndex{Requirements: ParseRequirements(string(b))}
	if len(ix.Requirements) == 0 {
		return ix, coupole.Errorf(coupole.EINVALID, "report: no requirement found in %s", requirementsPath)
	}
	ix.Tests, err = ScanTests(moduleRoot, ix.Requirements)
	return ix, err
}

// Marshal writes the index as the committed file holds it.
func (ix CoverageIndex) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// FindRequirements locates REQUIREMENTS.md: $COUPOLE_REQUIREMENTS, or
// shared/REQUIREMENTS.md in a directory above the module root.
func FindRequirements(root string) (string, error) {
	if p := os.Getenv("COUPOLE_REQUIREMENTS"); p != "" {
		return p, nil
	}
	dir, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "shared", "REQUIREMENTS.md")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", coupole.Errorf(coupole.ENOTFOUND, "report: no shared/REQUIREMENTS.md above %s: set COUPOLE_REQUIREMENTS", root)
		}
		dir = parent
	}
}

// KnownGaps are the requirements no test cites and no figure evidences
// yet, each with the work that will cover it. TestEveryRequirementIsCovered
// fails for any other uncovered ID, and for a gap that is covered now (so
// the list only shrinks).
var KnownGaps = map[string]string{}
