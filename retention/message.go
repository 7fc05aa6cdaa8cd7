package retention

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// E-mail and chat bodies Coupole keeps itself (R1 (c), issue 13): the body
// is sealed in the blob store (AES-256-GCM, blob.Local or blob.S3) under
// msg/<item id>, and the item registered with its size and SHA-256 points
// to it; the purge deletes it like any media. A body is personal data: it
// is never in an audit event, a log line or an error message.

// Message is an e-mail or chat attached to an interaction.
type Message struct {
	Kind          string // KindEmail or KindChat
	Direction     string // "inbound" (from the customer) or "outbound"
	Start, End    time.Time
	ContentType   string // e.g. text/plain; charset=utf-8, message/rfc822
	Body          []byte
	InteractionID string
	CustomerID    string   // the interaction's identified customer, if any
	CallReasons   []string // the interaction's, if already closed
}

// MaxBodyBytes bounds one body.
const MaxBodyBytes = 1 << 20

// Directions of a message.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
)

// Validate checks a message; errors name the field, never the body.
func (m Message) Validate() error {
	if m.Kind != KindEmail && m.Kind != KindChat {
		return coupole.Errorf(coupole.EINVALID, "channel: %q is not a message channel (expected email or chat)", m.Kind)
	}
	if m.Direction != DirectionInbound && m.Direction != DirectionOutbound {
		return coupole.Errorf(coupole.EINVALID, "direction: %q (expected inbound or outbound)", m.Direction)
	}
	if m.Start.IsZero() {
		return coupole.Errorf(coupole.EINVALID, "started_at is required")
	}
	if !m.End.IsZero() && m.End.Before(m.Start) {
		return coupole.Errorf(coupole.EINVALID, "ended_at is before started_at")
	}
	if len(m.Body) == 0 {
		return coupole.Errorf(coupole.EINVALID, "body is empty")
	}
	if len(m.Body) > MaxBodyBytes {
		return coupole.Errorf(coupole.EINVALID, "body is larger than %d KiB", MaxBodyBytes>>10)
	}
	if ct := m.ContentType; ct != "" && (len(ct) > 100 || !utf8.ValidString(ct) || strings.ContainsAny(ct, "\r\n") || !strings.Contains(ct, "/")) {
		return coupole.Errorf(coupole.EINVALID, "content_type: not a media type like text/plain")
	}
	if m.InteractionID == "" {
		return coupole.Errorf(coupole.EINVALID, "a message belongs to an interaction")
	}
	return nil
}

// BodyKey is the blob key of an item's body.
func BodyKey(itemID string) string { return "msg/" + itemID }

// AttachBody seals the body in the blob store and registers the item
// (traced: retention.register, with class and due date, never the body).
// The class is the call reasons' if the interaction is closed already,
// else the default until Wrapup. The body is stored first: if the
// registration (or its trace) fails, it is deleted again; a crash between
// the two leaves a sealed object no item points to, which nobody can read
// through Coupole.
func (s *Service) AttachBody(ctx context.Context, actor string, m Message) (Item, error) {
	if s.Bodies == nil {
		return Item{}, coupole.Errorf(coupole.EUNAVAILABLE, "no blob store is configured to keep message bodies")
	}
	if err := m.Validate(); err != nil {
		return Item{}, err
	}
	if m.ContentType == "" {
		m.ContentType = "text/plain; charset=utf-8"
	}
	if m.End.IsZero() {
		m.End = m.Start
	}
	id := NewID("msg_")
	info, err := s.Bodies.Put(ctx, BodyKey(id), m.Body)
	if err != nil {
		return Item{}, err
	}
	it, err := s.Register(ctx, actor, Item{ID: id, Kind: m.Kind, Source: SourceCoupole, Channel: m.Kind,
		InteractionID: m.InteractionID, CustomerID: m.CustomerID, CallReason: strings.Join(m.CallReasons, ","),
		Start: m.Start.UTC(), End: m.End.UTC(), MediaRef: info.Key, Size: info.Size, SHA256: info.SHA256,
		Direction: m.Direction, ContentType: m.ContentType})
	if err != nil {
		s.Bodies.Delete(context.WithoutCancel(ctx), info.Key)
		return Item{}, err
	}
	return it, nil
}

// OpenBody returns a kept item's body. It does not trace: the caller
// traces the read first (who, which interaction and customer, why) and
// checks the reader's need-to-know.
func (s *Service) OpenBody(ctx context.Context, it Item) ([]byte, error) {
	if it.Kind != KindEmail && it.Kind != KindChat {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "item %s has no message body", it.ID)
	}
	if it.State != StateKept || it.MediaRef == "" {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "the body of message %s was deleted at the end of its retention", it.ID)
	}
	if s.Bodies == nil {
		return nil, coupole.Errorf(coupole.EUNAVAILABLE, "no blob store is configured to keep message bodies")
	}
	return s.Bodies.Get(ctx, it.MediaRef)
}

// RetentionItem returns a registered item.
func (s *Service) RetentionItem(ctx context.Context, id string) (Item, error) {
	return s.Store.RetentionItem(ctx, id)
}

// ItemLister lists the items of an interaction; sqlstore.DB is one.
type ItemLister interface {
	InteractionItems(ctx context.Context, interactionID string) ([]Item, error)
}

// InteractionItems returns the registered items of an interaction.
func (s *Service) InteractionItems(ctx context.Context, interactionID string) ([]Item, error) {
	l, ok := s.Store.(ItemLister)
	if !ok {
		return nil, coupole.Errorf(coupole.EINTERNAL, "retention: the store cannot list an interaction's items")
	}
	return l.InteractionItems(ctx, interactionID)
}

// Wrapup applies the call reasons given at an interaction's close (R3):
// its communications still in the default class move to the class the
// reasons choose, each change traced as retention.set_class with the
// reason. Called before the close is written, so that a failure leaves
// items kept longer, never shorter.
func (s *Service) Wrapup(ctx context.Context, actor, interactionID string, reasons []string) error {
	c, why := s.Config.ForCallReasons(reasons)
	if why == "" {
		return nil
	}
	items, err := s.InteractionItems(ctx, interactionID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.State != StateKept || ownKind(it.Kind) || it.ClassReason != "default" || it.Class == c.Name {
			continue
		}
		due, reason := c.Due(it.Start), "call_reason:"+why
		ev := audit.Event{Actor: actor, Action: ActionSetClass, Interaction: interactionID, CallReason: strings.Join(reasons, ","),
			Data: []string{"item:" + it.ID, "rule:" + c.Name, "was:" + it.Class, "due:" + due.Format(time.RFC3339), "justification:" + reason}}
		if _, err := s.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error {
			return s.Store.SetItemClass(ctx, it.ID, c.Name, reason, due)
		}); err != nil {
			return err
		}
	}
	return nil
}
