package interaction

import (
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// The views below are what the service returns to its callers (the JSON API
// and the pages). Personal data in them is masked unless the request needs
// it (C1); the JSON names are those of the API (docs/api.md).

// Actor is the staff member calling the service, and where from.
type Actor struct {
	StaffID string
	Client  string // the browser's address, for the trace
	Lang    string // language of explanations: fr (default), nl, de, en
}

// OpenRequest opens an interaction on any channel but the CPAS line.
type OpenRequest struct {
	Channel   string `json:"channel"`
	Requester string `json:"requester"`
	// CallerNumber is what the telephony system reported, in E.164; it is
	// kept with the interaction, never sent an SMS (D4).
	CallerNumber string `json:"caller_number,omitempty"`
	// MandataryName is the name a mandatary gives, to find the mandate the
	// mandator gave them.
	MandataryName string `json:"mandatary_name,omitempty"`
}

// CPASOpenRequest opens an interaction on the dedicated CPAS line (D6).
type CPASOpenRequest struct {
	CPASID       string `json:"cpas_id"`
	CallerNumber string `json:"caller_number,omitempty"`
}

// View is an interaction as its handler sees it.
type View struct {
	ID        string     `json:"id"`
	Channel   string     `json:"channel"`
	Requester string     `json:"requester"`
	CPAS      string     `json:"cpas,omitempty"` // the CPAS's name, on the CPAS line
	Status    string     `json:"status"`         // open, closed
	OpenedAt  time.Time  `json:"opened_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	// ClosedBy is the handler's staff id, or "system" with CloseReason
	// "idle" or "staff_revoked" when the system closed it (issue 10).
	ClosedBy    string       `json:"closed_by,omitempty"`
	CloseReason string       `json:"close_reason,omitempty"`
	CallReasons []ReasonView `json:"call_reasons"`
	Current     *PointView   `json:"current,omitempty"`
	EANsAsked   int          `json:"eans_asked"`
	// Deliveries are the SMS, letters and e-mails the interaction created,
	// with what the worker did with them (issue 11), recipients masked.
	Deliveries []DeliveryView `json:"deliveries,omitempty"`
}

// ReasonView is a call reason given on close.
type ReasonView struct {
	Code           string `json:"code"`
	Label          string `json:"label"`
	LegalRetention bool   `json:"legal_retention"`
}

// PointView is the access point the conversation is about, masked.
type PointView struct {
	EAN      string `json:"ean"` // masked
	Energy   string `json:"energy"`
	Address  string `json:"address"`  // masked
	Customer string `json:"customer"` // masked name
	Regime   string `json:"reading_regime"`
	Verified bool   `json:"verified"`
	Locked   bool   `json:"locked"`
	// BudgetSpent: locked for everybody, across interactions (issue 10).
	BudgetSpent  bool `json:"budget_spent,omitempty"`
	AttemptsLeft int  `json:"attempts_left"`
}

// IdentifyRequest searches by exactly one of: EAN, meter number, name, or
// address (postcode and street, optionally the house number).
type IdentifyRequest struct {
	EAN      string `json:"ean,omitempty"`
	Meter    string `json:"meter_number,omitempty"`
	Name     string `json:"name,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Street   string `json:"street,omitempty"`
	Number   string `json:"number,omitempty"`
}

// Candidate is one identification result: enough to choose, nothing more.
type Candidate struct {
	Ref      string `json:"ref"`
	EAN      string `json:"ean"` // masked
	Energy   string `json:"energy"`
	Address  string `json:"address"`  // masked
	Customer string `json:"customer"` // masked name
}

// Identification is the answer to an identification.
type Identification struct {
	Candidates []Candidate `json:"candidates"`
	Truncated  bool        `json:"truncated"` // more matched: ask for more detail
}

// VerifyRequest checks the meter number the caller gives against the meter
// in place on the interaction's date. Ref, if given, first chooses that
// candidate as the current access point.
type VerifyRequest struct {
	Ref         string `json:"ref,omitempty"`
	MeterNumber string `json:"meter_number"`
}

// Verification is the result of one attempt (C2).
type Verification struct {
	Verified     bool `json:"verified"`
	AttemptsLeft int  `json:"attempts_left"`
	Locked       bool `json:"locked"`
	// BudgetSpent: the access point is locked for everybody, across
	// interactions, until a team lead unlocks it (issue 10).
	BudgetSpent bool   `json:"budget_spent,omitempty"`
	Current     string `json:"ean"` // masked
}

// DecideRequest asks the disclosure policy about an item for the current
// access point. The facts are derived from the data, never sent.
type DecideRequest struct {
	Item string `json:"item"`
}

// FactsView are the facts the decision was taken on, as derived.
type FactsView struct {
	MeterVerified    bool   `json:"meter_verified"`
	Occupancy        string `json:"occupancy"`
	Mandate          string `json:"mandate"`
	MandateScope     string `json:"mandate_scope"` // what a valid mandate covers: all, consumption, case
	RegisteredMobile bool   `json:"registered_mobile"`
	PostalAddress    bool   `json:"postal_address"` // another postal address on file: where a former occupant's letter goes
	EANCount         int    `json:"ean_count"`
	ReadingRegime    string `json:"reading_regime,omitempty"`
}

// DecisionView is a disclosure decision with, when the outcome is to tell
// it now, the data disclosed, scoped to the requester's occupancy and the
// last three years (D1, D8).
type DecisionView struct {
	Item        string   `json:"item"`
	Outcome     string   `json:"outcome"`
	Reason      string   `json:"reason"`
	Scope       string   `json:"scope"`
	Policies    []string `json:"policies"`
	Explanation string   `json:"explanation"`
	// Requirements are the requirement codes the deciding policies
	// implement (@requirement), for auditors and API clients: the
	// explanation is said to the caller and names none (issue 15).
	Requirements []string `json:"requirements,omitempty"`
	// Destination is where an SMS or letter the decision calls for would go,
	// masked, known as soon as the decision is made: the registered mobile
	// ("04•• •• •• 56"; a non-Belgian number in its international masked
	// form) or the installation address ("Rue de Fer ••, 5000 Namur").
	// Empty for other outcomes, or an SMS without a mobile registered
	// before the interaction.
	Destination string          `json:"destination,omitempty"`
	Facts       FactsView       `json:"facts"`
	Disclosure  *Disclosure     `json:"disclosure,omitempty"`
	decision    policy.Decision // for traces
	point       coupole.EAN     // current point, for traces
	customer    string          // identified customer, for traces
	request     policy.Request  // for traces
	periods     []period        // the requester's occupancy periods, clipped
}

// Disclosure is the data that may be told, scoped.
type Disclosure struct {
	Periods  []PeriodView  `json:"periods,omitempty"`
	Readings []ReadingView `json:"readings,omitempty"`
	// Consumption is the readings turned into consumption per period,
	// within the requester's occupancy (D1, D8, issue 15).
	Consumption []ConsumptionView `json:"consumption,omitempty"`
	Suppliers   []SupplyView      `json:"suppliers,omitempty"`
	CaseStatus  string            `json:"case_status,omitempty"`
	Cases       CaseStatuses      `json:"cases,omitempty"`        // case_status: the customer's cases in scope (issue 11)
	HistoryFrom string            `json:"history_from,omitempty"` // no data before this day (three years)
}

// PeriodView is a period the data is clipped to.
type PeriodView struct {
	From string `json:"from"`
	To   string `json:"to,omitempty"` // empty: until today
}

// ReadingView is one index reading.
type ReadingView struct {
	Date              string   `json:"date"`
	Meter             string   `json:"meter"` // masked
	DayKWh            *float64 `json:"day_kwh,omitempty"`
	NightKWh          *float64 `json:"night_kwh,omitempty"`
	ExclusiveNightKWh *float64 `json:"exclusive_night_kwh,omitempty"`
	GasM3             *float64 `json:"gas_m3,omitempty"`
	Source            string   `json:"source"`
}

// SupplyView is a supplier contract within the scope.
type SupplyView struct {
	Supplier string `json:"supplier"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
}

// ExecuteRequest creates the SMS, letter or case a decision calls for.
type ExecuteRequest struct {
	Item           string `json:"item"`
	IdempotencyKey string `json:"-"` // the Idempotency-Key header
}

// DeliveryView is a created delivery.
type DeliveryView struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Item      string    `json:"item"`
	Recipient string    `json:"recipient"` // masked phone, or which address
	Status    string    `json:"status"`    // pending, sending, sent, failed (a retry is scheduled), dead
	CreatedAt time.Time `json:"created_at"`
	Replayed  bool      `json:"replayed"` // the idempotency key was used before: nothing new was created
	// What the worker did (issue 11): attempts made, when the provider
	// accepted it, the last failure's code.
	Attempts  int        `json:"attempts"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
}

// NewDeliveryView shows d with its recipient masked: a phone number as
// +32 ••• •• •• 56, an e-mail address as its domain, a letter by which
// address it goes to.
func NewDeliveryView(d coupole.Delivery) DeliveryView {
	shown := d.Recipient
	switch {
	case d.Kind == coupole.DeliverySMS:
		shown = coupole.MaskPhone(d.Recipient)
	case d.Kind == coupole.DeliveryEmail:
		if _, domain, ok := strings.Cut(d.Recipient, "@"); ok {
			shown = "•••@" + domain
		}
	}
	v := DeliveryView{ID: d.ID, Kind: d.Kind, Item: d.Item, Recipient: shown, Status: d.Status, CreatedAt: d.CreatedAt, Attempts: d.Attempts, LastError: d.LastError}
	if !d.SentAt.IsZero() {
		t := d.SentAt
		v.SentAt = &t
	}
	return v
}

// ReadingRequest is a meter index given by the caller (C3).
type ReadingRequest struct {
	Date              string  `json:"date,omitempty"` // YYYY-MM-DD, default today
	DayKWh            float64 `json:"day_kwh,omitempty"`
	NightKWh          float64 `json:"night_kwh,omitempty"`
	ExclusiveNightKWh float64 `json:"exclusive_night_kwh,omitempty"`
	GasM3             float64 `json:"gas_m3,omitempty"`
}

// ReadingResult is an accepted index. Previous and PerDay are there only
// for a caller who may be told the consumption (D8) and whose own
// occupancy the previous reading lies in (D1).
type ReadingResult struct {
	Date     string   `json:"date"`
	Source   string   `json:"source"`
	Previous string   `json:"previous_date,omitempty"`
	PerDay   *float64 `json:"consumption_per_day,omitempty"`
}

// ConsumptionPerDay is PerDay for the pages, which test PerDay first.
func (r ReadingResult) ConsumptionPerDay() float64 {
	if r.PerDay == nil {
		return 0
	}
	return *r.PerDay
}

// CloseRequest closes an interaction with at least one call reason (C4).
type CloseRequest struct {
	CallReasons []string `json:"call_reasons"`
	// Unsent are the items decided with an SMS, a letter or a case that the
	// handler chose to leave unsent when warned at close (issue 15, item
	// 1): the choice is traced with the close.
	Unsent []string `json:"unsent,omitempty"`
}

// PublicInfoRequest asks for planned works and outages in a postcode (and
// street); nobody is identified (D9).
type PublicInfoRequest struct {
	InteractionID string `json:"interaction_id,omitempty"`
	Postcode      string `json:"postcode"`
	Street        string `json:"street,omitempty"`
}

// PublicInfo is the answer.
type PublicInfo struct {
	Explanation string       `json:"explanation"`
	Notices     []NoticeView `json:"notices"`
}

// NoticeView is one planned work or outage.
type NoticeView struct {
	Kind        string `json:"kind"`
	Energy      string `json:"energy"`
	Postcode    string `json:"postcode"`
	Town        string `json:"town"`
	Street      string `json:"street,omitempty"`
	From        string `json:"from"`
	To          string `json:"to,omitempty"`
	Description string `json:"description"`
}

// AlertView is an anti-enumeration alert for team leads (C2).
type AlertView struct {
	ID            string    `json:"id"`
	InteractionID string    `json:"interaction_id"`
	StaffID       string    `json:"staff_id"`
	EAN           string    `json:"ean"` // masked
	Kind          string    `json:"kind"`
	RaisedAt      time.Time `json:"raised_at"`
	// UnlockedAt and UnlockedBy: a team lead unlocked the access point a
	// budget alert locked.
	UnlockedAt *time.Time `json:"unlocked_at,omitempty"`
	UnlockedBy string     `json:"unlocked_by,omitempty"`
	// Reason and Target say what an alert of any kind is about (issue 16);
	// AckedAt, AckedBy and AckNote: who acknowledged it, with their note.
	Reason string `json:"reason,omitempty"`
	// ReasonFacts: the reason's values by name, for a reader's language.
	ReasonFacts map[string]string `json:"reason_facts,omitempty"`
	Target      string            `json:"target,omitempty"`
	AckedAt     *time.Time        `json:"acked_at,omitempty"`
	AckedBy     string            `json:"acked_by,omitempty"`
	AckNote     string            `json:"ack_note,omitempty"`
}

// UnlockRequest unlocks the access point a budget alert locked: a team lead
// says why (issue 10).
type UnlockRequest struct {
	Reason string `json:"reason"`
}
