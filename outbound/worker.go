package outbound

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Store is the outbox; *sqlstore.DB is one. The Mark methods change a
// delivery only while owner holds its lease (ECONFLICT otherwise); the
// worker calls them inside the transaction of their audit event.
type Store interface {
	ClaimDeliveries(ctx context.Context, c coupole.OutboxClaim) ([]coupole.Delivery, error)
	MarkDeliverySending(ctx context.Context, id, owner string, leaseUntil time.Time) error
	MarkDeliverySent(ctx context.Context, id, owner, providerID string, at time.Time) error
	MarkDeliveryFailed(ctx context.Context, id, owner, code string, next time.Time) error
	MarkDeliveryDead(ctx context.Context, id, owner, code string) error
}

// Tracer appends an audit event and makes a write in its transaction;
// *audit.Log is one. Nothing changes state without its event (T1).
type Tracer interface {
	AppendThen(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error)
}

// Defaults of the Worker's tunables.
const (
	DefaultMaxAttempts = 8
	DefaultBaseDelay   = 10 * time.Second
	DefaultMaxDelay    = time.Hour
	DefaultLease       = 2 * time.Minute
	DefaultBatch       = 128
	DefaultParallel    = 64
)

// Actor is the audit actor of what the worker does.
const Actor = "system"

// Worker sends the outbox's due deliveries through the provider of their
// kind. Fill Store, Grid, Audit, Clock, Owner and Providers; the rest have
// defaults.
type Worker struct {
	Store     Store
	Grid      Grid
	Audit     Tracer
	Clock     coupole.Clock
	Providers map[string]Provider // by kind: coupole.DeliverySMS, …
	// Owner names this worker in leases: unique per process (host and pid).
	Owner  string
	Logger *slog.Logger

	MaxAttempts int           // attempts before the dead letter
	BaseDelay   time.Duration // the first retry's backoff ceiling
	MaxDelay    time.Duration // the backoff ceiling's ceiling
	Lease       time.Duration // how long a claim lasts; above any provider's timeout
	Batch       int           // deliveries claimed at once
	Parallel    int           // deliveries sent at once
	// Rand returns a number in [0, 1) for the jitter; math/rand/v2 if nil.
	Rand func() float64

	mu sync.Mutex
}

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Kinds lists the kinds this worker sends, sorted.
func (w *Worker) Kinds() []string { return slices.Sorted(maps.Keys(w.Providers)) }

// Backoff is the delay before the retry that follows attempt n (1 for the
// first): full jitter, a random duration in [0, min(MaxDelay, BaseDelay·2ⁿ⁻¹)).
func (w *Worker) Backoff(n int) time.Duration {
	ceil := float64(orDefault(w.BaseDelay, DefaultBaseDelay)) * math.Pow(2, float64(max(n, 1)-1))
	ceil = min(ceil, float64(orDefault(w.MaxDelay, DefaultMaxDelay)))
	r := rand.Float64
	if w.Rand != nil {
		r = w.Rand
	}
	w.mu.Lock()
	x := r()
	w.mu.Unlock()
	return time.Duration(x * ceil)
}

