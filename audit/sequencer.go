package audit

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/transparency-dev/merkle/compact"
)

// Several nodes, one log (issue 18, item 1). Every `coupole serve` node of a
// deployment runs its own Log over the same database. Appends are sequenced
// inside the database: a batch transaction takes the log's writer lock, reads
// the log's tail (size, time of the last event) and only then numbers its
// events, so no node can hold a stale view of the tree when it writes and no
// batch is ever refused for being late (the former check-and-retry design
// ran out of retries as soon as two nodes appended steadily). Checkpoints are
// signed by one node at a time, the holder of a signer lease (signer.go).

// Tail is the end of the log as the storage sees it while it holds the log's
// writer lock: nothing can be appended by anyone else until the transaction
// that read it ends.
type Tail struct {
	Size uint64
	Last time.Time // time of the last event; zero when the log is empty
	// LeafHashes returns the leaf hashes of [begin, end), read in the
	// locked transaction: a node catches up with what the others appended
	// since its own last batch from these instead of reloading the tree.
	LeafHashes func(ctx context.Context, begin, end uint64) ([][]byte, error)
}

// SequencingStorage is a Storage that numbers appends under its own lock, so
// any number of Logs (one per node) may append to it at once.
type SequencingStorage interface {
	Storage
	// AppendAtTail takes the log's writer lock, reads the tail, calls build
	// with it and writes the records and nodes build returns (indexes
	// tail.Size, tail.Size+1, …) in the same durable transaction, running
	// their Then as StepStorage describes. If build fails nothing is
	// written.
	AppendAtTail(ctx context.Context, build func(ctx context.Context, tail Tail) ([]Record, []Node, error)) error
}

// writeAtTail is write for a SequencingStorage: the batch is numbered from
// the tail read under the storage's lock.
func (l *Log) writeAtTail(ctx context.Context, s SequencingStorage, batch []*request) (treeHead, []error, error) {
	var (
		recs []Record
		tree *compact.Range
		now  time.Time
	)
	err := s.AppendAtTail(ctx, func(ctx context.Context, tail Tail) ([]Record, []Node, error) {
		var err error
		if tree, err = l.treeAt(ctx, tail); err != nil {
			return nil, nil, err
		}
		now = l.opts.Clock.Now().UTC()
		if now.Before(tail.Last) {
			now = tail.Last // another node's clock may be ahead: time never goes backwards in the log
		}
		var nodes []Node
		recs, nodes, err = buildBatch(tree, now, batch)
		return recs, nodes, err
	})
	if err != nil {
		return treeHead{}, nil, err
	}
	l.tree, l.lastTime = tree, now
	thenErrs := make([]error, len(recs))
	for i := range recs {
		thenErrs[i] = recs[i].ThenErr
	}
	return treeHead{tree.End(), rootOf(tree)}, thenErrs, nil
}

// treeAt returns a copy of the node's tree brought to tail.Size: the leaves
// other nodes appended since this node's last batch are read in the locked
// transaction; a tree that cannot be caught up (none yet, or ahead of the
// database after a commit whose outcome was unknown) is reloaded.
func (l *Log) treeAt(ctx context.Context, tail Tail) (*compact.Range, error) {
	if l.tree == nil || l.tree.End() > tail.Size {
		return l.rangeAt(ctx, tail.Size)
	}
	tree, err := rangeFactory.NewRange(0, l.tree.End(), append([][]byte(nil), l.tree.Hashes()...))
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: tree state")
	}
	const page = 5000
	for begin := tree.End(); begin < tail.Size; begin = tree.End() {
		end := min(tail.Size, begin+page)
		hs, err := tail.LeafHashes(ctx, begin, end)
		if err != nil {
			return nil, err
		}
		if uint64(len(hs)) != end-begin {
			return nil, coupole.Errorf(coupole.EINTERNAL, "audit: %d of the leaves %d to %d are stored", len(hs), begin, end)
		}
		for _, h := range hs {
			if err := tree.Append(h, nil); err != nil {
				return nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: tree append")
			}
		}
	}
	return tree, nil
}
