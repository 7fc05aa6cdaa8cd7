package retention

import (
	"context"
	"time"
)

// Kinds of registered items. The first three are communications (R1); the
// others are Coupole's own records, to which the same engine applies.
const (
	KindRecording   = "recording"
	KindEmail       = "email"
	KindChat        = "chat"
	KindInteraction = "interaction"
	KindDelivery    = "delivery"
	KindSession     = "session"
	KindTrace       = "trace"
)

func ownKind(k string) bool {
	return k == KindInteraction || k == KindDelivery || k == KindSession || k == KindTrace
}

// States of an item. "deleting" is the purge's intent, written with the
// deletion's evidence event in one transaction: an item in that state is
// finished (media deleted, body cleared) on the next run, without a second
// event.
const (
	StateKept     = "kept"
	StateDeleting = "deleting"
	StatePurged   = "purged"
)

// Item is one registered communication or record.
type Item struct {
	ID            string
	Kind          string
	Source        string // "genesys", "csv", "coupole"
	ExternalID    string // id in the recording system
	Channel       string
	InteractionID string
	CustomerID    string
	CallReason    string
	Start, End    time.Time
	MediaRef      string // blob key; "" when the media is only in the recording system
	Size          int64
	SHA256        string // hex
	Body          []byte // unused: bodies Coupole keeps are sealed in the blob store (MediaRef)
	Direction     string // e-mail and chat: inbound or outbound
	ContentType   string // e-mail and chat: media type of the body
	Class         string
	ClassReason   string
	Due           time.Time
	State         string
	EvidenceIndex int64 // -1 until purged
	PurgedAt      time.Time
	RegisteredAt  time.Time
}

// Store keeps the registry and the holds; sqlstore.DB implements it on
// SQLite and PostgreSQL.
type Store interface {
	// RegisterItem adds it; ECONFLICT if its id or (source, external id)
	// is known already.
	RegisterItem(ctx context.Context, it Item) error
	RetentionItem(ctx context.Context, id string) (Item, error)
	// SetItemClass changes a kept item's class and due date.
	SetItemClass(ctx context.Context, id, class, reason string, due time.Time) error
	// DueItems returns at most limit kept items due at or before now and
	// under no active hold, earliest due first.
	DueItems(ctx context.Context, now time.Time, limit int) ([]Item, error)
	// DeletingItems returns at most limit items in state deleting.
	DeletingItems(ctx context.Context, limit int) ([]Item, error)
	// MarkDeleting moves a kept, unheld item to deleting with its evidence
	// index; it runs inside the evidence event's transaction. ECONFLICT
	// when the item is no longer kept or a hold now covers it.
	MarkDeleting(ctx context.Context, id string, evidence int64, at time.Time) error
	// MarkPurged clears the bodies and media references of deleting items
	// and marks them purged, in one transaction.
	MarkPurged(ctx context.Context, ids []string) error
	// ItemHeld reports whether an active hold covers the item.
	ItemHeld(ctx context.Context, id string) (bool, error)

	PlaceHold(ctx context.Context, h Hold) error
	Hold(ctx context.Context, id string) (Hold, error)
	Holds(ctx context.Context, activeOnly bool) ([]Hold, error)
	RequestLift(ctx context.Context, id, by, reason string, at time.Time) error
	// LiftHold lifts a hold whose lift was requested by someone else than
	// by; ECONFLICT otherwise.
	LiftHold(ctx context.Context, id, by string, at time.Time) error

	// RetentionCounts returns the figures of [from, to).
	RetentionCounts(ctx context.Context, from, to time.Time) (Counts, error)
}

// Counts are the figures of a period: items registered by class, purged on
// time and late, and held now.
type Counts struct {
	ByClass      map[string]int64
	PurgedOnTime int64
	PurgedLate   int64
	Held         int64
	Due          int64 // kept and due before the period's end
}

// MaxLateness is how late a purge may be and still be on time (R4).
const MaxLateness = time.Hour
