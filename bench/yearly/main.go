// Command yearly measures the yearly confidentiality report (issue 14,
// item 6) over a year of a contact center.
//
// It first fills the database, if empty, with the audit trace of
// --interactions advisor flows spread over 2026 (bench/internal/yearlog:
// the event shapes the interaction service writes, about 10 events per
// interaction), written through the audit store's own Append in batches
// of --batch events with a signed checkpoint every --checkpoint-every
// events (audit.Bulk: the sequencer's leaves and tree nodes, without its
// per-event round trip). The signing key is kept beside the database
// (--key, default DB.key) so that a later run measures the same log.
//
// Then it alternates, --rounds times (A B A B…), in the same run:
//
//   - A, the baseline: verifying the whole log from the database
//     (audit.VerifyStore), the scan every report also makes;
//   - B, the report: report.Builder.Yearly (sign a checkpoint, count every
//     event of the year while verifying the log, sign) and its Markdown.
//
// Each is reported as wall clock and CPU time of this process (getrusage),
// per event, min / median / max; the machine's load average beside them.
// For PostgreSQL the server's own CPU is left out.
//
//	go run ./bench/yearly --db /tmp/yearly.db --interactions 2000000
//	go run ./bench/yearly --db 'postgres://…' --interactions 200000
package main

import (
	"context"
	crand "crypto/rand"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/bench/internal/yearlog"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore"
)

func main() {
	dsn := flag.String("db", "yearly-bench.db", "SQLite file or postgres:// URL")
	keyFile := flag.String("key", "", "file holding the log's signing key (default: DB.key for SQLite, yearly-bench.key otherwise)")
	n := flag.Int("interactions", 150_000, "interactions in the year (a 300-advisor center: about 2,000,000, 20 M events)")
	batch := flag.Int("batch", 20_000, "events per Append when generating")
	every := flag.Int("checkpoint-every", 10_000, "events between signed checkpoints when generating")
	rounds := flag.Int("rounds", 5, "interleaved rounds of baseline and report (0: generate only)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*dsn, *keyFile, *n, *batch, *every, *rounds); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

func keys(path string) (note.Signer, note.Verifier, error) {
	skey, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		s, v, err := note.GenerateKey(crand.Reader, "bench.coupole/audit")
		if err != nil {
			return nil, nil, err
		}
		skey = []byte(s + "\n" + v + "\n")
		if err := os.WriteFile(path, skey, 0o600); err != nil {
			return nil, nil, err
		}
	} else if err != nil {
		return nil, nil, err
	}
	lines := strings.Fields(string(skey))
	if len(lines) != 2 {
		return nil, nil, fmt.Errorf("%s: want a signer key and a verifier key", path)
	}
	s, err := note.NewSigner(lines[0])
	if err != nil {
		return nil, nil, err
	}
	v, err := note.NewVerifier(lines[1])
	return s, v, err
}

func run(dsn, keyFile string, n, batch, every, rounds int) error {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// A batch of thousands of events on a busy machine takes longer than
	// an advisor's request is allowed to wait.
	db.GroupTimeout = 10 * time.Minute
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if keyFile == "" {
		keyFile = "yearly-bench.key"
		if !strings.HasPrefix(dsn, "postgres") {
			keyFile = dsn + ".key"
		}
	}
	store := sqlstore.NewAuditStore(db)
	size, err := store.Size(ctx)
	if err != nil {
		return err
	}
	if _, err := os.Stat(keyFile); size > 0 && err != nil {
		return fmt.Errorf("%s already holds %d events but its key file %s is missing: give a fresh database", dsn, size, keyFile)
	}
	signer, verifier, err := keys(keyFile)
	if err != nil {
		return err
	}
	events := size
	if size == 0 {
		t0, c0 := time.Now(), measure.Self()
		events, err = yearlog.Load(ctx, store, signer, n, batch, every, func(k uint64) {
			if k%uint64(max(every, 1_000_000)) == 0 {
				fmt.Fprintf(os.Stderr, "%d events, %.0f events/s, %.1f µs CPU per event (load %s)\n", k,
					float64(k)/time.Since(t0).Seconds(), float64(measure.Self()-c0)/1e3/float64(k), measure.LoadAverage())
			}
		})
		if err != nil {
			return err
		}
		wall, cpu := time.Since(t0), measure.Self()-c0
		fmt.Printf("engine %s: generated %d interactions, %d events in %s (%.0f events/s), CPU %s (%.1f µs per event), load %s\n",
			db.Describe(), n, events, wall.Round(time.Second), float64(events)/wall.Seconds(), cpu.Round(time.Second),
			float64(cpu)/1e3/float64(events), measure.LoadAverage())
	} else {
		fmt.Printf("engine %s: reusing %d events (key %s)\n", db.Describe(), size, keyFile)
	}
	if rounds == 0 {
		return nil
	}
	type fig struct {
		name      string
		wall, cpu []float64
	}
	base, rep := &fig{name: "A baseline: verify the whole log"}, &fig{name: "B report yearly 2026 (figures, verification, signing, Markdown)"}
	timed := func(f *fig, fn func() error) error {
		c0, t0 := measure.Self(), time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
		wall, cpu := time.Since(t0), measure.Self()-c0
		f.wall = append(f.wall, wall.Seconds())
		f.cpu = append(f.cpu, float64(cpu.Nanoseconds())/1e3/float64(events))
		fmt.Fprintf(os.Stderr, "%-62s wall %8s  cpu %8s  %.2f µs/event  (load %s)\n", f.name, wall.Round(time.Millisecond), cpu.Round(time.Millisecond),
			float64(cpu.Nanoseconds())/1e3/float64(events), measure.LoadAverage())
		return nil
	}
	cl := &coupole.FixedClock{T: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)}
	var doc *report.Document
	for range rounds {
		err := timed(base, func() error {
			_, err := audit.VerifyStore(ctx, store, verifier, nil)
			return err
		})
		if err != nil {
			return err
		}
		err = timed(rep, func() error {
			b := &report.Builder{Audit: store, Signer: signer, Verifier: verifier, Clock: cl, Sources: []coupole.FigureSource{db.RecordFigures()}}
			if doc, err = b.Yearly(ctx, 2026, "fr"); err != nil {
				return err
			}
			_, err = doc.Render("md")
			return err
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("\n%d events, %d interleaved rounds (min / median / max), load average %s\n\n", events, rounds, measure.LoadAverage())
	fmt.Println("| | wall (s) | CPU per event (µs) |")
	fmt.Println("|---|---|---|")
	for _, f := range []*fig{base, rep} {
		fmt.Printf("| %s | %s | %s |\n", f.name, measure.SpreadOf(f.wall).Format("%.1f"), measure.SpreadOf(f.cpu).Format("%.2f"))
	}
	ev, _ := doc.Figure("audit.events")
	op, _ := doc.Figure("interactions.opened")
	fmt.Printf("\nreport: %d figures, audit.events %d, interactions.opened %d, %s\n", len(doc.Evidence.Figures), ev.Value, op.Value, doc.Evidence.Verification)
	return nil
}
