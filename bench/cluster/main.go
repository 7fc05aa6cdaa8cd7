// Command cluster starts several `coupole serve` nodes on one PostgreSQL
// behind HAProxy, on loopback (issue 18, item 3), prints their addresses and
// runs until interrupted. Drive it with bench/flows --base <load balancer>.
//
//	go build -o /tmp/coupole ./cmd/coupole
//	go run ./bench/cluster --coupole /tmp/coupole --haproxy /usr/sbin/haproxy \
//	    --db postgres://coupole@127.0.0.1:5432/coupole --nodes 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Coupole, "coupole", "coupole", "the coupole binary")
	flag.StringVar(&cfg.HAProxy, "haproxy", "/usr/sbin/haproxy", "the haproxy binary (empty: no load balancer)")
	flag.StringVar(&cfg.DSN, "db", "", "PostgreSQL URL of an existing database (node 0 migrates it and fills the demo data if empty); a SQLite file for a one-node baseline")
	flag.IntVar(&cfg.Nodes, "nodes", 3, "number of coupole serve nodes")
	flag.StringVar(&cfg.Dir, "dir", "", "working directory (default: a new temporary one)")
	flowsBin := flag.String("flows-bin", "", "a built bench/flows: run it once against the load balancer, report CPU time per flow, and stop")
	flowsArgs := flag.String("flows-args", "--flows 3000 --concurrency 32", "arguments for --flows-bin besides --base and --db")
	flag.Parse()
	cfg.Args = flag.Args()
	if cfg.DSN == "" {
		fmt.Fprintln(os.Stderr, "cluster: --db is required")
		os.Exit(2)
	}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "coupole-cluster-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", err)
			os.Exit(1)
		}
		cfg.Dir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := Start(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
	fmt.Print(c.Describe())
	if *flowsBin != "" {
		err := c.runFlows(ctx, *flowsBin, strings.Fields(*flowsArgs), os.Stdout)
		c.Stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Println("running; interrupt to stop")
	<-ctx.Done()
	c.Stop()
}
