// Command gencoverage writes report/coverage_index.json: the requirement
// IDs of REQUIREMENTS.md and, for each, the tests of the module that cite
// it (issue 14, item 5). Run it with `go generate ./report` after adding
// tests or requirements; TestCoverageIndexIsCurrent fails until you do.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/coupole/coupole/report"
)

func main() {
	out := flag.String("o", "coverage_index.json", "file to write")
	reqs := flag.String("requirements", "", "REQUIREMENTS.md (default: found as shared/REQUIREMENTS.md above the module, or $COUPOLE_REQUIREMENTS)")
	root := flag.String("root", "..", "the module's root directory")
	flag.Parse()
	path := *reqs
	if path == "" {
		var err error
		if path, err = report.FindRequirements(*root); err != nil {
			fmt.Fprintln(os.Stderr, "gencoverage:", err)
			os.Exit(1)
		}
	}
	ix, err := report.BuildIndex(path, *root)
	if err == nil {
		var b []byte
		if b, err = ix.Marshal(); err == nil {
			err = os.WriteFile(*out, b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencoverage:", err)
		os.Exit(1)
	}
}
