package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

var _ coupole.SignInAttempts = (*DB)(nil)

// BeginSignInAttempt records the attempt, purges expired rows, then counts.
// The insert is committed on its own before the counts are read: inside one
// transaction, two concurrent attempts on PostgreSQL would not see each
// other's uncommitted rows and could both pass.
func (db *DB) BeginSignInAttempt(ctx context.Context, id string, keys []string, at, since time.Time) ([]int, error) {
	if id == "" || len(keys) == 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "sign-in attempt: an id and at least one key are required")
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO signin_attempts (attempt_id, throttle_key, at) VALUES `)
	args := []any{id, micros(at)}
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, k)
		q.WriteString("($1, $" + strconv.Itoa(len(args)) + ", $2)")
	}
	if _, err := db.write.ExecContext(ctx, q.String(), args...); err != nil {
		if isCheckViolation(err) {
			return nil, coupole.Wrap(err, coupole.EINVALID, "sign-in attempt: a key must start with account: or address:")
		}
		return nil, storageError(err, "record sign-in attempt")
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM signin_attempts WHERE at <= $1`, micros(since)); err != nil {
		return nil, storageError(err, "purge sign-in attempts")
	}
	counts := make([]int, len(keys))
	for i, k := range keys {
		if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM signin_attempts WHERE throttle_key = $1 AND at > $2`, k, micros(since)).Scan(&counts[i]); err != nil {
			return nil, storageError(err, "count sign-in attempts")
		}
	}
	return counts, nil
}

// ForgetSignInAttempt removes the rows of one attempt.
func (db *DB) ForgetSignInAttempt(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM signin_attempts WHERE attempt_id = $1`, id)
	return storageError(err, "forget sign-in attempt")
}

// ClearSignInKey removes every attempt recorded against key.
func (db *DB) ClearSignInKey(ctx context.Context, key string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM signin_attempts WHERE throttle_key = $1`, key)
	return storageError(err, "clear sign-in attempts")
}
