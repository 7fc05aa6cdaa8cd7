package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Concurrency and availability of the real server (issue 10, item 1): a
// double click must never freeze it. Each test runs its own
// `coupole serve --demo` on a fresh database, so that a server it breaks
// breaks no other test, and so that it can stop it as SIGTERM would.
// Every wait is bounded: a request that never answers fails the test
// instead of hanging it.

// answerWithin bounds every request of these tests; the server's own
// request deadline (--request-timeout) is shorter, so a request that hits
// this bound was never answered at all.
const answerWithin = 20 * time.Second

// liveServer is a `coupole serve --demo` this test started and may stop.
type liveServer struct {
	*e2eServer
	cancel context.CancelFunc
	exited chan struct{} // closed once run has returned
	code   int           // run's exit code, once exited is closed
}

// engineDSNs lists a fresh database per engine: a SQLite file, and a new
// PostgreSQL database when COUPOLE_TEST_POSTGRES is set.
func forEachServeEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "coupole.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, sqltest.MustCreatePostgres(t)) })
}

// mustServe starts `coupole serve --demo` on dsn with args added, and
// returns once it listens. The server is stopped when the test ends.
func mustServe(t *testing.T, dsn string, args ...string) *liveServer {
	t.Helper()
	dir := t.TempDir()
	ref := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }, Clock: &coupole.FixedClock{T: ref}}
	ctx, cancel := context.WithCancel(context.Background())
	s := &liveServer{cancel: cancel, exited: make(chan struct{})}
	argv := append([]string{"serve", "--demo", "--db", dsn, "--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--log-level", "warn", "--shutdown-timeout", "2s"}, args...)
	go func() {
		defer close(s.exited)
		s.code = run(ctx, env, argv)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.exited:
		case <-time.After(answerWithin):
			t.Errorf("the server did not stop within %s of its context's end", answerWithin)
		}
		if s.e2eServer != nil {
			s.db.Close()
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if _, rest, ok := strings.Cut(out.String(), "Coupole is running at "); ok {
			base := strings.TrimSuffix(strings.Fields(rest)[0], "/")
			db, err := sqlstore.Open(context.Background(), strings.TrimPrefix(dsn, "sqlite:"))
			if err != nil {
				t.Fatal(err)
			}
			s.e2eServer = &e2eServer{base: base, db: db, audit: audit.NewReader(sqlstore.NewAuditStore(db)), stderr: errOut, stdout: out, ref: ref}
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("serve exited with %d: %s", s.code, errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start: %s", errOut.String())
	return nil
}

// answer is what one request got: its status, or the error of a request
// that was not answered.
type answer struct {
	status int
	body   string
	err    error
}

// send makes one request with the client's session, bounded by
// answerWithin. Safe from any goroutine (it never calls t.Fatal).
func (c *client) send(method, path, body string, headers ...string) answer {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.srv.base+path, rd)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if method != "GET" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), err: err}
}

// readyz asks /readyz without a session, bounded by answerWithin.
func (s *liveServer) readyz() answer {
	c := &client{srv: s.e2eServer, http: &http.Client{}}
	return c.send("GET", "/readyz", "")
}

