package main

import (
	"database/sql"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pgBinEnv names the directory of PostgreSQL's server programs (initdb,
// pg_ctl): the restart test starts a PostgreSQL of its own there, never
// restarting a server others use.
const pgBinEnv = "COUPOLE_TEST_PGBIN"

// throwawayPostgres is a PostgreSQL cluster this test initialised and may stop.
type throwawayPostgres struct {
	bin, data, port string
	asUser          []string // runs a program as the postgres user when this test is root
}

func (p *throwawayPostgres) ctl(t *testing.T, args ...string) {
	t.Helper()
	argv := append(append([]string{}, p.asUser...), append([]string{filepath.Join(p.bin, "pg_ctl"), "-D", p.data}, args...)...)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (p *throwawayPostgres) start(t *testing.T) {
	t.Helper()
	p.ctl(t, "-w", "-t", "60", "-l", filepath.Join(filepath.Dir(p.data), "postgres.log"), "-o",
		"-p "+p.port+" -c listen_addresses=127.0.0.1 -k "+filepath.Dir(p.data)+" -c max_connections=200", "start")
}

// mustThrowawayPostgres initialises and starts a PostgreSQL cluster on a free
// port and returns it with the URL of a new database in it.
func mustThrowawayPostgres(t *testing.T) (*throwawayPostgres, string) {
	t.Helper()
	bin := os.Getenv(pgBinEnv)
	if bin == "" {
		t.Skipf("PostgreSQL restart test skipped: set %s to PostgreSQL's bin directory (e.g. /usr/lib/postgresql/15/bin)", pgBinEnv)
	}
	dir, err := os.MkdirTemp("", "coupole-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := &throwawayPostgres{bin: bin, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 { // initdb refuses root
		if out, err := exec.Command("chown", "postgres:", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
		p.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	p.port = addr[strings.LastIndexByte(addr, ':')+1:]
	argv := append(append([]string{}, p.asUser...), filepath.Join(bin, "initdb"), "-D", p.data, "-U", "coupole", "-A", "trust", "--no-sync")
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start(t)
	t.Cleanup(func() {
		argv := append(append([]string{}, p.asUser...), filepath.Join(bin, "pg_ctl"), "-D", p.data, "-m", "immediate", "stop")
		exec.Command(argv[0], argv[1:]...).Run()
	})
	admin, err := sql.Open("pgx", "postgres://coupole@127.0.0.1:"+p.port+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE coupole"); err != nil {
		t.Fatal(err)
	}
	return p, "postgres://coupole@127.0.0.1:" + p.port + "/coupole?sslmode=disable"
}

// readyz returns node's /readyz status (0: no answer).
func readyz(n *Node) int {
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(n.URL() + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestClusterPostgresRestart stops and restarts PostgreSQL under advisor-flow
// load (issue 18, item 4): the nodes report unready while it is down, become
// ready again by themselves, and nothing acknowledged is lost.
func TestClusterPostgresRestart(t *testing.T) {
	pg, dsn := mustThrowawayPostgres(t)
	c, _ := mustCluster(t, dsn, 2, os.Getenv(haproxyEnv) != "")
	db := mustOpen(t, dsn)
	samples := mustSamples(t, db, 200)
	stop := make(chan struct{})
	l := runLoad(t, c.URL, samples, 6, stop)
	time.Sleep(2 * time.Second)
	before := l.flows.Load()
	pg.ctl(t, "-w", "-m", "fast", "stop")
	down := time.Now()
	for _, n := range c.Nodes {
		for code := readyz(n); code != http.StatusServiceUnavailable; code = readyz(n) {
			if time.Since(down) > 10*time.Second {
				t.Fatalf("node %d: /readyz answers %d 10 s after PostgreSQL stopped, want 503", n.Index, code)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("every node unready %v after PostgreSQL stopped (%d flows before)", time.Since(down).Round(time.Millisecond), before)
	time.Sleep(2 * time.Second)
	pg.start(t)
	up := time.Now()
	for _, n := range c.Nodes {
		for code := readyz(n); code != http.StatusOK; code = readyz(n) {
			if time.Since(up) > 30*time.Second {
				t.Fatalf("node %d: /readyz answers %d 30 s after PostgreSQL restarted", n.Index, code)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("every node ready again %v after PostgreSQL restarted", time.Since(up).Round(time.Millisecond))
	mid := l.flows.Load()
	time.Sleep(4 * time.Second)
	close(stop)
	l.wait()
	if after := l.flows.Load(); after <= mid {
		t.Errorf("no flow completed after PostgreSQL came back (%d then %d)", mid, after)
	}
	checkNothingLost(t, c, dsn, db, l)
}
