package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// TestCharterCLI: S1 — the privacy officer publishes a charter from four
// files (the language in each name), anyone shows it, awareness campaigns
// are recorded with their attendance; others may not publish.
func TestCharterCLI(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for id, role := range map[string]coupole.Role{"s-po": coupole.RolePrivacyOfficer, "s-adm": coupole.RoleITAdmin, "s-adv": coupole.RoleAdvisor} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "emp-" + id, DisplayName: "A", Roles: []coupole.Role{role}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	var files []string
	for _, l := range []string{"fr", "nl", "de", "en"} {
		p := filepath.Join(dir, "charter."+l+".txt")
		if err := os.WriteFile(p, []byte("Texte "+l+" de la charte"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if r := runCLI(t, environ, "", append(append([]string{"charter", "publish"}, files[:3]...), "--version", "2026.1", "--as", "s-po")...); r.code == 0 || !strings.Contains(r.stderr, "en text is missing") {
		t.Errorf("three files: %+v", r)
	}
	if r := runCLI(t, environ, "", append(append([]string{"charter", "publish"}, files...), "--version", "2026.1", "--as", "s-adm")...); r.code == 0 || !strings.Contains(r.stderr, "not_allowed") {
		t.Errorf("IT publishes: %+v", r)
	}
	if r := runCLI(t, environ, "", append(append([]string{"charter", "publish"}, files...), "--version", "2026.1", "--as", "s-po")...); r.code != 0 {
		t.Fatalf("publish: %+v", r)
	}
	if r := runCLI(t, environ, "", "charter", "show", "--lang", "nl"); r.code != 0 || !strings.Contains(r.stdout, "Texte nl de la charte") || !strings.Contains(r.stdout, "Version 2026.1") {
		t.Errorf("show: %+v", r)
	}
	if r := runCLI(t, environ, "", "charter", "awareness", "add", "--title", "Secret au téléphone", "--date", "2026-11-20", "--audience", "advisors",
		"--attendees", "s-adv,s-adm", "--as", "s-po"); r.code != 0 || !strings.Contains(r.stdout, "2 attendee(s)") {
		t.Fatalf("awareness add: %+v", r)
	}
	if r := runCLI(t, environ, "", "charter", "awareness", "list"); r.code != 0 || !strings.Contains(r.stdout, "2026-11-20") || !strings.Contains(r.stdout, "Secret au téléphone") {
		t.Errorf("awareness list: %+v", r)
	}
	if ev := events(t, db, "cli:ops-anna as s-po"); len(ev) < 2 {
		t.Errorf("%d events as s-po, want the publication and the campaign", len(ev))
	}
}
