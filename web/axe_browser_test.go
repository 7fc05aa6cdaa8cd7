package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// axe-core 4.14.1 (MPL-2.0, testdata/axe-core/LICENSE), the accessibility
// engine the issue names (issue 15, "Done when"): vendored for the tests
// only, never served by Coupole (docs/dependencies.md).
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// axeWidths are the widths every page state is checked at: the advisors'
// 1366 px, 200 % zoom of it (683 px, WCAG 1.4.10) and a 320 px phone.
var axeWidths = []int64{1366, 683, 320}

// axeViolation is what a failing test prints of an axe-core violation: the
// rule, its impact and the CSS selectors of the nodes — never their HTML,
// which may hold (masked) customer data.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe runs axe-core on the page as it is now, at each of axeWidths, and
// fails the test with every violation, naming the page state. The script
// is injected through DevTools (the pages' CSP allows no inline script,
// and evaluation from DevTools is not subject to it); a new page needs it
// again, so it is injected whenever it is missing.
func (b *browser) axe(state string) {
	b.tb.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(function(){ if (typeof window.axe === 'undefined') { `+axeSource+` }; return window.axe ? window.axe.version : '' })()`))
	if err != nil || v == "" {
		b.tb.Fatalf("%s: inject axe-core: %q %v", state, v, err)
	}
	defer b.run("back to 1366 px", chromedp.EmulateViewport(1366, 768))
	for _, w := range axeWidths {
		for _, v := range b.axeViolations(state, w) {
			b.tb.Errorf("axe-core, %s at %d px: %s (%s) %s: %s", state, w, v.ID, v.Impact, v.Help, strings.Join(v.Targets, " | "))
		}
	}
}

// axeViolations runs axe-core (injected) at width w and returns its
// violations.
func (b *browser) axeViolations(state string, w int64) []axeViolation {
	b.tb.Helper()
	b.run("width", chromedp.EmulateViewport(w, 768))
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.tb.Fatalf("%s at %d px: run axe-core: %v", state, w, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.tb.Fatalf("%s at %d px: axe-core's answer: %v", state, w, err)
	}
	return vs
}

// TestBrowserAxeDemoCall: issue 15, "Done when" — axe-core reports no
// violation on any page state of the demo call, at 1366 px, at 200 % zoom
// (683 px) and at 320 px: the workspace, identify (empty, with
// candidates), verify, ask, the answers, the timeline after a delivery,
// the error of a close without reason, the close warning, the closed
// call, a 404; the CPAS line; the team lead's
// alerts, open interactions and an interaction's metadata.
func TestBrowserAxeDemoCall(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.base = f.ts.URL
	b.run("sign-in page", chromedp.Navigate(f.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))
	b.axe("sign-in")
	// axe-core really checks: an image without a text alternative, added
	// for a moment, is a violation it reports.
	b.run("break the page", chromedp.Evaluate[chromedp.Void](`document.querySelector('main').insertAdjacentHTML('beforeend', '<img id="no-alt" src="/static/favicon.svg">')`))
	var seen bool
	for _, v := range b.axeViolations("sign-in with an image without alt", 1366) {
		seen = seen || v.ID == "image-alt"
	}
	if !seen {
		t.Fatal("axe-core does not report an image without alt: it is not running")
	}
	b.run("mend the page", chromedp.Evaluate[chromedp.Void](`document.getElementById('no-alt').remove()`))
	b.signInDemo(f.ts.URL, "demo-advisor")
	b.run("workspace", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)))
	b.axe("workspace")
	b.loads("new call", chromedp.Click(chromedp.CSS(`#open-interaction`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)))
	b.axe("identify")
	b.loads("identify", chromedp.SendKeys(chromedp.CSS(`#by-ean`), string(storetest.EANElecNamur)), chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)))
	b.axe("identify, candidates")
	b.loads("choose", chromedp.Click(chromedp.CSS(`#candidates button`)), chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
	b.axe("verify")
	b.run("wrong meter", chromedp.SendKeys(chromedp.CSS(`#meter-given`), "1111111X"))
	b.loads("verify wrong", chromedp.Submit(chromedp.CSS(`#meter-given`)), chromedp.WaitVisible(chromedp.CSS(`#verification-state`)))
	b.axe("verify failed")
	b.run("clear meter", chromedp.Evaluate[chromedp.Void](`document.getElementById('meter-given').value = ''`))
	b.verify("9876543A")
	b.axe("ask")
	b.askAll("ean", "supplier", "consumption_history", "case_status")
	b.axe("answers")
	b.loads("send SMS", chromedp.Click(chromedp.CSS(`#disclosure li[data-item=ean] form button`)))
	b.waitText(`#disclosure li[data-item=ean]`, "SMS au 04•• •• •• 56")
	b.axe("timeline")
	b.untickAll(`input[name=reason]`)
	b.loads("close without reason", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`#wrapup`, "Indiquez au moins un motif")
	b.axe("close refused, error by the reasons")
	b.tick(`input[name=reason][value=ean_request]`)
	b.loads("close", chromedp.Click(chromedp.CSS(`#close`)), chromedp.WaitVisible(chromedp.CSS(`#unsent-warning`)))
	b.axe("close warning")
	b.tick(`#leave-unsent`)
	b.loads("close anyway", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`main`, "Interaction clôturée")
	b.axe("closed")
	b.run("404", chromedp.Navigate(b.base+"/nowhere"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.axe("404")
	b.run("sign out", chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))

	b.signInDemo(f.ts.URL, "demo-cpas-advisor")
	b.run("CPAS line", chromedp.Navigate(b.base+"/cpas"), chromedp.WaitVisible(chromedp.CSS(`#cpas-id`)))
	b.axe("CPAS line")
	b.run("open CPAS line", chromedp.SendKeys(chromedp.CSS(`#cpas-id`), "CPAS-NAMUR"), chromedp.Submit(chromedp.CSS(`#cpas-id`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)))
	b.run("search", chromedp.SendKeys(chromedp.CSS(`#by-ean`), string(storetest.EANElecNamur)), chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)))
	b.loads("choose", chromedp.Click(chromedp.CSS(`#candidates button`)), chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
	b.axe("CPAS line, answer")
	b.askAll("consumption_history")
	b.axe("CPAS line, consumption")
	b.run("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))

	if err := f.db.CreateInteraction(context.Background(), coupole.Interaction{ID: "i-late", StaffID: "demo-advisor", Channel: "phone", Requester: "customer",
		OpenedAt: f.clock.Now().Add(-5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.mustAlert(t, "al-late", coupole.AlertInteractionOpenTooLong, "demo-advisor", "i-late")
	b.signInDemo(f.ts.URL, "demo-team-lead")
	for _, p := range []struct{ path, wait string }{
		{"/alerts", `#alert-al-late`}, {"/team/interactions/i-late", `#metadata`}, {"/team", `#open-interactions`}, {"/dashboard", `main h1`},
	} {
		b.run(p.path, chromedp.Navigate(b.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		b.axe(fmt.Sprintf("team lead %s", p.path))
	}
	b.run("note", chromedp.Navigate(b.base+"/alerts"), chromedp.WaitVisible(chromedp.CSS(`#note-al-late`)),
		chromedp.SendKeys(chromedp.CSS(`#note-al-late`), "Appel long confirmé."))
	b.loads("acknowledge", chromedp.Submit(chromedp.CSS(`#note-al-late`)))
	b.axe("team lead, alert acknowledged")
}