// concurrently runs n copies of fn at once and returns their answers.
func concurrently(n int, fn func(i int) answer) []answer {
	out := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// mustVerifiedCaller opens an interaction for the current occupant of an
// annual electricity point with a registered mobile, identifies and
// verifies them: the EAN may then go by SMS (D4).
func mustVerifiedCaller(t *testing.T, s *liveServer, c *client) (id string, ean coupole.EAN, customer string) {
	t.Helper()
	ean, customer, meter := s.currentOccupant(t, "annual", "electricity", true)
	id = c.open("phone", "customer")
	if _, ok := c.identifyAndVerify(id, ean, meter); !ok {
		t.Fatal("right meter number not verified")
	}
	return id, ean, customer
}

// countDeliveries counts the deliveries stored under staffID and key.
func countDeliveries(t *testing.T, s *liveServer, staffID, key string) int {
	t.Helper()
	var n int
	if err := s.db.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE staff_id = $1 AND idempotency_key = $2`, staffID, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (c *client) staffID(t *testing.T) string {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	if st := c.do("GET", "/api/v1/me", "", &me); st != 200 || me.ID == "" {
		t.Fatalf("/api/v1/me: %d %+v", st, me)
	}
	return me.ID
}

// TestDoubleClickDeliveryT1_D4 is issue 10 item 1 as the outside test saw
// it: 16 identical deliveries with one Idempotency-Key at once. Each must
// be answered — one 201, the others replays (200) — the server must stay
// ready, and exactly one delivery must exist.
func TestDoubleClickDeliveryT1_D4(t *testing.T) {
	forEachServeEngine(t, func(t *testing.T, dsn string) {
		s := mustServe(t, dsn)
		c := s.signIn(t, "demo-advisor")
		id, _, _ := mustVerifiedCaller(t, s, c)
		staffID := c.staffID(t)
		// A few rounds: the requests of one round must land in one group
		// commit for the fault to show, which a round may miss.
		for round := range 8 {
			key := fmt.Sprintf("double-click-%d", round)
			got := concurrently(16, func(int) answer {
				return c.send("POST", "/api/v1/interactions/"+id+"/deliveries", `{"item":"ean"}`, "Idempotency-Key", key)
			})
			created := 0
			for i, a := range got {
				switch {
				case a.err != nil:
					t.Errorf("round %d, request %d not answered: %v", round, i, a.err)
				case a.status == http.StatusCreated:
					created++
				case a.status == http.StatusOK && strings.Contains(a.body, `"replayed":true`):
				default:
					t.Errorf("round %d, request %d: %d %s", round, i, a.status, a.body)
				}
			}
			if created != 1 {
				t.Errorf("round %d: %d deliveries created (201), want exactly 1", round, created)
			}
			if n := countDeliveries(t, s, staffID, key); n != 1 {
				t.Errorf("round %d: %d deliveries stored under one key, want 1", round, n)
			}
			if t.Failed() {
				break
			}
		}
		if a := s.readyz(); a.err != nil || a.status != 200 {
			t.Errorf("/readyz after the double clicks: %d %v %s", a.status, a.err, a.body)
		}
	})
}

// lockStore makes the server's database stuck for writes, from another
// connection, as a long migration, a backup or a runaway session would:
// on SQLite it holds the write lock, on PostgreSQL an exclusive lock on the
// audit log, which every traced request writes. release undoes it.
func lockStore(t *testing.T, dsn string) (release func()) {
	t.Helper()
	var db *sql.DB
	var err error
	stmt := ""
	if strings.HasPrefix(dsn, "postgres") {
		db, err = sql.Open("pgx", dsn)
		stmt = "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE"
	} else {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)&_txlock=immediate")
		stmt = "UPDATE audit_state SET erased_below = erased_below"
	}
	if err != nil {
		t.Fatal(err)
	}
	// No deadline: the transaction must outlive this function.
	tx, err := db.BeginTx(context.Background(), nil)
	if err == nil {
		_, err = tx.ExecContext(context.Background(), stmt)
	}
	if err != nil {
		db.Close()
		t.Fatalf("lock the database: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			tx.Rollback()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestStuckStoreReadyzAndShutdown (issue 10, item 1): with the database
// stuck, every request is answered by its deadline (503), /readyz answers
// at once, the server recovers when the database does, and SIGTERM stops
// it within the shutdown grace period plus a small bound although a write
// is still waiting.
func TestStuckStoreReadyzAndShutdown(t *testing.T) {
	forEachServeEngine(t, func(t *testing.T, dsn string) {
		s := mustServe(t, dsn, "--request-timeout", "2s", "--shutdown-timeout", "1s")
		c := s.signIn(t, "demo-advisor")
		c.open("phone", "customer")
		open := func(int) answer {
			return c.send("POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`)
		}

		release := lockStore(t, dsn)
		for i, a := range concurrently(4, open) {
			if a.err != nil || a.status != http.StatusServiceUnavailable {
				t.Errorf("write %d with the database stuck: %d %v %.200s; want 503 by the request deadline", i, a.status, a.err, a.body)
			}
		}
		start := time.Now()
		if a := s.readyz(); a.err != nil || (a.status != 200 && a.status != 503) || time.Since(start) > 5*time.Second {
			t.Errorf("/readyz with the database stuck: %d %v after %s", a.status, a.err, time.Since(start))
		}

		release()
		if a := s.readyz(); a.status != 200 {
			t.Errorf("/readyz once the database answers again: %d %v %s", a.status, a.err, a.body)
		}
		if a := open(0); a.status != http.StatusCreated {
			t.Errorf("write once the database answers again: %d %v %.200s", a.status, a.err, a.body)
		}

		lockStore(t, dsn)
		inFlight := make(chan answer, 1)
		go func() { inFlight <- open(0) }()
		time.Sleep(200 * time.Millisecond) // let it reach the database
		start = time.Now()
		s.cancel() // what SIGTERM does (main.go)
		// The grace period (1s), the audit log's CloseTimeout (5s), and some.
		const bound = 1*time.Second + 5*time.Second + 3*time.Second
		select {
		case <-s.exited:
			t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
		case <-time.After(bound):
			t.Fatalf("the server still runs %s after SIGTERM with a write stuck", bound)
		}
		<-inFlight
	})
}

