package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestBrowserSignInAndTraces: the sign-in page in French, the language
// switch, and the auditors' trace search with checkpoint status (T1, T2).
func TestBrowserSignInAndTraces(t *testing.T) {
	b := mustBrowser(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	b.run("open sign-in", chromedp.Navigate(f.ts.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	b.mustSee("h1", "Connexion à Coupole")
	b.screenshot("signin")

	b.signInDemo(f.ts.URL, "demo-auditor")
	b.run("open traces", chromedp.Click(chromedp.CSS(`a[href="/traces"]`)), chromedp.WaitVisible(chromedp.CSS(`#t-actor`)))
	b.mustSee("h1", "Traçabilité")
	b.run("search", chromedp.SendKeys(chromedp.CSS(`#t-actor`), "demo-auditor"), chromedp.Submit(chromedp.CSS(`#t-actor`)),
		chromedp.WaitVisible(chromedp.CSS(`#res-h`)))
	b.screenshot("traces")

	// The language menu switches every screen; the choice sticks.
	b.run("switch to Dutch", chromedp.SetValue(chromedp.CSS(`#lang-select`), "nl"), chromedp.Submit(chromedp.CSS(`#lang-select`)))
	b.waitText("h1", "Welkom")
}

// mustDemoFixture is the server of the browser tests: demo accounts, the
// synthetic grid of storetest, the real interaction service.
func mustDemoFixture(t *testing.T) *fixture {
	t.Helper()
	db := sqltest.MustOpenSQLite(t)
	storetest.MustLoad(t, db, storetest.Fixture())
	f := mustFixture(t, db, AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	return f
}

// openCall opens an interaction from the advisor workspace and identifies
// the access point by EAN, choosing the candidate of the given masked name.
func (b *browser) openCall(channel, requester string, ean string, customer string) {
	b.tb.Helper()
	b.run("open "+channel+"/"+requester,
		chromedp.Navigate(b.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)),
		chromedp.Click(chromedp.CSS(`input[name=channel][value=`+channel+`]`)),
		chromedp.Click(chromedp.CSS(`input[name=requester][value=`+requester+`]`)),
		chromedp.Click(chromedp.CSS(`#open-interaction`)),
		chromedp.WaitVisible(chromedp.CSS(`#by-ean`)),
		chromedp.SendKeys(chromedp.CSS(`#by-ean`), ean),
		chromedp.Click(chromedp.CSS(`button[name=by][value=ean]`)),
		chromedp.WaitVisible(chromedp.CSS(`#candidates`)),
	)
	b.run("choose "+customer, chromedp.Click(chromedp.Search(`//table[@id="candidates"]//tr[td[1][.="`+customer+`"]]//button`)),
		chromedp.WaitVisible(chromedp.CSS(`#customer-view`)))
}

func (b *browser) verify(meter string) {
	b.tb.Helper()
	b.run("type meter", chromedp.SendKeys(chromedp.CSS(`#meter-given`), meter))
	b.loads("verify", chromedp.Submit(chromedp.CSS(`#meter-given`)), chromedp.WaitVisible(chromedp.CSS(`#verification-state`)))
}

func (b *browser) ask(item string) {
	b.tb.Helper()
	b.run("tick "+item, chromedp.Click(chromedp.CSS(`input[name=item][value=`+item+`]`)))
	b.loads("ask "+item, chromedp.Click(chromedp.CSS(`#decide`)),
		chromedp.WaitVisible(chromedp.CSS(`#disclosure li[data-item=`+item+`]`)))
}

// TestBrowserAdvisorCalls walks the calls of issue 7, point 5, in French.
func TestBrowserAdvisorCalls(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	b.base = f.ts.URL
	ean := string(storetest.EANElecNamur)

	b.signInDemo(f.ts.URL, "demo-advisor")

	// An EAN asked by phone by the occupant, meter verified → SMS (D4).
	b.openCall("phone", "customer", ean, "G••• D•••")
	b.verify("9876543A")
	b.mustSee("#verification-state", "vérifié")
	b.ask("ean")
	b.mustSee(`#disclosure li[data-item=ean]`, "Par SMS", "SMS au 04•• •• •• 56") // before sending
	b.loads("send SMS", chromedp.Click(chromedp.CSS(`#disclosure li[data-item=ean] form button`)))
	b.waitText(`#disclosure li[data-item=ean]`, "SMS au 04•• •• •• 56")

	// A supplier question from the same customer → letter to the
	// installation address (D2).
	b.ask("supplier")
	b.mustSee(`#disclosure li[data-item=supplier]`, "Par courrier", "courrier à l'adresse d'installation")

	// A wrap-up without a call reason is refused (C4); with one it closes.
	b.untickAll(`input[name=reason]`)
	b.loads("close without reason", chromedp.Click(chromedp.CSS(`#close`)), chromedp.WaitVisible(chromedp.CSS(`#problem-wrapup`)))
	b.mustSee(`#problem-wrapup`, "Indiquez au moins un motif")
	b.tick(`input[name=reason][value=ean_request]`)
	// The supplier's letter was decided, never sent: closing says so first
	// (issue 15, item 1).
	b.loads("close with reason", chromedp.Click(chromedp.CSS(`#close`)), chromedp.WaitVisible(chromedp.CSS(`#unsent-warning`)))
	b.mustSee(`#unsent-warning`, "Fournisseur actuel")
	b.tick(`#leave-unsent`)
	b.loads("close without sending", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`main`, "Interaction clôturée")

	// A landlord asking the consumption → refusal with words to read out (D8).
	b.openCall("phone", "landlord", ean, "G••• D•••")
	b.ask("consumption_history")
	b.mustSee(`#disclosure li[data-item=consumption_history]`, "Refus")
	if s := b.text(`#disclosure li[data-item=consumption_history] .readout`); len(s) < 20 {
		t.Errorf("refusal explanation to read out = %q", s)
	}
	b.screenshot("refusal")

	// A wrong meter number three times → locked, and the team lead sees the
	// alert (C2).
	b.openCall("phone", "customer", ean, "G••• D•••")
	for range 2 {
		b.verify("1111111")
		b.waitText(`#verify`, "ne correspond pas")
	}
	b.verify("1111111")
	b.waitText(`#verify`, "bloqué")
	b.mustSee("#verification-state", "bloqué")
	b.screenshot("lockout")

	b.run("sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)))
	b.signInDemo(f.ts.URL, "demo-team-lead")
	b.run("alerts", chromedp.Click(chromedp.CSS(`a[href="/alerts"]`)), chromedp.WaitVisible(chromedp.CSS(`#alerts`)))
	b.mustSee("#alerts", "Vérification bloquée", "demo-advisor", "5414 ••••")
	b.screenshot("alerts")
}

// TestBrowserNewcomerDemoCall walks issue 7's newcomer path on a server set
// up as `serve --demo` sets it up (the demo package's synthetic grid, demo
// accounts, demo callers picked from the data): one click to sign in as the
// demo advisor, the first demo caller shown on the workspace is searched by
// EAN, verified with the meter number shown, asks the EAN by phone → SMS,
// whose masked destination shows before sending; sent; wrapped up with a
// reason. Only what the page shows is typed.
func TestBrowserNewcomerDemoCall(t *testing.T) {
	start := time.Now()
	f, callers := mustServeDemoFixture(t, true)
	b := mustBrowser(t)
	b.base = f.ts.URL
	c := callers[0]
	if c.Scenario != demo.ScenarioOccupantSMS {
		t.Fatalf("first demo caller is %s", c.Scenario)
	}
	want := wantMaskedMobile(t, f, c)

	b.signInDemo(f.ts.URL, "demo-advisor")
	b.mustSee("header.top", "Conseiller clientèle (démo)")
	row := `#demo-callers li[data-scenario=occupant_sms]`
	b.mustSee(row, "Occupant avec GSM enregistré", c.Name, "Code EAN")
	if n := b.count(`#demo-callers li`); n != 3 {
		t.Errorf("%d demo callers on the workspace, want 3", n)
	}
	b.screenshot("workspace")
	ean, meter := b.text(row+` .demo-ean`), b.text(row+` .demo-meter`)
	masked := b.text(row + ` .demo-name + .muted`)
	if ean != string(c.EAN) || meter != string(c.Meter) || masked != c.Masked {
		t.Fatalf("the workspace shows another caller than demo.Callers picked")
	}

	b.openCall("phone", "customer", ean, masked)
	b.verify(meter)
	b.mustSee("#verification-state", "vérifié")
	b.mustSee("#step-verify", "2. Vérifier")
	b.ask("ean")
	li := `#disclosure li[data-item=ean]`
	b.mustSee(li, "Par SMS", "SMS au "+want) // before sending
	b.loads("send SMS", chromedp.Click(chromedp.CSS(li+` form button`)))
	b.waitText(li+` .notice.ok`, "SMS au "+want)
	b.screenshot("disclosure")
	b.tick(`input[name=reason][value=ean_request]`)
	b.loads("close", chromedp.Click(chromedp.CSS(`#close`)))
	b.waitText(`main`, "Interaction clôturée")
	if d := time.Since(start); d > time.Minute {
		t.Errorf("the newcomer's demo call took %s, want under a minute", d)
	}
}

// wantMaskedMobile is the masked registered mobile of the demo caller c, as
// the disclosure panel should show it.
func wantMaskedMobile(t *testing.T, f *fixture, c demo.Caller) string {
	t.Helper()
	ctx := context.Background()
	found, err := f.db.CustomersByName(ctx, c.Name, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, cu := range found {
		occs, err := f.db.OccupanciesOfCustomer(ctx, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range occs {
			if o.EAN == c.EAN && o.Current(t0) && cu.Mobile != "" {
				return interaction.MaskMobile(cu.Mobile)
			}
		}
	}
	t.Fatal("the demo caller has no registered mobile")
	return ""
}
