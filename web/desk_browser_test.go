package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// Browser tests of issue 15 ("What was seen"), each on the storetest grid:
// C-1 (G••• D•••) occupies EANElecNamur since 2020, meter 9876543A, with a
// registered mobile and annual readings.

func (b *browser) deskCall(t *testing.T, f *fixture, requester string) {
	t.Helper()
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-advisor")
	b.openCall("phone", requester, string(storetest.EANElecNamur), "G••• D•••")
}

// askAll ticks items and asks them at once.
func (b *browser) askAll(items ...string) {
	b.tb.Helper()
	for _, it := range items {
		b.tick(`input[name=item][value=` + it + `]`)
	}
	b.loads("ask", chromedp.Click(chromedp.CSS(`#decide`)), chromedp.WaitVisible(chromedp.CSS(`#disclosure li[data-item=`+items[len(items)-1]+`]`)))
}

// TestBrowserDeskAnswersStay: issue 15, seen 1 — after sending the SMS the
// supplier's answer with its letter button and the consumption stay; the
// timeline lists every step; closing warns that the letter was not sent,
// and the choice to close anyway is traced.
func TestBrowserDeskAnswersStay(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.verify("9876543A")
	b.askAll("ean", "supplier", "consumption_history")
	b.loads("send SMS", chromedp.Click(chromedp.CSS(`#disclosure li[data-item=ean] form button`)))
	b.waitText(`#disclosure li[data-item=ean]`, "SMS au 04•• •• •• 56")
	b.mustSee(`#disclosure li[data-item=supplier]`, "Par courrier", "Envoyer le courrier")
	if n := b.count(`#disclosure li[data-item=consumption_history]`); n != 1 {
		t.Errorf("the consumption answer is gone after sending the SMS")
	}
	b.mustSee(`#timeline`, "Interaction ouverte", "Recherche par EAN", "Numéro de compteur vérifié", "Demande : Code EAN", "Demande : Fournisseur actuel",
		"Demande : Historique de consommation", "Envoi créé : Code EAN")
	b.run("show the timeline", chromedp.ScrollIntoView(chromedp.CSS(`#timeline`)))
	b.screenshot("timeline")
	b.tick(`input[name=reason][value=ean_request]`)
	b.loads("close", chromedp.Click(chromedp.CSS(`#close`)), chromedp.WaitVisible(chromedp.CSS(`#unsent-warning`)))
	b.mustSee(`#unsent-warning`, "Fournisseur actuel")
	b.tick(`#leave-unsent`)
	b.loads("close anyway", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`main`, "Interaction clôturée")
	f.audit.mu.Lock()
	defer f.audit.mu.Unlock()
	var traced bool
	for _, ev := range f.audit.events {
		if ev.Action == "interaction.close" && hasData(ev, "left_unsent=supplier") {
			traced = true
		}
	}
	if !traced {
		t.Errorf("closing with the supplier's letter unsent is not traced")
	}
}

// inView says whether the element sel is within the viewport.
func (b *browser) inView(sel string) bool {
	b.tb.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+jsQuote(sel)+`); if (!e) return false;
		const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight })()`))
	if err != nil {
		b.tb.Fatal(err)
	}
	return ok
}

// activeIn says whether the focused element is sel or inside it.
func (b *browser) activeIn(sel string) bool {
	b.tb.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+jsQuote(sel)+`); return !!e && e.contains(document.activeElement) })()`))
	if err != nil {
		b.tb.Fatal(err)
	}
	return ok
}

func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestBrowserDeskErrorInView: issue 15, seen 2 — closing without a call
// reason shows the error next to the reasons, in view, announced, with the
// focus there.
func TestBrowserDeskErrorInView(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.untickAll(`input[name=reason]`)
	b.loads("close without reason", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`#wrapup`, "Indiquez au moins un motif")
	if !b.inView(`#wrapup [role=alert]`) {
		t.Errorf("the error of the wrap-up is out of view")
	}
	if !b.activeIn(`#wrapup`) {
		t.Errorf("the focus is not in the wrap-up after its error")
	}
}

