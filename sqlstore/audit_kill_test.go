package sqlstore_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

// Environment of the child process of the kill test.
const (
	killDSNEnv = "COUPOLE_AUDIT_KILL_DSN"
	killKeyEnv = "COUPOLE_AUDIT_KILL_KEY"
	killRunEnv = "COUPOLE_AUDIT_KILL_RUN"
)

func killEvent(run, g, seq int) audit.Event {
	return audit.Event{
		Actor:        fmt.Sprintf("staff-%d", g),
		Action:       "read",
		Interaction:  fmt.Sprintf("run-%d/%d/%d", run, g, seq),
		AccessPoints: []string{fmt.Sprintf("5414%014d", seq)},
		Customers:    []string{fmt.Sprintf("cust-%d-%d", run, g)},
		Data:         []string{"consumption_history"},
	}
}

// TestAuditKillChild is the child of TestAuditSurvivesKill: it appends under
// load until killed, printing every acknowledged event.
func TestAuditKillChild(t *testing.T) {
	dsn := os.Getenv(killDSNEnv)
	if dsn == "" {
		t.Skip("child process of TestAuditSurvivesKill")
	}
	ctx := context.Background()
	run, _ := strconv.Atoi(os.Getenv(killRunEnv))
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(os.Getenv(killKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{
		Clock: coupole.SystemClock{}, Signer: signer, CheckpointEvery: 20 * time.Millisecond,
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
		out.Flush() // each acknowledgement leaves the process before the next append
		mu.Unlock()
	}
	say("ready\n")
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				idx, err := l.Append(ctx, killEvent(run, g, seq))
				if err != nil {
					say("error %v\n", err)
					return
				}
				say("ack %d %d %d %d\n", idx, run, g, seq)
			}
		}()
	}
	wg.Wait()
}

type ack struct {
	idx          uint64
	run, g, seqn int
}

// TestAuditSurvivesKill kills a process appending under load at random
// moments, many times, and checks after each kill that every acknowledged
// event is in the log, unchanged, and that the log verifies (T2: no
// acknowledged trace is ever lost).
func TestAuditSurvivesKill(t *testing.T) {
	if os.Getenv(killDSNEnv) != "" {
		t.Skip("in the child")
	}
	engines := []struct {
		name   string
		rounds int
		dsn    func(t *testing.T) string
	}{
		{"sqlite", 25, func(t *testing.T) string { return filepath.Join(t.TempDir(), "kill.db") }},
		{"postgres", 10, mustPostgresDSN},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dsn := e.dsn(t)
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			skey, vkey, _ := note.GenerateKey(rand.Reader, "kill.test/audit")
			verifier, _ := note.NewVerifier(vkey)
			store := sqlstore.NewAuditStore(db)
			rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))
			var all []ack
			for run := range e.rounds {
				acks := runAndKill(t, dsn, skey, run, time.Duration(30+rng.IntN(300))*time.Millisecond)
				all = append(all, acks...)
				size, err := store.Size(ctx)
				if err != nil {
					t.Fatal(err)
				}
				byIdx := map[uint64]ack{}
				for _, a := range all {
					if a.idx >= size {
						t.Fatalf("round %d: event %d acknowledged but the log holds %d", run, a.idx, size)
					}
					if _, dup := byIdx[a.idx]; dup {
						t.Fatalf("round %d: index %d acknowledged twice", run, a.idx)
					}
					byIdx[a.idx] = a
				}
				err = store.Entries(ctx, 0, size, func(en audit.Entry) error {
					a, ok := byIdx[en.Index]
					if !ok {
						return nil // committed but not acknowledged before the kill: allowed
					}
					ev, err := verify.DecodePayload(en.Payload)
					if err != nil {
						return fmt.Errorf("event %d: %v", en.Index, err)
					}
					if want := killEvent(a.run, a.g, a.seqn); !reflect.DeepEqual(ev, want) {
						return fmt.Errorf("event %d changed: %+v, want %+v", en.Index, ev, want)
					}
					return nil
				})
				if err != nil {
					t.Fatalf("round %d: %v", run, err)
				}
				rep, err := audit.VerifyStore(ctx, store, verifier, nil)
				if err != nil {
					t.Fatalf("round %d: log does not verify after the kill: %v", run, err)
				}
				t.Logf("round %d: %d acknowledged, log holds %d, checkpoint covers %d", run, len(acks), rep.Leaves, rep.Covered)
			}
			if len(all) < e.rounds*10 {
				t.Errorf("only %d events acknowledged in %d rounds: the child hardly ran", len(all), e.rounds)
			}
		})
	}
}

func runAndKill(t *testing.T, dsn, skey string, run int, after time.Duration) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAuditKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killDSNEnv+"="+dsn, killKeyEnv+"="+skey, killRunEnv+"="+strconv.Itoa(run))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	lines := make(chan []ack, 1)
	go func() {
		var acks []ack
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 1 && f[0] == "ready" {
				once.Do(func() { close(ready) })
			}
			if len(f) == 5 && f[0] == "ack" {
				var a ack
				a.idx, _ = strconv.ParseUint(f[1], 10, 64)
				a.run, _ = strconv.Atoi(f[2])
				a.g, _ = strconv.Atoi(f[3])
				a.seqn, _ = strconv.Atoi(f[4])
				acks = append(acks, a)
			} else if len(f) > 0 && f[0] == "error" {
				t.Errorf("child: %s", sc.Text())
			}
		}
		once.Do(func() { close(ready) })
		lines <- acks
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("child did not start")
	}
	time.Sleep(after)
	cmd.Process.Signal(syscall.SIGKILL)
	acks := <-lines // the pipe is drained: everything printed before the kill
	cmd.Wait()
	return acks
}

// mustPostgresDSN creates a migrated-later, empty database and returns its
// URL, so a child process can open it too.
func mustPostgresDSN(t *testing.T) string {
	base := os.Getenv(sqltest.PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a PostgreSQL URL to run them", sqltest.PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "coupole_kill_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}
