package sqlstore_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// stuckStorage is a database that stopped answering writes: every append
// and checkpoint waits until its context ends.
type stuckStorage struct{ audit.Storage }

func (stuckStorage) Append(ctx context.Context, base uint64, recs []audit.Record, nodes []audit.Node) error {
	<-ctx.Done()
	return coupole.Wrap(ctx.Err(), coupole.EUNAVAILABLE, "stuck: %v", ctx.Err())
}

func (stuckStorage) AddCheckpoint(ctx context.Context, c audit.StoredCheckpoint) error {
	<-ctx.Done()
	return coupole.Wrap(ctx.Err(), coupole.EUNAVAILABLE, "stuck: %v", ctx.Err())
}

// TestAuditCloseWithStuckStorage (issue 10, item 1): a request whose trace
// cannot be written gets an error at its own deadline, and Close — what
// SIGTERM runs once the HTTP server has stopped — returns within its bound
// although events are queued and a batch is in flight: the stuck database
// may not keep the process alive (before, Close waited for the bound of one
// batch, 30 s, then for the last checkpoint's).
func TestAuditCloseWithStuckStorage(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	signer, _ := MustAuditKey(t)
	l, err := audit.Open(context.Background(), stuckStorage{sqlstore.NewAuditStore(db)},
		audit.Options{Clock: coupole.SystemClock{}, Signer: signer, Logger: slog.New(slog.DiscardHandler), CloseTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := l.Append(ctx, testEvent(i))
		cancel()
		if coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("append %d on a stuck database: %v, want unavailable at the caller's deadline", i, err)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- l.Close() }()
	const bound = time.Second + 3*time.Second // CloseTimeout, and some
	select {
	case <-closed:
	case <-time.After(bound):
		t.Fatalf("Close still waiting for a stuck database after %s", bound)
	}
}
