package interaction_test

import (
	"context"
	"testing"

	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// A former occupant's letter goes to their postal address, never to the
// installation address where the new occupant lives (D2, D4,
// docs/policies.md): the fact is derived from the data, the policy says
// where, and the delivery records it.
func TestFormerOccupantLetterGoesToPostalAddress(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		// C-1 lived at the gas point (Rue de l'Église 14) until 2019 and
		// now has Rue de l'Église 12 as postal address.
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "email", Requester: "customer"})
		ref := refFor(t, s, id, storetest.EANGasNamur, "G••• D•••")
		if _, err := s.Select(ctx, adv, id, ref); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "G555"}); err != nil {
			t.Fatal(err)
		}
		for _, item := range []string{"ean", "supplier"} {
			d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: item})
			if err != nil || d.Outcome != "letter" || d.Facts.Occupancy != "past" || d.Reason != item+"_by_letter_postal" {
				t.Fatalf("%s: %+v, %v; want a letter to the postal address", item, d, err)
			}
			if !d.Facts.PostalAddress || d.Destination != "Rue de l'Église ••, 5000 Namur" {
				t.Errorf("%s: destination %q", item, d.Destination)
			}
			if _, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: item, IdempotencyKey: "k-" + item}); err != nil {
				t.Fatal(err)
			}
			if ev := tr.Last(); ev.Action != "interaction.deliver" || !contains(ev.Data, "recipient=postal_address") {
				t.Errorf("%s: trace %+v, want recipient=postal_address", item, ev)
			}
		}
		ds, err := db.Deliveries(ctx, id)
		if err != nil || len(ds) != 2 {
			t.Fatalf("deliveries: %+v, %v", ds, err)
		}
		for _, d := range ds {
			if d.Kind != "letter" || d.Recipient != "postal_address" {
				t.Errorf("delivery %+v: want a letter to the postal address", d)
			}
		}
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
