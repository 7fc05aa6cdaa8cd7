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
