package web

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/scim"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// demoID returns the staff id of a demo account.
func demoID(t *testing.T, db *sqlstore.DB, login string) string {
	t.Helper()
	list, err := db.ListStaff(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if st.Login == login {
			return st.ID
		}
	}
	t.Fatalf("no demo account %s", login)
	return ""
}

// TestBrowserGovernanceAdmin: the IT administrator's page in French, in
// Chromium (issue 12, item 7; S4, S7): a SCIM token created (its secret
// shown once), rotated and revoked; an incompatible pair refused with its
// rule and why; roles changed and an account revoked through the lifecycle.
func TestBrowserGovernanceAdmin(t *testing.T) {
	b := mustBrowser(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	ctx := context.Background()
	if _, err := EnsureDemoAccounts(ctx, f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	f.access.SCIMTokens = &scim.Tokens{Store: sqlstore.NewSCIMStore(f.db), Tracer: f.tracer, Clock: f.clock}
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-leaver", coupole.StaffOIDC, coupole.RoleAdvisor)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-it-admin")
	b.loads("open admin", chromedp.Click(chromedp.CSS(`a[href="/governance/admin"]`)))
	b.mustSee("h1", "Administration des accès")

	b.run("label", chromedp.SendKeys(chromedp.CSS(`#token-label`), "Entra ID"))
	b.loads("create token", chromedp.Click(chromedp.CSS(`#create-token`)))
	b.mustSee("#new-token", "n'est montré qu'une fois")
	first := b.text("#token-secret")
	if !strings.HasPrefix(first, "scim_") {
		t.Fatalf("secret shown %q", first)
	}
	b.loads("rotate", chromedp.Click(chromedp.CSS(`#token-list button.rotate`)))
	if second := b.text("#token-secret"); second == first || !strings.HasPrefix(second, "scim_") {
		t.Errorf("rotation showed %q after %q", second, first)
	}
	toks, _ := f.access.SCIMTokens.Store.Tokens(ctx)
	if len(toks) != 2 || toks[0].RevokedAt.IsZero() == toks[1].RevokedAt.IsZero() {
		t.Fatalf("tokens after rotation: %+v", toks)
	}
	b.run("reload", chromedp.Navigate(f.ts.URL+"/governance/admin"), chromedp.WaitVisible(chromedp.CSS(`#token-list`)))
	if b.count(`#new-token`) != 0 {
		t.Error("the secret is shown again after a reload")
	}

	// An incompatible pair: refused, the rule named in French, nothing changed.
	b.tick(`#acct-s-adv input[value="auditor"]`)
	b.loads("save auditor+advisor", chromedp.Click(chromedp.CSS(`#acct-s-adv button.save-roles`)))
	b.mustSee(".notice.error", "incompatible-auditor-advisor")
	if st, _ := f.db.Staff(ctx, "s-adv"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor}) {
		t.Errorf("roles after a refusal: %v", st.Roles)
	}
	b.tick(`#acct-s-adv input[value="team_lead"]`)
	b.loads("save advisor+team_lead", chromedp.Click(chromedp.CSS(`#acct-s-adv button.save-roles`)))
	b.mustSee(".notice", "Rôles enregistrés")
	if st, _ := f.db.Staff(ctx, "s-adv"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}) {
		t.Errorf("roles after saving: %v", st.Roles)
	}
	// The administrator's own row has no form: nobody administers their own account.
	self := demoID(t, f.db, "demo-it-admin")
	if b.count(`#acct-`+self+` form`) != 0 {
		t.Error("the IT administrator's own account has a form")
	}
	b.run("reason", chromedp.SendKeys(chromedp.CSS(`#reason-s-leaver`), "left the company"))
	b.loads("revoke", chromedp.Click(chromedp.CSS(`#acct-s-leaver .revoke-form button`)))
	b.mustSee(".notice", "Compte révoqué")
	if st, _ := f.db.Staff(ctx, "s-leaver"); st.Status != coupole.StaffRevoked {
		t.Errorf("revoked account is %s", st.Status)
	}
	b.screenshot("governance-admin")
	b.loads("revoke token", chromedp.Click(chromedp.CSS(`#token-list button.revoke-token`)))
	b.mustSee(".notice", "Jeton révoqué")
	for _, typ := range []string{scim.EventTokenCreated, scim.EventTokenRotated, scim.EventTokenRevoked, coupole.StaffEventRolesChanged, coupole.StaffEventRevoked} {
		if !slices.Contains(f.tracer.types(), typ) {
			t.Errorf("no %s traced", typ)
		}
	}
}

// TestBrowserGovernanceApprovals: the approvals inbox in French, in
// Chromium (issue 12, items 4 and 7; S3, S7): a privacy officer approves an
// elevated role, rejects a break-glass request, withdraws the role early;
// their own request has no approve button.
func TestBrowserGovernanceApprovals(t *testing.T) {
	b := mustBrowser(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	ctx := context.Background()
	if _, err := EnsureDemoAccounts(ctx, f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-po2", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	p := f.access.Privileged
	role, err := p.Request(ctx, "s-adv", coupole.RoleSupervisor, "couvrir la permanence du soir", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	bg, err := p.RequestBreakGlass(ctx, "s-po2", "C1", "demande d'accès RGPD 7", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	po := demoID(t, f.db, "demo-privacy-officer")
	own, err := p.RequestBreakGlass(ctx, po, "C2", "plainte au médiateur", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-privacy-officer")
	b.loads("open approvals", chromedp.Click(chromedp.CSS(`a[href="/governance/approvals"]`)))
	b.mustSee("h1", "Approbations")
	if n := b.count(`#pending-list tr[id^="item-"]`); n != 3 {
		t.Fatalf("%d pending, want 3", n)
	}
	b.mustSee("#item-"+own.ID, "quelqu'un d'autre décide")
	if b.count(`#item-`+own.ID+` button.approve`) != 0 {
		t.Error("the privacy officer's own request can be approved by them")
	}
	b.screenshot("governance-approvals")

	b.loads("approve role", chromedp.Click(chromedp.CSS(`#item-`+role.ID+` button.approve`)))
	b.mustSee(".notice", "Approuvé")
	if roles, _ := f.db.ElevatedRoles(ctx, "s-adv", f.clock.Now()); !slices.Equal(roles, []coupole.Role{coupole.RoleSupervisor}) {
		t.Errorf("elevated roles after approval: %v", roles)
	}
	b.mustSee("#active-list", "Superviseur")
	b.run("why", chromedp.SendKeys(chromedp.CSS(`#why-`+bg.ID), "pas de dossier"))
	b.loads("reject break-glass", chromedp.Click(chromedp.CSS(`#item-`+bg.ID+` button.reject`)))
	b.mustSee(".notice", "Demande refusée")
	if g, _ := f.db.Grant(ctx, bg.ID); g.EndReason != "rejected" || g.RejectedBy != po {
		t.Errorf("break-glass after rejection: %+v", g)
	}
	b.mustSee("#done-list", "refusée")
	b.loads("withdraw role", chromedp.Click(chromedp.CSS(`#item-`+role.ID+` button.withdraw`)))
	b.mustSee(".notice", "Accès retiré")
	if roles, _ := f.db.ElevatedRoles(ctx, "s-adv", f.clock.Now()); len(roles) != 0 {
		t.Errorf("elevated roles after withdrawal: %v", roles)
	}
	for _, typ := range []string{"privileged.approved", coupole.StaffEventGrantRejected, "privileged.withdrawn"} {
		if !slices.Contains(f.tracer.types(), typ) {
			t.Errorf("no %s traced", typ)
		}
	}
}
