package coupole

import (
	"context"
	"time"
)

// Interaction is one contact with a requester (a call, an e-mail, a letter,
// a chat…) handled by one staff member (issue 6). Channel and Requester hold
// the values of the disclosure contract (policy.Channels, policy.Requesters);
// the interaction service validates them.
type Interaction struct {
	ID        string
	StaffID   string // who handles it
	Channel   string
	Requester string
	// CallerNumber is the number the telephony system reported (E.164), if
	// any. It is never used as an SMS recipient (D4).
	CallerNumber string
	// CPASID is the CPAS calling on the dedicated line (D6).
	CPASID string
	// MandataryName is the name a mandatary gave, to find their mandate.
	MandataryName string
	OpenedAt      time.Time
	ClosedAt      time.Time // zero while open
	CallReasons   []string  // call-reason codes, set on close (C4)
	// Current is the access point the conversation is about now, chosen
	// among the candidates of the last identification; empty until then.
	CurrentEAN      EAN
	CurrentCustomer string // the identified customer (occupant or mandator)
}

// Open reports whether the interaction is still open.
func (i Interaction) Open() bool { return i.ClosedAt.IsZero() }

// InteractionCandidate is one result of an identification: an access point
// and the customer related to it. Ref is what the advisor chooses, so that
// the EAN itself never travels to the browser.
type InteractionCandidate struct {
	Ref        string
	EAN        EAN
	CustomerID string
}

// InteractionPoint is an access point asked about in an interaction, with
// the state of the caller's verification on it (C2).
type InteractionPoint struct {
	EAN            EAN
	CustomerID     string
	Verified       bool
	FailedAttempts int
	Locked         bool // too many failed attempts: no further verification in this interaction
}

// InteractionAlert is raised for team leads when an interaction locks an
// access point after repeated failed verifications (C2, anti-enumeration).
type InteractionAlert struct {
	ID            string
	InteractionID string
	StaffID       string
	EAN           EAN
	Kind          string // "verification_locked"
	RaisedAt      time.Time
}

// Delivery kinds: what an execution creates (sending comes later).
const (
	DeliverySMS            = "sms"
	DeliveryLetter         = "letter"
	DeliveryBackOfficeCase = "back_office_case"
)

// Delivery is an SMS, a letter or a back-office case created by an
// interaction. It exists only with its trace: AuditIndex is the index of the
// audit event written before it (T1).
type Delivery struct {
	ID             string
	InteractionID  string
	StaffID        string
	Kind           string // DeliverySMS, DeliveryLetter, DeliveryBackOfficeCase
	Item           string // what is delivered: ean, supplier, …
	EAN            EAN
	CustomerID     string
	Recipient      string // E.164 for an SMS (the registered mobile), "installation_address" or "postal_address" for a letter, "back_office" for a case
	IdempotencyKey string
	RequestHash    string // hex SHA-256 of what was asked, to refuse a reused key
	AuditIndex     uint64
	Status         string // "pending" until the outbound issue sends it
	CreatedAt      time.Time
}

// InteractionStore keeps interactions. Lookups of a missing interaction
// return ENOTFOUND.
type InteractionStore interface {
	CreateInteraction(ctx context.Context, i Interaction) error
	Interaction(ctx context.Context, id string) (Interaction, error)
	// OpenInteractions lists open interactions, all of them when staffID is
	// empty, oldest first.
	OpenInteractions(ctx context.Context, staffID string) ([]Interaction, error)
	// CloseInteraction sets the call reasons and the closing time; ECONFLICT
	// if it is already closed.
	CloseInteraction(ctx context.Context, id string, reasons []string, at time.Time) error

	// SetCandidates replaces the candidates of the last identification.
	SetCandidates(ctx context.Context, id string, cs []InteractionCandidate) error
	Candidates(ctx context.Context, id string) ([]InteractionCandidate, error)
	// SelectPoint makes p the current access point of the interaction and
	// adds it to the points asked about (keeping its verification state if
	// it was asked about before).
	SelectPoint(ctx context.Context, id string, p InteractionPoint) (InteractionPoint, error)
	InteractionPoints(ctx context.Context, id string) ([]InteractionPoint, error)
	// RecordVerification records one verification attempt on a point: a
	// success marks it verified; a failure counts, and the failure that
	// reaches maxFailures locks the point and stores alert, in the same
	// transaction. A locked point refuses further attempts with EFORBIDDEN.
	RecordVerification(ctx context.Context, id string, ean EAN, ok bool, maxFailures int, alert InteractionAlert) (InteractionPoint, error)

	// CreateDelivery stores d unless the staff member already used its
	// idempotency key: then it returns the stored delivery and false.
	CreateDelivery(ctx context.Context, d Delivery) (Delivery, bool, error)
	// DeliveryByKey finds a delivery by its creator and idempotency key.
	DeliveryByKey(ctx context.Context, staffID, key string) (Delivery, error)
	Deliveries(ctx context.Context, interactionID string) ([]Delivery, error)

	Alerts(ctx context.Context, since time.Time) ([]InteractionAlert, error)
}
