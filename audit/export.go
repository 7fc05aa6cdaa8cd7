package audit

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"golang.org/x/mod/sumdb/note"
)

// ExportOptions choose what a bundle holds.
type ExportOptions struct {
	// CheckpointsSince leaves out checkpoints signed before it (zero: all).
	CheckpointsSince time.Time
}

// ExportReport says what Export wrote.
type ExportReport struct {
	Leaves       uint64
	Payloads     uint64
	PayloadsFrom uint64
	Held         uint64 // payloads below PayloadsFrom a legal hold kept from erasure
	Checkpoints  int
	Head         []byte // the signed head checkpoint
}

// Export writes a bundle of the whole log to w: the stored checkpoints, a
// freshly signed head checkpoint covering every leaf (with, as extension
// lines, the index from which payloads are held and a digest of the
// checkpoints included), then every leaf followed by its salt and payload if
// held. The signer is needed because only a signature can say that the
// payloads absent from the bundle were erased, not removed.
func Export(ctx context.Context, store Storage, s note.Signer, clock coupole.Clock, w io.Writer, opts ExportOptions) (ExportReport, error) {
	r := NewReader(store)
	tree, err := r.loadRange(ctx)
	if err != nil {
		return ExportReport{}, err
	}
	size, root := tree.End(), rootOf(tree)
	var notes [][]byte
	err = store.Checkpoints(ctx, opts.CheckpointsSince, func(c StoredCheckpoint) error {
		if c.Size <= size {
			notes = append(notes, c.Note)
		}
		return nil
	})
	if err != nil {
		return ExportReport{}, err
	}
	// Payloads are held from the erasure point on: a missing one there is a
	// deletion, not an erasure. Below it, only payloads a legal hold kept
	// from erasure remain (issue 13); they are exported and verified too.
	from, err := store.ErasedBelow(ctx)
	if err != nil {
		return ExportReport{}, err
	}
	from = min(from, size)
	err = store.Entries(ctx, from, size, func(e Entry) error {
		if e.Payload == nil {
			return coupole.Errorf(coupole.EINTERNAL, "audit: event %d has no payload though it is after the erasure point: the database was altered", e.Index)
		}
		return nil
	})
	if err != nil {
		return ExportReport{}, err
	}
	head := verify.Checkpoint{Origin: s.Name(), Size: size, Root: root, Extensions: verify.HeadExtensions(from, notes)}
	headNote, err := verify.SignCheckpoint(head, s)
	if err != nil {
		return ExportReport{}, coupole.Wrap(err, coupole.EINTERNAL, "audit: sign head: %v", err)
	}
	// Store it as an ordinary checkpoint too (without the extensions).
	if _, err := signAndStore(ctx, store, s, clock, treeHead{size, root}); err != nil {
		return ExportReport{}, err
	}
	bw := verify.NewBundleWriter(w)
	for _, n := range notes {
		bw.Checkpoint(n)
	}
	bw.Head(headNote)
	rep := ExportReport{Leaves: size, PayloadsFrom: from, Checkpoints: len(notes), Head: headNote}
	rec := make([]byte, 0, verify.LeafSize)
	err = store.Entries(ctx, 0, size, func(e Entry) error {
		rec = e.Leaf().AppendTo(rec[:0])
		if err := bw.Leaf(rec); err != nil {
			return err
		}
		if e.Index >= from {
			if e.Payload == nil {
				return coupole.Errorf(coupole.ECONFLICT, "audit: event %d was erased during the export: export again", e.Index)
			}
			rep.Payloads++
			return bw.Payload(e.Salt, e.Payload)
		}
		if e.Payload != nil { // kept by a legal hold
			rep.Held++
			return bw.Payload(e.Salt, e.Payload)
		}
		return nil
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		var ce *coupole.Error
		if !errors.As(err, &ce) {
			return rep, coupole.Wrap(err, coupole.EUNAVAILABLE, "audit: export: cannot write the bundle: %v", err)
		}
		return rep, err
	}
	return rep, nil
}

// VerifyStore verifies the log as the database holds it: every stored
// checkpoint's signature and root against the tree recomputed from the
// leaves, every held payload against its leaf, and that payloads are held
// from the erasure point on. trusted are checkpoints the auditor holds.
func VerifyStore(ctx context.Context, store Storage, v note.Verifier, trusted [][]byte) (verify.Report, error) {
	from, err := store.ErasedBelow(ctx)
	if err != nil {
		return verify.Report{}, err
	}
	s, err := verify.NewStream(verify.Options{Verifier: v, Trusted: trusted, NoHead: true, PayloadsFrom: from})
	if err != nil {
		return verify.Report{}, coupole.Wrap(err, coupole.EINVALID, "audit verify: %v", err)
	}
	fail := func(err error) error { return coupole.Wrap(err, coupole.EINVALID, "audit verify: %v", err) }
	err = store.Checkpoints(ctx, time.Time{}, func(c StoredCheckpoint) error {
		if err := s.Checkpoint(c.Note); err != nil {
			return fail(err)
		}
		return nil
	})
	if err != nil {
		return verify.Report{}, err
	}
	size, err := store.Size(ctx) // after the checkpoints, so it covers them all
	if err != nil {
		return verify.Report{}, err
	}
	rec := make([]byte, 0, verify.LeafSize)
	err = store.Entries(ctx, 0, size, func(e Entry) error {
		rec = e.Leaf().AppendTo(rec[:0])
		if err := s.Leaf(rec); err != nil {
			return fail(err)
		}
		if e.Payload != nil {
			if err := s.Payload(e.Salt, e.Payload); err != nil {
				return fail(err)
			}
		}
		return nil
	})
	if err != nil {
		return verify.Report{}, err
	}
	rep, err := s.Finish()
	if err != nil {
		return verify.Report{}, fail(err)
	}
	return rep, nil
}
