// Command flows drives complete advisor flows against a running
// `coupole serve --demo` (issues 6 and 17): open → identify by EAN → verify
// the meter number → decide (EAN) → create the delivery (SMS or letter) →
// close, each step one HTTP request, from many concurrent advisors signed
// in as distinct staff members.
//
// Fairness (issue 17, item 1):
//   - rounds of the baseline (A: GET /healthz on the same server, same
//     concurrency, same client) and of the flows (B) alternate, A B A B…
//     (--rounds pairs, at least 5 by default), and every figure is given as
//     min / median / max over the rounds, so load drift weighs on both;
//   - the server's CPU time (utime + stime from /proc/PID/stat of --pid,
//     with its descendants: PostgreSQL's backends) is read before and after
//     every round and divided by the work done, beside the wall-clock rate;
//     the load program's own CPU (getrusage) likewise;
//   - the access points are drawn one by one across the whole EAN range of
//     the database (--samples of them) and the advisors are --advisors
//     distinct accounts (created in --db if missing), all before timing.
//
// Resetting the database between runs is the caller's job (copy the seed
// file afresh before starting the server; bench/flows/ab.sh does).
//
// With --committed-cpu the run ends with an error when the median server
// CPU per flow is more than twice that figure (the short form in .ci/run).
//
//	go run ./bench/flows --base http://127.0.0.1:8080 --db /tmp/flows2m.db --pid $(pidof coupole) --concurrency 96
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/sqlstore"
)

var steps = []string{"open", "identify", "verify", "decide", "deliver", "close"}

type config struct {
	base, dsn        string
	flows, conc      int
	dur, baseDur     time.Duration
	rounds, advisors int
	samples          int
	seed             uint64
	pids             []int
	committedCPU     time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "server URL (loopback only; a load balancer's in front of several nodes works too)")
	flag.StringVar(&c.dsn, "db", "", "the server's database, to draw EANs and meter numbers from and to create the advisor accounts in")
	flag.IntVar(&c.flows, "flows", 1_000_000, "at most this many flows per round")
	flag.IntVar(&c.conc, "concurrency", 96, "concurrent advisors (one connection each)")
	flag.DurationVar(&c.dur, "duration", 10*time.Second, "length of each flows round")
	flag.DurationVar(&c.baseDur, "baseline-duration", 3*time.Second, "length of each baseline round")
	flag.IntVar(&c.rounds, "rounds", 5, "pairs of rounds, baseline then flows")
	flag.IntVar(&c.advisors, "advisors", 0, "distinct advisor accounts (default: --concurrency)")
	flag.IntVar(&c.samples, "samples", 50_000, "access points drawn across the database")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for drawing the data")
	pids := flag.String("pid", "", "comma-separated process ids of the server(s) whose CPU time is counted (with their descendants)")
	flag.DurationVar(&c.committedCPU, "committed-cpu", 0, "committed server CPU per flow: fail when the median is more than twice it (needs --pid)")
	cpuprofile := flag.String("cpuprofile", "", "write the load program's own CPU profile to this file (it shares the machine with the server)")
	flag.Parse()
	var err error
	if c.pids, err = measure.ParsePIDs(*pids); err != nil {
		fmt.Fprintln(os.Stderr, "flows: --pid:", err)
		os.Exit(2)
	}
	if c.advisors <= 0 {
		c.advisors = c.conc
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flows:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "flows:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(c config) error {
	u, err := url.Parse(c.base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--base must be a loopback address")
	}
	if c.committedCPU > 0 && len(c.pids) == 0 {
		return fmt.Errorf("--committed-cpu needs --pid")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, c.dsn)
	if err != nil {
		return err
	}
	t0 := time.Now()
	samples, err := draw(ctx, db, c.samples, c.seed)
	if err == nil {
		err = ensureAdvisors(ctx, db, c.advisors)
	}
	db.Close()
	if err != nil {
		return err
	}
	fmt.Printf("drew %d access points across the database and %d advisor accounts in %s; %d concurrent advisors, %d rounds of %s (baseline %s); load average %s\n",
		len(samples), c.advisors, time.Since(t0).Round(time.Millisecond), c.conc, c.rounds, c.dur, c.baseDur, measure.LoadAverage())

	// Sign in every advisor and open the baseline's connections before any
	// timing; both sets of connections stay open across the rounds.
	flowClients := make([]*client, c.conc)
	baseClients := make([]*client, c.conc)
	for w := range c.conc {
		if flowClients[w], err = signIn(c.base, u.Host, advisorLogin(w%c.advisors)); err != nil {
			return err
		}
		baseClients[w] = &client{host: u.Host}
	}
	defer func() {
		for w := range c.conc {
			flowClients[w].drop()
			baseClients[w].drop()
		}
	}()

	var next atomic.Int64 // flows never reuse an access point across rounds until the samples are spent
	healthz := func(cl *client, i int) (map[string]time.Duration, error) {
		d, err := cl.call("GET", "/healthz", "", nil)
		return map[string]time.Duration{"healthz": d}, err
	}
	flowFn := func(cl *client, _ int) (map[string]time.Duration, error) {
		i := int(next.Add(1)) - 1
		return flow(cl, samples[i%len(samples)], i)
	}
	var as, bs []result
	for r := 1; r <= c.rounds; r++ {
		a, err := measureRound(c, baseClients, c.flows*len(steps), c.baseDur, healthz)
		if err != nil {
			return err
		}
		a.print(fmt.Sprintf("round %d A baseline GET /healthz", r), "request")
		b, err := measureRound(c, flowClients, c.flows, c.dur, flowFn)
		if err != nil {
			return err
		}
		b.print(fmt.Sprintf("round %d B flows", r), "flow")
		as, bs = append(as, a), append(bs, b)
	}
	report("baseline GET /healthz", merge(as))
	report("flows", merge(bs))
	summary(c, as, bs)
	if c.committedCPU > 0 {
		med := measure.SpreadOf(serverCPUPerUnit(bs)).Median
		fmt.Printf("\nserver CPU per flow: %.3f ms median; committed figure %.3f ms (fails above %.3f ms)\n",
			med, ms64(c.committedCPU), 2*ms64(c.committedCPU))
		if med > 2*ms64(c.committedCPU) {
			return fmt.Errorf("server CPU per flow %.3f ms is more than twice the committed %.3f ms", med, ms64(c.committedCPU))
		}
	}
	return nil
}

