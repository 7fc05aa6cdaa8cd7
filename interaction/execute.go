package interaction

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// Execute creates the SMS, letter or back-office case that the policy's
// decision on item calls for, now, with facts derived from the data. The
// trace is written first and its index stored in the delivery: a delivery
// never exists without its trace. A repeated idempotency key returns the
// delivery created the first time.
func (s *Service) Execute(ctx context.Context, a Actor, id string, r ExecuteRequest) (DeliveryView, error) {
	key := strings.TrimSpace(r.IdempotencyKey)
	if key == "" || len(key) > 200 {
		return DeliveryView{}, coupole.Errorf(coupole.EINVALID, "Idempotency-Key: required (1 to 200 characters) on a request that creates a delivery")
	}
	sum := sha256.Sum256([]byte(id + "\x00" + r.Item))
	hash := hex.EncodeToString(sum[:])
	if have, err := s.Store.DeliveryByKey(ctx, a.StaffID, key); err == nil {
		return s.replay(have, hash)
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return DeliveryView{}, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return DeliveryView{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, r.Item)
	if err != nil {
		return DeliveryView{}, err
	}
	d := coupole.Delivery{ID: newID("d-", s.Clock.Now()), InteractionID: in.ID, StaffID: a.StaffID, Item: r.Item, EAN: in.CurrentEAN, CustomerID: in.CurrentCustomer,
		IdempotencyKey: key, RequestHash: hash, Status: "pending", CreatedAt: s.Clock.Now()}
	shown := ""
	var c *coupole.Case // the back-office case, if the decision opens one
	var cases coupole.CaseStore
	switch policy.Outcome(dv.Outcome) {
	case policy.OutcomeSMS:
		// Only ever the number registered before the interaction began (D4):
		// the policy allowed the SMS on that fact; never a number given now.
		if !sj.customer.HasMobileRegisteredBefore(in.OpenedAt) {
			ev := s.decisionEvent("interaction.execute_refused", dv)
			ev.Decision.Outcome, ev.Decision.Reason = "refused", "no_registered_mobile"
			if _, err := s.trace(ctx, a, in, ev); err != nil {
				return DeliveryView{}, err
			}
			return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "no mobile number was registered before this interaction")
		}
		d.Kind, d.Recipient, shown = coupole.DeliverySMS, sj.customer.Mobile, coupole.MaskPhone(sj.customer.Mobile)
	case policy.OutcomeLetter:
		// Where the policy says: a former occupant's letter goes to their
		// postal address, never to the installation address.
		d.Kind, d.Recipient, shown = coupole.DeliveryLetter, dv.decision.Recipient, letterAddress(sj, dv.decision.Recipient).Masked()
	case policy.OutcomeBackOfficeCase:
		// A real case in the back office's queue (issue 11), created with
		// the delivery that records it, in the event's transaction.
		if cases, err = s.caseStore(); err != nil {
			return DeliveryView{}, err
		}
		nc := s.newCase(in, sj.points, coupole.CaseMultipleEANs, r.Item, "")
		c = &nc
		d.Kind, d.Recipient, shown = coupole.DeliveryBackOfficeCase, "back_office", "back_office"
	default:
		ev := s.decisionEvent("interaction.execute_refused", dv)
		if _, err := s.trace(ctx, a, in, ev); err != nil {
			return DeliveryView{}, err
		}
		return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "the decision for this request is %q (%s): nothing is sent", dv.Outcome, dv.Reason)
	}
	ev := s.decisionEvent("interaction.deliver", dv)
	recipient := d.Recipient
	if d.Kind == coupole.DeliverySMS {
		recipient = "registered_mobile"
	}
	ev.Data = append(ev.Data, "delivery="+d.ID, "kind="+d.Kind, "recipient="+recipient)
	if c != nil {
		ev.Data = append(ev.Data, "case="+c.ID)
	}
	var stored coupole.Delivery
	var created bool
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, idx uint64) error {
		d.AuditIndex = idx
		var err error
		stored, created, err = s.Store.CreateDelivery(ctx, d)
		if err != nil || !created || c == nil {
			return err
		}
		c.AuditIndex = idx
		return cases.CreateCase(ctx, *c)
	})
	if err != nil {
		return DeliveryView{}, err
	}
	if !created { // a concurrent request with the same key won
		return s.replay(stored, hash)
	}
	return DeliveryView{ID: d.ID, Kind: d.Kind, Item: d.Item, Recipient: shown, Status: d.Status, CreatedAt: d.CreatedAt}, nil
}

func (s *Service) replay(d coupole.Delivery, hash string) (DeliveryView, error) {
	if d.RequestHash != hash {
		return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "Idempotency-Key: already used for another request")
	}
	v := NewDeliveryView(d)
	v.Replayed = true
	return v, nil
}
