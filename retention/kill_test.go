package retention_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

// Environment of the child process of the kill test.
const (
	purgeKillDSNEnv   = "COUPOLE_PURGE_KILL_DSN"
	purgeKillMediaEnv = "COUPOLE_PURGE_KILL_MEDIA"
	purgeKillKeyEnv   = "COUPOLE_PURGE_KILL_KEY"
)

// killClock is the time of the purge: every fixture item is due before it.
var killClock = &coupole.FixedClock{T: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}

// dirMedia keeps media as files of a directory; deleting a missing one is
// not an error.
type dirMedia struct{ dir string }

func (m dirMedia) Delete(_ context.Context, key string) error {
	err := os.Remove(filepath.Join(m.dir, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func killPurger(tb testing.TB, db *sqlstore.DB, media string, signer note.Signer) *retention.Purger {
	l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{Clock: killClock, Signer: signer,
		CheckpointEvery: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return &retention.Purger{Store: db, Audit: l, Clock: killClock, Media: dirMedia{media}, Logger: slog.New(slog.DiscardHandler)}
}

// TestPurgeKillChild is the child of TestPurgeSurvivesKill: it purges until
// done or killed.
func TestPurgeKillChild(t *testing.T) {
	dsn := os.Getenv(purgeKillDSNEnv)
	if dsn == "" {
		t.Skip("child process of TestPurgeSurvivesKill")
	}
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(os.Getenv(purgeKillKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	if _, err := killPurger(t, db, os.Getenv(purgeKillMediaEnv), signer).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("done")
}

// R4: a purge of 100,000 items killed with SIGKILL half-way and resumed
// deletes every item once, with exactly one evidence event each, leaves no
// media behind, and the audit log still verifies.
func TestPurgeSurvivesKill(t *testing.T) {
	if os.Getenv(purgeKillDSNEnv) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("100,000 items: not in -short")
	}
	engines := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "purge.db") }},
		{"postgres", func(t *testing.T) string { return sqltest.MustCreatePostgres(t) }},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dsn := e.dsn(t)
			testPurgeKill(t, dsn, 100_000)
		})
	}
}

func testPurgeKill(t *testing.T, dsn string, n int) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	media := t.TempDir()
	skey, vkey, err := note.GenerateKey(rand.Reader, "coupole.test/purge")
	if err != nil {
		t.Fatal(err)
	}
	mustFillDueItems(t, db, media, n)

	// Kill the child once about a third of the items carry evidence.
	cmd := exec.Command(os.Args[0], "-test.run=^TestPurgeKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), purgeKillDSNEnv+"="+dsn, purgeKillMediaEnv+"="+media, purgeKillKeyEnv+"="+skey)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "ready" {
		cmd.Process.Kill()
		t.Fatalf("child said %q", line)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if c := mustCountNotKept(t, db); c >= n/3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child purged too little in five minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killedAt := mustCountNotKept(t, db)
	if killedAt >= n {
		t.Fatalf("the child finished (%d) before it was killed: the test proves nothing", killedAt)
	}
	// At the kill: every item out of "kept" has its one event, and no event
	// lacks its item (trace and state are one transaction).
	mustEvidenceMatches(t, db, n, false)

	// Resume in this process, to the end.
	p := killPurger(t, db, media, mustSigner(t, skey))
	res, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with %d items out of kept; the resumed run finished %d deleting and purged %d", killedAt, res.Resumed, res.Purged)
	if res.Purged+killedAt != n {
		t.Fatalf("resumed run purged %d after %d: want %d in all", res.Purged, killedAt, n)
	}
	mustEvidenceMatches(t, db, n, true)
	left, _ := os.ReadDir(media)
	if len(left) != 0 {
		t.Fatalf("%d media files left after the purge", len(left))
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Audit.(*audit.Log).Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.VerifyStore(ctx, sqlstore.NewAuditStore(db), v, nil); err != nil {
		t.Fatalf("the audit log no longer verifies: %v", err)
	}
}

func mustSigner(tb testing.TB, skey string) note.Signer {
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustFillDueItems registers n due recordings, one in ten with a media file.
func mustFillDueItems(tb testing.TB, db *sqlstore.DB, media string, n int) {
	tb.Helper()
	start := killClock.T.AddDate(0, -2, 0)
	var chunk []retention.Item
	for i := range n {
		it := retention.Item{ID: fmt.Sprintf("rec-%06d", i), Kind: retention.KindRecording, Source: retention.SourceCoupole,
			Channel: "phone", InteractionID: fmt.Sprintf("int-%06d", i), CallReason: "outage",
			Start: start.Add(time.Duration(i) * time.Second), SHA256: fmt.Sprintf("%064x", i), Class: "default",
			State: retention.StateKept, EvidenceIndex: -1, RegisteredAt: start}
		it.Due = it.Start.AddDate(0, 1, 0)
		if i%10 == 0 {
			it.MediaRef = it.ID + ".media"
			if err := os.WriteFile(filepath.Join(media, it.MediaRef), []byte(it.ID), 0o600); err != nil {
				tb.Fatal(err)
			}
		}
		chunk = append(chunk, it)
		if len(chunk) == 5000 || i == n-1 {
			if err := db.RegisterItems(context.Background(), chunk); err != nil {
				tb.Fatal(err)
			}
			chunk = chunk[:0]
		}
	}
}

func mustCountNotKept(tb testing.TB, db *sqlstore.DB) int {
	var c int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM retention_items WHERE state <> 'kept'`).Scan(&c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// mustEvidenceMatches checks that the purge events and the items agree one
// to one: each event names an item whose evidence index is the event's, and
// each item out of "kept" has one event. With all, every one of the n
// items must be purged.
func mustEvidenceMatches(tb testing.TB, db *sqlstore.DB, n int, all bool) {
	tb.Helper()
	ctx := context.Background()
	store := sqlstore.NewAuditStore(db)
	size, err := store.Size(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	events := map[string]int64{}
	err = store.Entries(ctx, 0, size, func(e audit.Entry) error {
		ev, err := verify.DecodePayload(e.Payload)
		if err != nil {
			return err
		}
		if ev.Action != retention.ActionPurge {
			return nil
		}
		id := strings.TrimPrefix(ev.Data[0], "item:")
		if _, twice := events[id]; twice {
			return fmt.Errorf("item %s has two evidence events", id)
		}
		events[id] = int64(e.Index)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := db.Reader().Query(`SELECT id, state, evidence_idx FROM retention_items WHERE state <> 'kept'`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := 0
	for rows.Next() {
		var id, state string
		var idx int64
		if err := rows.Scan(&id, &state, &idx); err != nil {
			tb.Fatal(err)
		}
		out++
		if got, ok := events[id]; !ok || got != idx {
			tb.Fatalf("item %s (%s) has evidence index %d, the log has %d (present %v)", id, state, idx, got, ok)
		}
		if all && state != retention.StatePurged {
			tb.Fatalf("item %s is %s after the resumed run", id, state)
		}
	}
	if out != len(events) {
		tb.Fatalf("%d items out of kept but %d evidence events", out, len(events))
	}
	if all && out != n {
		tb.Fatalf("%d of %d items purged", out, n)
	}
}
