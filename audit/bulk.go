package audit

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Bulk loads events whose times are already known straight into a Storage,
// in large batches through its own Append (records and tree nodes exactly as
// the sequencer writes them), without the sequencer's per-event round trip:
// for generating a year of log (bench/yearly) or loading one. It is not for
// serving — nothing is acknowledged per event — and no Log may run on the
// same storage meanwhile (Append would find the log grown: ECONFLICT).
type Bulk struct {
	store    Storage
	signer   note.Signer
	tree     *compact.Range
	lastTime time.Time
	batch    []Record
	max      int
	salts    []byte
}

// NewBulk starts loading at the end of the log in store, in batches of
// batch events; signer, if not nil, signs the checkpoints Checkpoint asks
// for.
func NewBulk(ctx context.Context, store Storage, signer note.Signer, batch int) (*Bulk, error) {
	r := NewReader(store)
	tree, err := r.loadRange(ctx)
	if err != nil {
		return nil, err
	}
	b := &Bulk{store: store, signer: signer, tree: tree, max: max(1, batch)}
	if n := tree.End(); n > 0 {
		err := store.Entries(ctx, n-1, n, func(e Entry) error { b.lastTime = e.Time; return nil })
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Size is the number of leaves of the log once the pending batch is written.
func (b *Bulk) Size() uint64 { return b.tree.End() + uint64(len(b.batch)) }

// Add queues ev at time at (which must not be before the previous event's)
// and writes the batch when it is full.
func (b *Bulk) Add(ctx context.Context, ev Event, at time.Time) error {
	at = at.UTC()
	if at.Before(b.lastTime) {
		return coupole.Errorf(coupole.EINVALID, "audit bulk: event at %s is before the previous one", at.Format(time.RFC3339Nano))
	}
	payload, err := verify.EncodePayload(ev)
	if err != nil {
		return coupole.Wrap(err, coupole.EINVALID, "audit event: %v", err)
	}
	if len(b.salts) < verify.SaltSize {
		// One read of the system's randomness for many salts.
		b.salts = make([]byte, 256*verify.SaltSize)
		if _, err := rand.Read(b.salts); err != nil {
			return coupole.Wrap(err, coupole.EINTERNAL, "audit: no randomness for the salt")
		}
	}
	salt := b.salts[:verify.SaltSize:verify.SaltSize]
	b.salts = b.salts[verify.SaltSize:]
	b.lastTime = at
	b.batch = append(b.batch, Record{
		Entry:        Entry{Time: at, Commitment: verify.Commit(salt, payload), Salt: salt, Payload: payload},
		Actor:        ev.Actor,
		Interaction:  ev.Interaction,
		Customers:    ev.Customers,
		AccessPoints: ev.AccessPoints,
	})
	if len(b.batch) >= b.max {
		return b.Flush(ctx)
	}
	return nil
}

// Flush writes the pending batch in one Append.
func (b *Bulk) Flush(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	tree, err := rangeFactory.NewRange(0, b.tree.End(), append([][]byte(nil), b.tree.Hashes()...))
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "audit: tree state")
	}
	base := tree.End()
	nodes, err := appendLeaves(tree, base, b.batch)
	if err != nil {
		return err
	}
	if err := b.store.Append(ctx, base, b.batch, nodes); err != nil {
		return err
	}
	b.tree, b.batch = tree, b.batch[:0]
	return nil
}

// Checkpoint writes the pending batch, then signs and stores a checkpoint
// of the whole log, dated at.
func (b *Bulk) Checkpoint(ctx context.Context, at time.Time) (StoredCheckpoint, error) {
	if b.signer == nil {
		return StoredCheckpoint{}, coupole.Errorf(coupole.EUNAVAILABLE, "audit: this bulk load has no signing key")
	}
	if err := b.Flush(ctx); err != nil {
		return StoredCheckpoint{}, err
	}
	return signAndStore(ctx, b.store, b.signer, &coupole.FixedClock{T: at}, treeHead{b.tree.End(), rootOf(b.tree)})
}

// appendLeaves numbers recs from base, sets their leaf hashes, appends them
// to tree and returns the tree nodes to store (levels that are multiples of
// NodeStride). The records' times must be set.
func appendLeaves(tree *compact.Range, base uint64, recs []Record) ([]Node, error) {
	var nodes []Node
	visit := func(id compact.NodeID, h []byte) {
		if id.Level > 0 && id.Level%NodeStride == 0 {
			nodes = append(nodes, Node{Level: id.Level, Index: id.Index, Hash: h})
		}
	}
	rec := make([]byte, 0, verify.LeafSize)
	for i := range recs {
		recs[i].Index = base + uint64(i)
		rec = recs[i].Leaf().AppendTo(rec[:0])
		recs[i].LeafHash = rfc6962.DefaultHasher.HashLeaf(rec)
		if err := tree.Append(recs[i].LeafHash, visit); err != nil {
			return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: tree append")
		}
	}
	return nodes, nil
}
