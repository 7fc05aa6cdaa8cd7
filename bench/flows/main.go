// Command flows drives complete advisor flows against a running
// `coupole serve --demo` (issue 6): open → identify by EAN → verify the
// meter number → decide (EAN) → create the delivery (SMS or letter) →
// close, each step one HTTP request, from several concurrent advisors. Test
// data (EAN and meter in place) is read from the server's database before
// any timing starts. A baseline, GET /healthz on the same server with the
// same concurrency, runs in the same invocation. Bounded by --flows and
// --duration; loopback only.
//
//	go run ./bench/flows --base http://127.0.0.1:8080 --db /tmp/coupole-2m-flows.db --flows 20000 --concurrency 32
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole/sqlstore"
)

var steps = []string{"open", "identify", "verify", "decide", "deliver", "close"}

type sample struct{ ean, meter string }

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server URL (loopback only)")
	dsn := flag.String("db", "", "the server's database, to draw EANs and meter numbers from")
	flows := flag.Int("flows", 10000, "number of flows")
	conc := flag.Int("concurrency", 32, "concurrent advisors")
	maxDur := flag.Duration("duration", 60*time.Second, "stop after this long")
	seed := flag.Uint64("seed", 1, "seed for drawing the data")
	cpuprofile := flag.String("cpuprofile", "", "write the load program's own CPU profile to this file (it shares the machine with the server)")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "flows:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*base, *dsn, *flows, *conc, *maxDur, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "flows:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(base, dsn string, flows, conc int, maxDur time.Duration, seed uint64) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--base must be a loopback address")
	}
	samples, err := draw(dsn, 4096, seed)
	if err != nil {
		return err
	}
	fmt.Printf("drew %d access points; %d flows, %d advisors\n", len(samples), flows, conc)

	// Baseline first: GET /healthz, same concurrency, same number of requests as steps.
	base1 := measure(conc, flows*len(steps)/4, maxDur, func(c *client, i int) (map[string]time.Duration, error) {
		d, err := c.call("GET", "/healthz", "", nil)
		return map[string]time.Duration{"healthz": d}, err
	}, func() (*client, error) { return &client{host: u.Host}, nil })
	report("baseline GET /healthz", base1)

	res := measure(conc, flows, maxDur, func(c *client, i int) (map[string]time.Duration, error) {
		return flow(c, samples[i%len(samples)], i)
	}, func() (*client, error) { return signIn(base, u.Host) })
	report("flows", res)
	return nil
}

// draw reads EANs with the meter in place, from a few random points of the
// EAN range.
func draw(dsn string, n int, seed uint64) ([]sample, error) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []sample
	for len(out) < n {
		start := fmt.Sprintf("541449%012d", rng.Uint64N(1e12))
		rows, err := db.Reader().QueryContext(ctx, `SELECT ean, number FROM meters WHERE removed_on IS NULL AND ean >= $1 ORDER BY ean LIMIT 64`, start)
		if err != nil {
			return nil, err
		}
		got := 0
		for rows.Next() {
			var s sample
			if err := rows.Scan(&s.ean, &s.meter); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, s)
			got++
		}
		rows.Close()
		if got == 0 && len(out) == 0 && rng.Uint64N(100) == 0 {
			return nil, fmt.Errorf("no meters in the database")
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:n], nil
}

// client is one advisor's keep-alive connection, driven by the advisor's
// goroutine alone: requests are written and responses read on it directly
// (http.Request.Write, http.ReadResponse), without a Transport's two
// goroutines per connection and their hand-offs, or a cookie jar. The load
// program shares the machine's cores with the server, so it must cost
// little.
type client struct {
	host   string
	conn   net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	cookie string // "name=value" of the session cookie
	csrf   string
}

// signIn signs in the demo advisor with an ordinary client (not timed) and
// returns a client carrying its session cookie and form token.
func signIn(base, host string) (*client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	resp, err := c.Get(base + "/signin")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	u, _ := url.Parse(base + "/signin/demo")
	var pre string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "coupole_signin_csrf" {
			pre = ck.Value
		}
	}
	resp, err = c.PostForm(base+"/signin/demo", url.Values{"account": {"demo-advisor"}, "csrf_token": {pre}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("demo sign-in: status %d (is the server running with --demo?)", resp.StatusCode)
	}
	a := &client{host: host}
	for _, ck := range resp.Cookies() {
		if ck.Name == "coupole_session" {
			a.cookie = ck.Name + "=" + ck.Value
		}
	}
	if a.cookie == "" {
		return nil, fmt.Errorf("demo sign-in: no session cookie")
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if _, err := a.call("GET", "/api/v1/me", "", &me); err != nil {
		return nil, err
	}
	a.csrf = me.CSRF
	return a, nil
}

// call sends one request and reads the whole response; the duration is
// from the first byte written to the last byte read.
func (a *client) call(method, path, body string, out any, hdr ...string) (time.Duration, error) {
	req, _ := http.NewRequest(method, "http://"+a.host+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.cookie != "" {
		req.Header.Set("Cookie", a.cookie)
	}
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	t := time.Now()
	if a.conn == nil {
		conn, err := net.Dial("tcp", a.host)
		if err != nil {
			return 0, err
		}
		a.conn, a.br, a.bw = conn, bufio.NewReader(conn), bufio.NewWriter(conn)
	}
	if err := req.Write(a.bw); err != nil {
		a.drop()
		return 0, err
	}
	if err := a.bw.Flush(); err != nil {
		a.drop()
		return 0, err
	}
	resp, err := http.ReadResponse(a.br, req)
	if err != nil {
		a.drop()
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t)
	if err != nil || resp.Close {
		a.drop()
	}
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 300 {
		return d, fmt.Errorf("%s %s: %d %s", method, path[strings.LastIndexByte(path, '/')+1:], resp.StatusCode, firstLine(b))
	}
	if out != nil {
		return d, json.Unmarshal(b, out)
	}
	return d, nil
}

func (a *client) drop() {
	if a.conn != nil {
		a.conn.Close()
		a.conn = nil
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

func flow(a *client, s sample, i int) (map[string]time.Duration, error) {
	lat := map[string]time.Duration{}
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

type result struct {
	done    int
	errors  int
	firstEr string
	elapsed time.Duration
	lat     map[string][]time.Duration
}

func measure(conc, n int, maxDur time.Duration, fn func(*client, int) (map[string]time.Duration, error), newClient func() (*client, error)) result {
	var next atomic.Int64
	var mu sync.Mutex
	res := result{lat: map[string][]time.Duration{}}
	deadline := time.Now().Add(maxDur)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := newClient()
			if err != nil {
				mu.Lock()
				res.errors++
				res.firstEr = err.Error()
				mu.Unlock()
				return
			}
			defer c.drop()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || time.Now().After(deadline) {
					return
				}
				lat, err := fn(c, i)
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
	return res
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func report(name string, r result) {
	fmt.Printf("\n%s: %d done, %d errors in %s → %.0f/s\n", name, r.done, r.errors, r.elapsed.Round(time.Millisecond), float64(r.done)/r.elapsed.Seconds())
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
		fmt.Printf("| %s | %d | %s | %s | %s |\n", k, len(ds), ms(pct(ds, 0.5)), ms(pct(ds, 0.99)), ms(pct(ds, 1)))
	}
	if len(r.lat) > 1 {
		fmt.Printf("| all requests | %d | %s | %s | %s |\n", len(all), ms(pct(all, 0.5)), ms(pct(all, 0.99)), ms(pct(all, 1)))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
