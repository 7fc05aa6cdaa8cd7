package coupole

import (
	"context"
	"time"
)

// GridStore is the operator's grid data. Implementations (sqlstore, on SQLite
// and PostgreSQL) pass one conformance suite. Lookups return ENOTFOUND for a
// single missing thing and an empty slice for a search that matches nothing.
type GridStore interface {
	// Load writes a batch in one transaction: everything or nothing. Rows are
	// upserted by their natural keys, so loading the same batch twice changes
	// nothing.
	Load(ctx context.Context, b *Batch) error

	AccessPoint(ctx context.Context, ean EAN) (AccessPoint, error)
	AccessPointsByMeter(ctx context.Context, meter MeterNumber) ([]AccessPoint, error)
	AccessPointsByAddress(ctx context.Context, q AddressQuery) ([]AccessPoint, error)

	Customer(ctx context.Context, id string) (Customer, error)
	// CustomersByName finds customers whose given or family name starts with
	// each word of name, ignoring case and accents ("gerard" finds "Gérard").
	CustomersByName(ctx context.Context, name string, limit int) ([]Customer, error)

	OccupanciesOfAccessPoint(ctx context.Context, ean EAN) ([]Occupancy, error)
	OccupanciesOfCustomer(ctx context.Context, customerID string) ([]Occupancy, error)
	MandatesOfCustomer(ctx context.Context, customerID string) ([]Mandate, error)
	MandatesOfCPAS(ctx context.Context, cpasID string) ([]Mandate, error)
	CPAS(ctx context.Context, id string) (CPAS, error)
	SupplyPeriods(ctx context.Context, ean EAN) ([]SupplyPeriod, error)
	Supplier(ctx context.Context, id string) (Supplier, error)
	// AddReading stores one new reading (index intake, C3); ECONFLICT if
	// the meter already has one of that source on that day.
	AddReading(ctx context.Context, r Reading) error
	// Readings returns the readings of an access point dated in [from, to), oldest first.
	Readings(ctx context.Context, ean EAN, from, to time.Time) ([]Reading, error)
	// PublicNotices returns the notices for a postcode (and street, if given)
	// that are in force at t or start after it.
	PublicNotices(ctx context.Context, postcode, street string, at time.Time) ([]PublicNotice, error)

	// UpdateContact changes a customer's contact details and appends the
	// history of the change, in one transaction (the audit event's when
	// called from its step): everything or nothing. A new mobile is
	// registered at u.At. ENOTFOUND for an unknown customer, EINVALID for
	// a value that breaks the customer's invariants.
	UpdateContact(ctx context.Context, u ContactUpdate) error
	ContactHistory
}

// AddressQuery finds access points by installation address: a postcode, the
// beginning of the street name (case- and accent-insensitive) and, optionally,
// the house number.
type AddressQuery struct {
	Postcode     string
	StreetPrefix string
	Number       string
	Limit        int
}

// Batch is a set of grid records written together by GridStore.Load.
type Batch struct {
	Suppliers     []Supplier
	CPAS          []CPAS
	AccessPoints  []AccessPoint
	Customers     []Customer
	Occupancies   []Occupancy
	SupplyPeriods []SupplyPeriod
	Mandates      []Mandate
	Readings      []Reading
	PublicNotices []PublicNotice
}

// Len is the number of records in the batch.
func (b *Batch) Len() int {
	return len(b.Suppliers) + len(b.CPAS) + len(b.AccessPoints) + len(b.Customers) +
		len(b.Occupancies) + len(b.SupplyPeriods) + len(b.Mandates) + len(b.Readings) + len(b.PublicNotices)
}

// Contact fields a customer may change within an interaction (D7).
const (
	ContactMobile        = "mobile"
	ContactEmail         = "email"
	ContactLanguage      = "language"
	ContactPostalAddress = "postal_address"
)

// ContactFields lists the contact fields in the order they are shown.
var ContactFields = []string{ContactMobile, ContactEmail, ContactLanguage, ContactPostalAddress}

// ContactUpdate is a change of a customer's contact details made within an
// interaction (D7). A nil field is left unchanged. It exists only with its
// audit event: AuditIndex is the index of the event written before it (T1).
type ContactUpdate struct {
	CustomerID    string
	InteractionID string
	StaffID       string
	AuditIndex    uint64
	At            time.Time // a new mobile is registered at this time (D4)

	Mobile        *string // E.164
	Email         *string
	Language      *Language
	PostalAddress *Address

	// History has one entry per field changed, kept with the change.
	History []ContactChange

	// Previous, when set, is the customer as read before the change: the
	// fields changed are written only if they still hold these values
	// (compare and set), ECONFLICT otherwise — so that two changes made at
	// once cannot both succeed, nor one announce a stale old value.
	Previous *Customer
}

// ContactChange is one line of a customer's contact history: who changed
// which field, when, in which interaction. The values are kept masked only;
// Commitment is the hex SHA-256 of Nonce ‖ old ‖ 0x00 ‖ new, also in the
// change's audit event, so that a value claimed later can be checked
// against the signed log without the log or the history holding it.
// Forgetting Nonce makes the commitment unverifiable.
type ContactChange struct {
	CustomerID    string
	InteractionID string
	StaffID       string
	AuditIndex    uint64
	At            time.Time
	Field         string // ContactMobile, ContactEmail, ContactLanguage, ContactPostalAddress
	OldMasked     string // empty when there was none
	NewMasked     string
	Commitment    string
	Nonce         string // hex, 32 random bytes
}

// ContactHistory is the history of contact changes; sqlstore implements it
// with GridStore.
type ContactHistory interface {
	// ContactChanges lists a customer's contact changes, oldest first.
	ContactChanges(ctx context.Context, customerID string) ([]ContactChange, error)
}
