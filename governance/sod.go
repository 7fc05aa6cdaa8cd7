package governance

import (
	"context"

	"github.com/coupole/coupole"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// Violation is an active account whose roles break segregation of duties
// already: assigned before the rules, or by a direct change of the
// database. The security officer sees them on `coupole staff sod-report`
// and on the SoD report page (S7).
type Violation struct {
	StaffID     string
	DisplayName string
	Roles       []coupole.Role
	Rules       []sodpolicy.Refusal // every rule the roles break
}

// SoDReport lists the active accounts whose roles break a rule of the SoD
// set, in the order of ListStaff.
func SoDReport(ctx context.Context, store coupole.StaffStore, sod *sodpolicy.Checker) ([]Violation, error) {
	list, err := store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	var out []Violation
	for _, st := range list {
		if st.Status != coupole.StaffActive {
			continue
		}
		rules, err := sod.Conflicts(ctx, st.Roles)
		if err != nil {
			return nil, err
		}
		if len(rules) > 0 {
			out = append(out, Violation{StaffID: st.ID, DisplayName: st.DisplayName, Roles: st.Roles, Rules: rules})
		}
	}
	return out, nil
}
