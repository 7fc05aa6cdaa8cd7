package web

import (
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

var (
	actionRe   = regexp.MustCompile(`(?s){{.*?}}`)
	tagRe      = regexp.MustCompile(`(?s)<[^>]*>`)
	entityRe   = regexp.MustCompile(`&[a-z]+;|&#[0-9]+;`)
	keyRe      = regexp.MustCompile(`\b(?:t|tf) \$?[\w.]*Lang "([^"]+)"|\bt \$l "([^"]+)"|\btf \$l "([^"]+)"`)
	labelRe    = regexp.MustCompile(`\blabel \$?[\w.]*\s*"([^"]+)"|\blabel \$l "([^"]+)"`)
	textAttrRe = regexp.MustCompile(`(?:aria-label|placeholder|title|alt)="([^"]*)"`)
	formRe     = regexp.MustCompile(`(?s)<form method="post".*?</form>`)
)

// TestTemplatesUseTheCatalogue: issue 7, point 2 — no template text outside
// the message catalogue (only the brand and symbols), every key a template
// names exists in all four languages, and every post form carries the CSRF
// token (point 4).
func TestTemplatesUseTheCatalogue(t *testing.T) {
	files, _ := fs.Glob(templateFS, "templates/*.html")
	if len(files) < 6 {
		t.Fatalf("only %d templates", len(files))
	}
	for _, name := range files {
		b, _ := fs.ReadFile(templateFS, name)
		src := string(b)
		text := entityRe.ReplaceAllString(tagRe.ReplaceAllString(actionRe.ReplaceAllString(src, ""), " "), " ")
		for _, word := range strings.Fields(text) {
			if strings.IndexFunc(word, unicode.IsLetter) >= 0 && word != "Coupole" && word != "EAN" && word != "kWh" && word != "m³" {
				t.Errorf("%s: text %q does not go through the catalogue", name, word)
			}
		}
		for _, m := range textAttrRe.FindAllStringSubmatch(actionRe.ReplaceAllString(src, ""), -1) {
			if strings.TrimSpace(m[1]) != "" {
				t.Errorf("%s: attribute text %q does not go through the catalogue", name, m[0])
			}
		}
		for _, m := range keyRe.FindAllStringSubmatch(src, -1) {
			key := m[1] + m[2] + m[3]
			for _, l := range coupole.Languages {
				if Messages[key][l] == "" {
					t.Errorf("%s: key %q has no %s text", name, key, l)
				}
			}
		}
		for _, form := range formRe.FindAllString(src, -1) {
			if !strings.Contains(form, `name="csrf_token"`) {
				t.Errorf("%s: a post form has no csrf_token: %.80s…", name, form)
			}
		}
	}
}

// TestEnumerationLabels: every code a page names with "label" has words in
// every language.
func TestEnumerationLabels(t *testing.T) {
	var keys []string
	add := func(prefix string, codes ...string) {
		for _, c := range codes {
			keys = append(keys, prefix+"."+c)
		}
	}
	for _, c := range policy.Channels {
		add("channel", string(c))
	}
	for _, r := range policy.Requesters {
		add("requester", string(r))
	}
	for _, i := range policy.Items {
		add("item", string(i))
	}
	for _, o := range policy.Outcomes {
		add("outcome", string(o))
	}
	add("refusal", policy.RefusalReasons...)
	add("cases.kind", coupole.CaseKinds...)
	add("cases.status", coupole.CaseStatuses...)
	add("case_status", "no_open_case", "open_case", "open", "in_progress", "answered", "closed")
	add("deliveries.status", coupole.DeliveryPending, coupole.DeliverySending, coupole.DeliverySent, coupole.DeliveryFailed, coupole.DeliveryDead)
	add("deliveries.kind", coupole.DeliverySMS, coupole.DeliveryLetter, coupole.DeliveryEmail, coupole.DeliveryBackOfficeCase)
	add("item", "case_answer", "contact_changed") // the items of deliveries that are not asked (issue 11)
	for _, e := range coupole.Energies {
		add("energy", string(e))
	}
	for _, r := range coupole.ReadingRegimes {
		add("regime", string(r))
	}
	for _, r := range coupole.Roles {
		add("role", string(r))
	}
	for _, sc := range []demo.Scenario{demo.ScenarioOccupantSMS, demo.ScenarioSmartMeter, demo.ScenarioCPAS} {
		add("demo.scenario", string(sc))
		add("demo.steps", string(sc))
	}
	for _, l := range coupole.Languages {
		add("lang", string(l))
	}
	for _, r := range interaction.DefaultCallReasons {
		add("reason", r.Code)
	}
	add("ia.execute", coupole.DeliverySMS, coupole.DeliveryLetter, coupole.DeliveryBackOfficeCase)
	add("alerts.kind", coupole.AlertVerificationLocked, coupole.AlertVerificationBudgetSpent)
	add("ia.status", "open", "closed")
	add("deliveries.status", coupole.DeliveryFailed, coupole.DeliveryDead)
	add("deliveries.kind", coupole.DeliverySMS, coupole.DeliveryLetter, coupole.DeliveryEmail, coupole.DeliveryBackOfficeCase)
	for _, k := range keys {
		for _, l := range coupole.Languages {
			if Messages[k][l] == "" {
				t.Errorf("key %q has no %s text", k, l)
			}
		}
	}
}

// TestPageHeaders: issue 7, point 4 — CSP without inline scripts and with
// frame-ancestors none, and no-store on pages (they may show personal data).
func TestPageHeaders(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	for _, path := range []string{"/signin", "/"} {
		req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control = %q", path, resp.Header.Get("Cache-Control"))
		}
	}
	resp, err := http.Get(f.ts.URL + "/static/coupole.css")
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %v %+v", err, resp)
	}
	resp.Body.Close()
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/traces": "/traces", "//evil.example": "/", "https://evil.example": "/", "": "/", "/\\evil": "/"} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
