package retention

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/blob"
)

// Service registers items, changes their class and manages holds. Every
// change is traced before it is written (trace first: the write runs in
// the event's transaction). Who may call what is the staff policy's
// business (policy/staff/91-retention.cedar), asked by the caller; the one
// rule the service enforces itself is S7's: the person who asked for a
// hold's lift cannot approve it.
type Service struct {
	Store  Store
	Audit  Tracer
	Clock  coupole.Clock
	Config Config
	// Bodies keeps the e-mail and chat bodies Coupole keeps itself
	// (message.go); nil: none are taken.
	Bodies blob.Store
}

// NewID returns a random id with a prefix.
func NewID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Register adds a communication or record to the registry. Its class is
// the call reason's (R3) or, for Coupole's own records, the kind's; its
// due date runs from its start.
func (s *Service) Register(ctx context.Context, actor string, it Item) (Item, error) {
	return s.RegisterWith(ctx, actor, it, nil)
}

// RegisterWith is Register with first, a write of the caller's that goes
// with the registration (the intake's notification id, replay protection):
// it runs in the transaction that writes the item, before it, so the two
// are written together or not at all — one transaction, not two. An error
// of first is returned as is and nothing of the item is written (its
// register event stays traced: the log may hold more than happened).
func (s *Service) RegisterWith(ctx context.Context, actor string, it Item, first func(ctx context.Context) error) (Item, error) {
	if it.ID == "" {
		it.ID = NewID("ret_")
	}
	switch it.Kind {
	case KindRecording, KindEmail, KindChat, KindInteraction, KindDelivery, KindSession, KindTrace:
	default:
		return Item{}, coupole.Errorf(coupole.EINVALID, "item kind %q: want recording, email, chat, interaction, delivery, session or trace", it.Kind)
	}
	if it.Start.IsZero() {
		return Item{}, coupole.Errorf(coupole.EINVALID, "item %s: its start is required", it.ID)
	}
	if !it.End.IsZero() && it.End.Before(it.Start) {
		return Item{}, coupole.Errorf(coupole.EINVALID, "item %s: it ends before it starts", it.ID)
	}
	if it.SHA256 != "" && (len(it.SHA256) != 64 || strings.Trim(it.SHA256, "0123456789abcdef") != "") {
		return Item{}, coupole.Errorf(coupole.EINVALID, "item %s: sha256 must be 64 lower-case hex digits", it.ID)
	}
	var c Class
	if ownKind(it.Kind) {
		c, it.ClassReason = s.Config.ForOwn(it.Kind), "own:"+it.Kind
	} else {
		var why string
		c, why = s.Config.ForCallReasons(strings.Split(it.CallReason, ","))
		it.ClassReason = "default"
		if why != "" {
			it.ClassReason = "call_reason:" + why
		}
	}
	it.Class, it.Due = c.Name, c.Due(it.Start)
	it.State, it.EvidenceIndex = StateKept, -1
	it.RegisteredAt = s.Clock.Now()
	ev := audit.Event{Actor: actor, Action: ActionRegister, Interaction: it.InteractionID, CallReason: it.CallReason,
		Data: []string{"item:" + it.ID, "kind:" + it.Kind, "rule:" + it.Class, "due:" + it.Due.Format(time.RFC3339)}}
	if it.CustomerID != "" {
		ev.Customers = []string{it.CustomerID}
	}
	_, err := s.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error {
		if first != nil {
			if err := first(ctx); err != nil {
				return err
			}
		}
		return s.Store.RegisterItem(ctx, it)
	})
	if err != nil {
		return Item{}, err
	}
	return it, nil
}

