package policy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/coupole/coupole/policy"
)

// mayChangeContact is who may change a customer's contact details (D7, D1,
// D6): the verified current occupant; their verified mandatary with a valid
// mandate of scope all; a CPAS on its line with such a mandate for a
// beneficiary who is the current occupant.
func mayChangeContact(r policy.Request) bool {
	f := r.Facts
	all := f.Mandate == policy.MandateValid && (f.MandateScope == "" || f.MandateScope == policy.MandateScopeAll)
	switch r.Requester {
	case policy.RequesterCustomer:
		return f.MeterVerified && f.Occupancy == policy.OccupancyCurrent && r.Channel != policy.ChannelCPASLine
	case policy.RequesterMandatary:
		return f.MeterVerified && f.Occupancy == policy.OccupancyCurrent && all && r.Channel != policy.ChannelCPASLine
	case policy.RequesterCPAS:
		return f.Occupancy == policy.OccupancyCurrent && all && r.Channel == policy.ChannelCPASLine
	}
	return false
}

// TestContactDetailsOnlyByTheCurrentOccupant: D7, D1, D6 — over every
// request for contact_details (every requester, channel, verification,
// occupancy, mandate state and scope), the change is allowed (oral) exactly
// when mayChangeContact says so; anything else is a refusal with one of the
// contract's reasons. A past occupant, a landlord, a supplier or a mandate
// of scope consumption or case never changes contact details.
func TestContactDetailsOnlyByTheCurrentOccupant(t *testing.T) {
	d := MustDisclosure(t)
	ctx := context.Background()
	n, allowed := 0, 0
	everyRequest(policy.ItemContactDetails, func(req policy.Request) {
		n++
		dec, err := d.Decide(ctx, req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		want := mayChangeContact(req)
		if want {
			allowed++
		}
		switch {
		case want && (dec.Outcome != policy.OutcomeOral || dec.Reason != "contact_details_changed"):
			t.Errorf("%+v: %s/%s, want the change allowed", req, dec.Outcome, dec.Reason)
		case !want && dec.Outcome != policy.OutcomeRefuse:
			t.Errorf("%+v: %s/%s, want a refusal", req, dec.Outcome, dec.Reason)
		case !want && !slices.Contains(policy.RefusalReasons, dec.Reason):
			t.Errorf("%+v: refused with %q, not a contract reason", req, dec.Reason)
		}
	})
	if n < 10000 || allowed == 0 {
		t.Fatalf("only %d requests enumerated, %d allowed", n, allowed)
	}
}
