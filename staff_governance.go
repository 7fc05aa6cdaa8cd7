package coupole

// Staff actions of identity governance (issue 12). They are appended to
// StaffActions here, in a file of their own, so that the list in
// staff_access.go stays the other issues' to extend.
const (
	// ActionSoDReport is the list of existing segregation-of-duties
	// violations, for the security officer (S7).
	ActionSoDReport StaffAction = "governance.sod_report"
)

// GovernanceActions lists the actions of issue 12.
var GovernanceActions = []StaffAction{ActionSoDReport}

func init() { StaffActions = append(StaffActions, GovernanceActions...) }
