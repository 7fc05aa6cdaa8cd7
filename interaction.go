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
	// CloseReason is empty when the handler closed the interaction (with
	// call reasons), else why the system did: CloseIdle, CloseStaffRevoked.
	CloseReason string
	// LastActivityAt is when the last step was traced; an interaction idle
	// for longer than the configured time gives no access (C1, issue 10).
	LastActivityAt time.Time
	// Current is the access point the conversation is about now, chosen
	// among the candidates of the last identification; empty until then.
	CurrentEAN      EAN
	CurrentCustomer string // the identified customer (occupant or mandator)
}

// Open reports whether the interaction is still open.
func (i Interaction) Open() bool { return i.ClosedAt.IsZero() }

// Reasons the system closes an interaction (issue 10): no call reason is
// chosen for them, and they are shown and traced as the system's.
const (
	CloseIdle         = "idle"          // no step for longer than the idle time
	CloseStaffRevoked = "staff_revoked" // its handler's access was revoked (S6)
)

// IdleAt reports whether the open interaction is idle at now: its last step
// is at least idleAfter old. An idle interaction gives no access even before
// the sweeper closes it.
func (i Interaction) IdleAt(now time.Time, idleAfter time.Duration) bool {
	return i.Open() && !now.Before(i.LastActivityAt.Add(idleAfter))
}

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
	Kind          string // AlertVerificationLocked, AlertVerificationBudgetSpent
	RaisedAt      time.Time
	// UnlockedAt and UnlockedBy are set when a team lead unlocked the access
	// point a budget alert locked.
	UnlockedAt time.Time
	UnlockedBy string

	// The alert store is general (issue 16): any part may raise an alert
	// of its own kind, without an interaction or access point. Reason is
	// the sentence the reviewer reads (no personal data); Target names what
	// it is about ("staff:<id>", "interaction:<id>", "recording:<id>"…);
	// DedupeKey, when set, makes raising the same alert twice a no-op.
	Reason    string
	Target    string
	DedupeKey string
	// ReasonFacts are Reason's values by name (staff id, counts, minutes,
	// times in RFC 3339), so that screens say the reason in the reader's
	// language; Reason stays the English sentence for the CLI and logs.
	// Never customer data.
	ReasonFacts map[string]string
	// AckedAt, AckedBy and AckNote are set when a team lead or the security
	// officer acknowledged the alert with a note (traced).
	AckedAt time.Time
	AckedBy string
	AckNote string
}

// Alert kinds.
const (
	// AlertVerificationLocked: one interaction reached its failed
	// verifications on an access point.
	AlertVerificationLocked = "verification_locked"
	// AlertVerificationBudgetSpent: the access point's budget of failed
	// verifications across interactions and advisors is spent; nobody may
	// verify on it until a team lead unlocks it or the failures age out.
	AlertVerificationBudgetSpent = "verification_budget_spent"
)

// VerificationBudget is how many failed verifications one access point
// allows across interactions and advisors within a sliding window (C2,
// anti-enumeration, issue 10).
type VerificationBudget struct {
	Failures int
	Window   time.Duration
}

// VerificationAttempt is one meter-number verification to record.
type VerificationAttempt struct {
	InteractionID string
	StaffID       string
	EAN           EAN
	OK            bool
	At            time.Time
	// MaxFailures locks the point for this interaction.
	MaxFailures int
	// Budget locks the point for everybody.
	Budget VerificationBudget
	// LockAlertID and BudgetAlertID name the alerts raised, if any.
	LockAlertID, BudgetAlertID string
}

// BudgetState is what is left of an access point's verification budget.
type BudgetState struct {
	Failures int  // counted in the window, since the last unlock
	Spent    bool // Failures reached the budget: verifications are refused
}

// Left is the number of failures the budget still allows.
func (b BudgetState) Left(budget VerificationBudget) int { return max(0, budget.Failures-b.Failures) }

// Delivery kinds: what an execution creates (sending comes later).
const (
	DeliverySMS            = "sms"
	DeliveryLetter         = "letter"
	DeliveryBackOfficeCase = "back_office_case"
	DeliveryEmail          = "email" // written channels and back-office answers (issue 11)
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
	Status         string // DeliveryPending, DeliverySending, DeliverySent, DeliveryFailed, DeliveryDead
	CreatedAt      time.Time
	// Text is the body of a back-office answer or of a notice, already in
	// the customer's language; empty for a delivery that discloses Item.
	Text string

	// The outbox (issue 11): what the worker did with it.
	Attempts       int       // sending attempts begun
	NextAttemptAt  time.Time // a failed delivery is retried from then
	LeaseOwner     string    // the worker sending it now, until LeaseExpiresAt
	LeaseExpiresAt time.Time
	ProviderID     string    // the provider's message id, once sent
	LastError      string    // a short code (timeout, refused, …), never a message
	SentAt         time.Time // when the provider accepted it
}

// OutboxClaim asks the outbox for up to Limit due deliveries of the given
// kinds, leased to Owner until Now + Lease (issue 11).
type OutboxClaim struct {
	Owner string
	Kinds []string
	Now   time.Time
	Lease time.Duration
	Limit int
}

// Delivery statuses (issue 11): pending → sending → sent, or failed (a
// retry is scheduled) and finally dead.
const (
	DeliveryPending = "pending"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	DeliveryDead    = "dead"
)

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
	// RecordVerification records one verification attempt on a point, in one
	// transaction: an access point whose budget is spent refuses it with
	// EFORBIDDEN ("verification budget spent…"), as does a point locked for
	// the interaction; a success marks the point verified; a failure counts
	// for the interaction and for the budget; the failure that reaches
	// MaxFailures locks the point for the interaction, the one that spends
	// the budget locks it for everybody, each raising its alert.
	RecordVerification(ctx context.Context, v VerificationAttempt) (InteractionPoint, BudgetState, error)
	// VerificationBudget reads the budget state of an access point at now.
	VerificationBudget(ctx context.Context, ean EAN, b VerificationBudget, now time.Time) (BudgetState, error)
	// UnlockVerification unlocks the access point of a budget alert: the
	// failures before at no longer count. ENOTFOUND for an unknown alert,
	// ECONFLICT for another kind or one already unlocked.
	UnlockVerification(ctx context.Context, alertID, by, reason string, at time.Time) (InteractionAlert, error)
	Alert(ctx context.Context, id string) (InteractionAlert, error)

	// TouchInteraction records a step's activity on an open interaction;
	// it is written with the step's audit event.
	TouchInteraction(ctx context.Context, id string, at time.Time) error
	// IdleInteractions lists the open interactions whose last activity is
	// at or before idleSince, oldest first.
	IdleInteractions(ctx context.Context, idleSince time.Time) ([]Interaction, error)
	// CloseIdleInteraction closes an open interaction whose last activity
	// is still at or before idleSince, with the system reason CloseIdle;
	// ECONFLICT if it is closed or active again.
	CloseIdleInteraction(ctx context.Context, id string, idleSince, at time.Time) error

	// CreateDelivery stores d unless the staff member already used its
	// idempotency key: then it returns the stored delivery and false.
	CreateDelivery(ctx context.Context, d Delivery) (Delivery, bool, error)
	// DeliveryByKey finds a delivery by its creator and idempotency key.
	DeliveryByKey(ctx context.Context, staffID, key string) (Delivery, error)
	Deliveries(ctx context.Context, interactionID string) ([]Delivery, error)

	Alerts(ctx context.Context, since time.Time) ([]InteractionAlert, error)
}
