package web

import (
	"context"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// mustServeDemoFixture is the server as `serve --demo` makes it: the
// synthetic grid of the demo package (as many access points, the reference
// date today), demo accounts, and the demo callers picked from that data.
// With demoMode false the callers are still configured, to check that only
// demo mode shows them.
func mustServeDemoFixture(t *testing.T, demoMode bool) (*fixture, []demo.Caller) {
	t.Helper()
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	if _, err := demo.Seed(ctx, db, demo.Config{AccessPoints: 2000, Seed: 1, Reference: coupole.Date(t0)}, nil); err != nil {
		t.Fatal(err)
	}
	callers, err := demo.Callers(ctx, db.Reader(), db, t0)
	if err != nil || len(callers) != 3 {
		t.Fatalf("demo callers: %d, %v", len(callers), err)
	}
	f := mustFixture(t, db, AuthConfig{Demo: demoMode})
	f.access.pages.DemoCallers = callers
	if demoMode {
		if _, err := EnsureDemoAccounts(ctx, f.db, f.clock); err != nil {
			t.Fatal(err)
		}
	}
	return f, callers
}

// TestDemoCallersOnlyInDemoMode (issue 7): the advisor workspace shows the
// demo callers, the CPAS line page its own, and neither without demo mode.
func TestDemoCallersOnlyInDemoMode(t *testing.T) {
	for _, demoMode := range []bool{true, false} {
		f, callers := mustServeDemoFixture(t, demoMode)
		mustStaff(t, f.db, "advisor-1", coupole.StaffOIDC, coupole.RoleAdvisor)
		mustStaff(t, f.db, "cpas-1", coupole.StaffOIDC, coupole.RoleCPASAdvisor)
		home := readBody(t, f.do(t, f.mustSession(t, "advisor-1"), "GET", "/", ""))
		cpas := readBody(t, f.do(t, f.mustSession(t, "cpas-1"), "GET", "/cpas", ""))
		for _, c := range callers {
			onHome, onCPAS := strings.Contains(home, string(c.EAN)), strings.Contains(cpas, string(c.EAN))
			wantCPAS := demoMode && c.Scenario == demo.ScenarioCPAS
			if onHome != demoMode || onCPAS != wantCPAS {
				t.Errorf("demo mode %v, %s caller: on the workspace %v, on the CPAS page %v; want %v, %v", demoMode, c.Scenario, onHome, onCPAS, demoMode, wantCPAS)
			}
			if demoMode && !strings.Contains(home, string(c.Meter)) {
				t.Errorf("%s caller: the workspace does not show the meter number to give", c.Scenario)
			}
		}
		if got := strings.Contains(home, `id="demo-callers"`); got != demoMode {
			t.Errorf("demo mode %v: demo callers section shown %v", demoMode, got)
		}
	}
}
