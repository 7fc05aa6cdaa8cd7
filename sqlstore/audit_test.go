package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
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

// MustAuditKey returns a fresh signing key and its verifier.
func MustAuditKey(tb testing.TB) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "test.coupole/audit")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v
}

// steppingClock advances by step at every reading, so events get distinct times.
type steppingClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func MustOpenAuditLog(tb testing.TB, store audit.Storage, s note.Signer, clock coupole.Clock) *audit.Log {
	tb.Helper()
	l, err := audit.Open(context.Background(), store, audit.Options{Clock: clock, Signer: s, CheckpointEvery: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// testEvent is the i-th event of a test: customers, EANs, staff and
// interactions repeat with different periods so queries find several.
func testEvent(i int) audit.Event {
	return audit.Event{
		Actor:        fmt.Sprintf("staff-%d", i%7),
		Action:       "read",
		Interaction:  fmt.Sprintf("call-%d", i/3),
		CallReason:   "ean_request",
		AccessPoints: []string{fmt.Sprintf("5414%014d", i%11)},
		Customers:    []string{fmt.Sprintf("cust-%d", i%13), "shared"},
		Data:         []string{"ean", "supplier"},
		Decision:     &audit.Decision{Outcome: "sms", Reason: "ean_by_sms", Policies: []string{"ean-by-sms"}, PolicySet: "abc123"},
		Client:       "10.0.0.1",
	}
}

// TestAuditStorage is the conformance suite of audit.Storage (T1, T2) on every engine.
func TestAuditStorage(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		store := sqlstore.NewAuditStore(db)
		signer, verifier := MustAuditKey(t)
		clock := &steppingClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), step: time.Minute}
		l := MustOpenAuditLog(t, store, signer, clock)

		const n = 300
		var wg sync.WaitGroup
		idx := make([]uint64, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); idx[i], errs[i] = l.Append(ctx, testEvent(i)) }()
		}
		wg.Wait()
		seen := map[uint64]int{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("append %d: %v", i, errs[i])
			}
			seen[idx[i]] = i
		}
		if len(seen) != n {
			t.Fatalf("%d distinct indexes for %d appends", len(seen), n)
		}
		if size, err := store.Size(ctx); err != nil || size != n {
			t.Fatalf("Size = %d, %v; want %d", size, err, n)
		}
		// Every acknowledged event is stored as appended.
		err := store.Entries(ctx, 0, n, func(e audit.Entry) error {
			ev, err := verify.DecodePayload(e.Payload)
			if err != nil {
				return err
			}
			if want := testEvent(seen[e.Index]); !reflect.DeepEqual(ev, want) {
				return fmt.Errorf("event %d = %+v, want %+v", e.Index, ev, want)
			}
			if verify.Commit(e.Salt, e.Payload) != e.Commitment {
				return fmt.Errorf("event %d: commitment mismatch", e.Index)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		cp, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Size != n {
			t.Fatalf("checkpoint size %d, want %d", cp.Size, n)
		}
		c, err := verify.OpenCheckpoint(cp.Note, verifier)
		if err != nil {
			t.Fatal(err)
		}
		// Inclusion proofs of every leaf against the checkpoint, consistency
		// proofs from every earlier size (T2).
		r := audit.NewReader(store)
		for i := uint64(0); i < n; i += 7 {
			p, err := r.InclusionProof(ctx, i, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := verify.VerifyInclusion(i, n, p.LeafHash, p.Hashes, c.Root); err != nil {
				t.Fatalf("inclusion %d: %v", i, err)
			}
			root1, err := r.RootAt(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			cp, err := r.ConsistencyProof(ctx, i, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := verify.VerifyConsistency(i, n, cp.Hashes, root1, c.Root); err != nil {
				t.Fatalf("consistency %d→%d: %v", i, n, err)
			}
		}
		if _, err := r.InclusionProof(ctx, 5, n+1); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("proof beyond the log: %v, want not_found", err)
		}

		// Queries (T1): each filter returns exactly the matching events, paged.
		t.Run("query", func(t *testing.T) {
			type filter struct {
				name  string
				q     audit.Query
				match func(i int, ev audit.Event) bool
			}
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			var times []time.Time
			store.Entries(ctx, 0, n, func(e audit.Entry) error { times = append(times, e.Time); return nil })
			from, to := times[50], times[n-1] // batches share a time: the last batch's time bounds the period
			if !to.After(from) {
				to = from.Add(time.Nanosecond)
			}
			filters := []filter{
				{"customer", audit.Query{Customer: "cust-3"}, func(i int, ev audit.Event) bool { return i%13 == 3 }},
				{"ean", audit.Query{AccessPoint: fmt.Sprintf("5414%014d", 4)}, func(i int, ev audit.Event) bool { return i%11 == 4 }},
				{"customer+ean", audit.Query{Customer: "cust-3", AccessPoint: fmt.Sprintf("5414%014d", 4)}, func(i int, ev audit.Event) bool { return i%13 == 3 && i%11 == 4 }},
				{"staff", audit.Query{Actor: "staff-2"}, func(i int, ev audit.Event) bool { return i%7 == 2 }},
				{"interaction", audit.Query{Interaction: "call-9"}, func(i int, ev audit.Event) bool { return i/3 == 9 }},
				{"period", audit.Query{From: from, To: to}, func(i int, ev audit.Event) bool { return !ev.Time.Before(from) && ev.Time.Before(to) }},
				{"staff+period", audit.Query{Actor: "staff-1", From: from, To: to}, func(i int, ev audit.Event) bool {
					return i%7 == 1 && !ev.Time.Before(from) && ev.Time.Before(to)
				}},
				{"nobody", audit.Query{Customer: "nobody"}, func(int, audit.Event) bool { return false }},
				{"before the log", audit.Query{To: start}, func(int, audit.Event) bool { return false }},
			}
			for _, f := range filters {
				t.Run(f.name, func(t *testing.T) {
					var want []uint64
					for ix := uint64(0); ix < n; ix++ {
						ev := testEvent(seen[ix])
						ev.Time = times[ix]
						if f.match(seen[ix], ev) {
							want = append(want, ix)
						}
					}
					var got []uint64
					q := f.q
					q.After, q.Limit = -1, 4
					for {
						page, err := r.Query(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						for _, fd := range page {
							got = append(got, fd.Index)
							if !reflect.DeepEqual(fd.Event.Customers, testEvent(seen[fd.Index]).Customers) {
								t.Fatalf("event %d decoded wrongly", fd.Index)
							}
						}
						if len(page) < q.Limit {
							break
						}
						q.After = int64(page[len(page)-1].Index)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("got %v, want %v", got, want)
					}
				})
			}
			if _, err := r.Query(ctx, audit.Query{Limit: 0}); coupole.ErrorCode(err) != coupole.EINVALID {
				t.Errorf("limit 0: %v, want invalid", err)
			}
		})

		// Erasure keeps every proof valid and removes the personal data (T2, R4).
		t.Run("erase", func(t *testing.T) {
			// Events of one batch share a time: erase before the time of
			// event 100 erases up to the first event of its batch.
			var times []time.Time
			store.Entries(ctx, 0, n, func(e audit.Entry) error { times = append(times, e.Time); return nil })
			cut := times[100]
			e := uint64(100)
			for e > 0 && times[e-1].Equal(cut) {
				e--
			}
			below, err := r.Erase(ctx, cut, nil)
			if err != nil || below != e || e == 0 {
				t.Fatalf("Erase = %d, %v; want %d", below, err, e)
			}
			if b, err := store.ErasedBelow(ctx); err != nil || b != e {
				t.Fatalf("ErasedBelow = %d, %v", b, err)
			}
			err = store.Entries(ctx, 0, n, func(e audit.Entry) error {
				if (e.Index < below) != e.Erased() || (e.Index < below) != (e.Salt == nil) {
					return fmt.Errorf("event %d: erased=%v", e.Index, e.Erased())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []audit.Query{{Customer: "shared"}, {Actor: "staff-0"}, {Interaction: "call-0"}, {AccessPoint: fmt.Sprintf("5414%014d", 0)}} {
				q.After, q.Limit = -1, 1000
				page, err := r.Query(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, fd := range page {
					if fd.Index < below {
						t.Fatalf("query %+v still finds erased event %d", q, fd.Index)
					}
				}
			}
			var leftover int
			db.Reader().QueryRow(`SELECT count(*) FROM audit_refs WHERE idx < $1`, int64(below)).Scan(&leftover)
			if leftover != 0 {
				t.Errorf("%d references to erased events remain", leftover)
			}
			p, err := r.InclusionProof(ctx, 3, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := verify.VerifyInclusion(3, n, p.LeafHash, p.Hashes, c.Root); err != nil {
				t.Fatalf("inclusion after erasure: %v", err)
			}
			rep, err := audit.VerifyStore(ctx, store, verifier, [][]byte{cp.Note})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Leaves != n || rep.Payloads != n-below || rep.PayloadsFrom != below {
				t.Errorf("VerifyStore report %+v", rep)
			}
			var buf bytes.Buffer
			exp, err := audit.Export(ctx, store, signer, clock, &buf, audit.ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err = verify.VerifyBundle(bytes.NewReader(buf.Bytes()), verify.Options{Verifier: verifier, Trusted: [][]byte{cp.Note}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Leaves != n || rep.Payloads != n-below || exp.Leaves != n {
				t.Errorf("bundle report %+v, export %+v", rep, exp)
			}
		})
	})
}

// failingStorage fails every append: the caller must get an error (T2).
type failingStorage struct{ audit.Storage }

func (failingStorage) Append(ctx context.Context, base uint64, recs []audit.Record, nodes []audit.Node) error {
	return coupole.Errorf(coupole.EUNAVAILABLE, "disk on fire")
}

func TestAuditAppendFailsLoudly(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	store := failingStorage{sqlstore.NewAuditStore(db)}
	l := MustOpenAuditLog(t, store, nil, coupole.SystemClock{})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Append(context.Background(), testEvent(i)); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
				t.Errorf("append on failing storage: %v, want unavailable", err)
			}
		}()
	}
	wg.Wait()
	if _, err := l.Append(context.Background(), audit.Event{Actor: "bad\xff"}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("invalid UTF-8: %v, want invalid", err)
	}
	l.Close()
	if _, err := l.Append(context.Background(), testEvent(1)); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
		t.Errorf("append after Close: %v, want unavailable", err)
	}
}

// TestAuditTwoWriters runs two logs on one database, as two nodes would: the
// lock and the size check keep one tree (PostgreSQL advisory lock, SQLite write lock).
func TestAuditTwoWriters(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		signer, verifier := MustAuditKey(t)
		a := MustOpenAuditLog(t, sqlstore.NewAuditStore(db), signer, coupole.SystemClock{})
		b := MustOpenAuditLog(t, sqlstore.NewAuditStore(db), signer, coupole.SystemClock{})
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := a
				if i%2 == 1 {
					l = b
				}
				if _, err := l.Append(ctx, testEvent(i)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		a.Close()
		b.Close()
		rep, err := audit.VerifyStore(ctx, sqlstore.NewAuditStore(db), verifier, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Leaves != 200 || rep.Covered != 200 {
			t.Errorf("report %+v, want 200 leaves all covered", rep)
		}
	})
}

var _ = errors.New
