package coupole

import "time"

// Clock is the source of "now". Retention, occupancy periods, mandate validity
// and access expiry all depend on it, so domain code takes a Clock instead of
// calling time.Now, and tests can travel in time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always returns the same instant; tests move it by assignment.
type FixedClock struct{ T time.Time }

// Now returns c.T.
func (c *FixedClock) Now() time.Time { return c.T }

// Date returns t's calendar day at midnight UTC: occupancy periods, mandates
// and readings are dated in days, not instants.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
