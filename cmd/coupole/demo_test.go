package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func TestDemoSeedCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	r := runCLI(t, nil, "", "demo", "seed", "--access-points", "300", "--seed", "4", "--db", dbPath)
	if r.code != 0 {
		t.Fatalf("demo seed: exit %d, stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{"access_points", "300", "customers", "readings", "database size"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	// Not a terminal: plain progress lines, the last at 100 %.
	if !strings.Contains(r.stderr, "100%") || strings.Contains(r.stderr, "\r") {
		t.Errorf("progress on a non-terminal should be plain lines:\n%q", r.stderr)
	}
	// Seeding again is idempotent and succeeds.
	if r := runCLI(t, nil, "", "demo", "seed", "--access-points", "300", "--seed", "4", "--db", dbPath); r.code != 0 {
		t.Fatalf("second seed: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "", "demo", "seed", "--access-points", "50", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "dry run") {
		t.Errorf("dry run: %+v", r)
	}
}

func TestDemoSeedRejectsBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"demo"}, "subcommand"},
		{[]string{"demo", "grow"}, `unknown subcommand "grow"`},
		{[]string{"demo", "seed", "--access-points", "0", "--dry-run"}, "--access-points"},
		{[]string{"demo", "seed", "--reference", "01/11/2026", "--dry-run"}, "--reference"},
		{[]string{"demo", "seed", "--batch", "0", "--dry-run"}, "--batch"},
		{[]string{"demo", "seed", "extra"}, "no arguments"},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, "", tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// serve --demo fills an empty database, and only an empty one.
func TestSeedDemoIfEmpty(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		env := &Env{Clock: &coupole.FixedClock{T: mustTime("2026-11-29")}}
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := seedDemoIfEmpty(ctx, env, db, logger); err != nil {
			t.Fatalf("seed: %v", err)
		}
		count := func() int {
			var n int
			if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM access_points").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != DemoServeAccessPoints {
			t.Fatalf("%d access points after seeding, want %d", n, DemoServeAccessPoints)
		}
		env.Clock = &coupole.FixedClock{T: mustTime("2027-03-01")} // other data if it seeded again
		if err := seedDemoIfEmpty(ctx, env, db, logger); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != DemoServeAccessPoints {
			t.Fatalf("seeded a database that was not empty: %d access points", n)
		}
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestServeDemoPrintsCallers (issue 7): serve --demo prints demo callers
// from its data, the advisor workspace shows the same, and the first one
// walks through: found by its EAN, verified by its meter number, the EAN
// asked by phone goes by SMS.
func TestServeDemoPrintsCallers(t *testing.T) {
	s := mustE2EServer(t)
	out := s.stdout.String()
	_, list, ok := strings.Cut(out, "Demo callers")
	if !ok {
		t.Fatalf("serve --demo printed no demo callers:\n%s", out)
	}
	found := regexp.MustCompile(`EAN (\d{18})  meter (\S+)`).FindAllStringSubmatch(list, -1)
	if len(found) != 3 {
		t.Fatalf("%d demo callers printed, want 3:\n%s", len(found), list)
	}
	c := s.signIn(t, "demo-advisor")
	resp, err := c.http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, f := range found[:2] {
		if !strings.Contains(string(page), f[1]) || !strings.Contains(string(page), f[2]) {
			t.Errorf("the advisor workspace does not show the demo caller of EAN %s", coupole.EAN(f[1]).Masked())
		}
	}
	id := c.open("phone", "customer")
	if _, verified := c.identifyAndVerify(id, coupole.EAN(found[0][1]), found[0][2]); !verified {
		t.Fatalf("the first demo caller's meter number does not verify")
	}
	if d := c.decide(id, "ean"); d.Outcome != "sms" {
		t.Errorf("first demo caller asks the EAN: %s (%s), want sms", d.Outcome, d.Reason)
	}
	// Closed, so the verified customer is no longer need-to-know for the
	// demo advisor in the other tests sharing this server (C1).
	if st := c.do("POST", "/api/v1/interactions/"+id+"/close", `{"call_reasons":["ean_request"]}`, nil); st != 200 {
		t.Errorf("close: %d", st)
	}
}
