package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole/register"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestBrowserRegisters: the privacy officer creates a processing activity,
// changes it, reads its history, finds it flagged and exports the register,
// in French, in Chromium (G1, issue 14 item 1).
func TestBrowserRegisters(t *testing.T) {
	b := mustBrowser(t)
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	f.access.EnableCompliancePages(CompliancePages{Registers: &register.Service{Store: f.db, Clock: f.clock}})
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-privacy-officer")
	b.loads("open registers", chromedp.Click(chromedp.CSS(`a[href="/registers"]`)))
	b.mustSee("h1", "Registres RGPD")
	b.loads("open processing", chromedp.Click(chromedp.CSS(`a[href="/registers/processing"]`)))
	b.loads("new entry", chromedp.Click(chromedp.CSS(`#new-entry`)))
	fields := map[string]string{"#f-title": "Centre de contacts", "#f-controller": "Gestionnaire de réseau", "#f-purposes": "Répondre aux clients (D1)",
		"#f-data_subjects": "Utilisateurs du réseau", "#f-data_categories": "Nom, EAN, consommation", "#f-recipients": "Le client",
		"#f-retention": "Un mois (R2)", "#f-security_measures": "Besoin d'en connaître, trace vérifiable"}
	for sel, v := range fields {
		b.run("type "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	// A review date already passed: the entry is flagged.
	b.run("review date", chromedp.SetValue(chromedp.CSS(`#f-review_due`), "2020-01-01"))
	b.loads("save", chromedp.Click(chromedp.CSS(`#save`)))
	b.mustSee("#entry-status", "revue échue")
	b.mustSee("h1", "Centre de contacts")

	// A change: version 2, and the history shows what changed.
	b.run("change retention", chromedp.Clear(chromedp.CSS(`#f-retention`)), chromedp.SendKeys(chromedp.CSS(`#f-retention`), "Trois mois (R3)"))
	b.loads("save again", chromedp.Click(chromedp.CSS(`#save`)))
	b.mustSee("h1", "Version 2")
	b.loads("history", chromedp.Click(chromedp.CSS(`#history-link`)))
	if n := b.count(`section.version`); n != 2 {
		t.Errorf("history shows %d versions, want 2", n)
	}
	b.mustSee(`#v2 dd.changed`, "Trois mois (R3)")
	b.mustSee(`#v1`, "Un mois (R2)")
	b.screenshot("register-history")

	// The list highlights it; the exports carry it.
	b.run("list", chromedp.Navigate(f.ts.URL+"/registers/processing"), chromedp.WaitVisible(chromedp.CSS(`#entries`)))
	if n := b.count(`tr.status-review_overdue`); n != 1 {
		t.Errorf("%d overdue rows highlighted, want 1", n)
	}
	b.run("reminders", chromedp.Navigate(f.ts.URL+"/registers"), chromedp.WaitVisible(chromedp.CSS(`#reminders`)))
	b.mustSee("#reminders", "Centre de contacts")
	fetch := func(path string) (string, error) {
		return chromedp.Run(b.ctx, chromedp.Evaluate[string]("(() => { const x = new XMLHttpRequest(); x.open('GET', '"+path+"', false); x.send(); return x.responseText })()"))
	}
	jsonText, err := fetch("/registers/processing/export.json")
	if err != nil || !strings.Contains(jsonText, `"version": 2`) || !strings.Contains(jsonText, "Un mois (R2)") {
		t.Errorf("json export with history = %q, %v", jsonText, err)
	}
	csvText, err := fetch("/registers/processing/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvText, "Trois mois (R3)") || !strings.HasPrefix(csvText, "id,version,title,status") {
		t.Errorf("csv export from the browser = %q", csvText)
	}

	// Delete: gone from the list, kept in the history.
	b.run("back to entry", chromedp.Navigate(f.ts.URL+"/registers/processing"), chromedp.WaitVisible(chromedp.CSS(`#entries a`)))
	b.loads("open entry", chromedp.Click(chromedp.CSS(`#entries a`)))
	b.loads("delete", chromedp.Click(chromedp.CSS(`#delete`)))
	b.mustSee("main", "Ce registre est vide.")
}
