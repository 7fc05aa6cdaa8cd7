// Package outbound sends what interactions and back-office cases decided:
// SMS to the registered mobile, nominative letters, e-mails (D2, D4, D5,
// D7). A durable outbox in the database holds every delivery, written with
// its audit event; the worker is the only code that talks to providers, and
// nothing else sends.
package outbound

import (
	"context"
	"errors"
	"time"

	"github.com/coupole/coupole"
)

// Message is one delivery ready for a provider, with everything the provider
// needs and nothing more: a provider never reads the database.
type Message struct {
	// ID is the delivery's id. Providers pass it on as the idempotency key,
	// so a retry after a crash never sends twice.
	ID        string
	Kind      string           // coupole.DeliverySMS, DeliveryLetter or DeliveryEmail
	Item      string           // what is delivered: ean, supplier, case_answer, contact_changed…
	Lang      coupole.Language // the customer's language
	Reference string           // the reference the customer quotes back (letter, e-mail)
	CreatedAt time.Time

	// The recipient, by kind.
	Mobile  string          // SMS: E.164, registered before the interaction (D4)
	Email   string          // e-mail
	Name    string          // letter and e-mail: the customer's name
	Address coupole.Address // letter: the installation or postal address

	// The content, by item.
	EAN      coupole.EAN
	Supplier string // the active supplier's name (D2)
	Text     string // a back-office answer or a notice, already in Lang
}

// Receipt is a provider's acceptance of a message.
type Receipt struct {
	ProviderID string // the provider's own message id, traced with the delivery
}

// Provider sends one kind of message. Send must be idempotent on m.ID: the
// same message sent twice (a retry after a crash) reaches its recipient once.
type Provider interface {
	Send(ctx context.Context, m Message) (Receipt, error)
}

// permanentError marks an error no retry will cure.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps an error that no retry will cure (a number the gateway
// refuses, an address that cannot be printed): the delivery goes to the
// dead letter at once instead of being retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, is Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
