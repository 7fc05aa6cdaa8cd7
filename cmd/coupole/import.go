package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
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
//
// The import is traced before it is written (trace first, issue 10 item 5):
// who ran it (the operator's user name, as every command-line change), each
// file with its SHA-256, the records of each kind; an import the audit log
// cannot record writes nothing. An import refused for problems in the files
// is traced too (with their number, never their text). A --dry-run reads the
// operator's own files and writes nothing: it is not traced.
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
	var sums []*fileSum
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
		sum := &fileSum{kind: k, name: filepath.Base(p), f: f, h: sha256.New()}
		sums = append(sums, sum)
		// The hash is of the very bytes imported, read once.
		files = append(files, importcsv.File{Kind: k, Name: sum.name, R: io.TeeReader(f, sum.h)})
	}
	if len(files) == 0 {
		return usagef("import needs at least one file, e.g. --access-points access_points.csv (see docs/import.md)")
	}
	im, err := importcsv.Read(files)
	if err != nil {
		return err
	}
	if *dryRun {
		if !im.OK() {
			return reportProblems(env, im, nil)
		}
		fmt.Fprintf(env.Stdout, "%d records in %d files, no problem found; nothing written (--dry-run)\n", im.Records, len(files))
		return nil
	}
	for _, s := range sums { // the rest of a file the reader left unread
		if _, err := io.Copy(s.h, s.f); err != nil {
			return coupole.Errorf(coupole.EINVALID, "--%s: cannot read %s", importFlags[s.kind], s.name)
		}
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeTracer()
	ev := importEvent("cli:"+cliUser(env), sums, im)
	if !im.OK() {
		ev.Outcome, ev.Reason = "refused", "problems"
		if err := tracer.TraceStaff(ctx, ev); err != nil {
			fmt.Fprintf(env.Stderr, "the audit log could not record this refused import: %v\n", err)
		}
		return reportProblems(env, im, nil)
	}
	if err := tracer.TraceStaff(ctx, ev); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this import now: nothing was written")
	}
	// Into an empty grid, the indexes are built once after the rows.
	var changed int64
	err = db.BulkLoad(ctx, func(ctx context.Context) (err error) {
		changed, err = db.LoadCounted(ctx, im.Batch)
		return err
	})
	if err != nil {
		ev.Outcome, ev.Reason = "failed", coupole.ErrorCode(err)
		if _, ok := im.Locate(err); ok {
			ev.Reason = "problems"
		}
		if err := tracer.TraceStaff(ctx, ev); err != nil { // best effort: the import was traced as attempted
			fmt.Fprintf(env.Stderr, "the audit log could not record that this import failed: %v\n", err)
		}
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

// fileSum is an imported file and the SHA-256 of what was read of it.
type fileSum struct {
	kind importcsv.Kind
	name string
	f    *os.File
	h    hash.Hash
}

// importEvent is the trace of an import: the files with their SHA-256, the
// records of each kind, the problems found. Never a value from the files.
func importEvent(actor string, sums []*fileSum, im *importcsv.Import) coupole.StaffEvent {
	d := map[string]string{"records": strconv.Itoa(im.Records), "problems": strconv.Itoa(im.ProblemCount())}
	for _, s := range sums {
		d["file."+string(s.kind)] = s.name + " sha256:" + hex.EncodeToString(s.h.Sum(nil))
	}
	if im.OK() {
		for k, n := range im.Counts() {
			if n > 0 {
				d["records."+string(k)] = strconv.Itoa(n)
			}
		}
	}
	return coupole.StaffEvent{Type: coupole.StaffEventImport, Actor: actor, Outcome: "ok", Details: d}
}
