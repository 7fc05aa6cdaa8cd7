package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// RunSignInAttemptsTests runs the conformance suite of
// coupole.SignInAttempts (issue 10, item 11). newStore returns a fresh,
// empty store for each subtest.
func RunSignInAttemptsTests(t *testing.T, newStore func(t *testing.T) coupole.SignInAttempts) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coupole.SignInAttempts)
	}{
		{"CountsPerKeyInTheWindow", testSignInCountsPerKey},
		{"ExpiredAttemptsArePurged", testSignInPurge},
		{"ForgetRemovesOneAttempt", testSignInForget},
		{"ClearRemovesOneKey", testSignInClear},
		{"InvalidAttemptsAreRefused", testSignInInvalid},
		{"ConcurrentAttemptsNeverAllSeeALowCount", testSignInConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var signInT0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

const signInWindow = 15 * time.Minute

// MustBeginSignInAttempt records an attempt at at with the 15-minute window
// and returns the counts.
func MustBeginSignInAttempt(tb testing.TB, s coupole.SignInAttempts, id string, at time.Time, keys ...string) []int {
	tb.Helper()
	counts, err := s.BeginSignInAttempt(context.Background(), id, keys, at, at.Add(-signInWindow))
	if err != nil {
		tb.Fatalf("BeginSignInAttempt(%s): %v", id, err)
	}
	if len(counts) != len(keys) {
		tb.Fatalf("BeginSignInAttempt(%s) = %v for %d keys", id, counts, len(keys))
	}
	return counts
}

func testSignInCountsPerKey(t *testing.T, s coupole.SignInAttempts) {
	const acct, other, addr = "account:aaaa", "account:bbbb", "address:10.0.0.7"
	for i := 1; i <= 3; i++ {
		got := MustBeginSignInAttempt(t, s, fmt.Sprint("a", i), signInT0.Add(time.Duration(i)*time.Minute), acct, addr)
		if got[0] != i || got[1] != i {
			t.Errorf("attempt %d: counts %v, want [%d %d]", i, got, i, i)
		}
	}
	got := MustBeginSignInAttempt(t, s, "b1", signInT0.Add(4*time.Minute), other, addr)
	if got[0] != 1 || got[1] != 4 {
		t.Errorf("another account from the same address: counts %v, want [1 4]", got)
	}
	// The window slides with the clock given: 15 minutes after the first
	// attempt (at +1m), it no longer counts.
	got = MustBeginSignInAttempt(t, s, "a4", signInT0.Add(16*time.Minute), acct, addr)
	if got[0] != 3 || got[1] != 4 {
		t.Errorf("after the first attempt left the window: counts %v, want [3 4]", got)
	}
}

func testSignInPurge(t *testing.T, s coupole.SignInAttempts) {
	const acct = "account:aaaa"
	MustBeginSignInAttempt(t, s, "old", signInT0, acct)
	MustBeginSignInAttempt(t, s, "new", signInT0.Add(time.Hour), acct)
	// Counted from far back, only the newer attempts remain: the old row was
	// deleted, not merely left out of the window.
	counts, err := s.BeginSignInAttempt(context.Background(), "probe", []string{acct}, signInT0.Add(time.Hour), signInT0.Add(-24*time.Hour))
	if err != nil || counts[0] != 2 {
		t.Errorf("counts from a day back after a purge: %v, %v; want [2] (new, probe)", counts, err)
	}
}

func testSignInForget(t *testing.T, s coupole.SignInAttempts) {
	const acct, addr = "account:aaaa", "address:10.0.0.7"
	MustBeginSignInAttempt(t, s, "a1", signInT0, acct, addr)
	MustBeginSignInAttempt(t, s, "a2", signInT0, acct, addr)
	if err := s.ForgetSignInAttempt(context.Background(), "a2"); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetSignInAttempt(context.Background(), "never-recorded"); err != nil {
		t.Errorf("forget an unknown attempt: %v", err)
	}
	got := MustBeginSignInAttempt(t, s, "a3", signInT0.Add(time.Minute), acct, addr)
	if got[0] != 2 || got[1] != 2 {
		t.Errorf("after forgetting one of two: counts %v, want [2 2]", got)
	}
}

func testSignInClear(t *testing.T, s coupole.SignInAttempts) {
	const acct, addr = "account:aaaa", "address:10.0.0.7"
	for i := range 4 {
		MustBeginSignInAttempt(t, s, fmt.Sprint("a", i), signInT0, acct, addr)
	}
	if err := s.ClearSignInKey(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	got := MustBeginSignInAttempt(t, s, "a5", signInT0.Add(time.Minute), acct, addr)
	if got[0] != 1 || got[1] != 5 {
		t.Errorf("after clearing the account: counts %v, want [1 5] (the address keeps its count)", got)
	}
}

func testSignInInvalid(t *testing.T, s coupole.SignInAttempts) {
	ctx := context.Background()
	_, err := s.BeginSignInAttempt(ctx, "", []string{"account:aaaa"}, signInT0, signInT0.Add(-signInWindow))
	wantCode(t, "attempt without id", err, coupole.EINVALID)
	_, err = s.BeginSignInAttempt(ctx, "x", nil, signInT0, signInT0.Add(-signInWindow))
	wantCode(t, "attempt without key", err, coupole.EINVALID)
	// A raw user name is not a key: the store only takes the prefixed forms.
	_, err = s.BeginSignInAttempt(ctx, "y", []string{"bg-admin"}, signInT0, signInT0.Add(-signInWindow))
	wantCode(t, "attempt with a raw name as key", err, coupole.EINVALID)
}

// Twenty parallel guesses at one account: at most five of them may see a
// count within the limit of five, whatever the interleaving (each is
// committed before it counts).
func testSignInConcurrent(t *testing.T, s coupole.SignInAttempts) {
	const n, limit, acct = 20, 5, "account:aaaa"
	var wg sync.WaitGroup
	counts := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.BeginSignInAttempt(context.Background(), fmt.Sprint("p", i), []string{acct}, signInT0, signInT0.Add(-signInWindow))
			if err == nil {
				counts[i] = c[0]
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	within := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("attempt %d: %v", i, errs[i])
		}
		if counts[i] <= limit {
			within++
		}
	}
	if within > limit {
		t.Errorf("%d parallel attempts saw a count within the limit of %d (counts %v)", within, limit, counts)
	}
	if got := MustBeginSignInAttempt(t, s, "last", signInT0, acct); got[0] != n+1 {
		t.Errorf("final count %d, want %d", got[0], n+1)
	}
}
