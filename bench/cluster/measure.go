package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to list the backends
)

// Measuring a run of bench/flows against the cluster (issue 18, item 5). The
// machine is shared, so wall-clock rates are noise; the CPU time the run cost
// is not: utime+stime of every coupole node and of every PostgreSQL backend
// serving the cluster's database, read from /proc before and after, divided
// by the flows done.

// PIDs returns the process ids of the running nodes.
func (c *Cluster) PIDs() []int {
	var out []int
	for _, n := range c.Nodes {
		n.mu.Lock()
		if n.cmd != nil && n.cmd.Process != nil {
			out = append(out, n.cmd.Process.Pid)
		}
		n.mu.Unlock()
	}
	return out
}

// cpuTicks returns utime+stime of pid in clock ticks (0 if it is gone).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// backendPIDs lists the PostgreSQL backends connected to dsn's database
// (empty for SQLite).
func backendPIDs(ctx context.Context, dsn string) []int {
	if !strings.HasPrefix(dsn, "postgres") {
		return nil
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var p int
		rows.Scan(&p)
		out = append(out, p)
	}
	return out
}

type cpuSnapshot map[int]int64

func snapshot(pids []int) cpuSnapshot {
	s := cpuSnapshot{}
	for _, p := range pids {
		s[p] = cpuTicks(p)
	}
	return s
}

// since returns the ticks spent by the processes of now since before (a
// process absent from before is counted whole: it started during the run).
func (now cpuSnapshot) since(before cpuSnapshot) int64 {
	var t int64
	for p, v := range now {
		t += v - before[p]
	}
	return t
}

var flowsLine = regexp.MustCompile(`(?m)^flows: (\d+) done, (\d+) errors in ([^ ]+) → (\d+)/s`)
var allLine = regexp.MustCompile(`(?m)^\| all requests \| \d+ \| ([^|]+) \| ([^|]+) \|`)

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// runFlows runs the bench/flows binary against the cluster's URL and prints
// its report and the CPU time per flow.
func (c *Cluster) runFlows(ctx context.Context, flowsBin string, args []string, w io.Writer) error {
	const tick = 100 // USER_HZ on Linux
	nodes := c.PIDs()
	// bench/flows signs its advisors in before timing starts; the pools are
	// warm from node start-up. Backends are listed again at the end, for
	// connections opened during the run.
	backends := backendPIDs(ctx, c.cfg.DSN)
	var before cpuSnapshot
	var load0 string
	var start time.Time
	cmd := exec.CommandContext(ctx, flowsBin, append([]string{"--base", c.URL, "--db", c.cfg.DSN}, args...)...)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		return err
	}
	// bench/flows first measures a GET /healthz baseline, then prints its
	// line and starts the flows: the CPU is counted from that line on.
	var outb strings.Builder
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		outb.WriteString(line + "\n")
		if strings.HasPrefix(line, "baseline GET /healthz:") {
			backends = append(backends, backendPIDs(ctx, c.cfg.DSN)...)
			before = snapshot(append(append([]int{}, nodes...), backends...))
			load0, start = loadavg(), time.Now()
		}
	}
	err = cmd.Wait()
	out := []byte(outb.String())
	elapsed := time.Since(start)
	backends = append(backends, backendPIDs(ctx, c.cfg.DSN)...)
	after := snapshot(append(append([]int{}, nodes...), backends...))
	w.Write(out)
	if err != nil {
		return fmt.Errorf("flows: %v", err)
	}
	m := flowsLine.FindStringSubmatch(string(out))
	if m == nil {
		return fmt.Errorf("flows: no result line")
	}
	done, _ := strconv.Atoi(m[1])
	nodeTicks := snapshot(nodes).since(cpuSnapshot(pick(before, nodes)))
	total := after.since(before)
	pgTicks := total - nodeTicks
	p99 := "?"
	if a := allLine.FindStringSubmatch(string(out)); a != nil {
		p99 = strings.TrimSpace(a[2])
	}
	perFlow := func(t int64) string {
		if done == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f ms", float64(t)*1000/tick/float64(done))
	}
	fmt.Fprintf(w, "\nRESULT nodes=%d flows/s=%s errors=%s p99(all requests)=%s cpu/flow: coupole %s + postgres %s = %s; load average %s → %s; run %s (flows only)\n",
		len(nodes), m[4], m[2], p99, perFlow(nodeTicks), perFlow(pgTicks), perFlow(total), load0, loadavg(), elapsed.Round(time.Millisecond))
	return nil
}

func pick(s cpuSnapshot, pids []int) map[int]int64 {
	out := map[int]int64{}
	for _, p := range pids {
		out[p] = s[p]
	}
	return out
}
