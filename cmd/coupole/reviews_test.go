package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// TestStaffValidationAndReviewCLI: S5 — a role granted from the CLI waits
// in the validation queue, the service delivery manager validates it; a
// review campaign started from the CLI shows its progress and, closed,
// removes what nobody reviewed; every decision acts as a named staff member.
func TestStaffValidationAndReviewCLI(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for id, role := range map[string]coupole.Role{"s-adm": coupole.RoleITAdmin, "s-sdm": coupole.RoleServiceDeliveryManager, "s-adv": coupole.RoleAdvisor} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "emp-" + id, DisplayName: "A", Roles: []coupole.Role{role}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if r := runCLI(t, environ, "", "staff", "roles", "s-adv", "advisor,team_lead", "--as", "s-adm"); r.code != 0 {
		t.Fatalf("grant: %+v", r)
	}
	q, err := db.ListRoleGrants(ctx, coupole.GrantPending)
	if err != nil || len(q) != 1 || q[0].Role != coupole.RoleTeamLead {
		t.Fatalf("queue = %+v, %v", q, err)
	}
	if r := runCLI(t, environ, "", "staff", "validation", "list"); r.code != 0 || !strings.Contains(r.stdout, q[0].ID) {
		t.Errorf("list: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "validation", "validate", q[0].ID, "--as", "s-adm"); r.code == 0 || !strings.Contains(r.stderr, "not_allowed") {
		t.Errorf("IT validates: %+v, want not_allowed", r)
	}
	if r := runCLI(t, environ, "", "staff", "validation", "validate", q[0].ID, "--as", "s-sdm"); r.code != 0 {
		t.Fatalf("validate: %+v", r)
	}

	if r := runCLI(t, environ, "", "staff", "review", "start", "--as", "s-adv"); r.code == 0 {
		t.Errorf("an advisor starts a campaign: %+v", r)
	}
	r := runCLI(t, environ, "", "staff", "review", "start", "--length", "7d", "--as", "s-sdm")
	if r.code != 0 || !strings.Contains(r.stdout, "4 role(s) to review") {
		t.Fatalf("start: %+v", r)
	}
	c, err := db.OpenReviewCampaign(ctx)
	if err != nil || c.EndsAt.Sub(c.StartedAt) != 7*24*time.Hour {
		t.Fatalf("campaign %+v, %v", c, err)
	}
	items, _ := db.ReviewItems(ctx, c.ID)
	var keep string
	for _, it := range items {
		if it.StaffID == "s-adv" && it.Role == coupole.RoleAdvisor {
			keep = it.ID
		}
	}
	if r := runCLI(t, environ, "", "staff", "review", "keep", keep, "--as", "s-sdm"); r.code != 0 {
		t.Fatalf("keep: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "review", "status"); r.code != 0 || !strings.Contains(r.stdout, "25% done") || !strings.Contains(r.stdout, "3 pending of 4") {
		t.Errorf("status: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "review", "close", "--as", "s-sdm"); r.code != 0 || !strings.Contains(r.stdout, "1 kept, 0 removed, 3 removed unreviewed") {
		t.Fatalf("close: %+v", r)
	}
	if st, _ := db.Staff(ctx, "s-adv"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAdvisor}) {
		t.Errorf("s-adv after close: %v, want advisor", st.Roles)
	}
	if ev := events(t, db, "cli:ops-anna as s-sdm"); len(ev) < 3 {
		t.Errorf("%d events as s-sdm, want the validation, the keep and the campaign", len(ev))
	}
}
