package scim

import (
	"strings"

	"github.com/coupole/coupole"
)

// RoleMap maps SCIM group display names to the roles membership grants
// (setting scim-group-roles, the format of oidc-group-roles). A group not in
// the map grants nothing: the identity system may push every group it has.
type RoleMap map[string][]coupole.Role

// rolesOf returns the roles the named groups grant, in the order of
// coupole.Roles. Group names compare case-insensitively, like displayName.
func (m RoleMap) rolesOf(groups []string) []coupole.Role {
	have := map[coupole.Role]bool{}
	for _, g := range groups {
		for name, roles := range m {
			if strings.EqualFold(name, g) {
				for _, r := range roles {
					have[r] = true
				}
			}
		}
	}
	var out []coupole.Role
	for _, r := range coupole.Roles {
		if have[r] {
			out = append(out, r)
		}
	}
	return out
}
