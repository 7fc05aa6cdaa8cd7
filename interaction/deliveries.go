package interaction

import (
	"context"
	"strconv"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// OutboxReader lists the deliveries the worker could not send (issue 11);
// *sqlstore.DB is one.
type OutboxReader interface {
	TroubledDeliveries(ctx context.Context, limit int) ([]coupole.Delivery, error)
}

// FailedDelivery is a delivery the back office follows up: failed (a
// retry is scheduled) or dead (given up). The recipient is masked.
type FailedDelivery struct {
	DeliveryView
	Interaction string `json:"interaction"`
}

// maxFailedDeliveries bounds the back office's list.
const maxFailedDeliveries = 500

// FailedDeliveries lists the dead deliveries first, then the failed ones,
// for the back office and team leads (the staff policy decides who). The
// read is traced with the customers concerned.
func (s *Service) FailedDeliveries(ctx context.Context, a Actor) ([]FailedDelivery, error) {
	r, ok := s.Store.(OutboxReader)
	if !ok {
		return nil, coupole.Errorf(coupole.EUNAVAILABLE, "this store keeps no outbox")
	}
	ds, err := r.TroubledDeliveries(ctx, maxFailedDeliveries)
	if err != nil {
		return nil, err
	}
	ev := audit.Event{Action: "delivery.list_failed", Data: []string{"deliveries=" + strconv.Itoa(len(ds)), "masked_recipient"}}
	seen := map[string]bool{}
	for _, d := range ds {
		if d.CustomerID != "" && !seen[d.CustomerID] {
			seen[d.CustomerID] = true
			ev.Customers = append(ev.Customers, d.CustomerID)
		}
	}
	if _, err := s.trace(ctx, a, coupole.Interaction{}, ev); err != nil {
		return nil, err
	}
	out := []FailedDelivery{}
	for _, d := range ds {
		out = append(out, FailedDelivery{DeliveryView: NewDeliveryView(d), Interaction: d.InteractionID})
	}
	return out, nil
}

// DeliveryStatus is where one delivery of an interaction stands, without
// its recipient: what the advisor's timeline updates live (issue 15).
type DeliveryStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"` // pending, sending, sent, failed (a retry is scheduled), dead
	// Final says the status will not change any more (sent or dead): the
	// page stops asking.
	Final bool `json:"final"`
}

// DeliveryStatuses returns the status of every delivery of interaction id
// to its handler, open or closed (a letter sent after the call is still
// followed). It reads no personal data — ids and statuses, no recipient,
// no content — so it is not traced, and it is not activity: polling it
// neither keeps the interaction's need-to-know alive nor floods the trace.
// Anybody else gets ENOTFOUND, traced as a refusal like every other step.
func (s *Service) DeliveryStatuses(ctx context.Context, a Actor, id string) ([]DeliveryStatus, error) {
	if _, err := s.own(ctx, a, id, false); err != nil {
		return nil, err
	}
	ds, err := s.Store.Deliveries(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]DeliveryStatus, 0, len(ds))
	for _, d := range ds {
		out = append(out, DeliveryStatus{ID: d.ID, Status: d.Status, Final: d.Status == coupole.DeliverySent || d.Status == coupole.DeliveryDead})
	}
	return out, nil
}
