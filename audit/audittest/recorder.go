// Package audittest gives tests of the services that trace (interactions,
// back-office cases) an audit log that records events in memory, and can be
// made to fail as a full or unreachable log would.
package audittest

import (
	"context"
	"errors"
	"sync"

	"github.com/coupole/coupole/audit"
)

// Recorder records the events appended to it, in order; while it is set to
// fail (SetFail) every append fails and nothing is recorded.
type Recorder struct {
	mu     sync.Mutex
	events []audit.Event
	fail   bool
}

// SetFail makes every later append fail (true) or succeed again (false).
func (r *Recorder) SetFail(fail bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// Append records ev and returns its index, or fails when set to fail.
func (r *Recorder) Append(ctx context.Context, ev audit.Event) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return 0, errors.New("audit log unavailable (audittest.Recorder set to fail)")
	}
	r.events = append(r.events, ev)
	return uint64(len(r.events) - 1), nil
}

// Events returns the events recorded so far.
func (r *Recorder) Events() []audit.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Event(nil), r.events...)
}

// Actions returns the action of each event recorded, in order.
func (r *Recorder) Actions() []string {
	var out []string
	for _, e := range r.Events() {
		out = append(out, e.Action)
	}
	return out
}

// Last returns the last event recorded; it is a zero event if there is none.
func (r *Recorder) Last() audit.Event {
	evs := r.Events()
	if len(evs) == 0 {
		return audit.Event{}
	}
	return evs[len(evs)-1]
}
