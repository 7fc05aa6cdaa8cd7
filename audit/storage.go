package audit

import (
	"context"
	"time"

	"github.com/coupole/coupole/audit/verify"
)

// Event is one traced access or decision; see verify.Event. The log sets Time.
type Event = verify.Event

// Decision is the traced outcome of a policy decision.
type Decision = verify.Decision

// Entry is one stored event: its leaf and, until erased, its salt and
// canonical payload.
type Entry struct {
	Index      uint64
	Time       time.Time // UTC, nanosecond precision
	Commitment [32]byte  // SHA-256(salt ‖ payload)
	Salt       []byte    // nil once erased
	Payload    []byte    // nil once erased
}

// Leaf returns the entry's leaf.
func (e Entry) Leaf() verify.Leaf {
	return verify.Leaf{Index: e.Index, Time: e.Time.UnixNano(), Commitment: e.Commitment}
}

// Erased reports whether the entry's payload was erased.
func (e Entry) Erased() bool { return e.Payload == nil }

// Record is an entry as the sequencer hands it to Storage: the entry, its
// leaf hash, and the query columns taken from the event. The query columns are
// personal data and are cleared with the payload.
type Record struct {
	Entry
	LeafHash     []byte
	Actor        string
	Interaction  string
	Customers    []string
	AccessPoints []string

	// Then, if set, is the caller's own storage write that goes with this
	// event (see Log.AppendThen). A Storage that implements StepStorage runs
	// it in the transaction that appends the batch, after the batch's rows,
	// under a savepoint of its own, and sets ThenErr when it fails: that
	// write alone is undone, the event stays (the log may hold more than
	// happened, never less). Other storages never see it set.
	Then    func(ctx context.Context, index uint64) error
	ThenErr error
}

// StepStorage is a Storage whose Append runs each record's Then as
// described on Record.
type StepStorage interface {
	Storage
	RunsThen()
}

// Node is a stored hash of the Merkle tree: the root of the perfect subtree
// of 2^Level leaves starting at leaf Index<<Level.
type Node struct {
	Level uint
	Index uint64
	Hash  []byte
}

// StoredLevels says which tree levels are stored: leaf hashes (level 0) and
// every level that is a multiple of NodeStride. Other nodes are recomputed
// from at most 2^(NodeStride-1) stored ones below them, which keeps writes to
// about 1.07 rows per event instead of 2.
const NodeStride = 4

// Storage keeps the log in a database. Implementations pass the conformance
// suite in sqlstore (audit_test.go) on SQLite and PostgreSQL. Errors are
// *coupole.Error; a missing single thing is ENOTFOUND.
type Storage interface {
	// Append writes records (indexes base, base+1, …) and tree nodes in one
	// durable transaction, holding the log's single-writer lock. If the log
	// does not hold exactly base leaves when the lock is taken, it writes
	// nothing and returns ECONFLICT: another writer got there first.
	Append(ctx context.Context, base uint64, recs []Record, nodes []Node) error
	// Size is the number of leaves committed.
	Size(ctx context.Context) (uint64, error)
	// Nodes returns the hashes of the given stored nodes (level 0 or a
	// multiple of NodeStride), in order; ENOTFOUND if one is missing.
	Nodes(ctx context.Context, ids []NodeID) ([][]byte, error)
	// NodeRange returns the stored hashes of level level for indexes [begin, end).
	NodeRange(ctx context.Context, level uint, begin, end uint64) ([][]byte, error)
	// Entries calls fn for the entries [begin, end) in index order.
	Entries(ctx context.Context, begin, end uint64, fn func(Entry) error) error

	// AddCheckpoint stores a signed checkpoint of the given size; storing a
	// second one of the same size is a no-op.
	AddCheckpoint(ctx context.Context, c StoredCheckpoint) error
	// LatestCheckpoint returns the checkpoint of largest size (ENOTFOUND if none).
	LatestCheckpoint(ctx context.Context) (StoredCheckpoint, error)
	// Checkpoints calls fn for every checkpoint signed at or after since, by ascending size.
	Checkpoints(ctx context.Context, since time.Time, fn func(StoredCheckpoint) error) error

	// Erase deletes the salt, payload and query columns of every event
	// before t for which keep (if not nil) returns false; keep is given the
	// decoded event with its Time, and says whether a legal hold covers it
	// (issue 13). Events are ordered by time, so they are a prefix of the
	// log: it returns the index below which payloads are now erased, but
	// for the kept ones, which verification checks like any other.
	Erase(ctx context.Context, before time.Time, keep func(Event) bool) (erasedBelow uint64, err error)
	// ErasedBelow returns the index below which payloads are erased.
	ErasedBelow(ctx context.Context) (uint64, error)

	// Query returns entries matching q, by ascending index, at most q.Limit.
	Query(ctx context.Context, q Query) ([]Entry, error)
}

// NodeID names a tree node.
type NodeID struct {
	Level uint
	Index uint64
}

// StoredCheckpoint is a signed checkpoint as stored.
type StoredCheckpoint struct {
	Size     uint64
	Root     []byte
	Note     []byte // the signed note
	SignedAt time.Time
}

// Query selects events. Customer, AccessPoint, Actor and Interaction filter
// when not empty (all given filters apply); From and To bound the time
// ([From, To)) when not zero. After pages: only indexes greater than After
// (use the last index of the previous page, or -1 to start).
type Query struct {
	Customer    string
	AccessPoint string
	Actor       string
	Interaction string
	From, To    time.Time
	After       int64
	Limit       int
}

// MaxQueryLimit bounds one page.
const MaxQueryLimit = 1000
