package coupole

// Staff actions of the privacy officer's compliance screens (issue 14):
// GDPR registers and the yearly confidentiality report. The staff policy
// (policy/staff/92-compliance.cedar) says who may use them.
const (
	ActionReadRegisters  StaffAction = "register.read"  // list, view, history, export (G1–G3)
	ActionWriteRegisters StaffAction = "register.write" // create, change, delete an entry
	ActionProduceReport  StaffAction = "report.produce" // produce the signed yearly report (G4)
)

// Kept in this file so that each part's actions merge without conflict.
func init() {
	StaffActions = append(StaffActions, ActionReadRegisters, ActionWriteRegisters, ActionProduceReport)
}