// TestBrowserDeskEnterSearchesItsField: issue 15, seen 3 — Enter in the
// meter, name or address field searches by that criterion, never by EAN
// ("Un seul critère à la fois…"), and what was typed stays.
func TestBrowserDeskEnterSearchesItsField(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-advisor")
	for _, tc := range []struct{ field, typed string }{
		{"#by-meter", "9876543A"}, {"#by-name", "Dupont"}, {"#by-street", "Rue de Fer"},
	} {
		b.run("open", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)), chromedp.Click(chromedp.CSS(`#open-interaction`)),
			chromedp.WaitVisible(chromedp.CSS(tc.field)))
		if tc.field == "#by-street" {
			b.run("type a postcode", chromedp.SendKeys(chromedp.CSS(`#by-postcode`), "5000"))
		}
		b.run("type in "+tc.field, chromedp.SendKeys(chromedp.CSS(tc.field), tc.typed))
		b.loads("Enter in "+tc.field, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#identify`)))
		if s := b.text(`#identify`); strings.Contains(s, "Un seul critère à la fois") || strings.Contains(s, "EAN invalide") {
			t.Errorf("Enter in %s searched another criterion: %q", tc.field, s)
		}
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+jsQuote(tc.field)+`).value`))
		if err != nil || v != tc.typed {
			t.Errorf("what was typed in %s is gone: %q (%v)", tc.field, v, err)
		}
	}
}

// TestBrowserDeskBackWorks: issue 15, seen 8 — Back after a form shows the
// page again, never "Confirm Form Resubmission".
func TestBrowserDeskBackWorks(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.verify("9876543A")
	b.run("leave", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)))
	b.run("back", chromedp.Evaluate[chromedp.Void]("history.back()"))
	b.waitText(`h1`, "Interaction · Téléphone")
	b.waitText(`#customer-view`, "vérifié")
}

// TestBrowserDeskConsumption: issue 15, seen 6 — the consumption history
// (the demo's CPAS beneficiary, monthly readings) shows consumption per
// period with column headers, dates as dd/mm/yyyy, a chart, and the
// cumulative readings apart, as readings.
func TestBrowserDeskConsumption(t *testing.T) {
	f, callers := mustServeDemoFixture(t, true)
	var c demo.Caller
	for _, dc := range callers {
		if dc.Scenario == demo.ScenarioCPAS {
			c = dc
		}
	}
	b := mustBrowser(t)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-cpas-advisor")
	b.run("open CPAS line", chromedp.Navigate(b.base+"/cpas"), chromedp.WaitVisible(chromedp.CSS(`#cpas-id`)),
		chromedp.SendKeys(chromedp.CSS(`#cpas-id`), c.CPASID), chromedp.Submit(chromedp.CSS(`#cpas-id`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)))
	b.run("search", chromedp.SendKeys(chromedp.CSS(`#by-ean`), string(c.EAN)), chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)))
	b.loads("choose", chromedp.Click(chromedp.Search(`//table[@id="candidates"]//tr[td[1][.="`+c.Masked+`"]]//button`)), chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
	b.askAll("consumption_history")
	li := `#disclosure li[data-item=consumption_history]`
	b.mustSee(li+` table.consumption thead`, "PÉRIODE", "JOURS", "TOTAL") // headers are shown in capitals
	if n := b.count(li + ` svg.chart rect.bar`); n < 1 {
		t.Errorf("no consumption chart")
	}
	rows := b.count(li + ` table.consumption tbody tr`)
	if readings := b.count(li + ` details.readings tbody tr`); rows < 1 || rows >= readings {
		t.Errorf("%d consumption periods from %d readings", rows, readings)
	}
	if s := b.text(li); regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).MatchString(s) || !regexp.MustCompile(`\d{2}/\d{2}/\d{4} → \d{2}/\d{2}/\d{4}`).MatchString(s) {
		t.Errorf("dates on the answer are not dd/mm/yyyy: %q", s)
	}
	b.run("show the chart", chromedp.ScrollIntoView(chromedp.CSS(li+` svg.chart`)))
	b.screenshot("consumption")
}

