package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound/sms"
)

// A cluster is what issue 18 asks a deployment to be: several `coupole
// serve` processes, one PostgreSQL, a real load balancer (HAProxy) in front,
// all on loopback. The nodes share the database and, as an operator would
// arrange, the data directory's keys (the audit signing key and the secret
// key); each has its own data directory otherwise. A local SMS gateway (the
// one `serve --demo` would start in-process) is shared by all nodes, so that
// a message sent twice by two nodes would be seen twice.

// Config says what to start.
type Config struct {
	Coupole string   // the coupole binary
	HAProxy string   // the haproxy binary; empty: no load balancer (URL is node 0's)
	DSN     string   // the PostgreSQL database, created; migrated by node 0
	Nodes   int      // number of coupole serve processes
	Dir     string   // working directory: data directories, logs, HAProxy's configuration
	Args    []string // more flags for every node
}

// Cluster is a running cluster.
type Cluster struct {
	cfg      Config
	Nodes    []*Node
	URL      string // the load balancer's (or node 0's) base URL
	Verifier string // the audit verifier key of the shared signing key
	Gateway  *sms.LocalGateway
	haproxy  *exec.Cmd
	haDone   chan struct{}
}

// Node is one coupole serve process.
type Node struct {
	Index   int
	Addr    string // host:port it listens on
	DataDir string
	LogFile string
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
}

// URL is the node's own base URL, bypassing the load balancer.
func (n *Node) URL() string { return "http://" + n.Addr }

