// Command yearly measures the yearly confidentiality report (issue 14,
// item 6) over a year of a contact center: it builds an audit log of
// --interactions advisor flows spread over 2026 (open, identify, select,
// read, verify — sometimes failed first —, one or two decisions, a
// delivery for some, close with call reasons: the event shapes the
// interaction service writes, about 11 events per interaction) through the
// real sequencer, then times, in the same run:
//
//   - the baseline: verifying the whole log from the database
//     (audit.VerifyStore), the scan every report also makes;
//   - the report: report.Builder.Yearly (sign a checkpoint, count every
//     event of the year while verifying the log, sign) and its Markdown.
//
// Each is reported as wall clock and CPU time of this process (getrusage),
// per event; the machine's load average is printed beside them.
//
//	go run ./bench/yearly --db /tmp/yearly.db --interactions 150000
//	go run ./bench/yearly --db 'postgres://…' --interactions 150000
//
// An existing log of the right size is reused.
package main

import (
	"context"
	crand "crypto/rand"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore"
	"golang.org/x/mod/sumdb/note"
)

var yearStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// clock spreads the events over the year: the log's size sets the time.
type clock struct {
	n    atomic.Int64
	step time.Duration
}

func (c *clock) Now() time.Time { return yearStart.Add(time.Duration(c.n.Load()) * c.step) }

var (
	channels = []string{"phone", "phone", "phone", "phone", "email", "email", "chat", "letter", "messenger", "web_form"}
	reasons  = []string{"ean_request", "invoice", "move", "metering_index", "outage", "planned_works", "connection", "supplier_question", "complaint", "other"}
	items    = []string{"ean", "supplier", "consumption_history", "case_status"}
)