// TestBrowserDeskReadOutWithoutCodes: issue 15, seen 7 — the sentences to
// read out and the screen's texts carry no requirement codes, and the
// sentences speak to the caller ("vous"), as the disclosure policy writes
// them (@reason_fr; the codes are in @requirement).
func TestBrowserDeskReadOutWithoutCodes(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "landlord")
	b.askAll("ean", "consumption_history")
	// A refusal given before verification does not mark "3. Répondre"
	// done while "2. Vérifier" is the current step (seen 9, outside the
	// CPAS line).
	if s := b.text(`.steps li.current`); !strings.Contains(s, "2. Vérifier") {
		t.Errorf("current step %q, want 2. Vérifier", s)
	}
	if n := b.count(`.steps li.done`); n != 1 {
		t.Errorf("%d steps marked done before verification, want 1 (identify)", n)
	}
	code := regexp.MustCompile(`\(([A-Z]\d+)(, ?[A-Z]\d+)*\)`)
	if s := b.text(`main`); code.MatchString(s) {
		t.Errorf("requirement codes on the advisor's screen: %q", code.FindAllString(s, -1))
	}
	// Nor on the interaction page's other texts, the workspace or the CPAS
	// line, bare or in parentheses ("C1", "D9", "T1").
	bare := regexp.MustCompile(`\b[A-Z]\d{1,2}\b`)
	if s := b.text(`main`); bare.MatchString(s) {
		t.Errorf("requirement codes on the interaction page: %q", bare.FindAllString(s, -1))
	}
	for _, path := range []string{"/", "/cpas"} {
		b.run(path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if s := b.text(`main`); bare.MatchString(s) {
			t.Errorf("requirement codes on %s: %q", path, bare.FindAllString(s, -1))
		}
	}
	b.run("back to the call", chromedp.Evaluate[chromedp.Void](`history.go(-2)`))
	b.waitText(`#disclosure`, "")
	toCaller := regexp.MustCompile(`(?i)\b(vous|votre|vos)\b`)
	for _, it := range []string{"ean", "consumption_history"} {
		s := b.text(`#disclosure li[data-item=` + it + `] .readout`)
		if s == "" || !toCaller.MatchString(s) || regexp.MustCompile(`\b[A-Z]\d+\b`).MatchString(s) {
			t.Errorf("%s: the sentence to read out %q should speak to the caller, without codes", it, s)
		}
	}
}

// TestBrowserDeskCaseStatusInWords: issue 15, seen 5 — the case status is
// said in words.
func TestBrowserDeskCaseStatusInWords(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.verify("9876543A")
	b.askAll("case_status")
	if s := b.text(`#disclosure li[data-item=case_status]`); strings.Contains(s, "no_open_case") || strings.Contains(s, "_") {
		t.Errorf("the case status shows a code: %q", s)
	}
}

// TestBrowserDeskCPASStepBar: issue 15, seen 9 — on the CPAS line the step
// bar says verification is not needed, and nobody asks for a meter number.
func TestBrowserDeskCPASStepBar(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-cpas-advisor")
	b.run("open CPAS line", chromedp.Navigate(b.base+"/cpas"), chromedp.WaitVisible(chromedp.CSS(`#cpas-id`)),
		chromedp.SendKeys(chromedp.CSS(`#cpas-id`), "CPAS-NAMUR"), chromedp.Submit(chromedp.CSS(`#cpas-id`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)))
	b.run("search", chromedp.SendKeys(chromedp.CSS(`#by-ean`), string(storetest.EANElecNamur)), chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)))
	b.loads("choose", chromedp.Click(chromedp.CSS(`#candidates button`)), chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
	b.mustSee(`#step-verify`, "sans objet")
	if n := b.count(`#meter-given`); n != 0 {
		t.Errorf("the CPAS line asks for a meter number")
	}
	if n := b.count(`.steps li.current`); n != 1 {
		t.Errorf("%d current steps", n)
	}
	b.mustSee(`.steps li.current`, "3. Répondre")
}