// RunOnce claims the due deliveries, a batch at a time, and sends them,
// until none is due. It returns how many it handled (sent, failed or dead).
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for {
		ds, err := w.Store.ClaimDeliveries(ctx, coupole.OutboxClaim{Owner: w.Owner, Kinds: w.Kinds(), Now: w.Clock.Now(),
			Lease: orDefault(w.Lease, DefaultLease), Limit: orDefault(w.Batch, DefaultBatch)})
		if err != nil {
			return total, err
		}
		if len(ds) == 0 {
			return total, nil
		}
		sem := make(chan struct{}, orDefault(w.Parallel, DefaultParallel))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var first error
		for _, d := range ds {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if err := w.deliver(ctx, d); err != nil {
					mu.Lock()
					first = cmp(first, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		total += len(ds)
		if first != nil {
			return total, first
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// Run sends due deliveries every interval until ctx ends.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	w.logger().Info("delivery worker started", "kinds", w.Kinds(), "every", every.String(), "max_attempts", orDefault(w.MaxAttempts, DefaultMaxAttempts))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.logger().Error("delivery worker: pass failed; retried at the next tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

// event is the audit event of a state change of d: who (the system), on
// which interaction, access point and customer, and what — never the
// number, the address or the text (masked data only).
func (w *Worker) event(d coupole.Delivery, action string, data ...string) audit.Event {
	ev := audit.Event{Actor: Actor, Action: action, Interaction: d.InteractionID,
		Data: append([]string{"delivery=" + d.ID, "kind=" + d.Kind, "item=" + d.Item}, data...)}
	if d.EAN != "" {
		ev.AccessPoints = []string{string(d.EAN)}
	}
	if d.CustomerID != "" {
		ev.Customers = []string{d.CustomerID}
	}
	return ev
}

// deliver makes one attempt at d, which this worker has claimed. Each
// state change is written in its audit event's transaction, the event
// first. An error is returned only when the outcome could not be recorded
// (the audit log or the database failed, or the lease was lost): the lease
// then expires and the delivery is tried again, and the provider dedupes on
// its id.
func (w *Worker) deliver(ctx context.Context, d coupole.Delivery) error {
	p := w.Providers[d.Kind]
	attempt := d.Attempts + 1
	lease := orDefault(w.Lease, DefaultLease)
	_, err := w.Audit.AppendThen(ctx, w.event(d, "delivery.attempt", "attempt="+strconv.Itoa(attempt)), func(ctx context.Context, _ uint64) error {
		return w.Store.MarkDeliverySending(ctx, d.ID, w.Owner, w.Clock.Now().Add(lease))
	})
	if coupole.ErrorCode(err) == coupole.ECONFLICT {
		return nil // another worker took it after our lease expired
	} else if err != nil {
		return err
	}
	m, err := Compose(ctx, w.Grid, d, w.Clock.Now())
	var r Receipt
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, lease/2)
		r, err = p.Send(sendCtx, m)
		cancel()
	}
	if err == nil {
		_, err = w.Audit.AppendThen(ctx, w.event(d, "delivery.sent", "attempt="+strconv.Itoa(attempt), "provider_id="+r.ProviderID), func(ctx context.Context, _ uint64) error {
			return w.Store.MarkDeliverySent(ctx, d.ID, w.Owner, r.ProviderID, w.Clock.Now())
		})
		return err
	}
	if ctx.Err() != nil { // stopping: the lease expires, the delivery is tried again
		return ctx.Err()
	}
	code := ErrorCode(err)
	if IsPermanent(err) || attempt >= orDefault(w.MaxAttempts, DefaultMaxAttempts) {
		w.logger().Warn("delivery dead: the back office sees it", "delivery", d.ID, "kind", d.Kind, "attempts", attempt, "error", code)
		_, err = w.Audit.AppendThen(ctx, w.event(d, "delivery.dead", "attempt="+strconv.Itoa(attempt), "error="+code), func(ctx context.Context, _ uint64) error {
			return w.Store.MarkDeliveryDead(ctx, d.ID, w.Owner, code)
		})
		return err
	}
	next := w.Clock.Now().Add(w.Backoff(attempt))
	w.logger().Info("delivery failed, retry scheduled", "delivery", d.ID, "kind", d.Kind, "attempts", attempt, "error", code, "next", next)
	_, err = w.Audit.AppendThen(ctx, w.event(d, "delivery.failed", "attempt="+strconv.Itoa(attempt), "error="+code, "next="+next.Format(time.RFC3339)), func(ctx context.Context, _ uint64) error {
		return w.Store.MarkDeliveryFailed(ctx, d.ID, w.Owner, code, next)
	})
	return err
}

// Coded is an error that names its cause in a word for the trace and the
// back office ("invalid_number", "http_503"); a provider's errors may be.
type Coded interface {
	error
	Code() string
}

// ErrorCode names err in a word: never its message, which may hold a
// number or an address.
func ErrorCode(err error) string {
	var c Coded
	switch {
	case errors.As(err, &c):
		return c.Code()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case IsPermanent(err):
		return "refused"
	}
	if code := coupole.ErrorCode(err); code != "" {
		return code
	}
	return "error"
}
