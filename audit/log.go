// Package audit is Coupole's verifiable trace (T1, T2): an append-only log of
// events whose leaves and tree follow RFC 6962, with Ed25519-signed
// checkpoints in the C2SP tlog-checkpoint format. One sequencer groups
// concurrent appends into one durable transaction; an append returns only
// once its event is committed. Formats and verification live in audit/verify,
// which auditors can build alone; docs/audit.md describes them.
package audit

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Options tune a Log. The zero value is usable except for Clock.
type Options struct {
	Clock  coupole.Clock
	Signer note.Signer  // signs checkpoints; nil: this log signs none
	Logger *slog.Logger // nil: slog.Default()
	// MaxBatch caps the events committed in one transaction (default 1000).
	MaxBatch int
	// Linger is how long the sequencer waits for more events once one
	// arrived (default 0: it commits what is queued at once; events arriving
	// during a commit form the next batch, so batches grow with the load).
	Linger time.Duration
	// CheckpointEvery is how often a checkpoint is signed while new events
	// arrive (default 1s).
	CheckpointEvery time.Duration
	// WriteTimeout bounds one batch transaction (default 30s).
	WriteTimeout time.Duration
	// CloseTimeout bounds Close (default 5s): the events still queued and
	// the last checkpoint get that long to be written; then they fail
	// (never acknowledged) and Close returns, so a stuck database cannot
	// keep a stopping server alive.
	CloseTimeout time.Duration
}

// Log is the running audit log: the sequencer (one writer), the checkpoint
// signer, and the read side (proofs, queries).
type Log struct {
	*Reader
	opts Options
	reqs chan *request
	quit chan struct{}
	done chan struct{} // closed when the sequencer has stopped
	wg   sync.WaitGroup
	// life bounds every storage write of the sequencer and the signer; it
	// ends CloseTimeout after Close begins.
	life    context.Context
	endLife context.CancelFunc

	// Owned by the sequencer goroutine.
	tree     *compact.Range // nil: reload from storage before the next batch
	lastTime time.Time

	mu       sync.Mutex
	head     treeHead    // last committed state
	signed   uint64      // size of the last checkpoint signed
	anySig   bool        // whether any checkpoint exists
	leading  atomic.Bool // holds the signer lease (signer.go)
	closeErr error
	closing  sync.Once
}

type treeHead struct {
	size uint64
	root []byte
}

type request struct {
	rec  Record
	done chan result
}

type result struct {
	index uint64
	err   error // the batch's error, or else the record's ThenErr
}

