package coupole

import (
	"context"
	"time"
)

// Business validation, access reviews and the confidentiality charter
// (issue 12, items 5 and 6: S1, S5, S7).

// Staff actions of business validation, access reviews and the charter.
const (
	// ActionValidateAccess is the service delivery manager's queue of roles
	// granted by IT, and validating or rejecting one of them (S5).
	ActionValidateAccess StaffAction = "access.validate"
	// ActionReviewAccess is keeping or removing a role in an access-review
	// campaign, and seeing one's review items (S5).
	ActionReviewAccess StaffAction = "access.review"
	// ActionManageReviews starts and closes review campaigns and sees their
	// progress (S5).
	ActionManageReviews StaffAction = "access.review_manage"
	// ActionPublishCharter publishes a new version of the confidentiality
	// charter and records awareness campaigns (S1).
	ActionPublishCharter StaffAction = "charter.publish"
	// ActionAcknowledgeCharter reads and acknowledges the current charter:
	// every staff member, even one without a role yet (a joiner).
	ActionAcknowledgeCharter StaffAction = "charter.acknowledge"
	// ActionViewAwareness lists the awareness campaigns and the charter's
	// acknowledgement rate (S1).
	ActionViewAwareness StaffAction = "charter.awareness"
)

// ValidationActions lists the actions of this file.
var ValidationActions = []StaffAction{ActionValidateAccess, ActionReviewAccess, ActionManageReviews,
	ActionPublishCharter, ActionAcknowledgeCharter, ActionViewAwareness}

func init() { StaffActions = append(StaffActions, ValidationActions...) }

// CharterActions are the actions that open customer data (S1): nobody does
// them before acknowledging the current confidentiality charter, within the
// last CharterValidity. Opening an interaction is among them: a call is
// where customer data is read.
var CharterActions = []StaffAction{
	ActionReadCustomer, ActionReadAccessPoint, ActionOpenInteraction, ActionWorkInteraction, ActionOpenCPASLine,
	ActionTakeCase, ActionReadCase, ActionAnswerCase, ActionCloseCase,
}

// IsCharterAction reports whether a is one of CharterActions.
func IsCharterAction(a StaffAction) bool {
	for _, c := range CharterActions {
		if c == a {
			return true
		}
	}
	return false
}

// CharterValidity is how long an acknowledgement lasts: it is renewed every
// year (S1), and at each new version.
const CharterValidity = 365 * 24 * time.Hour

// GrantStatus is where a role granted by IT stands in business validation.
type GrantStatus string

const (
	GrantPending   GrantStatus = "pending"
	GrantValidated GrantStatus = "validated"
	GrantRejected  GrantStatus = "rejected"  // refused by the validator: the role is removed
	GrantSuspended GrantStatus = "suspended" // not validated in time: the role is removed
	GrantClosed    GrantStatus = "closed"    // the role went away before any decision
)

// DefaultValidationDays is how long a grant waits for validation when the
// configuration says nothing.
const DefaultValidationDays = 5

// RoleGrant is one role granted to a staff member through the lifecycle,
// waiting for (or past) the business's validation (S5).
type RoleGrant struct {
	ID        string
	StaffID   string
	Role      Role
	Source    string // one of AssignmentSources
	GrantedBy string // the actor as the lifecycle saw it
	GranterID string // the staff member who granted, when one did
	GrantedAt time.Time
	DueAt     time.Time // validated by then, or suspended
	Status    GrantStatus
	DecidedBy string
	DecidedAt time.Time
}

// Overdue reports whether g is still pending at or after its due time: the
// role gives nothing from then on.
func (g RoleGrant) Overdue(now time.Time) bool {
	return g.Status == GrantPending && !now.Before(g.DueAt)
}

// ValidationStore keeps the grants waiting for business validation.
type ValidationStore interface {
	// CreateRoleGrants records new pending grants.
	CreateRoleGrants(ctx context.Context, gs []RoleGrant) error
	RoleGrant(ctx context.Context, id string) (RoleGrant, error)
	// ListRoleGrants lists the grants with that status ("" for all), of
	// active accounts, oldest first.
	ListRoleGrants(ctx context.Context, status GrantStatus) ([]RoleGrant, error)
	// ValidateRoleGrant marks a pending grant validated; any other status
	// is ECONFLICT.
	ValidateRoleGrant(ctx context.Context, id, by string, at time.Time) (RoleGrant, error)
	// EndRoleGrant marks a pending grant rejected or suspended and removes
	// its role from the account, in one transaction; any other status is
	// ECONFLICT. It returns the roles before and after.
	EndRoleGrant(ctx context.Context, id string, status GrantStatus, by string, at time.Time) (before, after []Role, err error)
	// CloseRoleGrants closes the pending grants of staffID whose role is not
	// in keep (a mover lost it, a leaver left).
	CloseRoleGrants(ctx context.Context, staffID string, keep []Role, at time.Time) error
	// OverdueRoles lists the roles of staffID whose grant is pending past
	// its due time at now.
	OverdueRoles(ctx context.Context, staffID string, now time.Time) ([]Role, error)
	// DueRoleGrants lists the pending grants whose due time is past.
	DueRoleGrants(ctx context.Context, now time.Time) ([]RoleGrant, error)
}