// flow returns the events of interaction i, as the service writes them.
func flow(i int) []audit.Event {
	r := rand.New(rand.NewPCG(uint64(i), 14))
	id := fmt.Sprintf("i-%09d", i)
	actor := fmt.Sprintf("s-adv-%03d", i%300)
	ean := fmt.Sprintf("5414%014d", r.IntN(2_000_000))
	cust := fmt.Sprintf("C-%07d", r.IntN(1_500_000))
	ev := func(action string, d *audit.Decision, data ...string) audit.Event {
		e := audit.Event{Actor: actor, Action: action, Interaction: id, Client: "10.20.30.40", Data: data, Decision: d}
		if action != "interaction.open" && action != "interaction.close" {
			e.AccessPoints, e.Customers = []string{ean}, []string{cust}
		}
		return e
	}
	out := []audit.Event{
		ev("interaction.open", nil, "channel="+channels[r.IntN(len(channels))], "requester=customer"),
		ev("interaction.identify", nil, "search=ean", "candidates=1", "masked_access_point", "masked_customer_name"),
		ev("interaction.select", nil, "ref=c1"),
		ev("interaction.read", nil, "interaction_summary"),
	}
	if r.IntN(10) == 0 {
		out = append(out, ev("interaction.verify", &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"}, "meter_number"))
	}
	out = append(out, ev("interaction.verify", &audit.Decision{Outcome: "verified", Reason: "meter_matches"}, "meter_number"))
	out = append(out, ev("interaction.read", nil, "interaction_summary"))
	for range 1 + r.IntN(3) {
		item := items[r.IntN(len(items))]
		d := &audit.Decision{Outcome: "oral", Reason: "own_data", Policies: []string{"own-data"}, PolicySet: "b1946ac9"}
		switch item {
		case "ean":
			d.Outcome, d.Reason = "sms", "ean_by_sms"
		case "supplier":
			d.Outcome, d.Reason = "letter", "supplier_by_letter"
		}
		if r.IntN(12) == 0 {
			d.Outcome, d.Reason = "refuse", "not_occupant"
		}
		out = append(out, ev("interaction.decide", d, "item="+item, "meter_verified=true", "occupancy=current"))
		if d.Outcome == "sms" || d.Outcome == "letter" {
			out = append(out, ev("interaction.deliver", &audit.Decision{Outcome: d.Outcome, Reason: d.Reason}, "item="+item))
		}
	}
	c := ev("interaction.close", nil)
	c.CallReason = reasons[r.IntN(len(reasons))]
	return append(out, c)
}

func rusage() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func measure(name string, events uint64, fn func() error) {
	c0, t0 := rusage(), time.Now()
	if err := fn(); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	wall, cpu := time.Since(t0), rusage()-c0
	fmt.Printf("%-34s wall %8s  cpu %8s  cpu/event %6.2f µs  (load %s)\n", name, wall.Round(time.Millisecond), cpu.Round(time.Millisecond),
		float64(cpu.Nanoseconds())/1000/float64(events), loadavg())
}

func main() {
	dsn := flag.String("db", "yearly-bench.db", "SQLite file or postgres:// URL")
	n := flag.Int("interactions", 150_000, "interactions in the year (a 300-advisor center: about 1,500,000)")
	perEvent := flag.Int("events-estimate", 10, "events per interaction, to spread the year")
	writers := flag.Int("writers", 4096, "concurrent advisors appending (each waits for its event to be durable)")
	flag.Parse()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	store := sqlstore.NewAuditStore(db)
	skey, vkey, err := note.GenerateKey(crand.Reader, "bench.coupole/audit")
	if err != nil {
		log.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	size, err := store.Size(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if size > 0 {
		// A reused log was signed with another key: re-sign nothing, but
		// verification needs the key of its checkpoints. Start fresh.
		log.Fatalf("%s already holds %d events: give a fresh database (keys are per run)", *dsn, size)
	}
	c := &clock{step: 365 * 24 * time.Hour / time.Duration(*n**perEvent)}
	l, err := audit.Open(ctx, store, audit.Options{Clock: c, Signer: signer, MaxBatch: 5000, CheckpointEvery: time.Hour, WriteTimeout: 10 * time.Minute, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	t0, c0 := time.Now(), rusage()
	var next, total atomic.Int64
	var wg sync.WaitGroup
	for range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(*n) {
					return
				}
				for _, e := range flow(int(i)) {
					c.n.Store(total.Add(1))
					if _, err := l.Append(ctx, e); err != nil {
						log.Fatal(err)
					}
				}
				if i > 0 && i%20_000 == 0 {
					fmt.Fprintf(os.Stderr, "%d interactions, %d events, %.0f events/s\n", i, total.Load(), float64(total.Load())/time.Since(t0).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	if _, err := l.Checkpoint(ctx); err != nil {
		log.Fatal(err)
	}
	l.Close()
	events := uint64(total.Load())
	fmt.Printf("engine %s: built %d interactions, %d events in %s (cpu %s), load %s\n", db.Describe(), *n, events,
		time.Since(t0).Round(time.Second), (rusage() - c0).Round(time.Second), loadavg())

	measure("baseline: verify the whole log", events, func() error {
		_, err := audit.VerifyStore(ctx, store, verifier, nil)
		return err
	})
	cl := &coupole.FixedClock{T: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)}
	var doc *report.Document
	measure("report yearly 2026 (figures+sign)", events, func() error {
		b := &report.Builder{Audit: store, Signer: signer, Verifier: verifier, Clock: cl, Sources: []coupole.FigureSource{db.RecordFigures()}}
		doc, err = b.Yearly(ctx, 2026, "fr")
		return err
	})
	measure("render markdown", events, func() error { _, err := doc.Render("md"); return err })
	f, _ := doc.Figure("audit.events")
	o, _ := doc.Figure("interactions.opened")
	fmt.Printf("report: %d figures, audit.events %d, interactions.opened %d, %s\n", len(doc.Evidence.Figures), f.Value, o.Value, doc.Evidence.Verification)
}
