package redact

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// The labelled corpus (redact/testdata/corpus.tsv) and its scoring: a test
// in CI holds the redactor to its goals, `coupole redact --evaluate`
// prints the figures of docs/benchmarks.md.

// Sentence is one labelled sentence of the corpus.
type Sentence struct {
	Line  int
	Lang  string
	Names []string
	Text  string // without the marks
	Gold  []Span
}

var markRE = regexp.MustCompile(`\[\[([A-Z]+)\|([^\]]*)\]\]`)

// ReadCorpus reads the corpus format: language, known names separated by
// ";", and the sentence with its identifiers marked [[KIND|text]], by tabs;
// lines starting with # are comments.
func ReadCorpus(r io.Reader) ([]Sentence, error) {
	var out []Sentence
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("corpus line %d: want language, names and sentence separated by tabs", n)
		}
		s := Sentence{Line: n, Lang: parts[0]}
		for _, nm := range strings.Split(parts[1], ";") {
			if nm = strings.TrimSpace(nm); nm != "" {
				s.Names = append(s.Names, nm)
			}
		}
		var b strings.Builder
		rest := parts[2]
		for {
			m := markRE.FindStringSubmatchIndex(rest)
			if m == nil {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:m[0]])
			kind := Kind(rest[m[2]:m[3]])
			if !validKind(kind) {
				return nil, fmt.Errorf("corpus line %d: unknown kind %q", n, kind)
			}
			start := b.Len()
			b.WriteString(rest[m[4]:m[5]])
			s.Gold = append(s.Gold, Span{start, b.Len(), kind})
			rest = rest[m[1]:]
		}
		s.Text = b.String()
		out = append(out, s)
	}
	return out, sc.Err()
}

func validKind(k Kind) bool {
	for _, have := range Kinds {
		if have == k {
			return true
		}
	}
	return false
}

// Score counts, for one kind or group of kinds, the identifiers found
// (true positives), the spans wrongly removed (false positives) and the
// identifiers left in place (false negatives). A found span matches a
// labelled one of the same kind that it overlaps.
type Score struct {
	TP, FP, FN int
}

// Precision and Recall of the score (1 when nothing was to be found).
func (s Score) Precision() float64 { return ratio(s.TP, s.TP+s.FP) }
func (s Score) Recall() float64    { return ratio(s.TP, s.TP+s.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Scores are the corpus's scores by kind, for structured identifiers
// together, and the misses and false alarms with their corpus lines.
type Scores struct {
	Sentences  int
	ByKind     map[Kind]*Score
	Structured Score
	Names      Score
	Misses     []string // "line N: KIND «text»" — synthetic data only
	Wrong      []string
}

// Evaluate redacts every sentence of the corpus and scores the result.
func Evaluate(corpus []Sentence) Scores {
	sc := Scores{Sentences: len(corpus), ByKind: map[Kind]*Score{}}
	for _, k := range Kinds {
		sc.ByKind[k] = &Score{}
	}
	for _, s := range corpus {
		found := Find(s.Text, Options{Names: s.Names})
		used := make([]bool, len(found))
		for _, g := range s.Gold {
			hit := false
			for i, f := range found {
				if f.Kind == g.Kind && f.Start < g.End && g.Start < f.End {
					hit, used[i] = true, true
				}
			}
			if hit {
				sc.ByKind[g.Kind].TP++
			} else {
				sc.ByKind[g.Kind].FN++
				sc.Misses = append(sc.Misses, fmt.Sprintf("line %d: %s «%s»", s.Line, g.Kind, s.Text[g.Start:g.End]))
			}
		}
		for i, f := range found {
			if !used[i] {
				sc.ByKind[f.Kind].FP++
				sc.Wrong = append(sc.Wrong, fmt.Sprintf("line %d: %s «%s»", s.Line, f.Kind, s.Text[f.Start:f.End]))
			}
		}
	}
	for _, k := range Structured {
		b := sc.ByKind[k]
		sc.Structured.TP, sc.Structured.FP, sc.Structured.FN = sc.Structured.TP+b.TP, sc.Structured.FP+b.FP, sc.Structured.FN+b.FN
	}
	sc.Names = *sc.ByKind[Name]
	return sc
}

// Table renders the scores as the Markdown table of docs/benchmarks.md.
func (sc Scores) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| kind | labelled | found | false alarms | missed | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, s Score) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.3f | %.3f |\n", name, s.TP+s.FN, s.TP, s.FP, s.FN, s.Precision(), s.Recall())
	}
	for _, k := range Kinds {
		row(string(k), *sc.ByKind[k])
	}
	row("structured (all but names)", sc.Structured)
	row("names", sc.Names)
	return b.String()
}
