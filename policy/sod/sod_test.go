package sodpolicy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// TestScenarios runs the scenario files next to the policies, as
// `coupole policy test --set sod` does (S7).
func TestScenarios(t *testing.T) {
	c := sodpolicy.MustEmbedded()
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d SoD scenarios", len(cases))
	}
	var out strings.Builder
	if sum := policy.RunScenarios(context.Background(), cases, c.DecideJSON, &out); sum.Failed > 0 {
		t.Errorf("%d scenario(s) failed:\n%s", sum.Failed, out.String())
	}
}

// TestRefusalNamesRuleInLanguage: S7 — a refused assignment is EFORBIDDEN,
// names the rule, and says why in the language asked for.
func TestRefusalNamesRuleInLanguage(t *testing.T) {
	c := sodpolicy.MustEmbedded()
	for _, tc := range []struct {
		lang coupole.Language
		want string
	}{
		{coupole.Language("fr"), "sont incompatibles"},
		{coupole.Language("nl"), "zijn onverenigbaar"},
		{coupole.Language("de"), "sind unvereinbar"},
		{coupole.Language("en"), "are incompatible"},
	} {
		err := c.Check(context.Background(), sodpolicy.ActionAssign, "s-admin", "s-1", []coupole.Role{coupole.RoleAuditor, coupole.RoleITAdmin}, tc.lang)
		if coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("%s: %v, want EFORBIDDEN", tc.lang, err)
		}
		var r *sodpolicy.Refusal
		if !errors.As(err, &r) || r.Rule != "incompatible-auditor-it-admin" || r.Reason != "incompatible_roles" {
			t.Fatalf("%s: refusal %+v", tc.lang, r)
		}
		if msg := coupole.ErrorMessage(err); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "incompatible-auditor-it-admin") {
			t.Errorf("%s: message %q", tc.lang, msg)
		}
	}
	if err := c.Check(context.Background(), sodpolicy.ActionAssign, "s-admin", "s-1", []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}, "en"); err != nil {
		t.Errorf("compatible roles refused: %v", err)
	}
	if err := c.Check(context.Background(), sodpolicy.ActionApprove, "s-1", "s-1", nil, "en"); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
		t.Errorf("self-approval: %v", err)
	}
}

// TestConflictsListsEveryPair: the SoD report lists every rule an existing
// role set breaks, not only the first.
func TestConflictsListsEveryPair(t *testing.T) {
	c := sodpolicy.MustEmbedded()
	got, err := c.Conflicts(context.Background(), []coupole.Role{coupole.RoleAuditor, coupole.RoleITAdmin, coupole.RolePrivacyOfficer})
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, r := range got {
		rules = append(rules, r.Rule)
	}
	want := "incompatible-auditor-it-admin,incompatible-auditor-privacy-officer,incompatible-it-admin-privacy-officer"
	if strings.Join(rules, ",") != want {
		t.Errorf("conflicts %v, want %s", rules, want)
	}
	if got, _ := c.Conflicts(context.Background(), []coupole.Role{coupole.RoleAdvisor}); len(got) != 0 {
		t.Errorf("advisor alone: %+v", got)
	}
}
