package yearlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func keys(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "bench.coupole/audit")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

// The generated events are the size of real ones (issue 17: ~560 bytes
// per event in an export) and decode strictly.
func TestFlowShapes(t *testing.T) {
	var events, bytes int
	for i := range 1000 {
		for _, e := range Flow(i) {
			p, err := verify.EncodePayload(e)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verify.DecodePayload(p); err != nil {
				t.Fatal(err)
			}
			events++
			bytes += len(p)
		}
	}
	per := float64(events) / 1000
	if per < 9 || per > 12 {
		t.Errorf("%.1f events per interaction, want about %d", per, EventsPerInteraction)
	}
	if avg := bytes / events; avg < 300 || avg > 700 {
		t.Errorf("payloads average %d bytes, want real sizes (300–700)", avg)
	}
}

// T1, T2: a bulk-loaded log verifies like one the sequencer wrote — every
// leaf, stored tree node and checkpoint — on both engines.
func TestLoadVerifies(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, v := keys(t)
		store := sqlstore.NewAuditStore(db)
		n, err := Load(ctx, store, s, 300, 257, 1000, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := audit.VerifyStore(ctx, store, v, nil)
		if err != nil {
			t.Fatal(err)
		}
		if last := Year.Add(time.Duration(n-1) * Clock(300)); last.Year() != Year.Year() {
			t.Errorf("the last event is at %s, after the year", last)
		}
		if rep.Leaves != n || rep.Payloads != n || rep.Checkpoints < int(n/1000) {
			t.Errorf("verified %+v, loaded %d events", rep, n)
		}
		// The stored tree nodes are the sequencer's: proofs come out right.
		l := audit.NewReader(store)
		cp, err := l.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.InclusionProof(ctx, n/3, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := verify.VerifyInclusion(p.Index, p.Size, p.LeafHash, p.Hashes, cp.Root); err != nil {
			t.Errorf("inclusion proof of %d in %d: %v", n/3, cp.Size, err)
		}
		// Loading more after a checkpoint continues the same tree.
		b, err := audit.NewBulk(ctx, store, s, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range Flow(1_000_000) {
			if err := b.Add(ctx, e, Year.AddDate(2, 0, 0)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.Checkpoint(ctx, Year.AddDate(2, 0, 0)); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.VerifyStore(ctx, store, v, nil); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(ctx, Flow(0)[0], Year); err == nil {
			t.Error("an event dated before the previous one was accepted")
		}
	})
}

func TestWriteBundleVerifies(t *testing.T) {
	s, v := keys(t)
	var buf bytes.Buffer
	n, err := WriteBundle(&buf, s, 200, 500)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.VerifyBundle(&buf, verify.Options{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Leaves != n || rep.Payloads != n {
		t.Errorf("verified %+v, wrote %d", rep, n)
	}
}