// TestBrowserDeskLayout: issue 15, seen 10 — at 200 % zoom (683 px) the
// columns stack and nothing scrolls sideways; the German sign-in fits its
// card; no " :" outside French; languages named in their own language; a
// favicon; a 404 page in the staff member's language.
func TestBrowserDeskLayout(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.run("200 %", chromedp.EmulateViewport(683, 384))
	stacked, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const c = document.querySelector('.cols').children; return c[1].getBoundingClientRect().top >= c[0].getBoundingClientRect().bottom })()`))
	if err != nil || !stacked {
		t.Errorf("at 683 px the two columns do not stack (%v)", err)
	}
	for _, width := range []int64{683, 320} {
		b.run("width", chromedp.EmulateViewport(width, 640))
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			t.Errorf("at %d px the page scrolls sideways (%v)", width, err)
		}
	}
	b.run("back to 1366", chromedp.EmulateViewport(1366, 768))
	if n := b.count(`link[rel=icon]`); n != 1 {
		t.Errorf("no favicon")
	}
	b.mustSee(`#lang-select`, "Nederlands", "Deutsch", "English", "Français")
	b.run("404", chromedp.Navigate(b.base+"/nowhere"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.mustSee(`main`, "Page introuvable")
	b.run("Dutch", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#lang-select`)),
		chromedp.SetValue(chromedp.CSS(`#lang-select`), "nl"), chromedp.Submit(chromedp.CSS(`#lang-select`)))
	b.waitText("h1", "Welkom")
	b.openCallNL()
	if s := b.text(`main`); strings.Contains(s, " :") || strings.Contains(s, "\u00a0:") {
		t.Errorf("a French space before a colon in Dutch: %q", s[:min(len(s), 300)])
	}
	b.run("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))
	b.run("German sign-in", chromedp.SetValue(chromedp.CSS(`select[name=lang]`), "de"), chromedp.Submit(chromedp.CSS(`select[name=lang]`)))
	b.waitText("h1", "Anmeldung")
	if s := b.text(`main`); strings.Contains(s, " :") || strings.Contains(s, "\u00a0:") {
		t.Errorf("a French space before a colon in German: %q", s[:min(len(s), 300)])
	}
	over, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll('.signin .card *')].some(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0)`))
	if err != nil || over {
		t.Errorf("the German sign-in overflows its card (%v)", err)
	}
}

func (b *browser) openCallNL() {
	b.tb.Helper()
	b.run("open", chromedp.Click(chromedp.CSS(`#open-interaction`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)),
		chromedp.SendKeys(chromedp.CSS(`#by-ean`), string(storetest.EANElecNamur)), chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)))
	b.loads("choose", chromedp.Click(chromedp.CSS(`#candidates button`)), chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
}

// TestBrowserDeskKeyboardOnly: issue 15, seen 11 — the demo call done with
// the keyboard only: every step is at most three keystrokes from the
// previous one (what the caller says — the EAN, the meter number — is
// typed, not counted), and the focus follows the call.
func TestBrowserDeskKeyboardOnly(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-advisor")
	b.run("workspace", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)))
	total := 0
	step := func(name string, wait string, keys ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if len(keys) > 3 {
			t.Errorf("%s takes %d keystrokes, want at most 3", name, len(keys))
		}
		total += len(keys)
		b.loads(name, append(keys, chromedp.WaitVisible(chromedp.CSS(wait)))...)
	}
	alt := func(k string) chromedp.Action[chromedp.Void] {
		return chromedp.KeyEvent(k, chromedp.KeyModifiers(chromedp.ModifierAlt|chromedp.ModifierShift))
	}
	typed := func(s string) {
		b.run("type "+s, chromedp.KeyEvent(s))
	}
	enter, space := chromedp.KeyEvent("\r"), chromedp.KeyEvent(" ")
	step("new call", `#by-ean:focus`, alt("n"))
	typed(string(storetest.EANElecNamur))
	step("identify", `#candidates button:focus`, enter)
	step("choose", `#meter-given:focus`, enter)
	typed("9876543A")
	step("verify", `#items input:focus`, enter)
	step("ask the EAN", `#disclosure button.execute:focus`, space, enter)
	step("send", `#sent-ean`, enter)
	step("close", `.notice.ok`, alt("c"))
	b.mustSee(`main`, "Interaction clôturée")
	t.Logf("the demo call took %d keystrokes besides what the caller said", total)
	if total > 8 {
		t.Errorf("the keyboard-only call took %d keystrokes, want at most 8", total)
	}
}

