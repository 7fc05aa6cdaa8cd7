package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/redact"
)

// runRedact is `coupole redact`: the redacted text of a transcript or
// message on standard output (G5, issue 16 item 3), or with --evaluate
// the precision and recall on a labelled corpus (docs/benchmarks.md).
func runRedact(ctx context.Context, env *Env, args []string) error {
	flags := newFlagSet(env, "redact", "[--name NAME]… [--json] [FILE]  |  --evaluate CORPUS")
	var names multiFlag
	flags.Var(&names, "name", "a name known in the interaction (the customer, a mandatary…); repeat for each")
	asJSON := flags.Bool("json", false, "print the redacted text and the counts by kind as JSON")
	evaluate := flags.String("evaluate", "", "score the redactor on a labelled corpus (redact/testdata/corpus.tsv) instead")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if *evaluate != "" {
		f, err := os.Open(*evaluate)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "redact --evaluate: %v", err)
		}
		defer f.Close()
		c, err := redact.ReadCorpus(f)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "redact --evaluate: %v", err)
		}
		sc := redact.Evaluate(c)
		fmt.Fprintf(env.Stdout, "%d sentences\n\n%s", sc.Sentences, sc.Table())
		return nil
	}
	var in io.Reader = env.Stdin
	switch flags.NArg() {
	case 0:
	case 1:
		f, err := os.Open(flags.Arg(0))
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "redact: %v", err)
		}
		defer f.Close()
		in = f
	default:
		return usagef("redact: one file at most (or standard input)")
	}
	b, err := io.ReadAll(io.LimitReader(in, redact.MaxTextBytes+1))
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "redact: %v", err)
	}
	if len(b) > redact.MaxTextBytes {
		return coupole.Errorf(coupole.EINVALID, "redact: the text is longer than %d bytes", redact.MaxTextBytes)
	}
	res := redact.Text(string(b), redact.Options{Names: names})
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(redact.NewResponse(res))
	}
	_, err = io.WriteString(env.Stdout, res.Text)
	return err
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}
