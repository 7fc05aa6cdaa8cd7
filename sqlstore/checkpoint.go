package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// WAL checkpoints. SQLite copies the write-ahead log back into the database
// file every 1,000 pages, by default inside the commit that crosses the
// mark, on the one write connection: every writer queued behind that commit
// waits for the copy (7 % of the server's CPU in bench/flows, all of it on
// the group committer's serial path). The write connection therefore never
// checkpoints; a connection of its own runs a PASSIVE checkpoint — the
// kind the automatic one is, which never blocks the writer or the readers —
// every checkpointEvery, beside the writes.

const checkpointEvery = 100 * time.Millisecond

type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		cancel()
		if err != nil && !failing {
			slog.Warn("sqlite: WAL checkpoint failed; retrying", "err", err)
		}
		failing = err != nil
	}
}

// close stops the loop and runs a last checkpoint.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	return c.db.Close()
}