// TestBrowserDeskStreetWithoutType: issue 15, seen 4 — postcode 4040 and
// "Sainte-Walburge", without "rue", finds the demo's Rue Sainte-Walburge;
// Enter in the street field searches by address.
func TestBrowserDeskStreetWithoutType(t *testing.T) {
	f, _ := mustServeDemoFixture(t, true)
	b := mustBrowser(t)
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-advisor")
	b.run("open", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)), chromedp.Click(chromedp.CSS(`#open-interaction`)),
		chromedp.WaitVisible(chromedp.CSS(`#by-postcode`)))
	b.run("type the address", chromedp.SendKeys(chromedp.CSS(`#by-postcode`), "4040"), chromedp.SendKeys(chromedp.CSS(`#by-street`), "Sainte-Walburge"))
	b.loads("Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#identify h3`)))
	if n := b.count(`#candidates tbody tr`); n == 0 {
		t.Errorf("postcode 4040 and Sainte-Walburge find nothing: %q", b.text(`#identify`))
	}
	b.mustSee(`#candidates`, "Rue Sainte-Walburge")
}

// TestBrowserDeskDeliveryStatusLive: issue 15, deliver 1 — the timeline
// shows each delivery with its live status: the SMS sent in the call is
// "en attente d'envoi", and when the outbound worker has sent it the badge
// says "envoyé" without a reload (the page is the same document); the
// status endpoint tells nobody but the handler.
func TestBrowserDeskDeliveryStatusLive(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.deskCall(t, f, "customer")
	b.verify("9876543A")
	b.askAll("ean")
	b.loads("send SMS", chromedp.Click(chromedp.CSS(`#disclosure li[data-item=ean] form button`)))
	badge := `#timeline li[data-kind=sent] .delivery-status`
	b.waitText(badge, "en attente d'envoi")
	b.run("mark the page", chromedp.Evaluate[chromedp.Void](`document.body.dataset.same = 'yes'`))
	ctx := context.Background()
	claimed, err := f.db.ClaimDeliveries(ctx, coupole.OutboxClaim{Owner: "test-worker", Kinds: []string{coupole.DeliverySMS}, Now: f.clock.Now(), Lease: time.Minute, Limit: 10})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim the SMS: %d %v", len(claimed), err)
	}
	if err := f.db.MarkDeliverySent(ctx, claimed[0].ID, "test-worker", "prov-1", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b.waitText(badge, "envoyé")
	b.waitText(`#sent-ean`, "envoyé")
	same, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.body.dataset.same === 'yes'`))
	if err != nil || !same {
		t.Errorf("the page was reloaded to show the status (%v)", err)
	}
	if s := b.text(badge); strings.Contains(s, "attente") {
		t.Errorf("the badge still says %q", s)
	}
	// Another advisor asking for the statuses is refused.
	path := "/interactions/" + strings.TrimPrefix(mustLocationPath(t, b), "/interactions/") + "/deliveries"
	b.run("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))
	b.signInDemo(f.ts.URL, "demo-cpas-advisor")
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`fetch(`+jsQuote(path)+`, {credentials: 'same-origin'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || (status != http.StatusNotFound && status != http.StatusForbidden) {
		t.Errorf("another advisor asking the statuses: %d %v, want 404 or 403", status, err)
	}
}

func mustLocationPath(t *testing.T, b *browser) string {
	t.Helper()
	p, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
