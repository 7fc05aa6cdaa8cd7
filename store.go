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
	// Readings returns the readings of an access point dated in [from, to), oldest first.
	Readings(ctx context.Context, ean EAN, from, to time.Time) ([]Reading, error)
	// PublicNotices returns the notices for a postcode (and street, if given)
	// that are in force at t or start after it.
	PublicNotices(ctx context.Context, postcode, street string, at time.Time) ([]PublicNotice, error)
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
