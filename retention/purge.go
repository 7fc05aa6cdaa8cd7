package retention

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Tracer is the audit log; *audit.Log is one. AppendThen writes the event
// and the caller's storage write in one transaction (see audit.Log).
type Tracer interface {
	Append(ctx context.Context, ev audit.Event) (uint64, error)
	AppendThen(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error)
}

// MediaStore deletes media Coupole keeps; blob.Store is one. Deleting a
// missing key is not an error (a resumed purge deletes again).
type MediaStore interface {
	Delete(ctx context.Context, key string) error
}

// Platform deletes recordings in the contact-center platform; a
// genesys.Connector is one. Deleting a missing recording is not an error.
type Platform interface {
	DeleteRecording(ctx context.Context, externalID string) error
}

// OwnRecords enrols and erases Coupole's own records; *Own is one.
type OwnRecords interface {
	Enrol(ctx context.Context) (int, error)
	EraseOwn(ctx context.Context, it Item) error
}

// Actor of the purge's events.
const PurgeActor = "system:retention"

// Audit actions of retention.
const (
	ActionPurge          = "retention.purge"
	ActionPurgeCancelled = "retention.purge_cancelled"
	ActionRegister       = "retention.register"
	ActionSetClass       = "retention.set_class"
	ActionHoldPlace      = "retention.hold_place"
	ActionHoldLiftAsk    = "retention.hold_lift_request"
	ActionHoldLift       = "retention.hold_lift"
	ActionRefused        = "retention.refused"
	ActionView           = "retention.view" // the privacy officer consulted holds, items or reports
)

// Purger deletes what is due (R4). A run is resumable: each item goes kept
// → deleting in the transaction of its evidence event (trace first, one
// event per item whatever happens), then its media is deleted and it goes
// deleting → purged. A run killed anywhere leaves items kept (no event) or
// deleting (event written); the next run finishes the deleting ones
// without a second event, so nothing stays half-deleted and nothing is
// counted twice.
type Purger struct {
	Store    Store
	Audit    Tracer
	Clock    coupole.Clock
	Media    MediaStore // nil: no media kept by Coupole
	Platform Platform   // nil: recordings are not deleted in a platform
	// Own enrols Coupole's own records before each run and erases their
	// personal data when purged (own.go); nil: none are enrolled.
	Own    OwnRecords
	Logger *slog.Logger
	// Batch is how many due items one round takes (default 2000), Workers
	// how many evidence events are in flight at once (default 64: the audit
	// log commits them together).
	Batch, Workers int
}

// Result counts one run.
type Result struct {
	Purged   int // evidence written and deletion finished in this run
	Resumed  int // deleting items of an earlier run finished
	Late     int // purged more than MaxLateness after their due date
	Refused  int // a hold arrived between selection and evidence
	Enrolled int // own records enrolled at the start of the run
	Finished time.Time
}

// Run purges every item due now, then returns.
func (p *Purger) Run(ctx context.Context) (Result, error) {
	var res Result
	batch, workers := p.Batch, p.Workers
	if batch <= 0 {
		batch = 2000
	}
	if workers <= 0 {
		workers = 64
	}
	n, err := p.finish(ctx, batch)
	res.Resumed = n
	if err != nil {
		return res, err
	}
	if p.Own != nil {
		if res.Enrolled, err = p.Own.Enrol(ctx); err != nil {
			return res, err
		}
	}
	for {
		now := p.Clock.Now()
		items, err := p.Store.DueItems(ctx, now, batch)
		if err != nil {
			return res, err
		}
		if len(items) == 0 {
			res.Finished = p.Clock.Now()
			return res, nil
		}
		var (
			mu       sync.Mutex
			firstErr error
			wg       sync.WaitGroup
			next     = make(chan Item)
		)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it := range next {
					late, refused, err := p.decide(ctx, it, now)
					mu.Lock()
					switch {
					case err != nil && firstErr == nil:
						firstErr = err
					case refused:
						res.Refused++
					case err == nil && late:
						res.Late++
					}
					mu.Unlock()
				}
			}()
		}
		for _, it := range items {
			mu.Lock()
			stop := firstErr != nil
			mu.Unlock()
			if stop {
				break
			}
			next <- it
		}
		close(next)
		wg.Wait()
		n, err := p.finish(ctx, batch)
		res.Purged += n
		if firstErr != nil {
			return res, firstErr
		}
		if err != nil {
			return res, err
		}
		if res.Refused > 0 && n == 0 {
			// Every remaining due item was refused this round; they are
			// held now and DueItems will not return them again.
			continue
		}
	}
}