func flow(a *client, s sample, i int) (map[string]time.Duration, error) {
	lat := make(map[string]time.Duration, len(steps))
	var in struct{ ID string }
	var err error
	if lat["open"], err = a.call("POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, &in); err != nil {
		return nil, err
	}
	p := "/api/v1/interactions/" + in.ID
	var cands struct{ Candidates []struct{ Ref string } }
	if lat["identify"], err = a.call("POST", p+"/identify", `{"ean":"`+s.ean+`"}`, &cands); err != nil {
		return nil, err
	}
	if len(cands.Candidates) > 0 {
		if lat["verify"], err = a.call("POST", p+"/verify", `{"ref":"`+cands.Candidates[0].Ref+`","meter_number":"`+s.meter+`"}`, nil); err != nil {
			return nil, err
		}
	}
	var d struct{ Outcome string }
	if lat["decide"], err = a.call("POST", p+"/decide", `{"item":"ean"}`, &d); err != nil {
		return nil, err
	}
	if d.Outcome == "sms" || d.Outcome == "letter" {
		if lat["deliver"], err = a.call("POST", p+"/deliveries", `{"item":"ean"}`, nil, "Idempotency-Key", "bench-"+in.ID+"-"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	if lat["close"], err = a.call("POST", p+"/close", `{"call_reasons":["ean_request"]}`, nil); err != nil {
		return nil, err
	}
	return lat, nil
}

// result is one round (or several merged).
type result struct {
	done      int
	errors    int
	firstEr   string
	elapsed   time.Duration
	serverCPU time.Duration // of --pid, over the round; 0 without --pid
	selfCPU   time.Duration // of this program, over the round
	lat       map[string][]time.Duration
}

// measureRound runs fn on every client until n units are done or d has
// passed; the units in flight at the deadline are finished, and counted.
func measureRound(c config, clients []*client, n int, d time.Duration, fn func(*client, int) (map[string]time.Duration, error)) (result, error) {
	var next atomic.Int64
	var mu sync.Mutex
	res := result{lat: map[string][]time.Duration{}}
	srv0, err := measure.Processes(c.pids)
	if err != nil {
		return res, fmt.Errorf("--pid: %w", err)
	}
	self0 := measure.Self()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || time.Now().After(deadline) {
					return
				}
				lat, err := fn(cl, i)
				mu.Lock()
				if err != nil {
					res.errors++
					if res.firstEr == "" {
						res.firstEr = err.Error()
					}
				} else {
					res.done++
					for k, v := range lat {
						res.lat[k] = append(res.lat[k], v)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.selfCPU = measure.Self() - self0
	srv1, err := measure.Processes(c.pids)
	if err != nil {
		return res, fmt.Errorf("--pid: %w", err)
	}
	res.serverCPU = srv1 - srv0
	return res, nil
}

func (r result) rate() float64 { return float64(r.done) / r.elapsed.Seconds() }

func (r result) all() []time.Duration {
	var all []time.Duration
	for _, ds := range r.lat {
		all = append(all, ds...)
	}
	return all
}

// print writes the round's one line: rate, CPU per unit, p99.
func (r result) print(name, unit string) {
	fmt.Printf("%s: %d done, %d errors in %s → %.0f/s; server CPU %.3f ms/%s, load program CPU %.3f ms/%s; p99 %s; load average %s\n",
		name, r.done, r.errors, r.elapsed.Round(time.Millisecond), r.rate(),
		perUnit(r.serverCPU, r.done), unit, perUnit(r.selfCPU, r.done), unit, ms(measure.Percentile(r.all(), 0.99)), measure.LoadAverage())
	if r.firstEr != "" {
		fmt.Printf("first error: %s\n", r.firstEr)
	}
}

func merge(rs []result) result {
	m := result{lat: map[string][]time.Duration{}}
	for _, r := range rs {
		m.done += r.done
		m.errors += r.errors
		if m.firstEr == "" {
			m.firstEr = r.firstEr
		}
		m.elapsed += r.elapsed
		m.serverCPU += r.serverCPU
		m.selfCPU += r.selfCPU
		for k, v := range r.lat {
			m.lat[k] = append(m.lat[k], v...)
		}
	}
	return m
}

// report prints the merged rounds: the same lines as before issue 17 (the
// cluster harness parses "NAME: N done, E errors in T → R/s").
func report(name string, r result) {
	fmt.Printf("\n%s: %d done, %d errors in %s → %.0f/s\n", name, r.done, r.errors, r.elapsed.Round(time.Millisecond), r.rate())
	if r.firstEr != "" {
		fmt.Printf("first error: %s\n", r.firstEr)
	}
	fmt.Println("| request | count | p50 | p99 | max |")
	fmt.Println("|---|---:|---:|---:|---:|")
	keys := append([]string{"healthz"}, steps...)
	var all []time.Duration
	for _, k := range keys {
		ds := r.lat[k]
		if len(ds) == 0 {
			continue
		}
		all = append(all, ds...)
		fmt.Printf("| %s | %d | %s | %s | %s |\n", k, len(ds), ms(measure.Percentile(ds, 0.5)), ms(measure.Percentile(ds, 0.99)), ms(measure.Percentile(ds, 1)))
	}
	if len(r.lat) > 1 {
		fmt.Printf("| all requests | %d | %s | %s | %s |\n", len(all), ms(measure.Percentile(all, 0.5)), ms(measure.Percentile(all, 0.99)), ms(measure.Percentile(all, 1)))
	}
}

// summary prints min / median / max over the interleaved rounds.
func summary(c config, as, bs []result) {
	rates := func(rs []result) []float64 {
		var out []float64
		for _, r := range rs {
			out = append(out, r.rate())
		}
		return out
	}
	p99s := func(rs []result) []float64 {
		var out []float64
		for _, r := range rs {
			out = append(out, ms64(measure.Percentile(r.all(), 0.99)))
		}
		return out
	}
	selfs := func(rs []result) []float64 {
		var out []float64
		for _, r := range rs {
			out = append(out, perUnit(r.selfCPU, r.done))
		}
		return out
	}
	fmt.Printf("\nsummary over %d interleaved pairs (min / median / max); load average %s\n", len(bs), measure.LoadAverage())
	fmt.Println("| | per second | server CPU per unit (ms) | load program CPU per unit (ms) | p99 (ms) |")
	fmt.Println("|---|---|---|---|---|")
	srv := "—"
	if len(c.pids) > 0 {
		srv = measure.SpreadOf(serverCPUPerUnit(as)).Format("%.4f")
	}
	fmt.Printf("| A baseline GET /healthz (unit: request) | %s | %s | %s | %s |\n",
		measure.SpreadOf(rates(as)).Format("%.0f"), srv, measure.SpreadOf(selfs(as)).Format("%.4f"), measure.SpreadOf(p99s(as)).Format("%.2f"))
	if len(c.pids) > 0 {
		srv = measure.SpreadOf(serverCPUPerUnit(bs)).Format("%.3f")
	}
	fmt.Printf("| B flows (unit: flow) | %s | %s | %s | %s |\n",
		measure.SpreadOf(rates(bs)).Format("%.0f"), srv, measure.SpreadOf(selfs(bs)).Format("%.3f"), measure.SpreadOf(p99s(bs)).Format("%.2f"))
}

func serverCPUPerUnit(rs []result) []float64 {
	var out []float64
	for _, r := range rs {
		out = append(out, perUnit(r.serverCPU, r.done))
	}
	return out
}

func perUnit(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return ms64(d) / float64(n)
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