// Start starts the gateway, node 0 (which migrates and fills the demo data),
// then the other nodes with node 0's keys, then HAProxy, and returns once
// every node is ready and the load balancer answers.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.Nodes < 1 {
		cfg.Nodes = 1
	}
	gw, err := sms.StartLocalGateway()
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, Gateway: gw}
	gwConf := filepath.Join(cfg.Dir, "sms-gateway.json")
	b, _ := json.Marshal(map[string]string{"url": gw.URL})
	if err := os.WriteFile(gwConf, b, 0o600); err != nil {
		c.Stop()
		return nil, err
	}
	for i := range cfg.Nodes {
		addr, err := freeAddr()
		if err != nil {
			c.Stop()
			return nil, err
		}
		n := &Node{Index: i, Addr: addr, DataDir: filepath.Join(cfg.Dir, fmt.Sprintf("node%d", i)), LogFile: filepath.Join(cfg.Dir, fmt.Sprintf("node%d.log", i))}
		if err := os.MkdirAll(n.DataDir, 0o700); err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	// Node 0 first: it migrates, seeds and creates the keys the others share.
	if err := c.startNode(ctx, c.Nodes[0], gwConf); err != nil {
		c.Stop()
		return nil, err
	}
	if c.Verifier, err = audit.VerifierOf(c.Nodes[0].DataDir); err != nil {
		c.Stop()
		return nil, err
	}
	for _, n := range c.Nodes[1:] {
		if err := copyKeys(c.Nodes[0].DataDir, n.DataDir); err != nil {
			c.Stop()
			return nil, err
		}
		if err := c.startNode(ctx, n, gwConf); err != nil {
			c.Stop()
			return nil, err
		}
	}
	c.URL = c.Nodes[0].URL()
	if cfg.HAProxy != "" {
		if err := c.startHAProxy(ctx); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// freeAddr returns a loopback address free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// copyKeys copies the regular files at the top of node 0's data directory
// (the audit signing key, the secret key): every node of a deployment must
// sign with the same key and open what the others sealed.
func copyKeys(from, to string) error {
	es, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range es {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) startNode(ctx context.Context, n *Node, gwConf string) error {
	logf, err := os.OpenFile(n.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	args := append([]string{"serve", "--demo", "--db", c.cfg.DSN, "--listen", n.Addr, "--data-dir", n.DataDir,
		"--log-level", "warn", "--sms-gateway-config", gwConf, "--shutdown-timeout", "5s"}, c.cfg.Args...)
	cmd := exec.Command(c.cfg.Coupole, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = os.Environ()
	if p := os.Getenv("COUPOLE_CPUPROFILE"); p != "" { // one profile per node
		cmd.Env = append(cmd.Env, fmt.Sprintf("COUPOLE_CPUPROFILE=%s.node%d", p, n.Index))
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
	if err := waitReady(ctx, n.URL()+"/readyz", exited, 120*time.Second); err != nil {
		return fmt.Errorf("node %d: %v (see %s)", n.Index, err, n.LogFile)
	}
	return nil
}

// waitReady polls url until it answers 200.
func waitReady(ctx context.Context, url string, exited <-chan struct{}, within time.Duration) error {
	deadline := time.Now().Add(within)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %s", within)
}

// haproxyConfig balances round robin over the nodes, takes a node out after
// two failed /readyz checks 250 ms apart, and retries a request on another
// node only when the connection could not be made (a request sent is never
// replayed by the load balancer: the client retries with its idempotency key).
func (c *Cluster) haproxyConfig(listen string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
	maxconn 4096
defaults
	mode http
	timeout connect 1s
	timeout client 60s
	timeout server 60s
	retries 3
	option redispatch
	option http-keep-alive
frontend coupole
	bind %s
	default_backend nodes
backend nodes
	balance roundrobin
	option httpchk GET /readyz
	http-check expect status 200
	default-server inter 250ms fall 2 rise 2
`, listen)
	for _, n := range c.Nodes {
		fmt.Fprintf(&b, "\tserver node%d %s check\n", n.Index, n.Addr)
	}
	return b.String()
}

func (c *Cluster) startHAProxy(ctx context.Context) error {
	listen, err := freeAddr()
	if err != nil {
		return err
	}
	conf := filepath.Join(c.cfg.Dir, "haproxy.cfg")
	if err := os.WriteFile(conf, []byte(c.haproxyConfig(listen)), 0o600); err != nil {
		return err
	}
	var out bytes.Buffer
	check := exec.Command(c.cfg.HAProxy, "-c", "-f", conf)
	check.Stdout, check.Stderr = &out, &out
	if err := check.Run(); err != nil {
		return fmt.Errorf("haproxy refuses its configuration: %v: %s", err, out.String())
	}
	logf, err := os.Create(filepath.Join(c.cfg.Dir, "haproxy.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(c.cfg.HAProxy, "-db", "-f", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	c.haproxy, c.haDone = cmd, make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(c.haDone) }()
	c.URL = "http://" + listen
	return waitReady(ctx, c.URL+"/readyz", c.haDone, 10*time.Second)
}

// Kill kills node i with SIGKILL, as a crash would, and waits for it to be gone.
func (c *Cluster) Kill(i int) {
	n := c.Nodes[i]
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// Stop stops HAProxy and every node (SIGTERM, then SIGKILL after 10 s) and
// the gateway.
func (c *Cluster) Stop() {
	if c.haproxy != nil {
		c.haproxy.Process.Signal(syscall.SIGTERM)
		<-c.haDone
	}
	var wg sync.WaitGroup
	for _, n := range c.Nodes {
		n.mu.Lock()
		cmd, exited := n.cmd, n.exited
		n.mu.Unlock()
		if cmd == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				cmd.Process.Signal(syscall.SIGKILL)
				<-exited
			}
		}()
	}
	wg.Wait()
	c.Gateway.Close()
}

// Describe lists the cluster's addresses.
func (c *Cluster) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "load balancer: %s\n", c.URL)
	for _, n := range c.Nodes {
		fmt.Fprintf(&b, "node %d: %s (log %s)\n", n.Index, n.URL(), n.LogFile)
	}
	fmt.Fprintf(&b, "audit verifier key: %s\n", c.Verifier)
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }
