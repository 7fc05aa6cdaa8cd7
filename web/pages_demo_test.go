package web

import (
	"context"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
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

// form posts an HTML form as s, the way the pages do (CSRF token in the
// form), with extra cookies.
func (f *fixture) form(tb testing.TB, s session, path string, vals url.Values, cookies ...*http.Cookie) *http.Response {
	tb.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	vals.Set("csrf_token", s.csrf)
	req, _ := http.NewRequest("POST", f.ts.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	for _, c := range append([]*http.Cookie{s.cookie}, cookies...) {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// get fetches a page as s, with extra cookies and headers.
func (f *fixture) get(tb testing.TB, s session, path string, cookies []*http.Cookie, headers ...string) string {
	tb.Helper()
	req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if s.cookie != nil {
		req.AddCookie(s.cookie)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	return readBody(tb, resp)
}

// TestServiceErrorsInFourLanguages (issue 7): an error of the interaction
// service shows on the page in the staff member's language, from the
// catalogue — never the service's English message, never the data typed.
func TestServiceErrorsInFourLanguages(t *testing.T) {
	f := mustDemoFixture(t)
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor, coupole.RoleCPASAdvisor)
	s := f.mustSession(t, "adv")
	for _, lang := range coupole.Languages {
		if err := f.db.SetLanguage(context.Background(), "adv", lang); err != nil {
			t.Fatal(err)
		}
		f.clock.T = f.clock.T.Add(SessionStaleness) // set behind the server's back: the session cache's bound
		resp := f.form(t, s, "/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}})
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/interactions/")
		if resp.StatusCode != http.StatusSeeOther || id == "" {
			t.Fatalf("open: %d", resp.StatusCode)
		}
		ia := "/interactions/" + id
		for _, c := range []struct {
			path string
			form url.Values
			key  string
			raw  string // a piece of the service's message, or of the input
		}{
			{"/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}, "caller_number": {"0470 12 34 56x"}}, "err.caller_number", "0470 12 34 56x"},
			{"/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}, "mandatary_name": {"Jean Mandataire"}}, "err.mandatary_name", "Jean Mandataire"},
			{"/interactions", url.Values{"channel": {"pigeon"}, "requester": {"customer"}}, "err.channel", "pigeon"},
			{"/cpas", url.Values{"cpas_id": {"cpas-nowhere"}}, "err.cpas_id", "cpas-nowhere"},
			{ia + "/identify", url.Values{"by": {"ean"}, "ean": {"541234"}}, "err.ean", "541234"},
			{ia + "/identify", url.Values{"by": {"name"}, "name": {"x"}}, "err.name", "give at least"},
			{ia + "/identify", url.Values{"by": {"address"}, "postcode": {"50"}, "street": {"Rue Haute"}}, "err.postcode", "between 1000"},
			{ia + "/identify", url.Values{"by": {"address"}, "postcode": {"5000"}}, "err.street", "street:"},
			{ia + "/identify", url.Values{"by": {"ean"}}, "err.identify_one", "exactly one"},
			{ia + "/select", url.Values{"ref": {"c99"}}, "err.ref", "no candidate"},
			{ia + "/verify", url.Values{"meter_number": {"1234567"}}, "err.choose_first", "choose an access point"},
			{ia + "/close", url.Values{"reason": {"boredom"}}, "err.call_reason", "boredom"},
		} {
			resp, body := f.step(t, s, c.path, c.form)
			notices := strings.Join(noticeRe.FindAllString(html.UnescapeString(body), -1), " | ")
			if (resp.StatusCode < 400 && resp.StatusCode != http.StatusSeeOther) || !strings.Contains(notices, Message(lang, c.key)) {
				t.Errorf("%s %s %v: status %d, the page says %q, want %q", lang, c.path, c.form, resp.StatusCode, notices, Message(lang, c.key))
			}
			if strings.Contains(notices, c.raw) {
				t.Errorf("%s %s: the page shows %q (service message or input)", lang, c.path, c.raw)
			}
		}
		// A page that cannot be shown at all (the audit log is down, so
		// nothing may be read) says why, in the language too.
		f.audit.mu.Lock()
		f.audit.fail = true
		f.audit.mu.Unlock()
		notices := strings.Join(noticeRe.FindAllString(html.UnescapeString(f.get(t, s, ia, nil)), -1), " | ")
		f.audit.mu.Lock()
		f.audit.fail = false
		f.audit.mu.Unlock()
		if !strings.Contains(notices, Message(lang, "err.unavailable")) || strings.Contains(notices, "audit") {
			t.Errorf("%s: page with the audit log down says %q", lang, notices)
		}
	}
}

// noticeRe finds the messages shown to the staff member.
var noticeRe = regexp.MustCompile(`class="(?:notice bad|field-error)"[^>]*>[^<]*`)

// step posts a form of the interaction page as s and, as the browser does
// after a step (POST-redirect-GET, issue 15), fetches the page it
// redirects to: the response is the POST's, the body the page's.
func (f *fixture) step(tb testing.TB, s session, path string, vals url.Values) (*http.Response, string) {
	tb.Helper()
	resp := f.form(tb, s, path, vals)
	loc := resp.Header.Get("Location")
	if resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/interactions/") {
		page, _, _ := strings.Cut(loc, "#")
		return resp, f.get(tb, s, page, nil)
	}
	return resp, readBody(tb, resp)
}

// TestLanguageFollowsTheStaffMember (issue 7, point 2): the language picked
// is kept with the staff member, so another browser shows it too; before
// sign-in the browser's cookie decides.
func TestLanguageFollowsTheStaffMember(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	office := f.mustSession(t, "adv")
	if body := f.get(t, office, "/", nil, "Accept-Language", "fr-BE"); !strings.Contains(body, "Bienvenue") {
		t.Fatalf("before any choice, the browser's language (fr) should decide")
	}
	resp := f.form(t, office, "/preferences/language", url.Values{"lang": {"de"}, "back": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set language: %d", resp.StatusCode)
	}
	if st, _ := f.db.Staff(context.Background(), "adv"); st.Language != coupole.German {
		t.Errorf("stored language = %q, want de", st.Language)
	}
	// Another workstation: no cookie, a Dutch browser, even a stale cookie.
	home := f.mustSession(t, "adv")
	stale := &http.Cookie{Name: langCookie, Value: "nl"}
	if body := f.get(t, home, "/", []*http.Cookie{stale}, "Accept-Language", "nl-BE"); !strings.Contains(body, "Willkommen") {
		t.Errorf("on another browser the staff member's language (de) should win")
	}
	// Before sign-in, the browser's choice.
	if body := f.get(t, session{}, "/signin", []*http.Cookie{stale}); !strings.Contains(body, "Aanmelden bij Coupole") {
		t.Errorf("sign-in page with a Dutch cookie is not in Dutch")
	}
	if resp := f.form(t, office, "/preferences/language", url.Values{"lang": {"xx"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", resp.StatusCode)
	}
}

// TestStepBarAfterLockout (issue 7, C2): after three wrong meter numbers the
// step bar shows verification locked, never done, and the wrap-up is next.
func TestStepBarAfterLockout(t *testing.T) {
	f := mustDemoFixture(t)
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "adv")
	resp := f.form(t, s, "/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}})
	ia := resp.Header.Get("Location")
	_, body := f.step(t, s, ia+"/identify", url.Values{"by": {"ean"}, "ean": {string(storetest.EANElecNamur)}})
	ref := regexp.MustCompile(`name="ref" value="(c\d+)"`).FindStringSubmatch(body)
	if ref == nil {
		t.Fatal("no candidate")
	}
	f.form(t, s, ia+"/select", url.Values{"ref": {ref[1]}})
	for range 3 {
		f.form(t, s, ia+"/verify", url.Values{"meter_number": {"1111111"}})
	}
	body = f.get(t, s, ia, nil)
	verifyStep := regexp.MustCompile(`<li id="step-verify" class="([a-z]*)"[^>]*>([^<]*)</li>`).FindStringSubmatch(body)
	if verifyStep == nil || verifyStep[1] != "locked" || !strings.Contains(verifyStep[2], "bloqué") {
		t.Errorf("verify step after lockout = %q, want class locked and the word bloqué", verifyStep)
	}
	if !strings.Contains(body, `class="current" aria-current="step">4. Clôturer`) {
		t.Errorf("after a lockout the wrap-up should be the current step")
	}
}

// TestDemoAccountNames (issue 7): demo accounts are named by their role in
// the staff member's language, never by a role code.
func TestDemoAccountNames(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(context.Background(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	st, _ := f.db.Staff(context.Background(), "demo-advisor")
	if st.DisplayName != "Conseiller clientèle (démo)" {
		t.Errorf("stored display name = %q", st.DisplayName)
	}
	s := f.mustSession(t, "demo-advisor")
	for lang, want := range map[string]string{"fr": "Conseiller clientèle (démo)", "nl": "Klantenadviseur (demo)", "de": "Kundenberater (Demo)", "en": "Customer advisor (demo)"} {
		body := f.get(t, s, "/", []*http.Cookie{{Name: langCookie, Value: lang}})
		if !strings.Contains(body, template.HTMLEscapeString(want)) || strings.Contains(body, "advisor</span>") {
			t.Errorf("%s: the header does not name the account %q", lang, want)
		}
	}
}
