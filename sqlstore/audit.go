package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// AuditStore keeps the audit log in the database (audit.Storage). The same
// SQL serves both dialects. On PostgreSQL, several Coupole nodes may append:
// each batch transaction takes an advisory lock first, so one sequencer
// writes at a time and the others find the log grown (ECONFLICT) and retry.
// On SQLite the write transaction itself is the lock.
type AuditStore struct {
	db *DB
}

// NewAuditStore returns the audit storage of db.
func NewAuditStore(db *DB) *AuditStore { return &AuditStore{db: db} }

var _ audit.Storage = (*AuditStore)(nil)

// auditLockID is the PostgreSQL advisory lock of the audit sequencer.
const auditLockID = 7351004

// rows per multi-row INSERT: below both engines' parameter limits.
const auditChunk = 200

// Append writes one batch of the sequencer. It shares the group commit of
// the interaction writes (interaction_commit.go) instead of committing on
// its own: an advisor's request waits for its audit event, then for its
// step's row, and two commit streams taking turns on SQLite's one write
// connection made each wait up to two commits long. The batch is one write
// of the group, in its own savepoint: whole or not at all, durable when
// Append returns.
func (s *AuditStore) Append(ctx context.Context, base uint64, recs []audit.Record, nodes []audit.Node) error {
	return s.db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		if s.db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockID); err != nil {
				return storageError(err, "lock audit log")
			}
		}
		var size int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_log`).Scan(&size); err != nil {
			return storageError(err, "read audit log size")
		}
		if uint64(size) != base {
			return coupole.Errorf(coupole.ECONFLICT, "audit log holds %d events, the writer expected %d", size, base)
		}
		for i, r := range recs {
			if r.Index != base+uint64(i) {
				return coupole.Errorf(coupole.EINTERNAL, "audit: batch indexes are not consecutive")
			}
		}
		err := s.insertRows(ctx, tx, `INSERT INTO audit_log (idx, time_ns, commitment, leaf_hash, salt, payload, actor, interaction) VALUES `, 8, len(recs), func(i int, a []any) []any {
			r := recs[i]
			return append(a, int64(r.Index), r.Time.UnixNano(), r.Commitment[:], r.LeafHash, r.Salt, r.Payload, auditNullString(r.Actor), auditNullString(r.Interaction))
		})
		if err != nil {
			return storageError(err, "insert audit events")
		}
		type ref struct {
			kind, ref string
			idx       uint64
		}
		var refs []ref
		for _, r := range recs {
			seen := map[string]bool{}
			add := func(kind string, vs []string) {
				for _, v := range vs {
					if v != "" && !seen[kind+v] {
						seen[kind+v] = true
						refs = append(refs, ref{kind, v, r.Index})
					}
				}
			}
			add("c", r.Customers)
			add("e", r.AccessPoints)
		}
		// In key order: a large batch (a bulk load) then walks the index
		// once instead of landing on a random page per reference.
		slices.SortFunc(refs, func(a, b ref) int {
			if c := cmp.Compare(a.kind, b.kind); c != 0 {
				return c
			}
			if c := cmp.Compare(a.ref, b.ref); c != 0 {
				return c
			}
			return cmp.Compare(a.idx, b.idx)
		})
		err = s.insertRows(ctx, tx, `INSERT INTO audit_refs (kind, ref, idx) VALUES `, 3, len(refs), func(i int, a []any) []any {
			return append(a, refs[i].kind, refs[i].ref, int64(refs[i].idx))
		})
		if err != nil {
			return storageError(err, "insert audit references")
		}
		err = s.insertRows(ctx, tx, `INSERT INTO audit_nodes (level, idx, hash) VALUES `, 3, len(nodes), func(i int, a []any) []any {
			return append(a, int64(nodes[i].Level), int64(nodes[i].Index), nodes[i].Hash)
		})
		if err != nil {
			return storageError(err, "insert audit tree nodes")
		}
		// The events' step writes, after the events (trace first), each in
		// a savepoint nested in the batch's: a failing one is undone alone
		// and reported to its caller only, its event stays.
		stepCtx := context.WithValue(ctx, inGroupKey{}, inGroup{s.db, tx})
		for i := range recs {
			recs[i].ThenErr = nil
			if recs[i].Then == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT step"); err != nil {
				return storageError(err, "savepoint")
			}
			if err := recs[i].Then(stepCtx, recs[i].Index); err != nil {
				recs[i].ThenErr = err
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT step"); err != nil {
					return storageError(err, "rollback to savepoint")
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT step"); err != nil {
				return storageError(err, "release savepoint")
			}
		}
		return nil
	})
}

// RunsThen: Append runs each record's step write in its transaction
// (audit.StepStorage).
func (s *AuditStore) RunsThen() {}

var _ audit.StepStorage = (*AuditStore)(nil)

func auditNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertRows inserts n rows of cols columns. On PostgreSQL, multi-row
// INSERTs save round trips. SQLite has no round trip to save: one single-row
// statement, prepared once (see prepared.go) and run for each row, costs
// less than compiling a multi-row text of a different length every batch.
// SQLite gets anonymous "?" parameters: it resolves "$N" names one by one.
func (s *AuditStore) insertRows(ctx context.Context, tx *Tx, prefix string, cols, n int, row func(i int, args []any) []any) error {
	chunk := auditChunk
	if s.db.Dialect == SQLite {
		chunk = 1
	}
	var b strings.Builder
	args := make([]any, 0, chunk*cols)
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		b.Reset()
		b.WriteString(prefix)
		args = args[:0]
		p := 1
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := 0; c < cols; c++ {
				if c > 0 {
					b.WriteByte(',')
				}
				if s.db.Dialect == SQLite {
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(p))
				}
				p++
			}
			b.WriteByte(')')
			args = row(i, args)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *AuditStore) Size(ctx context.Context) (uint64, error) {
	var size int64
	if err := s.db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_log`).Scan(&size); err != nil {
		return 0, storageError(err, "read audit log size")
	}
	return uint64(size), nil
}