// decide writes the evidence event of one item with its move to deleting.
func (p *Purger) decide(ctx context.Context, it Item, now time.Time) (late, refused bool, err error) {
	ev := evidenceEvent(ActionPurge, it, now)
	_, err = p.Audit.AppendThen(ctx, ev, func(ctx context.Context, idx uint64) error {
		return p.Store.MarkDeleting(ctx, it.ID, int64(idx), now)
	})
	if err == nil {
		return now.Sub(it.Due) > MaxLateness, false, nil
	}
	if coupole.ErrorCode(err) == coupole.ECONFLICT {
		// The event is written but a hold arrived (or another runner took
		// the item): say so in the trace, next to it.
		if _, err := p.Audit.Append(ctx, evidenceEvent(ActionPurgeCancelled, it, now)); err != nil {
			return false, false, err
		}
		return false, true, nil
	}
	return false, false, err
}

// finish deletes the media of deleting items and marks them purged.
func (p *Purger) finish(ctx context.Context, batch int) (int, error) {
	total := 0
	for {
		items, err := p.Store.DeletingItems(ctx, batch)
		if err != nil || len(items) == 0 {
			return total, err
		}
		ids := make([]string, 0, len(items))
		for _, it := range items {
			if it.MediaRef != "" {
				if p.Media == nil {
					return total, coupole.Errorf(coupole.EINTERNAL, "retention: item %s has media but no media store is configured", it.ID)
				}
				if err := p.Media.Delete(ctx, it.MediaRef); err != nil {
					return total, coupole.Wrap(err, coupole.EUNAVAILABLE, "retention: cannot delete the media of item %s", it.ID)
				}
			}
			if ownKind(it.Kind) {
				if p.Own == nil {
					return total, coupole.Errorf(coupole.EINTERNAL, "retention: item %s is one of Coupole's own records but no eraser is configured", it.ID)
				}
				if err := p.Own.EraseOwn(ctx, it); err != nil {
					return total, coupole.Wrap(err, coupole.ErrorCode(err), "retention: cannot erase own record of item %s", it.ID)
				}
			}
			if it.Kind == KindRecording && it.Source != "" && it.Source != SourceCoupole && it.Source != SourceCSV && it.ExternalID != "" {
				if p.Platform == nil {
					return total, coupole.Errorf(coupole.EUNAVAILABLE, "retention: item %s is in %s but no connector is configured", it.ID, it.Source)
				}
				if err := p.Platform.DeleteRecording(ctx, it.ExternalID); err != nil {
					return total, coupole.Wrap(err, coupole.EUNAVAILABLE, "retention: cannot delete recording of item %s in %s", it.ID, it.Source)
				}
			}
			ids = append(ids, it.ID)
		}
		if err := p.Store.MarkPurged(ctx, ids); err != nil {
			return total, err
		}
		total += len(ids)
	}
}

// Sources of items.
const (
	SourceCoupole = "coupole"
	SourceCSV     = "csv"
	SourceGenesys = "genesys"
)

// evidenceEvent is the deletion's evidence: what, by which rule, due when,
// deleted when, and the hash of what was deleted. It names no customer, so
// erasing trace payloads never needs it and its facts are not personal data.
func evidenceEvent(action string, it Item, now time.Time) audit.Event {
	return audit.Event{
		Actor:       PurgeActor,
		Action:      action,
		Interaction: it.InteractionID,
		CallReason:  it.CallReason,
		Data: []string{
			"item:" + it.ID,
			"kind:" + it.Kind,
			"rule:" + it.Class,
			"due:" + it.Due.UTC().Format(time.RFC3339),
			"deleted_at:" + now.UTC().Format(time.RFC3339),
			"sha256:" + it.SHA256,
		},
	}
}

// ErrHeld is returned when an action would delete or change held items.
var ErrHeld = errors.New("held")
