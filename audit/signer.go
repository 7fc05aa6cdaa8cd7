package audit

import (
	"context"
	"errors"
	"time"

	"github.com/coupole/coupole"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// One signer at a time (issue 18, item 1). When several nodes share a log,
// each would otherwise sign checkpoints of its own view every second: as many
// checkpoints as nodes, racing each other. Instead the nodes elect a signer
// through the storage (a PostgreSQL session advisory lock, as Trillian elects
// its sequencer's master): the holder of the lease signs checkpoints of the
// whole log as the database holds it, the others only append. A lease is
// fenced: the storage refuses a checkpoint from a lease it no longer honours,
// and the lease reports its own loss within a second, after which its node
// signs nothing until it wins the lease again.

// Lease is a node's right to sign the log's checkpoints.
type Lease interface {
	// Lost is closed once the lease is no longer held (its database session
	// ended or stopped answering).
	Lost() <-chan struct{}
	// AddCheckpoint stores c only while the lease is held; otherwise it
	// stores nothing and fails (EUNAVAILABLE).
	AddCheckpoint(ctx context.Context, c StoredCheckpoint) error
	// Release gives the lease up.
	Release()
}

// ElectingStorage is a Storage shared by several nodes, of which one at a
// time signs checkpoints.
type ElectingStorage interface {
	Storage
	// TryLead tries once to take the signer lease: nil and no error when
	// another node holds it.
	TryLead(ctx context.Context) (Lease, error)
}

// Leading reports whether this log currently holds the signer lease (always
// false for a log without a signing key; always true, once signing, for a
// storage that elects no signer).
func (l *Log) Leading() bool { return l.leading.Load() }

// leader is the signer's state when the storage elects one.
type leader struct {
	lease Lease
	tree  *compact.Range // the whole log as last signed, caught up before each checkpoint
}

// leadLoop replaces signLoop on an ElectingStorage: it tries to take the
// lease every CheckpointEvery and, while it holds it, signs a checkpoint of
// the whole log every CheckpointEvery.
func (l *Log) leadLoop(es ElectingStorage) {
	defer l.wg.Done()
	t := time.NewTicker(l.opts.CheckpointEvery)
	defer t.Stop()
	var ld leader
	var lost <-chan struct{}
	drop := func(why string) {
		if ld.lease == nil {
			return
		}
		l.leading.Store(false)
		ld.lease.Release()
		ld, lost = leader{}, nil
		l.opts.Logger.Warn("audit: this node no longer signs checkpoints", "why", why)
	}
	defer drop("stopped")
	for {
		select {
		case <-lost:
			drop("signer lease lost")
		case <-t.C:
			if ld.lease == nil {
				lease, err := es.TryLead(l.life)
				if err != nil {
					l.opts.Logger.Error("audit: cannot take part in the signer election", "err", err)
					continue
				}
				if lease == nil {
					continue
				}
				ld.lease, lost = lease, lease.Lost()
				l.leading.Store(true)
				l.opts.Logger.Info("audit: this node signs the checkpoints")
			}
			if err := l.signAsLeader(&ld); err != nil {
				l.opts.Logger.Error("audit: checkpoint not signed", "err", err)
			}
		case <-l.done: // the sequencer has stopped: sign what is committed, if leading
			if ld.lease == nil {
				// The leader may have stopped before this node's last
				// events: take the lease if it is free, to leave them signed.
				if lease, err := es.TryLead(l.life); err == nil && lease != nil {
					ld.lease = lease
				}
			}
			if ld.lease != nil {
				if err := l.signAsLeader(&ld); err != nil {
					l.opts.Logger.Error("audit: last checkpoint not signed", "err", err)
					l.closeErr = err
				}
			}
			return
		}
	}
}

// signAsLeader signs a checkpoint of the log as committed now, whoever
// appended it, unless one of that size exists already.
func (l *Log) signAsLeader(ld *leader) error {
	select {
	case <-ld.lease.Lost():
		return coupole.Errorf(coupole.EUNAVAILABLE, "audit: signer lease lost")
	default:
	}
	ctx, cancel := context.WithTimeout(l.life, l.opts.WriteTimeout)
	defer cancel()
	size, err := l.store.Size(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	signed, any := l.signed, l.anySig
	l.mu.Unlock()
	if any && size <= signed {
		return nil
	}
	if ld.tree == nil || ld.tree.End() > size {
		if ld.tree, err = l.rangeAt(ctx, size); err != nil {
			return err
		}
	}
	for begin := ld.tree.End(); begin < size; begin = ld.tree.End() {
		end := min(size, begin+5000)
		hs, err := l.store.NodeRange(ctx, 0, begin, end)
		if err != nil {
			ld.tree = nil
			return err
		}
		if uint64(len(hs)) != end-begin {
			ld.tree = nil
			return coupole.Errorf(coupole.EINTERNAL, "audit: %d of the leaves %d to %d are stored", len(hs), begin, end)
		}
		for _, h := range hs {
			if err := ld.tree.Append(h, nil); err != nil {
				ld.tree = nil
				return coupole.Wrap(err, coupole.EINTERNAL, "audit: tree append")
			}
		}
	}
	c, err := signCheckpoint(l.opts.Signer, l.opts.Clock, treeHead{size, rootOf(ld.tree)})
	if err != nil {
		return err
	}
	if err := ld.lease.AddCheckpoint(ctx, c); err != nil {
		return err
	}
	l.mu.Lock()
	l.signed, l.anySig = max(l.signed, size), true
	l.mu.Unlock()
	return nil
}

// checkSigner refuses a signing key that did not sign the log's latest
// checkpoint: the nodes of a deployment sign one log and must share one key
// file. A node started on an empty data directory creates a key of its own
// (coupole serve does, on first start), and its checkpoints would not verify
// with the verifier key the auditors hold.
func checkSigner(c StoredCheckpoint, s note.Signer) error {
	_, err := note.Open(c.Note, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return nil // not a note this check can read: verification will say
	}
	for _, sig := range unverified.Note.UnverifiedSigs {
		if sig.Name == s.Name() && sig.Hash == s.KeyHash() {
			return nil
		}
	}
	return coupole.Errorf(coupole.EINVALID, "audit: this node's signing key (%s, %08x) did not sign the log's checkpoints: every node of a deployment must use the same %s; copy it from a running node", s.Name(), s.KeyHash(), SigningKeyFile)
}
