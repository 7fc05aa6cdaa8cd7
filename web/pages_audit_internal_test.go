package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
)

// Auditors see traces, never consumption (issue 10, item 8): an index-intake
// event written by an earlier Coupole, which recorded the per-day use, shows
// without it on the trace screen.
func TestTraceRowHidesConsumption(t *testing.T) {
	f := audit.Found{Entry: audit.Entry{Payload: []byte("{}")}, Event: audit.Event{Action: "interaction.reading", Actor: "s-adv",
		Data: []string{"reading_date=2026-11-30", "source=contact_center", "per_day=12.5"}}}
	row := traceRowOf(f)
	if strings.Contains(row.Data, "per_day") || strings.Contains(row.Data, "12.5") {
		t.Errorf("trace row data = %q: shows consumption", row.Data)
	}
	if !strings.Contains(row.Data, "reading_date=2026-11-30") || !strings.Contains(row.Data, "source=contact_center") {
		t.Errorf("trace row data = %q: lost the rest of the event", row.Data)
	}
}

// Auditors see the requirement codes the caller does not hear (issue 15):
// a decision's policies are listed with the requirements of the policy
// set's @requirement; an id the set no longer has stands alone.
func TestTraceRowPoliciesWithRequirements(t *testing.T) {
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		t.Fatal(err)
	}
	a := &StaffAccess{Interactions: &interaction.Service{Policy: pol}}
	got := policiesWithRequirements([]string{"landlord-consumption-private", "no-relation-third-party", "retired-policy"}, a.policyRequirements())
	want := []string{"landlord-consumption-private (D8)", "no-relation-third-party (D1)", "retired-policy"}
	if !slices.Equal(got, want) {
		t.Errorf("policies = %q, want %q", got, want)
	}
}
