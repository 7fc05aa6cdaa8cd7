package interaction

import (
	"context"
	"sync"
	"time"

	"github.com/coupole/coupole"
)

// MaxGridStaleness caps Service.GridStaleness: the promise made to
// revocations and need-to-know is that nothing read for one request serves
// another more than a second later (issue 17).
const MaxGridStaleness = time.Second

// The steps of one call read the same access point, customer and
// occupancies again and again (identify, verify, decide and deliver each
// read the access point with its meters: a tenth of the server's CPU on a
// 2,000,000-point grid, issue 17). With GridStaleness set, a read made by
// one step serves the next ones for that long, by the service's clock.
// Nothing else is cached: the interaction itself, its points (verified or
// not), the policy's decision and the staff member's need-to-know are read
// afresh at every step. A contact change made through this service drops
// its customer at once; grid data changed elsewhere (an import, another
// node) is seen after at most GridStaleness.

// staleCache maps keys to values read at a time; the zero value is ready.
type staleCache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]staleEntry[V]
}

type staleEntry[V any] struct {
	v      V
	readAt time.Time
}

// staleCacheMax bounds each cache; past it, the entries too old go, or all.
const staleCacheMax = 8192

func (c *staleCache[K, V]) get(k K, now time.Time, bound time.Duration) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	if age := now.Sub(e.readAt); age < 0 || age >= bound {
		delete(c.m, k)
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *staleCache[K, V]) put(k K, v V, now time.Time, bound time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]staleEntry[V]{}
	}
	if len(c.m) >= staleCacheMax {
		for k, e := range c.m {
			if age := now.Sub(e.readAt); age < 0 || age >= bound {
				delete(c.m, k)
			}
		}
		if len(c.m) >= staleCacheMax {
			clear(c.m)
		}
	}
	c.m[k] = staleEntry[V]{v, now}
}

func (c *staleCache[K, V]) forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// gridCache holds the grid reads the steps of calls share.
type gridCache struct {
	accessPoints    staleCache[coupole.EAN, coupole.AccessPoint]
	customers       staleCache[string, coupole.Customer]
	occsOfCustomer  staleCache[string, []coupole.Occupancy]
	occsOfAccessPnt staleCache[coupole.EAN, []coupole.Occupancy]
}

func (s *Service) staleness() time.Duration { return min(s.GridStaleness, MaxGridStaleness) }

// cached returns the value of key from c if read less than the staleness
// bound ago, or reads it with read and keeps it.
func cached[K comparable, V any](s *Service, c *staleCache[K, V], key K, read func() (V, error)) (V, error) {
	bound := s.staleness()
	if bound <= 0 {
		return read()
	}
	now := s.Clock.Now()
	if v, ok := c.get(key, now, bound); ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		c.put(key, v, now, bound)
	}
	return v, err
}

func (s *Service) accessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error) {
	return cached(s, &s.grid.accessPoints, ean, func() (coupole.AccessPoint, error) { return s.Grid.AccessPoint(ctx, ean) })
}

func (s *Service) customer(ctx context.Context, id string) (coupole.Customer, error) {
	return cached(s, &s.grid.customers, id, func() (coupole.Customer, error) { return s.Grid.Customer(ctx, id) })
}

func (s *Service) occupanciesOfCustomer(ctx context.Context, id string) ([]coupole.Occupancy, error) {
	return cached(s, &s.grid.occsOfCustomer, id, func() ([]coupole.Occupancy, error) { return s.Grid.OccupanciesOfCustomer(ctx, id) })
}

func (s *Service) occupanciesOfAccessPoint(ctx context.Context, ean coupole.EAN) ([]coupole.Occupancy, error) {
	return cached(s, &s.grid.occsOfAccessPnt, ean, func() ([]coupole.Occupancy, error) { return s.Grid.OccupanciesOfAccessPoint(ctx, ean) })
}
