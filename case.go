package coupole

import (
	"context"
	"time"
)

// Case is a back-office case (D4, issue 11): a request the front office
// cannot answer in the call — about more than two access points, a written
// request that needs research, a CPAS follow-up. It is created from an
// interaction, waits in the back office's queue, is taken by one member of
// the back office at a time, answered by e-mail or letter through the
// outbox, and closed.
type Case struct {
	ID            string
	InteractionID string // the interaction it was opened from
	OpenedBy      string // the staff member who handled that interaction
	CustomerID    string
	EANs          []EAN  // the access points asked about
	Kind          string // CaseMultipleEANs, CaseResearch, CaseCPASFollowUp
	Item          string // the request item (policy.Items), empty for research and CPAS follow-ups
	Channel       string // the interaction's channel
	// Note is free text typed by staff for the back office: never told to
	// the customer, never logged, never traced.
	Note       string
	Status     string // CaseOpen, CaseTaken, CaseAnswered, CaseClosed
	TakenBy    string // the back-office member handling it, once taken
	OpenedAt   time.Time
	TakenAt    time.Time
	AnsweredAt time.Time
	ClosedAt   time.Time
	// AnswerDelivery is the delivery (e-mail or letter) that carries the
	// answer, once answered.
	AnswerDelivery string
	// AuditIndex is the index of the audit event written before the case
	// was created (T1).
	AuditIndex uint64
}

// Case kinds.
const (
	CaseMultipleEANs = "multiple_eans" // a request about more than two access points (D4)
	CaseResearch     = "research"      // a written request that needs research
	CaseCPASFollowUp = "cpas_followup" // a CPAS follow-up (D6)
)

// CaseKinds lists the kinds of cases.
var CaseKinds = []string{CaseMultipleEANs, CaseResearch, CaseCPASFollowUp}

// Case statuses, in the order a case goes through them.
const (
	CaseOpen     = "open"     // in the queue, nobody handles it
	CaseTaken    = "taken"    // a back-office member handles it
	CaseAnswered = "answered" // the answer is in the outbox
	CaseClosed   = "closed"
)

// CaseStatuses lists the statuses, in order.
var CaseStatuses = []string{CaseOpen, CaseTaken, CaseAnswered, CaseClosed}

// Active reports whether the case is still being worked on (open or taken).
func (c Case) Active() bool { return c.Status == CaseOpen || c.Status == CaseTaken }

// HandledBy reports whether staffID took the case and it is not closed: the
// back office's need-to-know on the case's customer data (C1).
func (c Case) HandledBy(staffID string) bool {
	return staffID != "" && c.TakenBy == staffID && (c.Status == CaseTaken || c.Status == CaseAnswered)
}

// CaseStore keeps back-office cases. Lookups of a missing case return
// ENOTFOUND.
type CaseStore interface {
	// CreateCase stores a new open case.
	CreateCase(ctx context.Context, c Case) error
	Case(ctx context.Context, id string) (Case, error)
	// Cases lists the cases in status, oldest first (every status when
	// empty), at most limit of them (500 when limit <= 0).
	Cases(ctx context.Context, status string, limit int) ([]Case, error)
	// CasesOfCustomer lists the customer's cases about ean, oldest first.
	CasesOfCustomer(ctx context.Context, customerID string, ean EAN) ([]Case, error)
	// TakeCase makes staffID the case's handler if it is open: of two
	// concurrent takes, one wins and the other gets ECONFLICT.
	TakeCase(ctx context.Context, id, staffID string, at time.Time) (Case, error)
	// AnswerCase stores the answer's delivery d and marks the case answered,
	// in one transaction, if staffID handles it and it is taken: ECONFLICT
	// otherwise.
	AnswerCase(ctx context.Context, id, staffID string, d Delivery, at time.Time) (Case, error)
	// CloseCase closes a case staffID handles (taken or answered):
	// ECONFLICT otherwise.
	CloseCase(ctx context.Context, id, staffID string, at time.Time) (Case, error)
}
