package web

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/retention"
)

// TestBrowserRetention: the privacy officer's retention screens in French,
// in Chromium (issue 13 item 5; R2–R4, S7): the year's figures and the
// classes; a hold placed and its lift asked, which she cannot approve
// herself; another officer's lift request she approves; the due items with
// a held one; a class change; the month's purge report with its evidence.
func TestBrowserRetention(t *testing.T) {
	b := mustBrowser(t)
	f := mustRetentionFixture(t)
	ctx := context.Background()
	if _, err := EnsureDemoAccounts(ctx, f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	mustStaff(t, f.db, "dpo-2", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	svc := &retention.Service{Store: f.db, Audit: f.log, Clock: f.clock, Config: retention.DefaultConfig()}
	o := &retention.Officer{Service: svc, Access: staffpolicy.MustEmbedded(), Staff: f.db}
	register := func(reason string, start time.Time) retention.Item {
		it, err := svc.Register(ctx, "system:csv", retention.Item{Kind: retention.KindRecording, Source: retention.SourceCSV, CallReason: reason,
			InteractionID: "int-" + reason, Start: start, SHA256: "9f2c8a41d3b7e6054c1a9e8d7f6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a"})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	// Purged this month (evidence in the report), one overdue and held.
	purged := register("outage", f.clock.T.AddDate(0, -1, 0).Add(-10*time.Minute)) // due ten minutes ago: on time
	purger := &retention.Purger{Store: f.db, Audit: f.log, Clock: f.clock, Logger: slog.New(slog.DiscardHandler)}
	held := register("invoice", f.clock.T.AddDate(0, -1, -1).Add(time.Hour))
	dpo2, _ := o.Principal(ctx, "dpo-2")
	heldBy2, err := o.PlaceHold(ctx, dpo2, retention.Hold{Scope: retention.ScopeItem, Target: held.ID, Reason: "plainte en cours", Reference: "PL-2026-118"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := purger.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := o.RequestLift(ctx, dpo2, heldBy2.ID, "plainte classée"); err != nil {
		t.Fatal(err)
	}
	register("emergency_gas_odour", f.clock.T.AddDate(0, 0, -2))

	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-privacy-officer")
	b.loads("open retention", chromedp.Click(chromedp.CSS(`a[href="/retention"]`)))
	b.mustSee("h1", "Conservation des enregistrements")
	b.mustSee("#fig-on-time", "1")
	b.mustSee("#fig-held", "1")
	b.mustSee("#fig-due", "1") // the held call; the gas-odour call is kept five years
	b.mustSee(`#classes tr[data-class="legal_emergency"]`, "Urgence : odeur de gaz", "60 mois")
	b.screenshot("retention")

	// A hold on the call still kept, then its lift asked: no approval
	// button for the one who asked; the other officer's request she approves.
	b.loads("holds", chromedp.Click(chromedp.CSS(`#to-holds`)))
	b.run("hold form", chromedp.SetValue(chromedp.CSS(`#h-scope`), "item"),
		chromedp.SendKeys(chromedp.CSS(`#h-target`), f.item.ID),
		chromedp.SendKeys(chromedp.CSS(`#h-reason`), "demande du médiateur"),
		chromedp.SendKeys(chromedp.CSS(`#h-reference`), "MED-2026-042"))
	b.loads("place", chromedp.Click(chromedp.CSS(`#place`)))
	b.mustSee(".notice", "Suspension placée.")
	mine, err := f.db.Holds(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var myHold string
	for _, h := range mine {
		if h.PlacedBy == "demo-privacy-officer" {
			myHold = h.ID
		}
	}
	if myHold == "" {
		t.Fatalf("no hold placed by the officer: %+v", mine)
	}
	b.run("lift reason", chromedp.SendKeys(chromedp.CSS(`#lr-`+myHold), "médiation terminée"))
	b.loads("ask lift", chromedp.Click(chromedp.CSS(`#hold-`+myHold+` .ask-lift`)))
	b.mustSee(".notice", "un autre délégué doit l'approuver")
	b.mustSee(`#hold-`+myHold, "En attente d'une seconde personne")
	if n := b.count(`#hold-` + myHold + ` .approve-lift`); n != 0 {
		t.Errorf("the officer who asked is offered the approval (%d buttons)", n)
	}
	b.loads("approve other's lift", chromedp.Click(chromedp.CSS(`#hold-`+heldBy2.ID+` .approve-lift`)))
	b.mustSee(".notice", "Suspension levée.")
	b.mustSee(`#hold-`+heldBy2.ID, "levée", "dpo-2 → demo-privacy-officer")
	if h, _ := f.db.Hold(ctx, myHold); !h.Active() {
		t.Errorf("the hold asked by the officer was lifted by her alone")
	}
	b.screenshot("retention-holds")

	// Due items: the call under the officer's hold is held; reclassify it.
	b.run("items", chromedp.Navigate(f.ts.URL+"/retention/items"), chromedp.WaitVisible(chromedp.CSS(`#items`)))
	b.mustSee(`#item-`+f.item.ID, "suspendu")
	b.screenshot("retention-items")
	b.run("reclassify form", chromedp.SendKeys(chromedp.CSS(`#rc-item`), f.item.ID),
		chromedp.SetValue(chromedp.CSS(`#rc-class`), "legal_emergency"),
		chromedp.SendKeys(chromedp.CSS(`#rc-why`), "odeur de gaz signalée après coup"))
	b.loads("reclassify", chromedp.Click(chromedp.CSS(`#reclassify`)))
	b.mustSee(".notice", "Classe changée.")
	if it, _ := f.db.RetentionItem(ctx, f.item.ID); it.Class != "legal_emergency" {
		t.Errorf("class after the form: %s", it.Class)
	}

	// The month's purge report, with the evidence event of the purged call.
	b.run("report", chromedp.Navigate(f.ts.URL+"/retention/reports?month="+f.clock.T.Format("2006-01")), chromedp.WaitVisible(chromedp.CSS(`#purged`)))
	b.mustSee("h1", "Rapport de purge")
	b.mustSee(`#purged-`+purged.ID, "default", "#")
	b.mustSee("#rep-on-time", "1")
	b.screenshot("retention-report")
}
