package policy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/coupole/coupole/policy"
)

// everyRequest calls f with every well-formed request for item: every
// requester, channel and fact value (EAN counts and reading regimes reduced
// to one value on each side of what the policies test).
func everyRequest(item policy.Item, f func(policy.Request)) {
	scopes := append([]policy.MandateScope{""}, policy.MandateScopes...)
	for _, rq := range policy.Requesters {
		for _, ch := range policy.Channels {
			for _, verified := range []bool{false, true} {
				for _, occ := range policy.Occupancies {
					for _, m := range policy.Mandates {
						for _, sc := range scopes {
							for _, mobile := range []bool{false, true} {
								for _, n := range []int{1, 3} {
									for _, rg := range []policy.ReadingRegime{policy.RegimeAnnual, policy.RegimeSmart} {
										f(policy.Request{Requester: rq, Channel: ch, Item: item, Facts: policy.Facts{
											MeterVerified: verified, Occupancy: occ, Mandate: m, MandateScope: sc,
											RegisteredMobile: mobile, EANCount: n, ReadingRegime: rg}})
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// mayGiveIndex is who may give a meter index (C3, D1, D6): the verified
// current occupant; their verified mandatary with a valid mandate covering
// consumption; a CPAS on its line with such a mandate for a beneficiary who
// is the current occupant.
func mayGiveIndex(r policy.Request) bool {
	f := r.Facts
	covers := f.Mandate == policy.MandateValid && f.MandateScope != policy.MandateScopeCase
	switch r.Requester {
	case policy.RequesterCustomer:
		return f.MeterVerified && f.Occupancy == policy.OccupancyCurrent && r.Channel != policy.ChannelCPASLine
	case policy.RequesterMandatary:
		return f.MeterVerified && f.Occupancy == policy.OccupancyCurrent && covers && r.Channel != policy.ChannelCPASLine
	case policy.RequesterCPAS:
		return f.Occupancy == policy.OccupancyCurrent && covers && r.Channel == policy.ChannelCPASLine
	}
	return false
}

// TestIndexIntakeOnlyByTheCurrentOccupant: C3, D1 — over every request for
// meter_reading, the index is taken (oral) exactly when mayGiveIndex says
// so; anything else is a refusal with one of the contract's reasons. A
// landlord or a past occupant never records an index (issue 10, items 2, 3).
func TestIndexIntakeOnlyByTheCurrentOccupant(t *testing.T) {
	d := MustDisclosure(t)
	ctx := context.Background()
	n := 0
	everyRequest(policy.ItemMeterReading, func(req policy.Request) {
		n++
		dec, err := d.Decide(ctx, req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		want := mayGiveIndex(req)
		switch {
		case want && (dec.Outcome != policy.OutcomeOral || dec.Reason != "reading_taken"):
			t.Errorf("%+v: %s/%s, want the index taken", req, dec.Outcome, dec.Reason)
		case !want && dec.Outcome != policy.OutcomeRefuse:
			t.Errorf("%+v: %s/%s, want a refusal", req, dec.Outcome, dec.Reason)
		case !want && !slices.Contains(policy.RefusalReasons, dec.Reason):
			t.Errorf("%+v: refused with %q, not a contract reason", req, dec.Reason)
		}
	})
	if n < 10000 {
		t.Fatalf("only %d requests enumerated", n)
	}
}

// inScope says whether a mandate of scope sc covers item (D1, contract
// facts.mandate_scope). Public information is not personal: no mandate is
// needed for it (D9).
func inScope(sc policy.MandateScope, item policy.Item) bool {
	if item == policy.ItemPublicInfo {
		return true
	}
	switch sc {
	case policy.MandateScopeConsumption:
		return item == policy.ItemConsumptionHistory || item == policy.ItemMeterReading
	case policy.MandateScopeCase:
		return item == policy.ItemCaseStatus
	}
	return true
}

// TestMandateScopeMatrix: D1, D6, D9 — for every item, requester and fact
// value, a mandate scope never widens what scope "all" gives; an item
// outside a valid mandate's scope is refused (mandate_invalid unless an
// earlier refusal applies: wrong line, unknown CPAS, meter number); an item
// inside it is decided exactly as with scope "all"; public information stays
// open to anyone; the requesters who hold no mandate are not affected.
func TestMandateScopeMatrix(t *testing.T) {
	d := MustDisclosure(t)
	ctx := context.Background()
	for _, item := range policy.Items {
		everyRequest(item, func(req policy.Request) {
			if req.Facts.MandateScope == "" {
				return
			}
			dec, err := d.Decide(ctx, req)
			if err != nil {
				t.Fatalf("%+v: %v", req, err)
			}
			all := req
			all.Facts.MandateScope = policy.MandateScopeAll
			base, err := d.Decide(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			f := req.Facts
			mandated := req.Requester == policy.RequesterMandatary || req.Requester == policy.RequesterCPAS
			switch {
			case item == policy.ItemPublicInfo && dec.Outcome != policy.OutcomeOral:
				t.Errorf("%+v: public information %s/%s (D9)", req, dec.Outcome, dec.Reason)
			case !mandated || f.Mandate != policy.MandateValid || inScope(f.MandateScope, item):
				if dec.Outcome != base.Outcome || dec.Reason != base.Reason {
					t.Errorf("%+v: %s/%s, but %s/%s with scope all", req, dec.Outcome, dec.Reason, base.Outcome, base.Reason)
				}
			case dec.Outcome != policy.OutcomeRefuse:
				t.Errorf("%+v: %s/%s, want a refusal: %s is outside the mandate", req, dec.Outcome, dec.Reason, item)
			case dec.Reason != policy.ReasonMandateInvalid && !slices.Contains([]string{policy.ReasonWrongChannel, policy.ReasonNoRelation}, dec.Reason):
				t.Errorf("%+v: refused with %s, want mandate_invalid", req, dec.Reason)
			case dec.Reason != policy.ReasonMandateInvalid && base.Outcome != policy.OutcomeRefuse:
				t.Errorf("%+v: refused with %s, but scope all answers: the refusal must say mandate_invalid", req, dec.Reason)
			}
		})
	}
}
