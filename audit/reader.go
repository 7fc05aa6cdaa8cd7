package audit

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Reader is the read side of the log: tree heads, proofs, checkpoints and
// queries. It needs no key and no sequencer, so every node and every CLI
// command can serve it.
type Reader struct {
	store Storage
}

// NewReader reads the log kept in store.
func NewReader(store Storage) *Reader { return &Reader{store: store} }

// Storage returns the storage the reader reads.
func (r *Reader) Storage() Storage { return r.store }

// nodeHashes returns the hashes of any tree nodes (perfect subtrees of
// committed leaves), computing those of unstored levels from the stored level
// below them.
func (r *Reader) nodeHashes(ctx context.Context, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	var stored []NodeID
	var where []int
	for i, id := range ids {
		if id.Level%NodeStride == 0 {
			stored = append(stored, NodeID{id.Level, id.Index})
			where = append(where, i)
			continue
		}
		base := id.Level - id.Level%NodeStride
		shift := id.Level - base
		hs, err := r.store.NodeRange(ctx, base, id.Index<<shift, (id.Index+1)<<shift)
		if err != nil {
			return nil, err
		}
		if len(hs) != 1<<shift {
			return nil, coupole.Errorf(coupole.EINTERNAL, "audit: tree node %d/%d: %d of %d hashes below it are stored", id.Level, id.Index, len(hs), 1<<shift)
		}
		for len(hs) > 1 {
			for j := 0; j < len(hs)/2; j++ {
				hs[j] = rfc6962.DefaultHasher.HashChildren(hs[2*j], hs[2*j+1])
			}
			hs = hs[:len(hs)/2]
		}
		out[i] = hs[0]
	}
	if len(stored) > 0 {
		hs, err := r.store.Nodes(ctx, stored)
		if err != nil {
			return nil, err
		}
		for k, i := range where {
			out[i] = hs[k]
		}
	}
	return out, nil
}

// loadRange rebuilds the compact range of the whole committed tree.
func (r *Reader) loadRange(ctx context.Context) (*compact.Range, error) {
	size, err := r.store.Size(ctx)
	if err != nil {
		return nil, err
	}
	return r.rangeAt(ctx, size)
}

func (r *Reader) rangeAt(ctx context.Context, size uint64) (*compact.Range, error) {
	hs, err := r.nodeHashes(ctx, compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, err
	}
	tree, err := rangeFactory.NewRange(0, size, hs)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: tree state: %v", err)
	}
	return tree, nil
}

// Size returns the number of committed leaves.
func (r *Reader) Size(ctx context.Context) (uint64, error) { return r.store.Size(ctx) }

// RootAt returns the root hash of the tree of the first size leaves.
func (r *Reader) RootAt(ctx context.Context, size uint64) ([]byte, error) {
	if err := r.checkSize(ctx, size); err != nil {
		return nil, err
	}
	tree, err := r.rangeAt(ctx, size)
	if err != nil {
		return nil, err
	}
	return rootOf(tree), nil
}

func (r *Reader) checkSize(ctx context.Context, size uint64) error {
	n, err := r.store.Size(ctx)
	if err != nil {
		return err
	}
	if size > n {
		return coupole.Errorf(coupole.ENOTFOUND, "audit: tree size %d is beyond the %d events logged", size, n)
	}
	return nil
}

// LatestCheckpoint returns the latest signed checkpoint.
func (r *Reader) LatestCheckpoint(ctx context.Context) (StoredCheckpoint, error) {
	return r.store.LatestCheckpoint(ctx)
}

// InclusionProof is the proof that a leaf is in the tree of a given size;
// its format belongs to the offline verifier.
type InclusionProof = verify.InclusionProof

// InclusionProof proves leaf index is in the tree of the given size.
func (r *Reader) InclusionProof(ctx context.Context, index, size uint64) (InclusionProof, error) {
	if index >= size {
		return InclusionProof{}, coupole.Errorf(coupole.EINVALID, "audit: index %d is not below tree size %d", index, size)
	}
	if err := r.checkSize(ctx, size); err != nil {
		return InclusionProof{}, err
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return InclusionProof{}, coupole.Wrap(err, coupole.EINVALID, "audit: %v", err)
	}
	hs, err := r.rehash(ctx, nodes)
	if err != nil {
		return InclusionProof{}, err
	}
	leaf, err := r.store.NodeRange(ctx, 0, index, index+1)
	if err != nil {
		return InclusionProof{}, err
	}
	if len(leaf) != 1 {
		return InclusionProof{}, coupole.Errorf(coupole.ENOTFOUND, "audit: no leaf %d", index)
	}
	return InclusionProof{Index: index, Size: size, LeafHash: leaf[0], Hashes: hs}, nil
}

// ConsistencyProof is the proof that the tree of Size2 extends that of
// Size1; its format belongs to the offline verifier.
type ConsistencyProof = verify.ConsistencyProof

// ConsistencyProof proves the tree of size2 extends the tree of size1.
func (r *Reader) ConsistencyProof(ctx context.Context, size1, size2 uint64) (ConsistencyProof, error) {
	if size1 > size2 {
		return ConsistencyProof{}, coupole.Errorf(coupole.EINVALID, "audit: tree size %d is larger than %d", size1, size2)
	}
	if err := r.checkSize(ctx, size2); err != nil {
		return ConsistencyProof{}, err
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return ConsistencyProof{}, coupole.Wrap(err, coupole.EINVALID, "audit: %v", err)
	}
	hs, err := r.rehash(ctx, nodes)
	if err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{Size1: size1, Size2: size2, Hashes: hs}, nil
}

func (r *Reader) rehash(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hs, err := r.nodeHashes(ctx, nodes.IDs)
	if err != nil {
		return nil, err
	}
	hs, err = nodes.Rehash(hs, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: proof: %v", err)
	}
	if hs == nil {
		hs = [][]byte{}
	}
	return hs, nil
}

// Found is one event a query found: its entry and, unless erased, the
// decoded event.
type Found struct {
	Entry
	Event Event // zero if erased
}

// Query returns one page of events matching q (T1: by customer or EAN, staff
// member, interaction, period). The result proves each event authentic (its
// leaf is in the signed tree), not that the page is complete.
func (r *Reader) Query(ctx context.Context, q Query) ([]Found, error) {
	if q.Limit <= 0 || q.Limit > MaxQueryLimit {
		return nil, coupole.Errorf(coupole.EINVALID, "audit query: limit must be between 1 and %d", MaxQueryLimit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return nil, coupole.Errorf(coupole.EINVALID, "audit query: the period ends before it starts")
	}
	es, err := r.store.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Found, len(es))
	for i, e := range es {
		out[i].Entry = e
		if e.Payload != nil {
			ev, err := verify.DecodePayload(e.Payload)
			if err != nil {
				return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: event %d: stored payload unreadable", e.Index)
			}
			out[i].Event = ev
		}
		out[i].Event.Time = e.Time
	}
	return out, nil
}

// Erase deletes the personal data of the events before t (payload, salt and
// query columns), keeping leaves and tree so every proof stays valid. Events
// for which keep returns true (a legal hold covers them) keep their payload.
func (r *Reader) Erase(ctx context.Context, before time.Time, keep func(Event) bool) (uint64, error) {
	return r.store.Erase(ctx, before, keep)
}