func (s *AuditStore) Nodes(ctx context.Context, ids []audit.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		var err error
		if id.Level == 0 {
			err = s.db.read.QueryRowContext(ctx, `SELECT leaf_hash FROM audit_log WHERE idx = $1`, int64(id.Index)).Scan(&out[i])
		} else {
			err = s.db.read.QueryRowContext(ctx, `SELECT hash FROM audit_nodes WHERE level = $1 AND idx = $2`, int64(id.Level), int64(id.Index)).Scan(&out[i])
		}
		if err == sql.ErrNoRows {
			return nil, coupole.Errorf(coupole.ENOTFOUND, "audit: tree node %d/%d is not stored", id.Level, id.Index)
		} else if err != nil {
			return nil, storageError(err, "read audit tree node")
		}
	}
	return out, nil
}

func (s *AuditStore) NodeRange(ctx context.Context, level uint, begin, end uint64) ([][]byte, error) {
	var rows *sql.Rows
	var err error
	if level == 0 {
		rows, err = s.db.read.QueryContext(ctx, `SELECT leaf_hash FROM audit_log WHERE idx >= $1 AND idx < $2 ORDER BY idx`, int64(begin), int64(end))
	} else {
		rows, err = s.db.read.QueryContext(ctx, `SELECT hash FROM audit_nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`, int64(level), int64(begin), int64(end))
	}
	if err != nil {
		return nil, storageError(err, "read audit tree nodes")
	}
	defer rows.Close()
	out := [][]byte{}
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, storageError(err, "read audit tree nodes")
		}
		out = append(out, h)
	}
	return out, storageError(rows.Err(), "read audit tree nodes")
}

const entryColumns = `idx, time_ns, commitment, salt, payload`

func scanEntry(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var idx, t int64
	var c []byte
	if err := rows.Scan(&idx, &t, &c, &e.Salt, &e.Payload); err != nil {
		return e, err
	}
	if len(c) != 32 {
		return e, fmt.Errorf("audit event %d: commitment of %d bytes", idx, len(c))
	}
	e.Index, e.Time = uint64(idx), time.Unix(0, t).UTC()
	copy(e.Commitment[:], c)
	return e, nil
}

func (s *AuditStore) Entries(ctx context.Context, begin, end uint64, fn func(audit.Entry) error) error {
	const page = 5000
	es := make([]audit.Entry, 0, min(page, end-begin))
	for begin < end {
		stop := min(end, begin+page)
		rows, err := s.db.read.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log WHERE idx >= $1 AND idx < $2 ORDER BY idx`, int64(begin), int64(stop))
		if err != nil {
			return storageError(err, "read audit events")
		}
		es, err = scanEntries(rows, es[:0])
		rows.Close()
		if err != nil {
			return storageError(err, "read audit events")
		}
		for _, e := range es {
			if e.Index != begin {
				return coupole.Errorf(coupole.EINTERNAL, "audit: event %d is missing from the database", begin)
			}
			if err := fn(e); err != nil {
				return err
			}
			begin++
		}
		if begin < stop {
			return coupole.Errorf(coupole.EINTERNAL, "audit: event %d is missing from the database", begin)
		}
	}
	return nil
}

// scanEntries appends the rows' entries to es. The salts and payloads of
// a page share a few large buffers instead of two copies each (scanning
// into []byte copies what the driver already copied): reading the log is
// most of what verifying it from the database costs (issue 17). A slice
// kept by a caller keeps its buffer alive, nothing more.
func scanEntries(rows *sql.Rows, es []audit.Entry) ([]audit.Entry, error) {
	var idx, t int64
	var c, salt, payload sql.RawBytes
	var arena []byte
	keep := func(b sql.RawBytes) []byte {
		if b == nil {
			return nil // erased
		}
		if cap(arena)-len(arena) < len(b) {
			arena = make([]byte, 0, max(256<<10, len(b)))
		}
		off := len(arena)
		arena = append(arena, b...)
		return arena[off:len(arena):len(arena)]
	}
	for rows.Next() {
		if err := rows.Scan(&idx, &t, &c, &salt, &payload); err != nil {
			return es, err
		}
		if len(c) != 32 {
			return es, fmt.Errorf("audit event %d: commitment of %d bytes", idx, len(c))
		}
		e := audit.Entry{Index: uint64(idx), Time: time.Unix(0, t).UTC(), Salt: keep(salt), Payload: keep(payload)}
		copy(e.Commitment[:], c)
		es = append(es, e)
	}
	return es, rows.Err()
}

func (s *AuditStore) AddCheckpoint(ctx context.Context, c audit.StoredCheckpoint) error {
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, root, note, signed_at_ns) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING`,
		int64(c.Size), c.Root, c.Note, c.SignedAt.UnixNano())
	return storageError(err, "store audit checkpoint")
}

