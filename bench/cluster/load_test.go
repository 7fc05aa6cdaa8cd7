package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coupole/coupole/sqlstore"
)

// Advisor-flow load through the load balancer, and what must hold after it
// whatever failed meanwhile (issue 18, item 4).

// load runs advisor flows through base from advisors goroutines until stop
// is closed. A step that gets no answer or a 5xx is retried: the delivery
// with its idempotency key until it is acknowledged; another step's retry
// ends the flow (the advisor starts a new call), since it may have happened.
type load struct {
	mu         sync.Mutex
	steps      map[string]int    // interaction → steps acknowledged
	deliveries map[string]string // idempotency key → delivery id acknowledged
	flows      atomic.Int64
	failures   atomic.Int64 // requests that got no answer or a 5xx
	replays    atomic.Int64 // deliveries acknowledged after a retry
	errs       []string
	wait       func()
}

func runLoad(t *testing.T, base string, samples []sample, advisors int, stop <-chan struct{}) *load {
	l := &load{steps: map[string]int{}, deliveries: map[string]string{}}
	var wg sync.WaitGroup
	for w := range advisors {
		s := mustSignIn(t, base, "demo-advisor")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				l.flow(s, samples[(w*7919+i)%len(samples)], fmt.Sprintf("k-%d-%d", w, i))
			}
		}()
	}
	l.wait = wg.Wait
	return l
}

func (l *load) ack(id string) {
	l.mu.Lock()
	l.steps[id]++
	l.mu.Unlock()
}

// retryable: no answer, or the node or the balancer failed.
func retryable(code int) bool { return code == 0 || code >= 500 }

func (l *load) flow(s *staff, smp sample, key string) {
	var in struct{ ID string }
	code, err := s.call("POST", "/api/v1/interactions", `{"channel":"phone","requester":"customer"}`, &in)
	if err != nil {
		l.fail(code, err)
		return
	}
	l.ack(in.ID)
	p := "/api/v1/interactions/" + in.ID
	step := func(path, body string, out any) bool {
		code, err := s.call("POST", p+path, body, out)
		if err != nil {
			l.fail(code, err)
			return false
		}
		l.ack(in.ID)
		return true
	}
	var cands struct{ Candidates []struct{ Ref string } }
	if !step("/identify", `{"ean":"`+smp.ean+`"}`, &cands) || len(cands.Candidates) == 0 {
		return
	}
	if !step("/verify", `{"ref":"`+cands.Candidates[0].Ref+`","meter_number":"`+smp.meter+`"}`, nil) {
		return
	}
	var d struct{ Outcome string }
	if !step("/decide", `{"item":"ean"}`, &d) {
		return
	}
	if d.Outcome == "sms" || d.Outcome == "letter" {
		var del struct{ ID string }
		for attempt := 0; ; attempt++ {
			code, err := s.call("POST", p+"/deliveries", `{"item":"ean"}`, &del, "Idempotency-Key", key)
			if err == nil {
				l.ack(in.ID)
				l.mu.Lock()
				if prev, ok := l.deliveries[key]; ok && prev != del.ID {
					l.errs = append(l.errs, fmt.Sprintf("idempotency key %s gave two deliveries", key))
				}
				l.deliveries[key] = del.ID
				l.mu.Unlock()
				if attempt > 0 {
					l.replays.Add(1)
				}
				break
			}
			l.fail(code, err)
			if !retryable(code) || attempt == 20 {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if step("/close", `{"call_reasons":["ean_request"]}`, nil) {
		l.flows.Add(1)
	}
}

func (l *load) fail(code int, err error) {
	if retryable(code) {
		l.failures.Add(1)
		time.Sleep(50 * time.Millisecond) // as a person would wait before trying again
		return
	}
	l.mu.Lock()
	if len(l.errs) < 20 {
		l.errs = append(l.errs, err.Error())
	}
	l.mu.Unlock()
}

// checkNothingLost checks, once the load stopped, that every acknowledged
// step left its trace event, every acknowledged delivery is stored, no SMS
// went to the gateway twice, and the exported log verifies (issue 18, item 4;
// T1, T2).
func checkNothingLost(t *testing.T, c *Cluster, dsn string, db *sqlstore.DB, l *load) {
	t.Helper()
	ctx := context.Background()
	for _, e := range l.errs {
		t.Errorf("load: %s", e)
	}
	events := map[string]int{}
	rows, err := db.Reader().QueryContext(ctx, `SELECT interaction, count(*) FROM audit_log WHERE interaction IS NOT NULL GROUP BY interaction`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		events[id] = n
	}
	rows.Close()
	steps := 0
	for id, n := range l.steps {
		steps += n
		if events[id] < n {
			t.Errorf("interaction %s: %d steps acknowledged, %d trace events in the log", id, n, events[id])
		}
	}
	for key, id := range l.deliveries {
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE id = $1`, id).Scan(&n); err != nil || n != 1 {
			t.Errorf("delivery %s (key %s) acknowledged but not stored: %d %v", id, key, n, err)
		}
	}
	// Let the workers send what is due (not what the killed node had leased:
	// its lease runs for minutes, and that delivery is sent once it expires,
	// under the same idempotency key).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var waiting int
		db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE kind = 'sms' AND status IN ('pending', 'failed') AND lease_owner = ''`).Scan(&waiting)
		if waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%d SMS deliveries still waiting 30 s after the load", waiting)
			break
		}
	}
	got := c.Gateway.Received()
	byKey := map[string]int{}
	for _, m := range got {
		byKey[m.Key]++
	}
	if req := c.Gateway.Requests(); req != len(got) {
		t.Errorf("the SMS gateway got %d requests for %d messages: a delivery was sent more than once", req, len(got))
	}
	var sent int
	rows, err = db.Reader().QueryContext(ctx, `SELECT id FROM deliveries WHERE kind = 'sms' AND status = 'sent'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		sent++
		if byKey[id] != 1 {
			t.Errorf("SMS delivery %s is sent, the gateway holds %d messages for it", id, byKey[id])
		}
	}
	rows.Close()
	t.Logf("%d flows, %d steps acknowledged, %d requests failed (no answer or 5xx), %d deliveries acknowledged after a retry, %d SMS sent, %d gateway requests",
		l.flows.Load(), steps, l.failures.Load(), l.replays.Load(), sent, c.Gateway.Requests())
	if steps == 0 || sent == 0 {
		t.Error("the load acknowledged nothing: the test proves nothing")
	}
	mustExportAndVerify(t, c, dsn)
}

// mustExportAndVerify exports the log with `coupole audit export` and checks
// the bundle with `coupole audit verify` and the shared verifier key.
func mustExportAndVerify(t *testing.T, c *Cluster, dsn string) {
	t.Helper()
	bundle := filepath.Join(t.TempDir(), "audit.bundle")
	out, err := exec.Command(coupoleBin, "audit", "export", "--db", dsn, "--data-dir", c.Nodes[0].DataDir, "-o", bundle).CombinedOutput()
	if err != nil {
		t.Fatalf("coupole audit export: %v\n%s", err, out)
	}
	out, err = exec.Command(coupoleBin, "audit", "verify", "--key", c.Verifier, bundle).CombinedOutput()
	if err != nil {
		t.Fatalf("coupole audit verify: %v\n%s", err, out)
	}
	t.Logf("coupole audit verify: %s", strings.TrimSpace(string(out)))
}
