package outbound

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Grid is what composing reads from the grid data at send time.
type Grid interface {
	AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error)
	Customer(ctx context.Context, id string) (coupole.Customer, error)
	SupplyPeriods(ctx context.Context, ean coupole.EAN) ([]coupole.SupplyPeriod, error)
	Supplier(ctx context.Context, id string) (coupole.Supplier, error)
}

// Items the worker knows how to compose. An item not listed here is a
// permanent error: the delivery goes to the dead letter, never a panic.
const (
	ItemEAN            = "ean"
	ItemSupplier       = "supplier"
	ItemCaseAnswer     = "case_answer"     // a back-office answer, its text in the row
	ItemContactChanged = "contact_changed" // a notice to the previous mobile or e-mail, its text in the row
)

// composers build a message's content, one function per item, in this one
// place: whoever adds an item to what Execute or a case creates adds it here.
var composers = map[string]func(ctx context.Context, g Grid, d coupole.Delivery, c coupole.Customer, now time.Time, m *Message) error{
	ItemEAN: func(_ context.Context, _ Grid, d coupole.Delivery, _ coupole.Customer, _ time.Time, m *Message) error {
		m.EAN = d.EAN
		return nil
	},
	ItemSupplier: func(ctx context.Context, g Grid, d coupole.Delivery, _ coupole.Customer, now time.Time, m *Message) error {
		m.EAN = d.EAN
		name, err := activeSupplier(ctx, g, d.EAN, now)
		m.Supplier = name
		return err
	},
	ItemCaseAnswer: textItem,
	// The notice goes to the previous mobile or e-mail, which is the row's
	// recipient: never to the new one (D7).
	ItemContactChanged: textItem,
}

func textItem(_ context.Context, _ Grid, d coupole.Delivery, _ coupole.Customer, _ time.Time, m *Message) error {
	if strings.TrimSpace(d.Text) == "" {
		return Permanent(fmt.Errorf("delivery %s: %s without a text", d.ID, d.Item))
	}
	m.EAN, m.Text = d.EAN, d.Text
	return nil
}

// activeSupplier names the supplier of ean on now's day; "" if none.
func activeSupplier(ctx context.Context, g Grid, ean coupole.EAN, now time.Time) (string, error) {
	sps, err := g.SupplyPeriods(ctx, ean)
	if err != nil {
		return "", err
	}
	today := coupole.Date(now)
	for _, sp := range sps {
		if !sp.From.After(today) && (sp.To.IsZero() || sp.To.After(today)) {
			s, err := g.Supplier(ctx, sp.SupplierID)
			return s.Name, err
		}
	}
	return "", Permanent(fmt.Errorf("no active supplier today"))
}

// Compose builds the message for delivery d from its row and the grid data
// read now: the customer's name and language, the installation or postal
// address, the supplier. An unknown item or a recipient that cannot be
// found is Permanent.
func Compose(ctx context.Context, g Grid, d coupole.Delivery, now time.Time) (Message, error) {
	m := Message{ID: d.ID, Kind: d.Kind, Item: d.Item, Reference: d.ID, CreatedAt: d.CreatedAt, Lang: coupole.French}
	compose, ok := composers[d.Item]
	if !ok {
		return m, Permanent(fmt.Errorf("delivery %s: unknown item %q", d.ID, d.Item))
	}
	var c coupole.Customer
	if d.CustomerID != "" {
		var err error
		c, err = g.Customer(ctx, d.CustomerID)
		if coupole.ErrorCode(err) == coupole.ENOTFOUND {
			return m, Permanent(err)
		} else if err != nil {
			return m, err
		}
		m.Name = c.Name()
		if c.Language != "" {
			m.Lang = c.Language
		}
	}
	switch d.Kind {
	case coupole.DeliverySMS:
		// The number stored by Execute: registered before the interaction
		// opened (D4), or the previous number for a contact-change notice.
		m.Mobile = d.Recipient
	case coupole.DeliveryEmail:
		m.Email = d.Recipient
		if !strings.Contains(m.Email, "@") {
			m.Email = c.Email
		}
	case coupole.DeliveryLetter:
		switch d.Recipient {
		case "postal_address":
			m.Address = c.PostalAddress
		default: // "installation_address"
			ap, err := g.AccessPoint(ctx, d.EAN)
			if coupole.ErrorCode(err) == coupole.ENOTFOUND {
				return m, Permanent(err)
			} else if err != nil {
				return m, err
			}
			m.Address = ap.Address
		}
	default:
		return m, Permanent(fmt.Errorf("delivery %s: kind %q is not sent by the worker", d.ID, d.Kind))
	}
	if err := compose(ctx, g, d, c, now, &m); err != nil {
		return m, err
	}
	return m, nil
}