func (s *AuditStore) LatestCheckpoint(ctx context.Context) (audit.StoredCheckpoint, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT size, root, note, signed_at_ns FROM audit_checkpoints ORDER BY size DESC LIMIT 1`)
	if err != nil {
		return audit.StoredCheckpoint{}, storageError(err, "read audit checkpoint")
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return audit.StoredCheckpoint{}, storageError(err, "read audit checkpoint")
		}
		return audit.StoredCheckpoint{}, coupole.Errorf(coupole.ENOTFOUND, "audit: no checkpoint signed yet")
	}
	return scanCheckpoint(rows)
}

func scanCheckpoint(rows *sql.Rows) (audit.StoredCheckpoint, error) {
	var c audit.StoredCheckpoint
	var size, at int64
	if err := rows.Scan(&size, &c.Root, &c.Note, &at); err != nil {
		return c, storageError(err, "read audit checkpoint")
	}
	c.Size, c.SignedAt = uint64(size), time.Unix(0, at).UTC()
	return c, nil
}

func (s *AuditStore) Checkpoints(ctx context.Context, since time.Time, fn func(audit.StoredCheckpoint) error) error {
	var from int64
	if !since.IsZero() {
		from = since.UnixNano()
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT size, root, note, signed_at_ns FROM audit_checkpoints WHERE signed_at_ns >= $1 ORDER BY size`, from)
	if err != nil {
		return storageError(err, "read audit checkpoints")
	}
	var cs []audit.StoredCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			rows.Close()
			return err
		}
		cs = append(cs, c)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return storageError(err, "read audit checkpoints")
	}
	for _, c := range cs {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// Query pages through events by customer, access point, staff member,
// interaction and period. A period becomes a range of indexes first (time
// never decreases with the index), so every query walks one index in order.
func (s *AuditStore) Query(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	lo, hi := int64(0), int64(-1) // hi < 0: no upper bound
	if !q.From.IsZero() || !q.To.IsZero() {
		bound := s.firstAtOrAfter
		var err error
		if !q.From.IsZero() {
			if lo, err = bound(ctx, q.From); err != nil {
				return nil, err
			}
		}
		if !q.To.IsZero() {
			if hi, err = bound(ctx, q.To); err != nil {
				return nil, err
			}
		}
	}
	lo = max(lo, q.After+1)
	var from string
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	key := "l.idx"
	switch {
	case q.Customer != "" || q.AccessPoint != "":
		from, key = "audit_refs r JOIN audit_log l ON l.idx = r.idx", "r.idx"
		if q.Customer != "" {
			where = append(where, "r.kind = 'c'", "r.ref = "+arg(q.Customer))
			if q.AccessPoint != "" {
				where = append(where, "EXISTS (SELECT 1 FROM audit_refs r2 WHERE r2.kind = 'e' AND r2.ref = "+arg(q.AccessPoint)+" AND r2.idx = r.idx)")
			}
		} else {
			where = append(where, "r.kind = 'e'", "r.ref = "+arg(q.AccessPoint))
		}
	default:
		from = "audit_log l"
	}
	if q.Actor != "" {
		where = append(where, "l.actor = "+arg(q.Actor))
	}
	if q.Interaction != "" {
		where = append(where, "l.interaction = "+arg(q.Interaction))
	}
	where = append(where, key+" >= "+arg(lo))
	if hi >= 0 {
		where = append(where, key+" < "+arg(hi))
	}
	query := `SELECT l.idx, l.time_ns, l.commitment, l.salt, l.payload FROM ` + from +
		` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + key + ` LIMIT ` + arg(q.Limit)
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storageError(err, "query audit log")
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, storageError(err, "query audit log")
		}
		out = append(out, e)
	}
	return out, storageError(rows.Err(), "query audit log")
}

// firstAtOrAfter returns the index of the first event at or after t (the
// log's size if none). Time never decreases with the index, so a binary
// search over the primary key finds it in about 24 lookups for 10 million
// events, and no time index has to be kept up to date on every append.
func (s *AuditStore) firstAtOrAfter(ctx context.Context, t time.Time) (int64, error) {
	size, err := s.Size(ctx)
	if err != nil {
		return 0, err
	}
	lo, hi := int64(0), int64(size) // answer in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		var ns int64
		if err := s.db.read.QueryRowContext(ctx, `SELECT time_ns FROM audit_log WHERE idx = $1`, mid).Scan(&ns); err != nil {
			return 0, storageError(err, "find audit events by time")
		}
		if ns >= t.UnixNano() {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
