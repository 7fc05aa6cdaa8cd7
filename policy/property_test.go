package policy_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coupole/coupole/policy"
)

// randomRequest draws a well-formed request: every requester, channel, item
// and fact value, EAN counts around the D4 threshold, and a reading regime
// that may be missing.
func randomRequest(r *rand.Rand) policy.Request {
	pick := func(n int) int { return r.IntN(n) }
	regimes := append([]policy.ReadingRegime{""}, policy.ReadingRegimes...)
	scopes := append([]policy.MandateScope{""}, policy.MandateScopes...)
	return policy.Request{
		Requester: policy.Requesters[pick(len(policy.Requesters))],
		Channel:   policy.Channels[pick(len(policy.Channels))],
		Item:      policy.Items[pick(len(policy.Items))],
		Facts: policy.Facts{
			MeterVerified:    r.IntN(2) == 0,
			Occupancy:        policy.Occupancies[pick(len(policy.Occupancies))],
			Mandate:          policy.Mandates[pick(len(policy.Mandates))],
			MandateScope:     scopes[pick(len(scopes))],
			RegisteredMobile: r.IntN(2) == 0,
			PostalAddress:    r.IntN(2) == 0,
			EANCount:         1 + r.IntN(5),
			ReadingRegime:    regimes[pick(len(regimes))],
		},
		Lang: policy.Languages[pick(len(policy.Languages))],
	}
}

// TestProperties checks, over thousands of random requests drawn with fixed
// seeds, what must hold whatever the policies say (D1, D4, D10).
func TestProperties(t *testing.T) {
	d := MustDisclosure(t)
	ctx := context.Background()
	personalOutcomes := []policy.Outcome{policy.OutcomeOral, policy.OutcomeSMS, policy.OutcomeLetter}
	for _, seed := range []uint64{1, 2, 2026} {
		r := rand.New(rand.NewPCG(seed, 0xC0DE))
		for i := 0; i < 4000; i++ {
			req := randomRequest(r)
			dec, err := d.Decide(ctx, req)
			if err != nil {
				t.Fatalf("seed %d, request %+v: %v", seed, req, err)
			}
			fail := func(format string, args ...any) {
				t.Helper()
				t.Errorf("seed %d #%d %+v -> %+v: "+format, append([]any{seed, i, req, dec}, args...)...)
			}
			f := req.Facts

			// D10: nothing but refuse without a determining policy, and the
			// default deny is the only decision without one.
			if len(dec.Policies) == 0 && (dec.Outcome != policy.OutcomeRefuse || dec.Reason != policy.ReasonNotAllowed) {
				fail("decided without a determining policy")
			}
			if dec.Reason == policy.ReasonNotAllowed && len(dec.Policies) != 0 {
				fail("default deny names policies")
			}
			// D2, D4: a letter always says where it goes, and a former
			// occupant's never goes to the installation address (the new
			// occupant lives there), nor to a postal address not on file.
			switch {
			case dec.Outcome != policy.OutcomeLetter && dec.Recipient != "":
				fail("a %s with a letter's recipient", dec.Outcome)
			case dec.Outcome == policy.OutcomeLetter && f.Occupancy == policy.OccupancyPast && dec.Recipient != policy.RecipientPostalAddress:
				fail("a former occupant's letter goes to %q", dec.Recipient)
			case dec.Outcome == policy.OutcomeLetter && dec.Recipient == policy.RecipientPostalAddress && !f.PostalAddress:
				fail("a letter to a postal address that is not on file")
			case dec.Outcome == policy.OutcomeLetter && dec.Recipient == "":
				fail("a letter without a recipient")
			}
			// D4: never an SMS without a mobile registered beforehand.
			if dec.Outcome == policy.OutcomeSMS && !f.RegisteredMobile {
				fail("SMS without a registered mobile")
			}
			// D1: nothing personal told or sent to a customer or mandatary
			// whose meter number is not verified.
			if req.Item != policy.ItemPublicInfo && !f.MeterVerified &&
				(req.Requester == policy.RequesterCustomer || req.Requester == policy.RequesterMandatary) &&
				slices.Contains(personalOutcomes, dec.Outcome) {
				fail("personal item disclosed to an unverified %s", req.Requester)
			}
			// D4: the EAN is never told orally.
			if req.Item == policy.ItemEAN && dec.Outcome == policy.OutcomeOral {
				fail("EAN told orally")
			}
			// D2: the supplier of a point is never told orally to a customer.
			if req.Item == policy.ItemSupplier && req.Requester != policy.RequesterCPAS && dec.Outcome == policy.OutcomeOral {
				fail("supplier told orally")
			}
			// D1: landlords and unknown third parties get nothing personal.
			if req.Item != policy.ItemPublicInfo && (req.Requester == policy.RequesterLandlord || req.Requester == policy.RequesterThirdParty) &&
				dec.Outcome != policy.OutcomeRefuse {
				fail("personal item answered to a %s", req.Requester)
			}
			// D9: public information is always told.
			if req.Item == policy.ItemPublicInfo && dec.Outcome != policy.OutcomeOral {
				fail("public information not told")
			}
			// Scope: refusals disclose nothing; personal answers are limited
			// to the requester's occupancy.
			switch {
			case dec.Outcome == policy.OutcomeRefuse && dec.Scope != policy.ScopeNone:
				fail("refusal with scope %s", dec.Scope)
			case dec.Outcome != policy.OutcomeRefuse && dec.Outcome != policy.OutcomeCMSPortal &&
				req.Item != policy.ItemPublicInfo && dec.Scope != policy.ScopeOwnOccupancy:
				fail("personal answer with scope %s", dec.Scope)
			}
			if dec.Explanation == "" {
				fail("no explanation")
			}

			// The set never holds two permits that disagree for one request:
			// the reading order is then never what decides an outcome.
			permits, forbids, err := d.Matching(req)
			if err != nil {
				t.Fatal(err)
			}
			// Decide evaluates only the policies indexed for the action:
			// it must name exactly the policies that a full evaluation,
			// policy by policy, finds applicable.
			want := []string{}
			switch {
			case len(forbids) > 0:
				for _, p := range forbids {
					want = append(want, p.ID)
				}
			case len(permits) > 0:
				for _, p := range permits {
					if p.Outcome == permits[0].Outcome {
						want = append(want, p.ID)
					}
				}
			}
			if !slices.Equal(dec.Policies, want) {
				fail("policies %v, a full evaluation gives %v", dec.Policies, want)
			}
			for _, p := range permits {
				if p.Outcome != permits[0].Outcome {
					fail("permits %s (%s) and %s (%s) disagree", permits[0].ID, permits[0].Outcome, p.ID, p.Outcome)
					break
				}
			}
		}
	}
}
