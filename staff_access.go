package coupole

import "context"

// StaffAction names something a staff member does, as the staff-access policy
// set knows it (Cedar action ids). Every HTTP route names one.
type StaffAction string

const (
	ActionViewHome            StaffAction = "home.view"
	ActionSignOut             StaffAction = "session.signout"
	ActionReadCustomer        StaffAction = "customer.read"
	ActionReadAccessPoint     StaffAction = "access_point.read"
	ActionReadInteractionMeta StaffAction = "interaction.read_metadata"
	ActionReadTrace           StaffAction = "trace.read"
	ActionListStaff           StaffAction = "staff.list"
	ActionRevokeStaff         StaffAction = "staff.revoke"
	ActionSetRoles            StaffAction = "staff.set_roles"
	ActionRequestBreakGlass   StaffAction = "breakglass.request"
	ActionApproveBreakGlass   StaffAction = "breakglass.approve"
	ActionListBreakGlass      StaffAction = "breakglass.list"

	// Interactions (issue 6).
	ActionOpenInteraction StaffAction = "interaction.open" // open a call, e-mail, letter…
	ActionWorkInteraction StaffAction = "interaction.work" // identify, verify, decide, disclose, close one's own interaction
	ActionOpenCPASLine    StaffAction = "cpas_line.open"   // answer the dedicated CPAS line (D6)
	ActionReadPublicInfo  StaffAction = "public_info.read" // planned works and outages (D9)
	ActionListAlerts      StaffAction = "alert.list"       // anti-enumeration alerts (C2)
	ActionReadAuditProofs StaffAction = "audit.proof"      // audit checkpoints and proofs (T2)

	// Issue 10.
	ActionReadUnmasked       StaffAction = "customer_data.unmasked" // see a customer or access point unmasked (C1)
	ActionUnlockVerification StaffAction = "verification.unlock"    // unlock an access point whose verification budget is spent (C2)

	// Issue 11: back-office cases (D4).
	ActionListCases  StaffAction = "case.list"   // the queue: no customer data
	ActionTakeCase   StaffAction = "case.take"   // become the case's one handler
	ActionReadCase   StaffAction = "case.read"   // the case and its customer data (C1: its handler only)
	ActionAnswerCase StaffAction = "case.answer" // answer by e-mail or letter, through the outbox
	ActionCloseCase  StaffAction = "case.close"
	// Issue 11.
	ActionListFailedDeliveries StaffAction = "delivery.list_failed" // the failed and dead SMS, letters and e-mails (the dead letter)
)

// StaffActions lists every action, for tests that walk them all.
var StaffActions = []StaffAction{
	ActionViewHome, ActionSignOut, ActionReadCustomer, ActionReadAccessPoint,
	ActionReadInteractionMeta, ActionReadTrace, ActionListStaff, ActionRevokeStaff,
	ActionSetRoles, ActionRequestBreakGlass, ActionApproveBreakGlass, ActionListBreakGlass,
	ActionOpenInteraction, ActionWorkInteraction, ActionOpenCPASLine, ActionReadPublicInfo,
	ActionListAlerts, ActionReadAuditProofs, ActionReadUnmasked, ActionUnlockVerification,
	ActionListCases, ActionTakeCase, ActionReadCase, ActionAnswerCase, ActionCloseCase,
	ActionListFailedDeliveries,
	ActionAcknowledgeAlert, ActionViewDashboard, ActionRedactText, ActionReadInteractionMetadata, // issue 16
}

// AccessFacts are what the server derived about a request before asking the
// policy. None of them comes from the client.
type AccessFacts struct {
	// HandlesInteraction: the resource (customer or access point) is
	// identified in an open interaction the principal handles (C1).
	HandlesInteraction bool
	// BreakGlass: the principal holds an approved, unexpired break-glass
	// grant for the resource (S3).
	BreakGlass bool
	// TargetIsSelf: the resource is the principal's own account or request
	// (S7: nobody administers their own rights or approves their own request).
	TargetIsSelf bool
	// HandlesCase: the resource is a back-office case the principal took
	// and has not closed (C1, issue 11).
	HandlesCase bool
	// IsReviewer: the principal is the reviewer an access-review campaign
	// assigned to the resource, or has review items waiting (S5, issue 12).
	IsReviewer bool
}

// AccessRequest asks whether Staff may do Action on a resource of kind
// ResourceType (e.g. "Customer", "StaffAccount", "Grant", "Page").
type AccessRequest struct {
	Staff        Staff
	Action       StaffAction
	ResourceType string
	ResourceID   string
	Facts        AccessFacts
}

// AccessDecision is the policy's answer. Policies lists the @id of the
// policies that allowed, or forbade, the request; Reason is the @reason of a
// deciding policy, or "not_allowed" for the default deny.
type AccessDecision struct {
	Allow    bool
	Policies []string
	Reason   string
}

// StaffAuthorizer decides staff access (S2, C1, S7). Deny by default.
type StaffAuthorizer interface {
	AuthorizeStaff(ctx context.Context, r AccessRequest) (AccessDecision, error)
}
