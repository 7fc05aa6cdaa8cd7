package coupole

import (
	"context"
	"time"
)

// SignInAttempts counts local sign-in attempts per throttle key — a keyed
// hash of the account name typed, the client address — in the database, so
// the brute-force limits hold across nodes and restarts (issue 10, item 11).
// Implementations pass the conformance suite in sqlstore/storetest.
//
// An attempt is recorded before the credentials are checked and forgotten
// when it turns out not to be a failure: parallel guesses each take a slot
// before any of them is judged, so they cannot all slip under the limit.
type SignInAttempts interface {
	// BeginSignInAttempt records attempt id against each key at at, forgets
	// every attempt not later than since, and returns for each key the
	// number of attempts recorded after since, this one included. The
	// attempt is committed before counting, so concurrent attempts see each
	// other (a count may be too high, never too low).
	BeginSignInAttempt(ctx context.Context, id string, keys []string, at, since time.Time) ([]int, error)
	// ForgetSignInAttempt removes attempt id: a sign-in that succeeded, or
	// that the limit itself refused, is not a failure.
	ForgetSignInAttempt(ctx context.Context, id string) error
	// ClearSignInKey removes every attempt recorded against key: a
	// successful sign-in resets its account's count.
	ClearSignInKey(ctx context.Context, key string) error
}
