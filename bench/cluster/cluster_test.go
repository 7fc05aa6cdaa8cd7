package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Issue 18: several nodes on one PostgreSQL, for real — separate `coupole
// serve` processes, HAProxy in front when COUPOLE_TEST_HAPROXY names its
// binary. The tests need COUPOLE_TEST_POSTGRES too; .ci/run sets both.

const haproxyEnv = "COUPOLE_TEST_HAPROXY"

var coupoleBin string // built once by TestMain when a test may run

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv(sqltest.PostgresEnv) != "" || os.Getenv(pgBinEnv) != "" {
			dir, err := os.MkdirTemp("", "coupole-cluster-bin-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			coupoleBin = filepath.Join(dir, "coupole")
			build := exec.Command("go", "build", "-o", coupoleBin, "github.com/coupole/coupole/cmd/coupole")
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "building coupole:", err)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

// mustCluster starts nodes on a fresh PostgreSQL database (dsn: "" for a new
// one on COUPOLE_TEST_POSTGRES), behind HAProxy if withLB.
func mustCluster(t *testing.T, dsn string, nodes int, withLB bool) (*Cluster, string) {
	t.Helper()
	if dsn == "" && os.Getenv(sqltest.PostgresEnv) == "" {
		t.Skipf("cluster tests skipped: set %s to a PostgreSQL URL to run them", sqltest.PostgresEnv)
	}
	var lb string
	if withLB {
		if lb = os.Getenv(haproxyEnv); lb == "" {
			t.Skipf("load-balancer tests skipped: set %s to the haproxy binary to run them", haproxyEnv)
		}
	}
	if dsn == "" {
		dsn = sqltest.MustCreatePostgres(t)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c, err := Start(ctx, Config{Coupole: coupoleBin, HAProxy: lb, DSN: dsn, Nodes: nodes, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			for _, n := range c.Nodes {
				if b, err := os.ReadFile(n.LogFile); err == nil {
					t.Logf("node %d log:\n%s", n.Index, tail(b, 3000))
				}
			}
		}
	})
	return c, dsn
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func mustOpen(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sample is an access point with its meter in place.
type sample struct{ ean, meter string }

func mustSamples(t *testing.T, db *sqlstore.DB, n int) []sample {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT ean, number FROM meters WHERE removed_on IS NULL ORDER BY ean LIMIT $1`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sample
	for rows.Next() {
		var s sample
		if err := rows.Scan(&s.ean, &s.meter); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) < n {
		t.Fatalf("%d access points with a meter, want %d", len(out), n)
	}
	return out
}

// TestClusterSharedState: what one node counts or revokes, every node sees
// (issue 18, item 2; S6, I4). Two nodes, reached directly.
func TestClusterSharedState(t *testing.T) {
	c, dsn := mustCluster(t, "", 2, false)
	db := mustOpen(t, dsn)
	a, b := c.Nodes[0].URL(), c.Nodes[1].URL()
	samples := mustSamples(t, db, 2)

	t.Run("verification budget spent across nodes", func(t *testing.T) {
		adv := mustSignIn(t, a, "demo-advisor")
		nodes := []*staff{adv, adv.at(b)}
		// verify opens an interaction on node, identifies ean and tries meter.
		verify := func(s *staff, ean, meter string) (int, error) {
			var in struct{ ID string }
			if _, err := s.call("POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, &in); err != nil {
				t.Fatal(err)
			}
			p := "/api/v1/interactions/" + in.ID
			var cands struct{ Candidates []struct{ Ref string } }
			if _, err := s.call("POST", p+"/identify", `{"ean":"`+ean+`"}`, &cands); err != nil || len(cands.Candidates) == 0 {
				t.Fatalf("identify: %v (%d candidates)", err, len(cands.Candidates))
			}
			code, err := s.call("POST", p+"/verify", `{"ref":"`+cands.Candidates[0].Ref+`","meter_number":"`+meter+`"}`, nil)
			s.call("POST", p+"/close", `{"call_reasons":["ean_request"]}`, nil)
			return code, err
		}
		spent := samples[0]
		// Five wrong meter numbers, one per interaction, alternately on each
		// node: the access point's budget (5 a day) is spent in total.
		for i := range 5 {
			if code, _ := verify(nodes[i%2], spent.ean, "00000000"); code >= 500 {
				t.Fatalf("failed verification %d: status %d", i, code)
			}
		}
		for i, s := range nodes {
			if code, err := verify(s, spent.ean, spent.meter); code != 403 {
				t.Errorf("node %d: the right meter number after five failures on two nodes: %d %v, want 403 (budget spent)", i, code, err)
			}
		}
		// Control: an access point with its budget untouched verifies.
		if code, err := verify(nodes[1], samples[1].ean, samples[1].meter); code != 200 {
			t.Errorf("untouched access point: %d %v, want 200", code, err)
		}
	})

	t.Run("a delivery retried on another node with its idempotency key is the same delivery", func(t *testing.T) {
		adv := mustSignIn(t, a, "demo-advisor")
		onB := adv.at(b)
		smp := samples[1]
		var in struct{ ID string }
		if _, err := adv.call("POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, &in); err != nil {
			t.Fatal(err)
		}
		p := "/api/v1/interactions/" + in.ID
		var cands struct{ Candidates []struct{ Ref string } }
		if _, err := adv.call("POST", p+"/identify", `{"ean":"`+smp.ean+`"}`, &cands); err != nil || len(cands.Candidates) == 0 {
			t.Fatalf("identify: %v", err)
		}
		if _, err := onB.call("POST", p+"/verify", `{"ref":"`+cands.Candidates[0].Ref+`","meter_number":"`+smp.meter+`"}`, nil); err != nil {
			t.Fatal(err)
		}
		var d struct{ Outcome string }
		if _, err := adv.call("POST", p+"/decide", `{"item":"ean"}`, &d); err != nil || (d.Outcome != "sms" && d.Outcome != "letter") {
			t.Fatalf("decide: %q %v", d.Outcome, err)
		}
		var first, again struct{ ID string }
		codeA, err := adv.call("POST", p+"/deliveries", `{"item":"ean"}`, &first, "Idempotency-Key", "cross-node-1")
		if err != nil || codeA != http.StatusCreated {
			t.Fatalf("delivery on node A: %d %v", codeA, err)
		}
		codeB, err := onB.call("POST", p+"/deliveries", `{"item":"ean"}`, &again, "Idempotency-Key", "cross-node-1")
		if err != nil || codeB != http.StatusOK || again.ID != first.ID {
			t.Errorf("the same request on node B: %d %q %v, want 200 and delivery %q", codeB, again.ID, err, first.ID)
		}
		var n int
		db.Reader().QueryRow(`SELECT count(*) FROM deliveries WHERE interaction_id = $1`, in.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d deliveries stored for one request sent to two nodes", n)
		}
	})

	t.Run("sign-in throttle counted across nodes", func(t *testing.T) {
		// A break-glass sign-in guessed on both nodes in turn: the account's
		// five failures a quarter of an hour are counted once, in the
		// database, under the HMAC of the name with the shared secrets.key.
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		try := func(base string) int {
			resp, err := c.Get(base + "/signin")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			u, _ := url.Parse(base + "/signin/local")
			var pre string
			for _, ck := range jar.Cookies(u) {
				if ck.Name == "coupole_signin_csrf" {
					pre = ck.Value
				}
			}
			resp, err = c.PostForm(base+"/signin/local", url.Values{"user": {"bg-guessed"}, "password": {"wrong password"}, "totp": {"123456"}, "csrf_token": {pre}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for i := range 5 {
			if code := try([]string{a, b}[i%2]); code == http.StatusTooManyRequests || code >= 500 {
				t.Fatalf("failed sign-in %d: status %d", i, code)
			}
		}
		for i, base := range []string{a, b} {
			if code := try(base); code != http.StatusTooManyRequests {
				t.Errorf("node %d: sixth guess after five on two nodes: %d, want 429", i, code)
			}
		}
	})

	t.Run("revocation on one node ends the session on the other within a second", func(t *testing.T) {
		admin := mustSignIn(t, a, "demo-it-admin")
		victim := mustSignIn(t, b, "demo-cpas-advisor")
		if code, err := victim.call("GET", "/api/v1/me", "", nil); code != 200 {
			t.Fatalf("victim before revocation: %d %v", code, err)
		}
		if code, err := admin.call("POST", "/api/v1/staff/"+victim.id+"/revoke", `{"reason":"issue 18 cross-node test"}`, nil); code != 200 {
			t.Fatalf("revoke on node A: %d %v", code, err)
		}
		// Staleness is measured from the revocation's answer to the start of
		// the last request node B still served: a slow answer on a busy
		// machine does not count, a session served more than a second later
		// does.
		revoked := time.Now()
		served := time.Duration(-1) // start of the last request served, after the revocation
		var refusedAfter time.Duration
		for {
			sent := time.Since(revoked)
			code, _ := victim.call("GET", "/api/v1/me", "", nil)
			if code == 401 {
				refusedAfter = sent
				break
			}
			if code == 200 {
				served = sent
			}
			if sent > 10*time.Second {
				t.Fatalf("node B still serves the revoked session 10 s after the revocation on node A (status %d)", code)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if served >= time.Second {
			t.Errorf("node B served the revoked session in a request sent %v after node A revoked it", served)
		}
		if served < 0 {
			t.Logf("node B refused the revoked session from the first request sent after the revocation on node A (sent %v after it)", refusedAfter.Round(time.Millisecond))
		} else {
			t.Logf("node B served the revoked session until %v after the revocation on node A, refused it from %v", served.Round(time.Millisecond), refusedAfter.Round(time.Millisecond))
		}
	})
}

// TestClusterKillNode kills one of three nodes with SIGKILL under advisor-flow
// load through HAProxy (issue 18, item 4).
func TestClusterKillNode(t *testing.T) {
	c, dsn := mustCluster(t, "", 3, true)
	db := mustOpen(t, dsn)
	samples := mustSamples(t, db, 200)
	stop := make(chan struct{})
	l := runLoad(t, c.URL, samples, 8, stop)
	time.Sleep(3 * time.Second)
	before := l.flows.Load()
	c.Kill(1)
	t.Logf("node 1 killed after %d flows", before)
	time.Sleep(5 * time.Second)
	after := l.flows.Load()
	close(stop)
	l.wait()
	if after <= before {
		t.Errorf("no flow completed after node 1 was killed (%d before, %d after)", before, after)
	}
	checkNothingLost(t, c, dsn, db, l)
}
