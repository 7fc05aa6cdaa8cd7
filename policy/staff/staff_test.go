package staffpolicy_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
	staffpolicy "github.com/coupole/coupole/policy/staff"
)

func TestEmbeddedSetLoads(t *testing.T) {
	a, err := staffpolicy.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(a.Set().Policies()); n < 8 {
		t.Errorf("staff set has %d policies", n)
	}
}

// TestScenarios runs the scenario files next to the policies, as
// `coupole policy test` does.
func TestScenarios(t *testing.T) {
	a := staffpolicy.MustEmbedded()
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d staff scenarios", len(cases))
	}
	var out strings.Builder
	sum := policy.RunScenarios(context.Background(), cases, a.DecideJSON, &out)
	if sum.Failed > 0 {
		t.Errorf("%d scenario(s) failed:\n%s", sum.Failed, out.String())
	}
}

// TestNoRoleReadsCustomerDataOutsideInteraction: C1 for every role and every
// combination of facts except a handled interaction or an active
// break-glass grant.
func TestNoRoleReadsCustomerDataOutsideInteraction(t *testing.T) {
	a := staffpolicy.MustEmbedded()
	for _, role := range coupole.Roles {
		for _, action := range []coupole.StaffAction{coupole.ActionReadCustomer, coupole.ActionReadAccessPoint} {
			res := "Customer"
			if action == coupole.ActionReadAccessPoint {
				res = "AccessPoint"
			}
			d, err := a.AuthorizeStaff(context.Background(), coupole.AccessRequest{
				Staff: coupole.Staff{ID: "x", Roles: []coupole.Role{role}}, Action: action, ResourceType: res, ResourceID: "C1",
				Facts: coupole.AccessFacts{TargetIsSelf: true},
			})
			if err != nil || d.Allow {
				t.Errorf("%s %s without interaction: %+v, %v", role, action, d, err)
			}
		}
	}
}

func TestInvalidSetIsRefusedWithFileAndLine(t *testing.T) {
	schema, _ := staffpolicy.EmbeddedFS().(interface {
		ReadFile(string) ([]byte, error)
	}).ReadFile("staff.cedarschema")
	fsys := fstest.MapFS{
		"staff.cedarschema": {Data: schema},
		"bad.cedar": {Data: []byte(`@id("typo")
@outcome("allow")
@scope("own")
@reason("x")
@reason_fr("x")
@reason_nl("x")
@reason_de("x")
@reason_en("x")
permit (principal, action == Action::"customer.read", resource)
when { context.roles.contains(Role::"advisr") };
`)},
	}
	_, err := staffpolicy.Load(fsys, filepath.Join("dir"))
	if err == nil || !strings.Contains(err.Error(), "dir/bad.cedar:") || !strings.Contains(err.Error(), "advisr") {
		t.Errorf("load of a misspelt role: %v", err)
	}
}
