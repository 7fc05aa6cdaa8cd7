package coupole

// Staff actions of retention (issue 13); policy/staff/91-retention.cedar
// says who may do them.
const (
	ActionViewRetention     StaffAction = "retention.view"              // classes, holds, due and purged items, purge reports
	ActionSetRetentionClass StaffAction = "retention.set_class"         // move an item to another class, with a justification
	ActionPlaceHold         StaffAction = "retention.hold_place"        // place a legal hold
	ActionRequestHoldLift   StaffAction = "retention.hold_lift_request" // ask for a hold's lift
	ActionLiftHold          StaffAction = "retention.hold_lift"         // approve a lift someone else asked for (S7)
)

// RetentionActions lists them, for StaffActions.
var RetentionActions = []StaffAction{ActionViewRetention, ActionSetRetentionClass, ActionPlaceHold, ActionRequestHoldLift, ActionLiftHold}

// Kept in this file so that staff_access.go stays as it was (issue 13).
func init() { StaffActions = append(StaffActions, RetentionActions...) }
