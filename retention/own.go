package retention

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Retention of Coupole's own records (R4, issue 13): closed interactions,
// deliveries, expired sign-in sessions and trace payloads go through the
// same engine as recordings. Each record is enrolled as an item once it is
// finished (an interaction closed, a delivery sent or dead, a session
// expired, a calendar month of trace ended), in its kind's class (Config.Own);
// the purge then writes its evidence event, and Own.EraseOwn deletes its
// personal data. Holds are honoured as for recordings: an item of an
// interaction or customer under hold is not due, and the trace erasure
// skips the events a hold covers (HeldEvent), as `coupole audit erase` does.

// OwnStore is what the retention of Coupole's own records reads and
// changes; sqlstore.DB is one.
type OwnStore interface {
	// OwnCandidates returns at most limit records of kind (interaction,
	// delivery, session) finished at or before now and not enrolled yet,
	// oldest first, as items with Kind, ExternalID (kind:ref), Start, End
	// and, where the record has them, InteractionID, CustomerID, CallReason.
	OwnCandidates(ctx context.Context, kind string, now time.Time, limit int) ([]Item, error)
	// RegisterItems adds items in one transaction, all or none.
	RegisterItems(ctx context.Context, its []Item) error
	// LastOwnStart is the latest start of an enrolled item of kind (zero
	// when none).
	LastOwnStart(ctx context.Context, kind string) (time.Time, error)
	// FirstAuditTime is the time of the first audit event (zero when none).
	FirstAuditTime(ctx context.Context) (time.Time, error)
	// EraseOwnRecord deletes the personal data of one interaction, delivery
	// or session; erasing again is not an error.
	EraseOwnRecord(ctx context.Context, kind, ref string) error
}

// TraceEraser erases trace payloads before a time, keeping those keep
// says a hold covers; *audit.Reader is one.
type TraceEraser interface {
	Erase(ctx context.Context, before time.Time, keep func(audit.Event) bool) (uint64, error)
}

// ActionEnrol is the audit action of one enrolment batch.
const ActionEnrol = "retention.enrol"

// Own enrols and erases Coupole's own records; the Purger calls it.
type Own struct {
	Store   Store
	Records OwnStore
	Trace   TraceEraser // nil: trace payloads are left to `coupole audit erase`
	Audit   Tracer
	Clock   coupole.Clock
	Config  Config
	Batch   int // records enrolled per transaction (default 1000)
}

// ownKinds are enrolled in this order.
var ownKinds = []string{KindInteraction, KindDelivery, KindSession}

// Enrol registers the records finished by now, and each calendar month of
// trace ended by now, in their classes. One audit event per batch
// (retention.enrol: kind, rule, count, the first and last due date) is
// written with the batch's registration, in one transaction.
func (o *Own) Enrol(ctx context.Context) (int, error) {
	batch := o.Batch
	if batch <= 0 {
		batch = 1000
	}
	now, total := o.Clock.Now(), 0
	for _, kind := range ownKinds {
		for {
			items, err := o.Records.OwnCandidates(ctx, kind, now, batch)
			if err != nil {
				return total, err
			}
			if len(items) == 0 {
				break
			}
			if err := o.register(ctx, kind, items, now); err != nil {
				return total, err
			}
			total += len(items)
			if len(items) < batch {
				break
			}
		}
	}
	if o.Trace == nil {
		return total, nil
	}
	months, err := o.traceMonths(ctx, now)
	if err != nil || len(months) == 0 {
		return total, err
	}
	if err := o.register(ctx, KindTrace, months, now); err != nil {
		return total, err
	}
	return total + len(months), nil
}

// traceMonths returns the items of the calendar months (UTC) of trace that
// ended by now and are not enrolled: from the month after the last one
// enrolled, or the month of the first event. A month is due its class's
// duration after its end, so every event is kept at least that long.
func (o *Own) traceMonths(ctx context.Context, now time.Time) ([]Item, error) {
	last, err := o.Records.LastOwnStart(ctx, KindTrace)
	if err != nil {
		return nil, err
	}
	var m time.Time
	if !last.IsZero() {
		m = last.AddDate(0, 1, 0)
	} else {
		first, err := o.Records.FirstAuditTime(ctx)
		if err != nil || first.IsZero() {
			return nil, err
		}
		first = first.UTC()
		m = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	var out []Item
	for end := m.AddDate(0, 1, 0); !end.After(now); m, end = end, end.AddDate(0, 1, 0) {
		out = append(out, Item{Kind: KindTrace, ExternalID: KindTrace + ":" + m.Format("2006-01"), Start: m, End: end})
	}
	return out, nil
}

func (o *Own) register(ctx context.Context, kind string, items []Item, now time.Time) error {
	c := o.Config.ForOwn(kind)
	for i := range items {
		it := &items[i]
		it.ID, it.Kind, it.Source = NewID("own_"), kind, SourceCoupole
		it.Class, it.ClassReason, it.State, it.EvidenceIndex, it.RegisteredAt = c.Name, "own:"+kind, StateKept, -1, now
		if kind == KindTrace {
			it.Due = c.Due(it.End) // kept the class's duration after the month's end
		} else {
			it.Due = c.Due(it.Start)
		}
	}
	ev := audit.Event{Actor: PurgeActor, Action: ActionEnrol, Data: []string{"kind:" + kind, "rule:" + c.Name,
		"count:" + strconv.Itoa(len(items)), "first_due:" + items[0].Due.Format(time.RFC3339), "last_due:" + items[len(items)-1].Due.Format(time.RFC3339)}}
	_, err := o.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error { return o.Records.RegisterItems(ctx, items) })
	return err
}

// EraseOwn deletes the personal data of a purged own record: the
// interaction's, delivery's or session's fields in the store, or a month's
// trace payloads through the audit erasure (which skips what the active
// holds cover, and erases it at a later run once they are lifted). Doing
// it again is not an error, so a resumed purge finishes it.
func (o *Own) EraseOwn(ctx context.Context, it Item) error {
	kind, ref, ok := strings.Cut(it.ExternalID, ":")
	if !ok || kind != it.Kind || ref == "" {
		return coupole.Errorf(coupole.EINTERNAL, "retention: own item %s has no record reference", it.ID)
	}
	if it.Kind != KindTrace {
		return o.Records.EraseOwnRecord(ctx, kind, ref)
	}
	if o.Trace == nil {
		return coupole.Errorf(coupole.EINTERNAL, "retention: item %s is trace but no trace eraser is configured", it.ID)
	}
	holds, err := o.Store.Holds(ctx, true)
	if err != nil {
		return err
	}
	_, err = o.Trace.Erase(ctx, it.End, HeldEvent(holds))
	return err
}
