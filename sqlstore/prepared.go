package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements. modernc.org/sqlite compiles a statement's text on
// every call that does not go through a prepared statement, and compiling
// was the largest single cost of an advisor's request (about a fifth of the
// server's CPU in bench/flows: every request reads the session, the
// interaction and the grid, and writes a step and an audit event). So on
// SQLite each pool prepares every distinct statement text once and reuses
// it; database/sql keeps it prepared on each connection it runs on. pgx
// already caches prepared statements per connection, so on PostgreSQL
// statements run as given.
//
// The cache is bounded: texts beyond the first maxPrepared (statements
// built with a varying number of values) run unprepared, as before. A
// prepared statement lives as long as the DB.

// maxPrepared bounds the statements one pool keeps prepared.
const maxPrepared = 256

// pool is one database/sql pool with its prepared statements.
type pool struct {
	*sql.DB
	prepared *stmtCache // nil: the driver caches statements itself
}

type stmtCache struct {
	stmts sync.Map // text → *sql.Stmt

	mu    sync.Mutex
	count int
	// pending are texts first met inside a transaction: SQLite's write pool
	// has one connection, which the transaction holds, so they are prepared
	// by the next transaction before it begins.
	pending map[string]bool
}

func newPool(db *sql.DB, prepare bool) *pool {
	p := &pool{DB: db}
	if prepare {
		p.prepared = &stmtCache{pending: map[string]bool{}}
	}
	return p
}

// stmt returns the prepared statement of query, preparing it on the pool
// if there is room; nil means run query unprepared.
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	c := p.prepared
	if c == nil {
		return nil
	}
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	// Never prepare under c.mu: on SQLite's write pool, preparing waits for
	// the one connection, which a transaction may hold while it calls
	// txStmt.
	c.mu.Lock()
	full := c.count >= maxPrepared
	c.mu.Unlock()
	if full {
		return nil
	}
	s, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.stmts.Load(query); ok {
		s.Close()
		return have.(*sql.Stmt)
	}
	if c.count >= maxPrepared {
		s.Close()
		return nil
	}
	c.stmts.Store(query, s)
	c.count++
	return s
}

// preparePending prepares the texts first met inside a transaction. It is
// called before a transaction begins, when the pool may hand out its
// connection.
func (p *pool) preparePending(ctx context.Context) {
	c := p.prepared
	if c == nil {
		return
	}
	c.mu.Lock()
	var texts []string
	for q := range c.pending {
		texts = append(texts, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range texts {
		p.stmt(ctx, q)
	}
}

// txStmt returns the prepared statement of query if there is one, and
// otherwise notes it for preparation before the next transaction.
func (p *pool) txStmt(query string) *sql.Stmt {
	c := p.prepared
	if c == nil {
		return nil
	}
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	c.mu.Lock()
	if c.count+len(c.pending) < maxPrepared {
		c.pending[query] = true
	}
	c.mu.Unlock()
	return nil
}

// close closes the prepared statements, then the pool.
func (p *pool) close() error {
	if c := p.prepared; c != nil {
		c.stmts.Range(func(_, s any) bool {
			s.(*sql.Stmt).Close()
			return true
		})
	}
	return p.DB.Close()
}

// joined returns the group transaction ctx runs in, if it is one of this
// pool's database: a store method called from a step write (audit.Record.Then)
// must run in that transaction. Taking another connection instead would, on
// SQLite, wait for the one write connection that very transaction holds
// (issue 10, item 1), and would not see, on PostgreSQL, what the
// transaction has written so far.
func (p *pool) joined(ctx context.Context) *Tx {
	if g, ok := ctx.Value(inGroupKey{}).(inGroup); ok && (g.db.write == p || g.db.read == p) {
		return g.tx
	}
	return nil
}

// QueryContext runs query through its prepared statement when it has one.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx := p.joined(ctx); tx != nil {
		return tx.QueryContext(ctx, query, args...)
	}
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query through its prepared statement when it has
// one.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx := p.joined(ctx); tx != nil {
		return tx.QueryRowContext(ctx, query, args...)
	}
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs query through its prepared statement when it has one.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx := p.joined(ctx); tx != nil {
		return tx.ExecContext(ctx, query, args...)
	}
	if s := p.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Tx is a write transaction of a DB. Its statements run through the DB's
// prepared statements where there are some; everything else is *sql.Tx's.
type Tx struct {
	*sql.Tx
	pool *pool
}

// QueryContext runs query in the transaction, prepared if possible.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.pool.txStmt(query); s != nil {
		return t.Tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared if possible.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.pool.txStmt(query); s != nil {
		return t.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// ExecContext runs query in the transaction, prepared if possible.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.pool.txStmt(query); s != nil {
		return t.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