// SetClass moves a kept item to another class, later, with the privacy
// officer's justification (R3). A held item keeps its class: changing it
// could shorten what a hold protects… but a hold already stops the purge,
// so the change is allowed and the hold still wins.
func (s *Service) SetClass(ctx context.Context, actor, id, class, justification string) (Item, error) {
	c, ok := s.Config.Class(class)
	if !ok {
		return Item{}, coupole.Errorf(coupole.EINVALID, "retention class %q is not defined", class)
	}
	if strings.TrimSpace(justification) == "" {
		return Item{}, coupole.Errorf(coupole.EINVALID, "changing a retention class needs a justification")
	}
	it, err := s.Store.RetentionItem(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if it.State != StateKept {
		return Item{}, coupole.Errorf(coupole.ECONFLICT, "item %s is %s: its class can no longer change", id, it.State)
	}
	due := c.Due(it.Start)
	ev := audit.Event{Actor: actor, Action: ActionSetClass, Interaction: it.InteractionID,
		Data: []string{"item:" + id, "rule:" + class, "was:" + it.Class, "due:" + due.Format(time.RFC3339), "justification:" + justification}}
	_, err = s.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.SetItemClass(ctx, id, class, justification, due)
	})
	if err != nil {
		return Item{}, err
	}
	it.Class, it.ClassReason, it.Due = class, justification, due
	return it, nil
}

// PlaceHold places a legal hold (R3).
func (s *Service) PlaceHold(ctx context.Context, actor string, h Hold) (Hold, error) {
	if err := h.Validate(); err != nil {
		return Hold{}, err
	}
	h.ID, h.PlacedBy, h.PlacedAt = NewID("hold_"), actor, s.Clock.Now()
	h.LiftRequestedBy, h.LiftedBy, h.LiftedAt, h.LiftRequestedAt = "", "", time.Time{}, time.Time{}
	_, err := s.Audit.AppendThen(ctx, holdEvent(actor, ActionHoldPlace, h), func(ctx context.Context, _ uint64) error { return s.Store.PlaceHold(ctx, h) })
	if err != nil {
		return Hold{}, err
	}
	return h, nil
}

// RequestLift asks for a hold's lift; someone else approves it.
func (s *Service) RequestLift(ctx context.Context, actor, id, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return coupole.Errorf(coupole.EINVALID, "lifting a hold needs a reason")
	}
	h, err := s.Store.Hold(ctx, id)
	if err != nil {
		return err
	}
	if !h.Active() {
		return coupole.Errorf(coupole.ECONFLICT, "hold %s is already lifted", id)
	}
	ev := holdEvent(actor, ActionHoldLiftAsk, h)
	ev.Data = append(ev.Data, "lift_reason:"+reason)
	_, err = s.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.RequestLift(ctx, id, actor, reason, s.Clock.Now())
	})
	return err
}

// ApproveLift lifts a hold whose lift someone else asked for (S7). A
// refusal is traced with its target.
func (s *Service) ApproveLift(ctx context.Context, actor, id string) error {
	h, err := s.Store.Hold(ctx, id)
	if err != nil {
		return err
	}
	var refusal error
	switch {
	case !h.Active():
		refusal = coupole.Errorf(coupole.ECONFLICT, "hold %s is already lifted", id)
	case h.LiftRequestedBy == "":
		refusal = coupole.Errorf(coupole.ECONFLICT, "nobody asked for the lift of hold %s", id)
	case h.LiftRequestedBy == actor:
		refusal = coupole.Errorf(coupole.EFORBIDDEN, "the lift of hold %s must be approved by someone other than who asked for it", id)
	}
	if refusal != nil {
		ev := holdEvent(actor, ActionRefused, h)
		ev.Data = append(ev.Data, "refused:"+ActionHoldLift)
		if _, err := s.Audit.Append(ctx, ev); err != nil {
			return err
		}
		return refusal
	}
	_, err = s.Audit.AppendThen(ctx, holdEvent(actor, ActionHoldLift, h), func(ctx context.Context, _ uint64) error {
		return s.Store.LiftHold(ctx, id, actor, s.Clock.Now())
	})
	return err
}

func holdEvent(actor, action string, h Hold) audit.Event {
	ev := audit.Event{Actor: actor, Action: action, Data: []string{"hold:" + h.ID, "scope:" + h.Scope, "reference:" + h.Reference}}
	switch h.Scope {
	case ScopeInteraction:
		ev.Interaction = h.Target
	case ScopeCustomer:
		ev.Customers = []string{h.Target}
	case ScopeItem:
		ev.Data = append(ev.Data, "item:"+h.Target)
	case ScopePeriod:
		ev.Data = append(ev.Data, "from:"+h.From.Format(time.RFC3339), "to:"+h.To.Format(time.RFC3339))
	}
	return ev
}
