package coupole

import (
	"context"
	"time"
)

// Anomaly alert kinds raised by the oversight detector from the trace
// (issue 16, T1). They live in the alert store beside the verification
// alerts (interaction.go) and count in the yearly report.
const (
	// AlertViewsAboveBaseline: an advisor's customer views in one hour
	// depart from their own and their team's baseline (median and MAD).
	AlertViewsAboveBaseline = "views_above_baseline"
	// AlertProtectedCustomerViewed: a customer flagged as a staff member
	// or a protected person was viewed.
	AlertProtectedCustomerViewed = "protected_customer_viewed"
	// AlertOutsideHours: access outside the staff member's configured hours.
	AlertOutsideHours = "access_outside_hours"
	// AlertOutsideNetwork: access from outside the configured networks.
	AlertOutsideNetwork = "access_outside_network"
	// AlertRepeatedLockoutsByAdvisor: one advisor locked verifications in
	// several interactions (enumeration spread over several calls).
	AlertRepeatedLockoutsByAdvisor = "repeated_lockouts_advisor"
	// AlertRepeatedLockoutsOnPoint: one access point was locked in several
	// interactions.
	AlertRepeatedLockoutsOnPoint = "repeated_lockouts_access_point"
	// AlertInteractionOpenTooLong: an interaction held open past the
	// threshold keeps its need-to-know access too long.
	AlertInteractionOpenTooLong = "interaction_open_too_long"
)

// AnomalyAlertKinds lists the kinds the detector raises, in the order the
// screens and the report show them.
var AnomalyAlertKinds = []string{
	AlertViewsAboveBaseline, AlertProtectedCustomerViewed, AlertOutsideHours, AlertOutsideNetwork,
	AlertRepeatedLockoutsByAdvisor, AlertRepeatedLockoutsOnPoint, AlertInteractionOpenTooLong,
}

// Staff actions of oversight (issue 16); permitted in
// policy/staff/93-oversight.cedar.
const (
	ActionAcknowledgeAlert StaffAction = "alert.acknowledge"   // acknowledge an alert with a note (T1)
	ActionViewDashboard    StaffAction = "oversight.dashboard" // the supervisor dashboard and its CSV: metadata only
	ActionRedactText       StaffAction = "redact.text"         // redact a transcript or message (G5)
	// ActionReadInteractionMetadata opens one interaction's metadata from
	// an alert (issue 15 item 8).
	ActionReadInteractionMetadata StaffAction = "interaction.metadata"
)

// Customer protection flags: every view of a flagged customer raises an
// alert (T1).
const (
	ProtectionStaff     = "staff"     // the customer works for the operator
	ProtectionProtected = "protected" // a protected person (e.g. under a protection order)
)

// ParseProtection checks a protection flag; empty means not flagged.
func ParseProtection(s string) (string, error) {
	switch s {
	case "", ProtectionStaff, ProtectionProtected:
		return s, nil
	}
	return "", Errorf(EINVALID, "protection %q: want staff, protected or nothing", s)
}

// AlertFilter selects alerts for the screens, the dashboard and the report.
type AlertFilter struct {
	From, To time.Time // [From, To) on RaisedAt; zero: unbounded
	Kind     string    // empty: every kind
	// Unacknowledged keeps only the alerts nobody acknowledged yet.
	Unacknowledged bool
	InteractionID  string // only the alerts of this interaction
	Limit          int    // 0: 500
}

// OversightStore keeps what the oversight detector needs beside the trace:
// the general alert store, the customers' protection flags and how far the
// detector has read the trace.
type OversightStore interface {
	// RaiseAlert stores al; when al.DedupeKey is already taken it stores
	// nothing and returns false.
	RaiseAlert(ctx context.Context, al InteractionAlert) (bool, error)
	// AcknowledgeAlert records the acknowledgement of an alert; ENOTFOUND
	// for an unknown alert, ECONFLICT if it is already acknowledged.
	AcknowledgeAlert(ctx context.Context, id, by, note string, at time.Time) (InteractionAlert, error)
	Alert(ctx context.Context, id string) (InteractionAlert, error)
	ListAlerts(ctx context.Context, f AlertFilter) ([]InteractionAlert, error)
	// CountAlerts counts the alerts raised in [from, to) by kind and
	// acknowledgement: key "kind" and "kind/acknowledged".
	CountAlerts(ctx context.Context, from, to time.Time) (map[string]int64, error)

	// CustomerProtections returns the flagged customers: id → flag.
	CustomerProtections(ctx context.Context) (map[string]string, error)
	// SetCustomerProtection flags a customer, or clears its flag with "".
	SetCustomerProtection(ctx context.Context, customerID, flag string) error

	// OversightCursor is the index of the next trace event to read.
	OversightCursor(ctx context.Context) (uint64, error)
	// AdvanceOversight moves the cursor from from to to and adds the
	// counts of the events read in between, in one transaction: ECONFLICT
	// when the cursor is no longer at from (another node read them).
	AdvanceOversight(ctx context.Context, from, to uint64, counts []HourlyCount) error
	// HourlyCounts sums the counts of the hours in [from, to) by metric
	// and key.
	HourlyCounts(ctx context.Context, from, to time.Time) ([]HourlyCount, error)
	// OpenInteractions lists the open interactions of staffID (all if empty).
	OpenInteractions(ctx context.Context, staffID string) ([]Interaction, error)
}

// HourlyCount is one volume of the supervisor dashboard: how many events of
// a metric and key (e.g. "channel"/"phone", "refusal"/"no_occupancy") the
// trace holds in one clock hour. Metadata only, never a customer.
type HourlyCount struct {
	Hour   time.Time // the hour's start, UTC; zero in sums over a period
	Metric string
	Key    string
	N      int64
}