// burstRequest is one write endpoint of the burst, sent by who, and the
// statuses it may answer.
type burstRequest struct {
	name       string
	who        *client
	path, body string
	headers    []string
	allowed    []int
}

// TestConcurrentWritesWithSameKeysT1 (issue 10, item 1): every write
// endpoint at once, several copies of each with the same keys (the same
// Idempotency-Key, the same interaction, the same customer): every request
// is answered, with one of its expected statuses and never a 5xx; the
// server is still ready and still serves traced requests afterwards; one
// delivery exists per key and one close took effect.
func TestConcurrentWritesWithSameKeysT1(t *testing.T) {
	forEachServeEngine(t, func(t *testing.T, dsn string) {
		s := mustServe(t, dsn, "--request-timeout", "10s")
		adv := s.signIn(t, "demo-advisor")
		cpasAdv := s.signIn(t, "demo-cpas-advisor")
		privacy := s.signIn(t, "demo-privacy-officer")
		admin := s.signIn(t, "demo-it-admin")

		ean, customer, meter := s.currentOccupant(t, "annual", "electricity", true)
		a := adv.open("phone", "customer")
		ref, ok := adv.identifyAndVerify(a, ean, meter)
		if !ok {
			t.Fatal("right meter number not verified")
		}
		b := adv.open("phone", "customer")
		var cpasID string
		s.pick(t, `SELECT id FROM cpas ORDER BY id LIMIT 1`, &cpasID)
		// A plausible index: a little above the meter's last one.
		var day, night, excl float64
		err := s.db.Reader().QueryRow(`SELECT day_kwh, night_kwh, excl_night_kwh FROM readings WHERE ean = $1 AND meter_number = $2 ORDER BY read_on DESC LIMIT 1`,
			string(ean), meter).Scan(&day, &night, &excl)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		reading := fmt.Sprintf(`{"day_kwh":%g,"night_kwh":%g,"exclusive_night_kwh":%g}`, day+3, night+1, excl)

		on := func(id, step string) string { return "/api/v1/interactions/" + id + "/" + step }
		burst := []burstRequest{
			{"open", adv, "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, nil, []int{201}},
			{"open CPAS line", cpasAdv, "/api/v1/cpas-line/interactions", fmt.Sprintf(`{"cpas_id":%q}`, cpasID), nil, []int{201}},
			{"identify", adv, on(a, "identify"), fmt.Sprintf(`{"ean":%q}`, ean), nil, []int{200}},
			{"select", adv, on(a, "select"), fmt.Sprintf(`{"ref":%q}`, ref), nil, []int{200}},
			{"verify", adv, on(a, "verify"), fmt.Sprintf(`{"ref":%q,"meter_number":%q}`, ref, meter), nil, []int{200}},
			{"decide", adv, on(a, "decide"), `{"item":"ean"}`, nil, []int{200}},
			{"delivery k1", adv, on(a, "deliveries"), `{"item":"ean"}`, []string{"Idempotency-Key", "burst-k1"}, []int{200, 201}},
			{"delivery k2", adv, on(a, "deliveries"), `{"item":"ean"}`, []string{"Idempotency-Key", "burst-k2"}, []int{200, 201}},
			// One index a day per meter: the others find it taken.
			{"reading", adv, on(a, "readings"), reading, nil, []int{201, 409}},
			// Once closed, the interaction is no longer the advisor's
			// to work on (403) or found closed (409).
			{"close", adv, on(b, "close"), `{"call_reasons":["outage"]}`, nil, []int{200, 403, 409}},
			{"public info", adv, "/api/v1/public-info", `{"postcode":"5000"}`, nil, []int{200}},
			{"public info in a call", adv, "/api/v1/public-info", fmt.Sprintf(`{"interaction_id":%q,"postcode":"5000"}`, a), nil, []int{200}},
			{"break-glass request", privacy, "/api/v1/breakglass", fmt.Sprintf(`{"customer_id":%q,"reason":"concurrency test","minutes":5}`, customer), nil, []int{201}},
			{"set roles", admin, "/api/v1/staff/demo-back-office/roles", `{"roles":["back_office"]}`, nil, []int{200}},
		}
		const copies = 4
		got := concurrently(len(burst)*copies, func(i int) answer {
			r := burst[i%len(burst)]
			return r.who.send("POST", r.path, r.body, r.headers...)
		})
		count := map[string]map[int]int{}
		for i, ans := range got {
			r := burst[i%len(burst)]
			if count[r.name] == nil {
				count[r.name] = map[int]int{}
			}
			count[r.name][ans.status]++
			switch {
			case ans.err != nil:
				t.Errorf("%s: not answered: %v", r.name, ans.err)
			case !slices.Contains(r.allowed, ans.status):
				t.Errorf("%s: %d %.300s; want one of %v", r.name, ans.status, ans.body, r.allowed)
			}
		}
		for _, name := range []string{"delivery k1", "delivery k2", "reading"} { // an index given twice at once is acknowledged once
			if count[name][201] != 1 {
				t.Errorf("%s: %d created (201) of %d, want exactly 1: %v", name, count[name][201], copies, count[name])
			}
		}
		if count["close"][200] != 1 {
			t.Errorf("close: %d closed (200) of %d, want exactly 1: %v", count["close"][200], copies, count["close"])
		}
		t.Logf("statuses by request: %v", count)
		staffID := adv.staffID(t)
		for _, key := range []string{"burst-k1", "burst-k2"} {
			if n := countDeliveries(t, s, staffID, key); n != 1 {
				t.Errorf("%d deliveries stored under %s, want 1", n, key)
			}
		}
		var readings int
		if err := s.db.Reader().QueryRow(`SELECT count(*) FROM readings WHERE ean = $1 AND read_on = $2 AND source = 'contact_center'`, string(ean), s.ref.Format(time.DateOnly)).Scan(&readings); err != nil || readings != 1 {
			t.Errorf("%d readings stored for the day (%v), want 1", readings, err)
		}
		if ans := s.readyz(); ans.status != 200 {
			t.Errorf("/readyz after the burst: %d %v %s", ans.status, ans.err, ans.body)
		}
		if ans := adv.send("GET", "/api/v1/interactions/"+a, ""); ans.status != 200 {
			t.Errorf("a traced read after the burst: %d %v %.200s", ans.status, ans.err, ans.body)
		}
	})
}
