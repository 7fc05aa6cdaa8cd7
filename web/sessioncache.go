package web

import (
	"sync"
	"time"

	"github.com/coupole/coupole"
)

// SessionStaleness bounds how long a request may be served on a session
// and staff record (status, roles) read by an earlier request of the same
// process: every advisor request used to read them, a tenth of its CPU
// (issue 17). A revocation, a role change or a session deleted on another
// node — or by the CLI — thus takes effect within this bound without any
// signal between processes; the same changes made through this process
// take effect at once (the cache is dropped). Kept at half the 1-second
// promise so that a request already in flight when the bound ends is
// still within it.
const SessionStaleness = 500 * time.Millisecond

// sessionCache maps a session id's hash to what loadSession last read for
// it. The zero value is ready to use.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	sess   coupole.Session
	st     coupole.Staff
	csrf   string
	readAt time.Time // by the service's clock
}

// sessionCacheMax bounds the entries kept; past it, the stale ones go.
const sessionCacheMax = 4096

// get returns the entry of h if it was read less than SessionStaleness
// before now.
func (c *sessionCache) get(h string, now time.Time) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[h]
	if !ok {
		return e, false
	}
	if age := now.Sub(e.readAt); age < 0 || age >= SessionStaleness {
		delete(c.m, h)
		return e, false
	}
	return e, true
}

func (c *sessionCache) put(h string, e cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedSession{}
	}
	if len(c.m) >= sessionCacheMax {
		for k, old := range c.m {
			if age := e.readAt.Sub(old.readAt); age < 0 || age >= SessionStaleness {
				delete(c.m, k)
			}
		}
		if len(c.m) >= sessionCacheMax {
			clear(c.m)
		}
	}
	c.m[h] = e
}

// forget drops the entry of one session.
func (c *sessionCache) forget(h string) {
	c.mu.Lock()
	delete(c.m, h)
	c.mu.Unlock()
}

// reset drops every entry: a staff member's status, roles or sessions
// changed through this process.
func (c *sessionCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