// ReviewDecision is where an item of an access review stands.
type ReviewDecision string

const (
	ReviewPending ReviewDecision = "pending"
	ReviewKept    ReviewDecision = "kept"
	ReviewRemoved ReviewDecision = "removed"
	ReviewExpired ReviewDecision = "expired" // not reviewed by the end: removed
	ReviewGone    ReviewDecision = "gone"    // the role or the account went away meanwhile
)

// ReviewCampaign is a periodic access review (S5).
type ReviewCampaign struct {
	ID        string
	StartedBy string
	StartedAt time.Time
	EndsAt    time.Time
	Open      bool
	ClosedBy  string
	ClosedAt  time.Time
}

// ReviewItem is one role of one staff member in a campaign.
type ReviewItem struct {
	ID         string
	CampaignID string
	StaffID    string
	Role       Role
	Reviewer   string // the reviewer's staff id; "" = any service delivery manager
	Decision   ReviewDecision
	DecidedBy  string
	DecidedAt  time.Time
}

// ReviewProgress counts a campaign's items by decision.
type ReviewProgress struct {
	Total, Pending, Kept, Removed, Expired, Gone int
}

// Done is the share of items decided, in percent.
func (p ReviewProgress) Done() int {
	if p.Total == 0 {
		return 100
	}
	return (p.Total - p.Pending) * 100 / p.Total
}

// ReviewStore keeps access-review campaigns.
type ReviewStore interface {
	// CreateReviewCampaign records an open campaign and its items; ECONFLICT
	// if a campaign is open already.
	CreateReviewCampaign(ctx context.Context, c ReviewCampaign, items []ReviewItem) error
	ReviewCampaign(ctx context.Context, id string) (ReviewCampaign, error)
	// OpenReviewCampaign returns the open campaign, or ENOTFOUND.
	OpenReviewCampaign(ctx context.Context) (ReviewCampaign, error)
	// ListReviewCampaigns lists the campaigns, newest first.
	ListReviewCampaigns(ctx context.Context) ([]ReviewCampaign, error)
	ReviewItems(ctx context.Context, campaignID string) ([]ReviewItem, error)
	ReviewItem(ctx context.Context, id string) (ReviewItem, error)
	ReviewProgress(ctx context.Context, campaignID string) (ReviewProgress, error)
	// DecideReviewItem records the decision of a pending item; any other
	// state is ECONFLICT.
	DecideReviewItem(ctx context.Context, id string, d ReviewDecision, by string, at time.Time) error
	// CloseReviewCampaign marks an open campaign closed; ECONFLICT if not open.
	CloseReviewCampaign(ctx context.Context, id, by string, at time.Time) error
}

// Charter is one version of the confidentiality charter (S1), its text in
// the four languages.
type Charter struct {
	Version     string
	PublishedAt time.Time
	PublishedBy string
	Text        map[Language]string
}

// In returns the text in lang, French when lang is not known.
func (c Charter) In(lang Language) string {
	if t := c.Text[lang]; t != "" {
		return t
	}
	return c.Text[French]
}

// AwarenessCampaign is an awareness session on confidentiality (S1).
type AwarenessCampaign struct {
	ID         string
	Title      string
	HeldOn     time.Time // the date, midnight UTC
	Audience   string
	RecordedBy string
	RecordedAt time.Time
	Attendees  []string // staff ids
}

// CharterStore keeps the charter's versions, the acknowledgements and the
// awareness campaigns.
type CharterStore interface {
	// PublishCharter records a new version; ECONFLICT if the version exists.
	PublishCharter(ctx context.Context, c Charter) error
	// CurrentCharter returns the last published version, or ENOTFOUND.
	CurrentCharter(ctx context.Context) (Charter, error)
	ListCharters(ctx context.Context) ([]Charter, error)
	AcknowledgeCharter(ctx context.Context, staffID, version string, at time.Time) error
	// LastAcknowledgement returns when staffID last acknowledged version,
	// the zero time if never.
	LastAcknowledgement(ctx context.Context, staffID, version string) (time.Time, error)
	RecordAwareness(ctx context.Context, c AwarenessCampaign) error
	ListAwareness(ctx context.Context) ([]AwarenessCampaign, error)
}