var rangeFactory = compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Open starts a log over store: it loads the tree state and starts the
// sequencer and, if opts.Signer is set, the checkpoint signer. Close stops
// them.
func Open(ctx context.Context, store Storage, opts Options) (*Log, error) {
	if opts.Clock == nil {
		return nil, coupole.Errorf(coupole.EINTERNAL, "audit: no clock")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1000
	}
	if opts.CheckpointEvery <= 0 {
		opts.CheckpointEvery = time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.CloseTimeout <= 0 {
		opts.CloseTimeout = 5 * time.Second
	}
	l := &Log{
		Reader: NewReader(store),
		opts:   opts,
		reqs:   make(chan *request, 4*opts.MaxBatch),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	l.life, l.endLife = context.WithCancel(context.Background())
	tree, err := l.loadRange(ctx)
	if err != nil {
		l.endLife()
		return nil, err
	}
	l.tree = tree
	l.head = treeHead{tree.End(), rootOf(tree)}
	if c, err := store.LatestCheckpoint(ctx); err == nil {
		l.signed, l.anySig = c.Size, true
		if opts.Signer != nil {
			if err := checkSigner(c, opts.Signer); err != nil {
				l.endLife()
				return nil, err
			}
		}
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		l.endLife()
		return nil, err
	}
	if n := tree.End(); n > 0 {
		var last time.Time
		err := store.Entries(ctx, n-1, n, func(e Entry) error { last = e.Time; return nil })
		if err != nil {
			l.endLife()
			return nil, err
		}
		l.lastTime = last
	}
	l.wg.Add(1)
	go l.sequence()
	if es, ok := store.(ElectingStorage); ok && opts.Signer != nil {
		l.wg.Add(1)
		go l.leadLoop(es) // several nodes: one signer at a time (signer.go)
	} else if opts.Signer != nil {
		l.leading.Store(true)
		l.wg.Add(1)
		go l.signLoop()
	}
	return l, nil
}

// Append traces ev and returns its index once it is durably committed. Any
// error means the event is not acknowledged: the caller must not serve what it
// was about to trace. (On a cancelled context or a commit whose outcome is
// unknown the event may still be in the log: the log may hold more than was
// acknowledged, never less.)
func (l *Log) Append(ctx context.Context, ev Event) (uint64, error) {
	return l.append(ctx, ev, nil)
}

// AppendThen traces ev and runs then, the caller's storage write that goes
// with it, given the event's index. On a StepStorage both are written in one
// transaction (one durable commit, one wait) with then under a savepoint of
// its own; otherwise then runs once the event is durable. Either way the event
// is written first, then is never run unless the event is committed with it,
// and the error returned is either the log's (nothing traced, nothing
// written) or, with the event traced, the very error then returned (its write
// undone alone).
func (l *Log) AppendThen(ctx context.Context, ev Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	if _, ok := l.store.(StepStorage); !ok || then == nil {
		idx, err := l.append(ctx, ev, nil)
		if err != nil || then == nil {
			return idx, err
		}
		return idx, then(ctx, idx)
	}
	return l.append(ctx, ev, then)
}

func (l *Log) append(ctx context.Context, ev Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	payload, err := verify.EncodePayload(ev)
	if err != nil {
		return 0, coupole.Wrap(err, coupole.EINVALID, "audit event: %v", err)
	}
	salt := make([]byte, verify.SaltSize)
	if _, err := rand.Read(salt); err != nil {
		return 0, coupole.Wrap(err, coupole.EINTERNAL, "audit: no randomness for the salt")
	}
	r := &request{done: make(chan result, 1)}
	r.rec = Record{
		Entry:        Entry{Commitment: verify.Commit(salt, payload), Salt: salt, Payload: payload},
		Actor:        ev.Actor,
		Interaction:  ev.Interaction,
		Customers:    ev.Customers,
		AccessPoints: ev.AccessPoints,
		Then:         then,
	}
	select {
	case <-l.quit:
		return 0, errClosed
	default:
	}
	select {
	case l.reqs <- r:
	case <-l.done:
		return 0, errClosed
	case <-ctx.Done():
		return 0, coupole.Wrap(ctx.Err(), coupole.EUNAVAILABLE, "audit: event not traced: %v", ctx.Err())
	}
	select {
	case res := <-r.done:
		return res.index, res.err
	case <-l.done:
		select {
		case res := <-r.done:
			return res.index, res.err
		default:
			return 0, errClosed
		}
	case <-ctx.Done():
		return 0, coupole.Wrap(ctx.Err(), coupole.EUNAVAILABLE, "audit: event not acknowledged: %v", ctx.Err())
	}
}

var errClosed = coupole.Errorf(coupole.EUNAVAILABLE, "audit: the log is closed; event not traced")

// Close stops accepting events, commits those already queued, signs a last
// checkpoint, and stops. It returns within about Options.CloseTimeout even
// when the storage does not answer: what is not written by then fails.
func (l *Log) Close() error {
	l.closing.Do(func() {
		close(l.quit)
		stop := time.AfterFunc(l.opts.CloseTimeout, l.endLife)
		l.wg.Wait()
		stop.Stop()
		l.endLife()
	})
	return l.closeErr
}

func (l *Log) sequence() {
	defer l.wg.Done()
	defer close(l.done)
	batch := make([]*request, 0, l.opts.MaxBatch)
	for {
		select {
		case r := <-l.reqs:
			batch = append(batch[:0], r)
		case <-l.quit:
			for {
				batch = batch[:0]
				for len(batch) < l.opts.MaxBatch {
					select {
					case r := <-l.reqs:
						batch = append(batch, r)
						continue
					default:
					}
					break
				}
				if len(batch) == 0 {
					return
				}
				l.commit(batch)
			}
		}
		var linger <-chan time.Time
		var timer *time.Timer
		if l.opts.Linger > 0 {
			timer = time.NewTimer(l.opts.Linger)
			linger = timer.C
		}
	gather:
		for len(batch) < l.opts.MaxBatch {
			select {
			case r := <-l.reqs:
				batch = append(batch, r)
			default:
				if linger == nil {
					break gather
				}
				select {
				case r := <-l.reqs:
					batch = append(batch, r)
				case <-linger:
					break gather
				}
			}
		}
		if timer != nil {
			timer.Stop()
		}
		l.commit(batch)
	}
}

// commit writes one batch and answers its requests. A batch is written whole
// or not at all; on ECONFLICT (another node appended) it reloads the tree and
// tries again.
func (l *Log) commit(batch []*request) {
	ctx, cancel := context.WithTimeout(l.life, l.opts.WriteTimeout)
	defer cancel()
	var err error
	var head treeHead
	var thenErrs []error
	for attempt := 0; attempt < 5; attempt++ {
		if l.tree == nil {
			if l.tree, err = l.loadRange(ctx); err != nil {
				break
			}
		}
		head, thenErrs, err = l.write(ctx, batch)
		if coupole.ErrorCode(err) != coupole.ECONFLICT {
			break
		}
		l.tree = nil
	}
	if err != nil {
		l.tree = nil // the outcome may be unknown: trust only the database
		l.opts.Logger.Error("audit: batch not committed", "events", len(batch), "err", err)
		err = coupole.Wrap(err, coupole.EUNAVAILABLE, "audit: event not traced: the log cannot be written")
		for _, r := range batch {
			r.done <- result{err: err}
		}
		return
	}
	l.mu.Lock()
	l.head = head
	l.mu.Unlock()
	base := head.size - uint64(len(batch))
	for i, r := range batch {
		r.done <- result{index: base + uint64(i), err: thenErrs[i]}
	}
}

// write appends batch and returns the new head and, per request, the error
// of its Then (nil if it had none or it succeeded).
func (l *Log) write(ctx context.Context, batch []*request) (treeHead, []error, error) {
	if s, ok := l.store.(SequencingStorage); ok {
		return l.writeAtTail(ctx, s, batch) // several nodes may append (sequencer.go)
	}
	tree, err := rangeFactory.NewRange(0, l.tree.End(), append([][]byte(nil), l.tree.Hashes()...))
	if err != nil {
		return treeHead{}, nil, coupole.Wrap(err, coupole.EINTERNAL, "audit: tree state")
	}
	base := tree.End()
	now := l.opts.Clock.Now().UTC()
	if now.Before(l.lastTime) {
		now = l.lastTime // time never goes backwards in the log: erasure by date erases a prefix
	}
	recs, nodes, err := buildBatch(tree, now, batch)
	if err != nil {
		return treeHead{}, nil, err
	}
	if err := l.store.Append(ctx, base, recs, nodes); err != nil {
		return treeHead{}, nil, err
	}
	l.tree, l.lastTime = tree, now
	thenErrs := make([]error, len(recs))
	for i := range recs {
		thenErrs[i] = recs[i].ThenErr
	}
	return treeHead{tree.End(), rootOf(tree)}, thenErrs, nil
}

// buildBatch numbers batch from tree's end, appends its leaves to tree, and
// returns the records and the tree nodes to store.
func buildBatch(tree *compact.Range, now time.Time, batch []*request) ([]Record, []Node, error) {
	recs := make([]Record, len(batch))
	for i, r := range batch {
		recs[i] = r.rec
		recs[i].Time = now
	}
	nodes, err := appendLeaves(tree, tree.End(), recs)
	if err != nil {
		return nil, nil, err
	}
	return recs, nodes, nil
}

func rootOf(r *compact.Range) []byte {
	root, err := r.GetRootHash(nil)
	if err != nil || root == nil {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	return root
}

func (l *Log) signLoop() {
	defer l.wg.Done()
	t := time.NewTicker(l.opts.CheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if _, err := l.signIfNew(); err != nil {
				l.opts.Logger.Error("audit: checkpoint not signed", "err", err)
			}
		case <-l.done: // the sequencer has stopped: sign what it committed last
			if _, err := l.signIfNew(); err != nil {
				l.opts.Logger.Error("audit: last checkpoint not signed", "err", err)
				l.closeErr = err
			}
			return
		}
	}
}

func (l *Log) signIfNew() (StoredCheckpoint, error) {
	l.mu.Lock()
	h, signed, any := l.head, l.signed, l.anySig
	l.mu.Unlock()
	if any && h.size <= signed {
		return StoredCheckpoint{}, nil
	}
	return l.sign(l.life, h)
}

// sign signs and stores a checkpoint of h, within WriteTimeout of parent.
func (l *Log) sign(parent context.Context, h treeHead) (StoredCheckpoint, error) {
	ctx, cancel := context.WithTimeout(parent, l.opts.WriteTimeout)
	defer cancel()
	c, err := signAndStore(ctx, l.store, l.opts.Signer, l.opts.Clock, h)
	if err != nil {
		return c, err
	}
	l.mu.Lock()
	l.signed, l.anySig = max(l.signed, h.size), true
	l.mu.Unlock()
	return c, nil
}

// Checkpoint signs and stores a checkpoint of everything committed so far,
// on demand.
func (l *Log) Checkpoint(ctx context.Context) (StoredCheckpoint, error) {
	if l.opts.Signer == nil {
		return StoredCheckpoint{}, coupole.Errorf(coupole.EUNAVAILABLE, "audit: this log has no signing key")
	}
	l.mu.Lock()
	h := l.head
	l.mu.Unlock()
	return l.sign(ctx, h)
}

func signAndStore(ctx context.Context, store Storage, s note.Signer, clock coupole.Clock, h treeHead) (StoredCheckpoint, error) {
	if last, err := store.LatestCheckpoint(ctx); err == nil {
		if err := checkSigner(last, s); err != nil { // one log, one key (signer.go)
			return StoredCheckpoint{}, err
		}
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return StoredCheckpoint{}, err
	}
	c, err := signCheckpoint(s, clock, h)
	if err != nil {
		return c, err
	}
	if err := store.AddCheckpoint(ctx, c); err != nil {
		return StoredCheckpoint{}, err
	}
	return c, nil
}

func signCheckpoint(s note.Signer, clock coupole.Clock, h treeHead) (StoredCheckpoint, error) {
	msg, err := verify.SignCheckpoint(verify.Checkpoint{Origin: s.Name(), Size: h.size, Root: h.root}, s)
	if err != nil {
		return StoredCheckpoint{}, coupole.Wrap(err, coupole.EINTERNAL, "audit: sign checkpoint: %v", err)
	}
	return StoredCheckpoint{Size: h.size, Root: h.root, Note: msg, SignedAt: clock.Now().UTC()}, nil
}

// SignCheckpoint signs and stores a checkpoint of the whole log as the
// database holds it now, without a running Log (for `coupole audit checkpoint`).
func SignCheckpoint(ctx context.Context, store Storage, s note.Signer, clock coupole.Clock) (StoredCheckpoint, error) {
	r := NewReader(store)
	tree, err := r.loadRange(ctx)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	return signAndStore(ctx, store, s, clock, treeHead{tree.End(), rootOf(tree)})
}
