package interaction

import (
	"testing"

	"github.com/coupole/coupole"
)

// The fact behind a former occupant's letter (docs/policies.md): a postal
// address on file that is not the installation address, however it is
// spelt.
func TestHasOtherPostalAddress(t *testing.T) {
	inst := coupole.Address{Street: "Rue de l'Église", Number: "12", Box: "3", Postcode: "5000", Town: "Namur"}
	for _, tc := range []struct {
		name   string
		postal coupole.Address
		want   bool
	}{
		{"none on file", coupole.Address{}, false},
		{"incomplete", coupole.Address{Street: "Rue de Fer", Postcode: "5000", Town: "Namur"}, false},
		{"the installation address", inst, false},
		{"the same, other case and accents", coupole.Address{Street: "RUE DE L'EGLISE", Number: "12", Box: "3", Postcode: "5000", Town: "NAMEN"}, false},
		{"another box in the building", coupole.Address{Street: "Rue de l'Église", Number: "12", Box: "4", Postcode: "5000", Town: "Namur"}, true},
		{"another street", coupole.Address{Street: "Rue de Fer", Number: "1", Postcode: "5000", Town: "Namur"}, true},
	} {
		c := coupole.Customer{PostalAddress: tc.postal}
		if got := hasOtherPostalAddress(c, coupole.AccessPoint{Address: inst}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
