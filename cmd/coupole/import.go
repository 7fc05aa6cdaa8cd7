package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/importcsv"
)

// importFlags maps each file kind to its flag, in the order of importcsv.Kinds.
var importFlags = map[importcsv.Kind]string{
	importcsv.Suppliers:     "suppliers",
	importcsv.CPAS:          "cpas",
	importcsv.AccessPoints:  "access-points",
	importcsv.Meters:        "meters",
	importcsv.Customers:     "customers",
	importcsv.Occupancies:   "occupancies",
	importcsv.SupplyPeriods: "supply-periods",
	importcsv.Mandates:      "mandates",
	importcsv.Readings:      "readings",
}

// runImport reads the operator's CSV files (docs/import.md), checks every
// row, and writes them in one transaction: all of them or, at the first
// problem, nothing.
func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "import", "[--db DSN] [--dry-run] --access-points FILE --customers FILE ...")
	load := registerConfig(fs, env.Getenv, "db")
	dryRun := fs.Bool("dry-run", false, "check the files and report problems without writing anything")
	paths := map[importcsv.Kind]*string{}
	for _, k := range importcsv.Kinds {
		paths[k] = fs.String(importFlags[k], "", "CSV file of "+strings.ReplaceAll(string(k), "_", " ")+" (docs/import.md)")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("import takes files through flags (--customers FILE …), not %q", fs.Arg(0))
	}
	var files []importcsv.File
	for _, k := range importcsv.Kinds {
		p := *paths[k]
		if p == "" {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--%s: cannot open %s", importFlags[k], p)
		}
		defer f.Close()
		files = append(files, importcsv.File{Kind: k, Name: filepath.Base(p), R: f})
	}
	if len(files) == 0 {
		return usagef("import needs at least one file, e.g. --access-points access_points.csv (see docs/import.md)")
	}
	im, err := importcsv.Read(files)
	if err != nil {
		return err
	}
	if !im.OK() {
		return reportProblems(env, im, nil)
	}
	if *dryRun {
		fmt.Fprintf(env.Stdout, "%d records in %d files, no problem found; nothing written (--dry-run)\n", im.Records, len(files))
		return nil
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	changed, err := db.LoadCounted(ctx, im.Batch)
	if err != nil {
		if p, ok := im.Locate(err); ok {
			return reportProblems(env, im, &p)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "%d records in %d files; %d rows inserted or updated, the rest were already up to date\n", im.Records, len(files), changed)
	if changed > 0 {
		return db.RefreshGridStatistics(ctx)
	}
	return nil
}

// reportProblems lists the problems on stderr and returns the EINVALID
// error that makes the command exit with status 2.
func reportProblems(env *Env, im *importcsv.Import, extra *importcsv.Problem) error {
	n := im.ProblemCount()
	for _, p := range im.Problems {
		fmt.Fprintln(env.Stderr, p)
	}
	if im.Dropped > 0 {
		fmt.Fprintf(env.Stderr, "… and %d more problems\n", im.Dropped)
	}
	if extra != nil {
		fmt.Fprintln(env.Stderr, *extra)
		n++
	}
	s := "s"
	if n == 1 {
		s = ""
	}
	return coupole.Errorf(coupole.EINVALID, "%d problem%s in the files; nothing was written", n, s)
}
