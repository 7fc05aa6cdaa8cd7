package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// The signer election of the audit log (issue 18, item 1; see
// audit/signer.go). On PostgreSQL the lease is a session advisory lock held
// by a connection of its own, outside the pools: it lasts as long as that
// session. The session is told to end itself when idle for
// signerIdleTimeout, and the lease pings it every signerHeartbeat, so:
//   - a node that stops (killed, frozen, cut off) loses the lock within
//     signerIdleTimeout and another node takes it at its next attempt;
//   - a node whose session ended or stopped answering sees it within
//     signerHeartbeat + signerPingTimeout (under a second) and stops signing;
//   - a checkpoint is stored only through the session that holds the lock,
//     after checking it holds it: a node that lost the lease cannot store one
//     even before it noticed.
//
// On SQLite one process owns the database file: its lease is never lost.

// auditSignerLockID is the PostgreSQL advisory lock of the checkpoint signer
// (auditLockID is the writers').
const auditSignerLockID = 7351005

const (
	signerHeartbeat   = 250 * time.Millisecond
	signerPingTimeout = 500 * time.Millisecond
	signerIdleTimeout = "2s"
)

var _ audit.ElectingStorage = (*AuditStore)(nil)

// electors hold, per database, the one connection the signer election uses,
// kept between attempts so that a node waiting for the lease does not open a
// PostgreSQL session (a process) every second.
var electors sync.Map // *DB → *sql.DB

// TryLead implements audit.ElectingStorage.
func (s *AuditStore) TryLead(ctx context.Context) (audit.Lease, error) {
	if s.db.Dialect != Postgres {
		return &localLease{s: s, lost: make(chan struct{})}, nil
	}
	v, ok := electors.Load(s.db)
	if !ok {
		p, err := sql.Open("pgx", s.db.dsn)
		if err != nil {
			return nil, coupole.Wrap(err, coupole.EINVALID, "database: invalid PostgreSQL URL")
		}
		p.SetMaxOpenConns(1)
		p.SetMaxIdleConns(1)
		// A node tries for the lease every second; once its log is closed
		// the idle session goes within seconds instead of lasting as long
		// as the process.
		p.SetConnMaxIdleTime(5 * time.Second)
		var loaded bool
		if v, loaded = electors.LoadOrStore(s.db, p); loaded {
			p.Close()
		}
	}
	conn, err := v.(*sql.DB).Conn(ctx)
	if err != nil {
		return nil, storageError(err, "connect for the audit signer election")
	}
	var won bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, auditSignerLockID).Scan(&won); err != nil {
		discard(conn)
		return nil, storageError(err, "audit signer election")
	}
	if !won {
		conn.Close() // back to its pool for the next attempt
		return nil, nil
	}
	if _, err := conn.ExecContext(ctx, `SET idle_session_timeout = '`+signerIdleTimeout+`'`); err != nil {
		discard(conn)
		return nil, storageError(err, "audit signer session")
	}
	l := &pgLease{conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{})}
	go l.heartbeat()
	return l, nil
}

// discard closes conn and its session instead of returning it to its pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

type pgLease struct {
	mu       sync.Mutex // one statement at a time on the session
	conn     *sql.Conn
	lost     chan struct{}
	loseOnce sync.Once
	stop     chan struct{}
	stopped  chan struct{}
	release  sync.Once
}

func (l *pgLease) Lost() <-chan struct{} { return l.lost }

func (l *pgLease) lose() { l.loseOnce.Do(func() { close(l.lost) }) }

func (l *pgLease) heartbeat() {
	defer close(l.stopped)
	t := time.NewTicker(signerHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), signerPingTimeout)
			l.mu.Lock()
			_, err := l.conn.ExecContext(ctx, `SELECT 1`)
			l.mu.Unlock()
			cancel()
			if err != nil {
				l.lose()
				return
			}
		}
	}
}

func (l *pgLease) AddCheckpoint(ctx context.Context, c audit.StoredCheckpoint) error {
	select {
	case <-l.lost:
		return coupole.Errorf(coupole.EUNAVAILABLE, "audit: this node no longer holds the signer lease")
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The lock cannot leave a live session, but the session may have died:
	// asking it proves both at once.
	var held bool
	err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 0 AND objid = $1 AND objsubid = 1 AND granted)`, auditSignerLockID).Scan(&held)
	if err != nil || !held {
		l.lose()
		return coupole.Errorf(coupole.EUNAVAILABLE, "audit: this node no longer holds the signer lease")
	}
	_, err = l.conn.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, root, note, signed_at_ns) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING`,
		int64(c.Size), c.Root, c.Note, c.SignedAt.UnixNano())
	return storageError(err, "store audit checkpoint")
}

func (l *pgLease) Release() {
	l.release.Do(func() {
		close(l.stop)
		<-l.stopped
		l.lose()
		discard(l.conn) // ending the session releases the lock
	})
}

// localLease is the signer lease of a SQLite database: one process, never lost.
type localLease struct {
	s    *AuditStore
	lost chan struct{}
}

func (l *localLease) Lost() <-chan struct{} { return l.lost }

func (l *localLease) AddCheckpoint(ctx context.Context, c audit.StoredCheckpoint) error {
	return l.s.AddCheckpoint(ctx, c)
}

func (l *localLease) Release() {}
