package sqlstore_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

// Environment of the child processes of TestAuditSeveralNodes.
const (
	nodesDSNEnv  = "COUPOLE_AUDIT_NODES_DSN"
	nodesKeyEnv  = "COUPOLE_AUDIT_NODES_KEY"
	nodesNodeEnv = "COUPOLE_AUDIT_NODES_NODE"
)

const (
	nodesWriters = 16  // concurrent appenders per node
	nodesEach    = 100 // events per appender
)

func nodeEvent(node, g, seq int) audit.Event {
	return audit.Event{
		Actor:        fmt.Sprintf("staff-%d", g),
		Action:       "read",
		Interaction:  fmt.Sprintf("node-%d/%d/%d", node, g, seq),
		AccessPoints: []string{fmt.Sprintf("5414%014d", seq)},
		Customers:    []string{fmt.Sprintf("cust-%d-%d", node, g)},
		Data:         []string{"consumption_history"},
	}
}

// TestAuditNodeChild is one node of TestAuditSeveralNodes: its own process,
// its own audit.Log on the shared database, appending from many goroutines
// and printing every acknowledged event.
func TestAuditNodeChild(t *testing.T) {
	dsn := os.Getenv(nodesDSNEnv)
	if dsn == "" {
		t.Skip("child process of TestAuditSeveralNodes")
	}
	ctx := context.Background()
	node, _ := strconv.Atoi(os.Getenv(nodesNodeEnv))
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	signer, err := note.NewSigner(os.Getenv(nodesKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{
		Clock: coupole.SystemClock{}, Signer: signer, CheckpointEvery: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(out, format, args...)
		out.Flush()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for g := range nodesWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range nodesEach {
				idx, err := l.Append(ctx, nodeEvent(node, g, seq))
				if err != nil {
					say("error %v\n", err)
					return
				}
				say("ack %d %d %d %d\n", idx, node, g, seq)
			}
		}()
	}
	wg.Wait()
	if l.Leading() {
		say("leader\n")
	}
	if err := l.Close(); err != nil {
		say("error close: %v\n", err)
	}
}

// TestAuditSeveralNodes runs two processes appending to one PostgreSQL audit
// log at once (issue 18, item 1; T1, T2): every event is acknowledged (no
// node runs out of retries), the indexes form one sequence without gaps or
// duplicates, each acknowledged index holds its own event, and the log with
// its checkpoints verifies.
func TestAuditSeveralNodes(t *testing.T) {
	if os.Getenv(nodesDSNEnv) != "" {
		t.Skip("in a child")
	}
	dsn := mustPostgresDSN(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	skey, vkey, _ := note.GenerateKey(rand.Reader, "nodes.test/audit")
	verifier, _ := note.NewVerifier(vkey)

	const nodes = 2
	type result struct {
		acks    []ack
		leader  bool
		errors  []string
		waitErr error
	}
	results := make([]result, nodes)
	var wg sync.WaitGroup
	for n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestAuditNodeChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), nodesDSNEnv+"="+dsn, nodesKeyEnv+"="+skey, nodesNodeEnv+"="+strconv.Itoa(n))
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				results[n].waitErr = err
				return
			}
			if err := cmd.Start(); err != nil {
				results[n].waitErr = err
				return
			}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				switch {
				case len(f) == 5 && f[0] == "ack":
					var a ack
					a.idx, _ = strconv.ParseUint(f[1], 10, 64)
					a.run, _ = strconv.Atoi(f[2])
					a.g, _ = strconv.Atoi(f[3])
					a.seqn, _ = strconv.Atoi(f[4])
					results[n].acks = append(results[n].acks, a)
				case len(f) == 1 && f[0] == "leader":
					results[n].leader = true
				case len(f) > 0 && f[0] == "error":
					results[n].errors = append(results[n].errors, sc.Text())
				}
			}
			results[n].waitErr = cmd.Wait()
		}()
	}
	wg.Wait()

	byIdx := map[uint64]ack{}
	for n, r := range results {
		if r.waitErr != nil {
			t.Errorf("node %d: %v", n, r.waitErr)
		}
		for _, e := range r.errors {
			t.Errorf("node %d: %s", n, e)
		}
		if len(r.acks) != nodesWriters*nodesEach {
			t.Errorf("node %d: %d events acknowledged, want %d", n, len(r.acks), nodesWriters*nodesEach)
		}
		for _, a := range r.acks {
			if prev, dup := byIdx[a.idx]; dup {
				t.Fatalf("index %d acknowledged twice: %+v and %+v", a.idx, prev, a)
			}
			byIdx[a.idx] = a
		}
	}
	// Both nodes appended while the other did: their indexes interleave.
	var switches int
	for i := uint64(1); i < uint64(len(byIdx)); i++ {
		if byIdx[i].run != byIdx[i-1].run {
			switches++
		}
	}
	t.Logf("%d events, the writing node changed %d times along the log", len(byIdx), switches)
	if switches < 2 {
		t.Errorf("the nodes did not append at the same time (%d switches): the test proves nothing", switches)
	}
	store := sqlstore.NewAuditStore(db)
	size, err := store.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if size != uint64(len(byIdx)) {
		t.Errorf("log holds %d events, %d were acknowledged", size, len(byIdx))
	}
	var last time.Time
	err = store.Entries(ctx, 0, size, func(en audit.Entry) error {
		a, ok := byIdx[en.Index]
		if !ok {
			return fmt.Errorf("event %d was never acknowledged", en.Index)
		}
		if en.Time.Before(last) {
			return fmt.Errorf("event %d is older than event %d", en.Index, en.Index-1)
		}
		last = en.Time
		ev, err := verify.DecodePayload(en.Payload)
		if err != nil {
			return fmt.Errorf("event %d: %v", en.Index, err)
		}
		if want := nodeEvent(a.run, a.g, a.seqn); !reflect.DeepEqual(ev, want) {
			return fmt.Errorf("event %d holds %+v, its node acknowledged %+v", en.Index, ev, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifyStore(ctx, store, verifier, nil)
	if err != nil {
		t.Fatalf("the log written by two nodes does not verify: %v", err)
	}
	if rep.Covered != size {
		t.Errorf("the last checkpoint covers %d of %d events: the last leader did not sign on close", rep.Covered, size)
	}
	t.Logf("verified: %d leaves, checkpoint covers %d", rep.Leaves, rep.Covered)
}

// terminateSigner ends the PostgreSQL session holding the signer lease, as a
// network cut or a database failover would, and reports whether there was one.
func terminateSigner(t *testing.T, db *sqlstore.DB) bool {
	t.Helper()
	var n int
	err := db.Writer().QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7351005 AND granted`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestAuditSignerLease checks the fence of the signer lease (issue 18, item
// 1): one holder at a time; a lease whose session ended stores no checkpoint
// and reports its loss within a second; the lease is free again at once.
func TestAuditSignerLease(t *testing.T) {
	dsn := mustPostgresDSN(t)
	ctx := context.Background()
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	if _, err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := sqlstore.NewAuditStore(dbA), sqlstore.NewAuditStore(dbB)
	leaseA, err := a.TryLead(ctx)
	if err != nil || leaseA == nil {
		t.Fatalf("first node did not get the free lease: %v, %v", leaseA, err)
	}
	if l, err := b.TryLead(ctx); err != nil || l != nil {
		t.Fatalf("second node got a lease already held: %v, %v", l, err)
	}
	c := audit.StoredCheckpoint{Size: 0, Root: make([]byte, 32), Note: []byte("test"), SignedAt: time.Unix(1, 0)}
	if err := leaseA.AddCheckpoint(ctx, c); err != nil {
		t.Fatalf("the holder cannot store a checkpoint: %v", err)
	}
	if !terminateSigner(t, dbB) {
		t.Fatal("no session holds the signer lock")
	}
	start := time.Now()
	c.Size = 1
	if err := leaseA.AddCheckpoint(ctx, c); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
		t.Errorf("a lost lease stored a checkpoint: %v", err)
	}
	select {
	case <-leaseA.Lost():
		t.Logf("loss reported after %v", time.Since(start))
	case <-time.After(time.Second):
		t.Error("the lease did not report its loss within a second")
	}
	leaseA.Release()
	var leaseB audit.Lease
	for deadline := time.Now().Add(5 * time.Second); leaseB == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if leaseB, err = b.TryLead(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if leaseB == nil {
		t.Fatal("the lease was not free after its holder's session ended")
	}
	defer leaseB.Release()
	if err := leaseB.AddCheckpoint(ctx, c); err != nil {
		t.Errorf("the new holder cannot store a checkpoint: %v", err)
	}
}

// TestAuditSignerFailover runs two logs (nodes) on one database: exactly one
// signs; when its database session is cut it stops signing within a second
// and the other takes over, and checkpoints keep covering the log.
func TestAuditSignerFailover(t *testing.T) {
	dsn := mustPostgresDSN(t)
	ctx := context.Background()
	skey, vkey, _ := note.GenerateKey(rand.Reader, "failover.test/audit")
	verifier, _ := note.NewVerifier(vkey)
	signer, _ := note.NewSigner(skey)
	var dbs []*sqlstore.DB
	var logs []*audit.Log
	for range 2 {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{
			Clock: coupole.SystemClock{}, Signer: signer, CheckpointEvery: 100 * time.Millisecond,
			Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		dbs, logs = append(dbs, db), append(logs, l)
	}
	leader := func() int {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			switch {
			case logs[0].Leading() && logs[1].Leading():
				t.Fatal("both nodes hold the signer lease")
			case logs[0].Leading():
				return 0
			case logs[1].Leading():
				return 1
			}
		}
		t.Fatal("no node became the signer")
		return -1
	}
	appendSome := func(n int) {
		for i := range 20 {
			if _, err := logs[i%2].Append(ctx, nodeEvent(n, i, 0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendSome(0)
	first := leader()
	if !terminateSigner(t, dbs[1-first]) {
		t.Fatal("no session holds the signer lock")
	}
	start := time.Now()
	for logs[first].Leading() {
		if time.Since(start) > time.Second {
			t.Fatal("the node whose session was cut still signs after a second")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("old signer stopped after %v", time.Since(start))
	appendSome(1)
	second := leader()
	t.Logf("node %d signs after node %d, %v after the cut", second, first, time.Since(start))
	store := sqlstore.NewAuditStore(dbs[0])
	size, _ := store.Size(ctx)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := store.LatestCheckpoint(ctx)
		if err == nil && c.Size == size {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers the %d events after the failover (latest: %d, %v)", size, c.Size, err)
		}
	}
	if _, err := audit.VerifyStore(ctx, store, verifier, nil); err != nil {
		t.Fatalf("log does not verify after the failover: %v", err)
	}
}

// TestAuditRefusesAnotherKey: a node whose signing key did not sign the log's
// checkpoints does not open the log (issue 18: every node shares one key file;
// a node started on an empty data directory would have made its own).
func TestAuditRefusesAnotherKey(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	open := func(skey string) (*audit.Log, error) {
		signer, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		return audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: coupole.SystemClock{}, Signer: signer, Logger: slog.New(slog.DiscardHandler)})
	}
	keyA, _, _ := note.GenerateKey(rand.Reader, "coupole/audit")
	keyB, _, _ := note.GenerateKey(rand.Reader, "coupole/audit")
	l, err := open(keyA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, nodeEvent(0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // signs the last checkpoint
		t.Fatal(err)
	}
	if l, err := open(keyB); coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), audit.SigningKeyFile) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("another key opened the log: %v", err)
	}
	// Nor may a one-off signature (coupole audit checkpoint, coupole audit
	// export) add a checkpoint under another key.
	signerB, _ := note.NewSigner(keyB)
	if _, err := audit.SignCheckpoint(ctx, sqlstore.NewAuditStore(db), signerB, coupole.SystemClock{}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("coupole audit checkpoint with another key: %v", err)
	}
	if _, err := audit.Export(ctx, sqlstore.NewAuditStore(db), signerB, coupole.SystemClock{}, io.Discard, audit.ExportOptions{}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("coupole audit export with another key: %v", err)
	}
	l, err = open(keyA)
	if err != nil {
		t.Fatalf("the key that signed the log: %v", err)
	}
	l.Close()
}
