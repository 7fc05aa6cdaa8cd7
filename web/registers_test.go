package web

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/register"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

func mustComplianceFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := mustFixture(tb, sqltest.MustOpenSQLite(tb), AuthConfig{Demo: true})
	f.access.EnableCompliancePages(CompliancePages{Registers: &register.Service{Store: f.db, Clock: f.clock},
		Yearly: func(ctx context.Context, actor string, year int, lang string) (*report.Document, error) {
			return nil, coupole.Errorf(coupole.EINVALID, "report: year %d has no events in this test", year)
		},
		Access: func(ctx context.Context, actor, customer string, from, to time.Time) (*report.AccessDocument, error) {
			return nil, coupole.Errorf(coupole.ENOTFOUND, "customer %s not found", customer)
		}})
	return f
}

// complianceMatrix says who may use each compliance route (G1–G4): the
// privacy officer everything, the auditor reads the registers, nobody else.
var complianceMatrix = map[string][]coupole.Role{
	"GET /registers":                     {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"GET /registers/{kind}":              {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"GET /registers/{kind}/export.csv":   {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"GET /registers/{kind}/export.json":  {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"GET /registers/{kind}/new":          {coupole.RolePrivacyOfficer},
	"POST /registers/{kind}":             {coupole.RolePrivacyOfficer},
	"GET /registers/{kind}/{id}":         {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"POST /registers/{kind}/{id}":        {coupole.RolePrivacyOfficer},
	"POST /registers/{kind}/{id}/delete": {coupole.RolePrivacyOfficer},
	"GET /registers/{kind}/{id}/history": {coupole.RolePrivacyOfficer, coupole.RoleAuditor},
	"GET /reports/yearly":                {coupole.RolePrivacyOfficer},
	"POST /reports/yearly":               {coupole.RolePrivacyOfficer},
}

// TestComplianceAuthorizationMatrix walks every compliance route with
// every role: allowed exactly as the matrix says, and never a 500.
func TestComplianceAuthorizationMatrix(t *testing.T) {
	f := mustComplianceFixture(t)
	svc := &register.Service{Store: f.db, Clock: f.clock}
	e, err := svc.Save(context.Background(), "seed", register.Processing, register.Change{Title: "x", Fields: map[string]string{
		"controller": "c", "purposes": "p", "data_subjects": "s", "data_categories": "d", "recipients": "r", "retention": "t", "security_measures": "m"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, rt := range f.access.Routes() {
		allowed, ok := complianceMatrix[rt.Pattern]
		if !ok {
			continue
		}
		seen++
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.NewReplacer("{kind}", "processing", "{id}", e.ID).Replace(path)
		for _, role := range coupole.Roles {
			id := "s-" + string(role)
			if _, err := f.db.Staff(context.Background(), id); err != nil {
				mustStaff(t, f.db, id, coupole.StaffOIDC, role)
			}
			s := f.mustSession(t, id)
			var resp *http.Response
			if method == "POST" {
				resp = f.form(t, s, path, url.Values{"version": {"999"}, "year": {"2026"}, "format": {"md"}, "customer": {"C-9"}, "from": {"2026-01-01"}, "to": {"2027-01-01"}})
			} else {
				resp = f.do(t, s, method, path, "")
			}
			got := resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized
			if got != slices.Contains(allowed, role) || resp.StatusCode >= 500 {
				t.Errorf("%s on %s %s: status %d, want allowed=%v", role, method, path, resp.StatusCode, slices.Contains(allowed, role))
			}
		}
	}
	if seen != len(complianceMatrix) {
		t.Errorf("%d compliance routes registered, the matrix has %d", seen, len(complianceMatrix))
	}
}

// TestRegisterPagesCRUD: create, change (with a stale version refused),
// history, export and delete through the pages (G1–G3, issue 14 item 1).
func TestRegisterPagesCRUD(t *testing.T) {
	f := mustComplianceFixture(t)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	s := f.mustSession(t, "s-po")
	vals := url.Values{"title": {"Sous-traitant téléphonie"}, "review_due": {"2020-01-01"}, "service": {"plateforme"}, "country": {"US"},
		"outside_eu": {"yes"}, "standard_contractual_clauses": {"no"}}
	resp := f.form(t, s, "/registers/subprocessor", vals)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/registers/subprocessor/SUB-") {
		t.Fatalf("create: %d %s", resp.StatusCode, loc)
	}
	path := strings.TrimSuffix(loc, "?saved=1")
	page := f.get(t, s, path, nil)
	for _, want := range []string{"revue échue", `id="missing-clauses"`, "Clauses contractuelles types"} {
		if !strings.Contains(page, want) {
			t.Errorf("entry page lacks %q", want)
		}
	}
	vals.Set("version", "1")
	vals.Set("standard_contractual_clauses", "yes")
	if resp := f.form(t, s, path, vals); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	if resp := f.form(t, s, path, vals); resp.StatusCode != http.StatusConflict {
		t.Errorf("stale update: %d, want 409", resp.StatusCode)
	}
	vals.Set("version", "2")
	vals.Set("country", "")
	if resp := f.form(t, s, path, vals); resp.StatusCode != http.StatusBadRequest || !strings.Contains(readBody(t, resp), "country: required") {
		t.Errorf("invalid update: %d", resp.StatusCode)
	}
	hist := f.get(t, s, path+"/history", nil)
	if strings.Count(hist, `class="card version"`) != 2 || !strings.Contains(hist, `<dd class="changed">yes</dd>`) {
		t.Errorf("history does not show two versions with the change:\n%s", hist)
	}
	list := f.get(t, s, "/registers/subprocessor", nil)
	if !strings.Contains(list, `class="status-review_overdue"`) {
		t.Errorf("overdue entry not highlighted in the list")
	}
	resp = f.do(t, s, "GET", "/registers/subprocessor/export.csv", "")
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][2] != "Sous-traitant téléphonie" || rows[1][1] != "2" {
		t.Errorf("csv export: %q, %v", rows, err)
	}
	if body := readBody(t, f.do(t, s, "GET", "/registers/subprocessor/export.json", "")); !strings.Contains(body, `"history"`) || !strings.Contains(body, `"version": 2`) {
		t.Errorf("json export: %s", body)
	}
	if resp := f.form(t, s, path+"/delete", url.Values{"version": {"2"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if list := f.get(t, s, "/registers/subprocessor", nil); strings.Contains(list, "Sous-traitant téléphonie") {
		t.Errorf("deleted entry still listed")
	}
	if hist := f.get(t, s, path+"/history", nil); strings.Count(hist, `class="card version"`) != 3 {
		t.Errorf("history after delete should have 3 versions")
	}
	if resp := f.do(t, s, "GET", "/registers/nonsense", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown register: %d", resp.StatusCode)
	}
}

// TestReportPages: the privacy officer downloads the signed yearly report,
// which verifies, and reads the requirement coverage (G4, issue 14 items 2
// and 5).
func TestReportPages(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	skey, vkey, err := note.GenerateKey(rand.Reader, "test.coupole/audit")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	store := sqlstore.NewAuditStore(f.db)
	var traced []string
	f.access.EnableCompliancePages(CompliancePages{Registers: &register.Service{Store: f.db, Clock: f.clock},
		Figures: report.TraceCatalog(),
		Yearly: func(ctx context.Context, actor string, year int, lang string) (*report.Document, error) {
			traced = append(traced, actor)
			b := &report.Builder{Audit: store, Signer: signer, Verifier: verifier, Clock: f.clock}
			return b.Yearly(ctx, year, lang)
		},
		Access: func(ctx context.Context, actor, customer string, from, to time.Time) (*report.AccessDocument, error) {
			traced = append(traced, actor+":"+customer)
			b := &report.AccessBuilder{Audit: store, Signer: signer, Clock: f.clock,
				Staff: func(context.Context, string) ([]string, string, error) { return []string{"advisor"}, "", nil }}
			return b.Build(ctx, customer, "fr", from, to)
		}})
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	s := f.mustSession(t, "s-po")
	resp := f.form(t, s, "/reports/yearly", url.Values{"year": {"2026"}, "format": {"html"}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Rapport de confidentialité 2026") {
		t.Fatalf("report: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := report.Verify([]byte(body), verifier, nil); err != nil {
		t.Errorf("downloaded report does not verify: %v", err)
	}
	if len(traced) != 1 || traced[0] != "s-po" {
		t.Errorf("report production not attributed: %v", traced)
	}
	if resp := f.form(t, s, "/reports/yearly", url.Values{"year": {"1999"}, "format": {"html"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad year: %d", resp.StatusCode)
	}
	resp = f.form(t, s, "/reports/access", url.Values{"customer": {"C-1"}, "from": {"2026-01-01"}, "to": {"2027-01-01"}, "format": {"json"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("access report: %d %s", resp.StatusCode, body)
	}
	if d, err := report.VerifyAccess([]byte(body), verifier); err != nil || d.Evidence.Customer != "C-1" {
		t.Errorf("access report does not verify: %v", err)
	}
	if traced[len(traced)-1] != "s-po:C-1" {
		t.Errorf("access report not attributed: %v", traced)
	}
	if resp := f.form(t, s, "/reports/access", url.Values{"customer": {"C-1"}, "from": {"yesterday"}, "format": {"json"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad dates: %d", resp.StatusCode)
	}
	page := f.get(t, s, "/reports/requirements", nil)
	// Every requirement is covered now (report.KnownGaps is empty): no row says otherwise.
	if strings.Contains(page, "non couverte") {
		t.Errorf("requirements page lists an uncovered requirement")
	}
	for _, want := range []string{`id="req-G4"`, "report.yearly", `id="req-R1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("requirements page lacks %q", want)
		}
	}
}
