package coupole

import "time"

// Occupancy says that a customer occupied an access point during
// [MoveIn, MoveOut). MoveOut is zero while the occupancy is current. All
// customer data shown or disclosed is clipped to the requester's occupancies
// (D1).
type Occupancy struct {
	CustomerID   string
	EAN          EAN
	MoveIn       time.Time // a day
	MoveOut      time.Time // a day; zero while current
	MoveInIndex  Registers
	MoveOutIndex Registers // meaningful only when MoveOut is set
}

// Current reports whether the occupancy is open on day t.
func (o Occupancy) Current(t time.Time) bool {
	return !t.Before(o.MoveIn) && (o.MoveOut.IsZero() || t.Before(o.MoveOut))
}

// Validate checks the occupancy's invariants.
func (o Occupancy) Validate() error {
	if o.CustomerID == "" {
		return Errorf(EINVALID, "occupancy: customer id is required")
	}
	if _, err := ParseEAN(string(o.EAN)); err != nil {
		return err
	}
	if o.MoveIn.IsZero() {
		return Errorf(EINVALID, "occupancy: move-in date is required")
	}
	if !o.MoveOut.IsZero() && !o.MoveOut.After(o.MoveIn) {
		return Errorf(EINVALID, "occupancy: move-out date must be after move-in date")
	}
	if err := o.MoveInIndex.Validate(); err != nil {
		return Errorf(EINVALID, "occupancy: move-in %s", ErrorMessage(err))
	}
	if err := o.MoveOutIndex.Validate(); err != nil {
		return Errorf(EINVALID, "occupancy: move-out %s", ErrorMessage(err))
	}
	return nil
}

// OccupancyRelation is a requester's relation to an access point on a given
// day: the "occupancy" fact of the disclosure policy.
type OccupancyRelation string

const (
	OccupancyCurrent OccupancyRelation = "current"
	OccupancyPast    OccupancyRelation = "past"
	OccupancyNone    OccupancyRelation = "none"
)

// RelationOn derives a customer's relation to an access point on day t from
// their occupancies of it.
func RelationOn(occupancies []Occupancy, t time.Time) OccupancyRelation {
	rel := OccupancyNone
	for _, o := range occupancies {
		if o.Current(t) {
			return OccupancyCurrent
		}
		if o.MoveIn.Before(t) {
			rel = OccupancyPast
		}
	}
	return rel
}

// Supplier is a commercial energy supplier.
type Supplier struct {
	ID   string
	Name string
}

// SupplyPeriod says which supplier supplied an access point during [From, To).
type SupplyPeriod struct {
	EAN        EAN
	SupplierID string
	From       time.Time
	To         time.Time // zero while current
}
