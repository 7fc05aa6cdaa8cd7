package web

import (
	"context"
	"encoding/csv"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// mustSeededMonth replays a month of generated traffic (ending before the
// fixture's clock, with every kind of misbehaviour injected) through the
// anomaly detector into f's store: hourly volumes and alerts. The events
// name the storetest fixture's customers and access points, so that the
// pages' HTML can be searched for them.
func mustSeededMonth(t *testing.T, f *fixture) {
	t.Helper()
	start := f.clock.Now().AddDate(0, 0, -29).Truncate(24 * time.Hour)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, -1)
	}
	loc := brussels
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	tr := oversight.GenerateTraffic(oversight.TrafficOptions{Seed: 7, Start: start, Days: 28, Advisors: 6, Location: loc, Inject: true})
	fx := storetest.Fixture()
	for i := range tr.Events {
		ev := &tr.Events[i]
		// The normal traffic's customers become the fixture's; the injected
		// cases keep theirs (45 distinct ones in a spike, a flagged one).
		if len(ev.Customers) > 0 && (strings.HasPrefix(ev.Customers[0], "c-0") || strings.HasPrefix(ev.Customers[0], "c-1")) {
			c := fx.Customers[i%len(fx.Customers)]
			ev.Customers, ev.AccessPoints = []string{c.ID}, []string{string(fx.AccessPoints[i%len(fx.AccessPoints)].EAN)}
		}
		switch ev.Action {
		case "interaction.open":
			ev.Data = []string{"channel=" + []string{"phone", "phone", "email", "chat"}[i%4], "requester=customer"}
		case "interaction.close":
			ev.CallReason = []string{"move", "invoice", "outage", "metering"}[i%4]
		case "interaction.decide":
			if i%7 == 0 {
				ev.Decision = &audit.Decision{Outcome: "refuse", Reason: "no_occupancy"}
			}
		}
	}
	clock := &coupole.FixedClock{T: start}
	mem := &oversight.MemoryTrace{}
	cfg := oversight.DefaultConfig()
	cfg.Location = loc
	cfg.Networks = []netip.Prefix{netip.MustParsePrefix(oversight.SimNetwork)}
	d := &oversight.Detector{Store: oversight.SimStore{OversightStore: f.db, Traffic: &tr, Clock: clock}, Trace: mem, Clock: clock, Config: cfg}
	if _, err := oversight.Replay(context.Background(), d, tr, func(ctx context.Context, ev audit.Event) error {
		_, err := mem.Append(ctx, ev)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// customerTraces are the ways the fixture's customers could show on a
// page: names, EANs (plain and grouped), mobiles, e-mails.
func customerTraces() []string {
	fx := storetest.Fixture()
	var out []string
	for _, c := range fx.Customers {
		out = append(out, c.GivenName, c.FamilyName, c.ID)
		if c.Mobile != "" {
			out = append(out, c.Mobile, "0"+c.Mobile[3:], c.Email)
		}
	}
	for _, ap := range fx.AccessPoints {
		out = append(out, string(ap.EAN), ap.EAN.Grouped(), string(ap.EAN)[:8]+" ")
	}
	return out
}

// TestBrowserDashboard (issue 16 item 1): the supervisor dashboard renders
// a seeded month of traffic — live state, SVG charts each with its table —
// for every period, in French first and the other languages; its CSV
// holds the same figures; and no customer data is in its HTML, whatever
// the period (the figures are counts of codes).
func TestBrowserDashboard(t *testing.T) {
	f := mustDemoFixture(t)
	mustSeededMonth(t, f)
	b := mustBrowser(t) // after the seeding: the browser's time budget is for the pages
	if err := f.db.CreateInteraction(context.Background(), coupole.Interaction{ID: "i-long", StaffID: "demo-advisor", Channel: "phone", Requester: "customer",
		CallerNumber: "+32470123456", CurrentCustomer: "C-1", CurrentEAN: storetest.EANElecNamur, OpenedAt: f.clock.Now().Add(-5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-supervisor")
	b.loads("open the dashboard", chromedp.Click(chromedp.CSS(`a[href="/dashboard"]`)))
	b.mustSee("h1", "Tableau de bord")
	b.run("30 days", chromedp.SetValue(chromedp.CSS(`#period`), "30d"))
	b.loads("show 30 days", chromedp.Submit(chromedp.CSS(`#period`)))
	b.mustSee("#chart-days-h", "Interactions ouvertes par jour")
	for _, id := range []string{"channel", "reason", "team", "decision", "refusal", "verification", "alerts"} {
		if n := b.count("#chart-" + id + " svg rect"); n == 0 {
			t.Errorf("chart %s has no bar", id)
		}
		if n := b.count("#chart-" + id + " table tbody tr"); n == 0 {
			t.Errorf("chart %s has no table", id)
		}
	}
	b.mustSee("#live-open", "1")
	b.mustSee("#live-too-long", "1")
	b.screenshot("dashboard")
	b.run("scroll to the charts", chromedp.ScrollIntoView(chromedp.CSS(`#chart-channel`)))
	b.screenshot("dashboard-charts")

	pages := []string{"/dashboard?period=30d", "/dashboard?period=7d", "/dashboard?period=today", "/dashboard?period=custom&from=2026-10-01&to=2026-11-02"}
	sup := f.mustSession(t, "demo-supervisor")
	page := readBody(t, f.do(t, sup, "GET", "/dashboard?period=30d", ""))
	for _, want := range []string{"Consultations inhabituelles", "Client protégé consulté", "Accès hors horaire", "Accès hors réseau",
		"Blocages répétés (conseiller)", "Blocages répétés (point d&#39;accès)", "Interaction ouverte trop longtemps", "Téléphone", "E-mail", "no_occupancy"} {
		if !strings.Contains(page, want) {
			t.Errorf("the 30-day dashboard lacks %q", want)
		}
	}
	for _, p := range pages {
		html := readBody(t, f.do(t, sup, "GET", p, ""))
		for _, s := range customerTraces() {
			if strings.Contains(html, s) {
				t.Errorf("%s shows customer data %q", p, s)
			}
		}
	}
	b.run("back to 30 days", chromedp.Navigate(f.ts.URL+"/dashboard?period=30d"), chromedp.WaitVisible(chromedp.CSS(`#chart-days`)))
	html, err := chromedp.Run(b.ctx, chromedp.OuterHTML[string]("html"))
	if err != nil || !strings.Contains(html, "<svg") {
		t.Fatalf("dashboard HTML: %v", err)
	}
	for _, s := range customerTraces() {
		if strings.Contains(html, s) {
			t.Errorf("the dashboard in the browser shows customer data %q", s)
		}
	}

	// The CSV holds the same figures.
	resp := f.do(t, sup, "GET", "/dashboard.csv?period=30d", "")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("CSV content type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
	if err != nil || len(rows) < 20 || strings.Join(rows[0], ",") != "period_from,period_to,metric,key,count" {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
	metrics := map[string]bool{}
	for _, r := range rows[1:] {
		metrics[r[2]] = true
	}
	for _, m := range []string{"live", "days", "channel", "reason", "decision", "refusal", "verification", "alerts"} {
		if !metrics[m] {
			t.Errorf("CSV lacks metric %s", m)
		}
	}
	if resp := f.do(t, sup, "GET", "/dashboard?period=custom&from=2026-11-02&to=2026-10-01", ""); resp.StatusCode != 400 {
		t.Errorf("a period that ends before it starts: status %d; want 400", resp.StatusCode)
	}

	// The other languages.
	b.run("switch to German", chromedp.SetValue(chromedp.CSS(`#lang-select`), "de"), chromedp.Submit(chromedp.CSS(`#lang-select`)))
	b.waitText("h1", "Willkommen")
	b.run("dashboard in German", chromedp.Navigate(f.ts.URL+"/dashboard?period=30d"), chromedp.WaitVisible(chromedp.CSS(`#chart-channel-h`)))
	b.mustSee("#chart-channel-h", "Interaktionen nach Kanal")
}

// TestBrowserTeamLeadAcknowledges (issue 15 item 8, issue 16 item 2): a
// team lead opens an alert's interaction metadata, comes back and
// acknowledges the alert with a note; Back does not resubmit.
func TestBrowserTeamLeadAcknowledges(t *testing.T) {
	b := mustBrowser(t)
	f := mustDemoFixture(t)
	if err := f.db.CreateInteraction(context.Background(), coupole.Interaction{ID: "i-late", StaffID: "demo-advisor", Channel: "phone", Requester: "customer",
		OpenedAt: f.clock.Now().Add(-5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.mustAlert(t, "al-late", coupole.AlertInteractionOpenTooLong, "demo-advisor", "i-late")
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-team-lead")
	b.loads("alerts", chromedp.Click(chromedp.CSS(`a[href="/alerts"]`)))
	// The reason is worded in the page's language from the alert's facts.
	b.mustSee("#alert-al-late", "est ouverte depuis 300 min (seuil 240 min)")
	b.loads("follow the alert", chromedp.Click(chromedp.CSS(`a[href="/team/interactions/i-late"]`)))
	b.mustSee("#metadata", "i-late", "Téléphone")
	b.loads("back to the alerts", chromedp.Click(chromedp.CSS(`a[href="/alerts"]`)))
	b.run("note", chromedp.SendKeys(chromedp.CSS(`#note-al-late`), "Appel long confirmé avec le conseiller."))
	b.loads("acknowledge", chromedp.Submit(chromedp.CSS(`#note-al-late`)))
	b.mustSee(".notice", "Alerte traitée")
	b.mustSee("#alert-al-late", "Appel long confirmé")
	// Back after the acknowledgement (a POST) shows the page before it,
	// never "Confirm Form Resubmission" (issue 15, seen 8).
	// (The pages may come back from the back-forward cache, with the
	// marks b.loads left on them: wait for their content instead, in
	// JavaScript.)
	noted := `(() => { const a = document.querySelector('#alert-al-late'); return !!a && a.innerText.includes('Appel long confirmé') })()`
	b.run("back", chromedp.Evaluate[chromedp.Void]("history.back()"))
	b.waitJS(`!!document.querySelector('#alert-al-late') && document.querySelector('main h1').innerText.includes('Alertes') && !` + noted)
	b.run("forward", chromedp.Evaluate[chromedp.Void]("history.forward()"))
	b.waitJS(noted)
	// A page restored from the back-forward cache leaves chromedp's view of
	// the DOM behind: load the page afresh for the next steps.
	b.run("reload", chromedp.Navigate(b.base+"/alerts"), chromedp.WaitVisible(chromedp.CSS(`#alert-al-late`)))
	b.screenshot("alerts-acknowledged")
	b.loads("open interactions", chromedp.Click(chromedp.CSS(`a[href="/team"]`)))
	b.mustSee("#open-interactions", "demo-advisor", "Téléphone", "Client (occupant)")
	// The age of the call (issue 15, seen 12): opened five hours ago.
	b.mustSee(`#open-interactions tr[data-id="i-late"]`, "300 min")
	if b.count(`#signout-everywhere`) != 1 {
		t.Error("no sign-out-everywhere button")
	}
	b.screenshot("team-open-interactions")
}

// waitJS waits until the JavaScript expression cond is true on the page,
// across navigations (an evaluation that fails while the page changes is
// tried again).
func (b *browser) waitJS(cond string) {
	b.tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	b.tb.Fatalf("still false after 10 s: %s", cond)
}
