package sqlstore

import (
	"context"
	"sync"
	"time"

	"github.com/coupole/coupole"
)

// Group commit for interaction writes and audit batches. Each step of a
// call writes a row or two (open, candidates, choice, verification,
// delivery, close) and an audit event, and each would be a durable commit
// of its own: on SQLite one writer and one fsync per commit, which bounds a
// contact center to a few hundred steps a second. Concurrent writes are
// therefore gathered into one transaction: the first caller to find no
// commit running starts one, which takes every write queued meanwhile; each
// write runs in its own savepoint, so one failing write (a conflict) undoes
// only itself. A caller returns once the transaction holding its write has
// committed, as with InTx.

type groupWrite struct {
	ctx  context.Context // the caller's: a write whose caller has gone is not made
	fn   func(ctx context.Context, tx *Tx) error
	done chan error
}

type committer struct {
	mu      sync.Mutex
	pending []*groupWrite
	running bool
}

var committers sync.Map // *DB → *committer

// maxGroup bounds one group transaction.
const maxGroup = 256

// DefaultGroupTimeout bounds one group transaction, from the wait for the
// write connection to the commit (issue 10, item 1). Nothing may hold
// SQLite's only write connection for longer: a stuck step or a lock held
// elsewhere fails this group's writes (EUNAVAILABLE) and frees the
// connection, instead of freezing every write that follows. It is above
// SQLite's busy_timeout, so that a write lock held by another process is
// reported as such first.
const DefaultGroupTimeout = 12 * time.Second

// inGroupKey marks a context given to a write that already runs inside a
// group transaction (an audit event's step write, audit.Record.Then): the
// writes it makes join that transaction instead of queueing for the next
// group, which would wait for the group that is waiting for them.
type inGroupKey struct{}

type inGroup struct {
	db *DB
	tx *Tx
}

func (db *DB) groupTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if g, ok := ctx.Value(inGroupKey{}).(inGroup); ok && g.db == db {
		return fn(ctx, g.tx)
	}
	v, _ := committers.LoadOrStore(db, &committer{})
	c := v.(*committer)
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, w)
	if !c.running {
		c.running = true
		go c.loop(db)
	}
	c.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return coupole.Wrap(ctx.Err(), coupole.EUNAVAILABLE, "database: write not acknowledged: %v", ctx.Err())
	}
}

func (c *committer) loop(db *DB) {
	for {
		c.mu.Lock()
		n := min(len(c.pending), maxGroup)
		batch := c.pending[:n:n]
		c.pending = c.pending[n:]
		if n == 0 {
			c.running = false
			c.pending = nil
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.commit(db, batch)
	}
}

func (c *committer) commit(db *DB, batch []*groupWrite) {
	// The callers' contexts may end at any time; the group must not because
	// of one of them, but it must end: it holds the write connection. It
	// ends with the DB too.
	timeout := db.GroupTimeout
	if timeout <= 0 {
		timeout = DefaultGroupTimeout
	}
	ctx, cancel := context.WithTimeout(db.life, timeout)
	defer cancel()
	results := make([]error, len(batch))
	err := db.InTx(ctx, func(tx *Tx) error {
		// Each savepoint is released before the next begins, so one name
		// serves them all (and is one prepared statement, not one per write).
		for i, w := range batch {
			if err := w.ctx.Err(); err != nil {
				// Its caller was told it failed (groupTx): it must not
				// happen behind their back.
				results[i] = coupole.Wrap(err, coupole.EUNAVAILABLE, "database: write abandoned: %v", err)
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				return storageError(err, "savepoint")
			}
			if results[i] = w.fn(ctx, tx); results[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
					return storageError(err, "rollback to savepoint")
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
				return storageError(err, "release savepoint")
			}
		}
		return nil
	})
	for i, w := range batch {
		if err != nil {
			w.done <- err
		} else {
			w.done <- results[i]
		}
	}
}
