package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore"
)

// runDemo dispatches `coupole demo SUBCOMMAND`.
var demoCommands = []command{
	{"seed", "fill a database with deterministic synthetic Walloon grid data", runDemoSeed},
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "demo", demoCommands, args)
}

func runDemoSeed(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo seed", "--access-points N --seed S [--db DSN] [flags]")
	n := fs.Int("access-points", 10000, "how many access points to generate (about 0.77 customers each)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and count give the same data")
	refStr := fs.String("reference", demo.DefaultReference.Format(time.DateOnly), "the data's \"now\" (YYYY-MM-DD): six years of history end there")
	batch := fs.Int("batch", demo.DefaultBatchSize, "access points per transaction")
	dryRun := fs.Bool("dry-run", false, "generate without writing anything (measures the generator alone)")
	bulk := fs.Bool("bulk", true, "into an empty SQLite grid, build the indexes and name keys once after the load (false: as rows arrive, the baseline of bench/seed)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo seed takes no arguments")
	}
	ref, err := time.Parse(time.DateOnly, *refStr)
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "--reference: must be a date like 2026-11-01")
	}
	cfg := demo.Config{AccessPoints: *n, Seed: *seed, Reference: ref, BatchSize: *batch}
	if *batch < 1 {
		return coupole.Errorf(coupole.EINVALID, "--batch: must be at least 1")
	}
	if err := cfg.Validate(); err != nil {
		return coupole.Errorf(coupole.EINVALID, "--access-points: %s", coupole.ErrorMessage(err))
	}
	dbCfg, err := load()
	if err != nil {
		return err
	}

	prog := demo.NewProgress(env.Stderr, "access points", cfg.AccessPoints, isTerminal(env.Stderr), env.Clock.Now)
	start := env.Clock.Now()
	var counts demo.Counts
	var size int64
	var where string
	if *dryRun {
		where = "nowhere (dry run)"
		counts, err = demo.Generate(ctx, cfg, func(b *coupole.Batch) error {
			for i := range b.AccessPoints { // what Load would check first
				if err := b.AccessPoints[i].Validate(); err != nil {
					return err
				}
			}
			prog.Update(counts.AccessPoints + len(b.AccessPoints))
			counts.Add(b)
			return nil
		})
		prog.Finish()
		if err != nil {
			return err
		}
	} else {
		db, err := sqlstore.Open(ctx, dbCfg.DB)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		where = db.Describe()
		seed := func(ctx context.Context) (err error) {
			counts, err = demo.Seed(ctx, db, cfg, prog.Update)
			return err
		}
		if *bulk {
			err = db.BulkLoad(ctx, seed)
		} else {
			err = seed(ctx)
		}
		prog.Finish()
		if err != nil {
			return err
		}
		if err := db.RefreshGridStatistics(ctx); err != nil { // PostgreSQL's planner, as after an import
			return err
		}
		size = databaseSize(ctx, db, dbCfg.DB)
	}
	elapsed := env.Clock.Now().Sub(start)

	w := env.Stdout
	fmt.Fprintf(w, "Seeded %s with synthetic data (seed %d, reference %s):\n", where, cfg.Seed, ref.Format(time.DateOnly))
	for _, r := range counts.Rows() {
		fmt.Fprintf(w, "  %-15s %12s\n", r.Name, demo.Thousands(r.Count))
	}
	fmt.Fprintf(w, "  %-15s %12s\n", "total", demo.Thousands(counts.Total()))
	fmt.Fprintf(w, "Elapsed %s", elapsed.Round(10*time.Millisecond))
	if s := elapsed.Seconds(); s > 0 {
		fmt.Fprintf(w, " (%s access points/s, %s rows/s)",
			demo.Thousands(int(float64(counts.AccessPoints)/s)), demo.Thousands(int(float64(counts.Total())/s)))
	}
	if rss := demo.PeakRSS(); rss > 0 {
		fmt.Fprintf(w, ", peak memory %s", humanBytes(rss))
	}
	if size > 0 {
		fmt.Fprintf(w, ", database size %s", humanBytes(size))
	}
	fmt.Fprintln(w)
	return nil
}

// DemoServeAccessPoints is how many access points `coupole serve --demo`
// puts in an empty database: enough to search, small enough to start in
// about a second.
const DemoServeAccessPoints = 2000

// seedDemoIfEmpty fills an empty grid with demo data for `serve --demo`. The
// data's reference date is today, so that occupancies, mandates and public
// notices look current in the demo.
func seedDemoIfEmpty(ctx context.Context, env *Env, db *sqlstore.DB, logger *slog.Logger) error {
	var exists bool
	if err := db.Reader().QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM access_points)").Scan(&exists); err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "demo: cannot read the grid")
	}
	if exists {
		logger.Info("demo: the database already holds grid data; not seeding")
		return nil
	}
	start := time.Now()
	cfg := demo.Config{AccessPoints: DemoServeAccessPoints, Seed: 1, Reference: coupole.Date(env.Clock.Now())}
	counts, err := demo.Seed(ctx, db, cfg, nil)
	if err != nil {
		return err
	}
	logger.Info("demo: seeded synthetic grid data", "access_points", counts.AccessPoints,
		"customers", counts.Customers, "rows", counts.Total(), "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// pickDemoCallers picks the demo callers of serve --demo from the data in
// the database (see demo.Callers). They are a convenience: without them the
// server still starts.
func pickDemoCallers(ctx context.Context, db *sqlstore.DB, at time.Time, logger *slog.Logger) []demo.Caller {
	callers, err := demo.Callers(ctx, db.Reader(), db, at)
	if err != nil {
		logger.Warn("demo: no demo callers", "err", err)
	}
	return callers
}

// demoCallerSteps says in one line what to do with each kind of demo caller.
var demoCallerSteps = map[demo.Scenario]string{
	demo.ScenarioOccupantSMS: "as demo-advisor: Phone, Customer; ask the EAN code -> SMS to the registered mobile",
	demo.ScenarioSmartMeter:  "as demo-advisor: Phone, Customer; ask the consumption history -> customer portal (as Landlord: refused)",
	demo.ScenarioCPAS:        "as demo-cpas-advisor: CPAS line, CPAS id %s (%s); ask the supplier -> told orally",
}

// printDemoCallers prints who to "be" on a demo call: synthetic people of
// the demo data, what the advisor searches and the meter number to give.
func printDemoCallers(w io.Writer, callers []demo.Caller) {
	if len(callers) == 0 {
		return
	}
	fmt.Fprintln(w, "Demo callers (synthetic data, also shown on the advisor workspace): search the EAN, give the meter number:")
	for _, c := range callers {
		steps := demoCallerSteps[c.Scenario]
		if c.Scenario == demo.ScenarioCPAS {
			steps = fmt.Sprintf(steps, c.CPASID, c.CPASName)
		}
		fmt.Fprintf(w, "  %-24s EAN %s  meter %-16s %s\n", c.Name, c.EAN, c.Meter, steps)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// databaseSize is the size on disk of the database: the SQLite file with
// its write-ahead log, or PostgreSQL's pg_database_size. 0 when unknown.
func databaseSize(ctx context.Context, db *sqlstore.DB, dsn string) int64 {
	if db.Dialect == sqlstore.Postgres {
		var n int64
		if err := db.Reader().QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n); err != nil {
			return 0
		}
		return n
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	return total
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
