package web

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestBrowserCharterStopsNewJoiner: S1 — once the charter is published, a
// staff member who never acknowledged it (here the demo advisor, new to
// the contact center) is stopped at the charter when they open a call, in
// French, and let through after acknowledging it.
func TestBrowserCharterStopsNewJoiner(t *testing.T) {
	b := mustBrowser(t)
	db := sqltest.MustOpenSQLite(t)
	storetest.MustLoad(t, db, storetest.Fixture())
	f := mustFixture(t, db, AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	texts := map[coupole.Language]string{
		coupole.French:  "1. Je n'ouvre les données d'un client que pour traiter sa demande.\n2. Je ne communique une donnée qu'à qui y a droit.",
		coupole.Dutch:   "1. Ik open klantgegevens alleen om de vraag te behandelen.",
		coupole.German:  "1. Ich öffne Kundendaten nur, um das Anliegen zu bearbeiten.",
		coupole.English: "1. I open a customer's data only to handle their request.",
	}
	if _, err := f.access.charters.Publish(t.Context(), "demo-privacy-officer", "2026.1", texts); err != nil {
		t.Fatal(err)
	}
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-advisor")
	b.mustSee("main", "La charte de confidentialité attend votre acceptation")
	// Opening a call reads customer data: the charter comes first.
	b.loads("open a call", chromedp.Click(chromedp.CSS(`input[name=channel][value=phone]`)), chromedp.Click(chromedp.CSS(`input[name=requester][value=customer]`)),
		chromedp.Click(chromedp.CSS(`#open-interaction`)))
	b.mustSee("h1", "Charte de confidentialité")
	b.mustSee("#charter-status", "Avant d'ouvrir des données clients")
	b.mustSee("#charter-text", "Je n'ouvre les données d'un client")
	b.screenshot("charter")
	b.tick(`#charter-read`)
	b.loads("acknowledge", chromedp.Click(chromedp.CSS(`#charter-ack`)))
	b.mustSee("#charter-status", "Vous avez accepté la version 2026.1")
	// Now the call opens.
	b.run("open a call again", chromedp.Navigate(f.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#open-interaction`)),
		chromedp.Click(chromedp.CSS(`input[name=channel][value=phone]`)), chromedp.Click(chromedp.CSS(`input[name=requester][value=customer]`)),
		chromedp.Click(chromedp.CSS(`#open-interaction`)), chromedp.WaitVisible(chromedp.CSS(`#by-ean`)))
}

// TestBrowserValidationAndReview: S5 — the service delivery manager sees
// the role IT granted in the validation queue and validates it; starts a
// review campaign, keeps one role and sees the progress; in French.
func TestBrowserValidationAndReview(t *testing.T) {
	b := mustBrowser(t)
	db := sqltest.MustOpenSQLite(t)
	f := mustFixture(t, db, AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ana, err := f.access.Lifecycle.Join(ctx, "scim:entra", coupole.StaffProfile{Login: "ana.dubois@example.be", DisplayName: "Ana Dubois", Language: coupole.French}, []coupole.Role{coupole.RoleAdvisor})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.access.Lifecycle.SetRoles(ctx, "demo-it-admin", ana.ID, []coupole.Role{coupole.RoleAdvisor, coupole.RoleBackOffice}, coupole.SourceScreen); err != nil {
		t.Fatal(err)
	}
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-service-delivery-manager")
	b.loads("open the queue", chromedp.Click(chromedp.CSS(`a[href="/governance/validations"]`)))
	b.mustSee("h1", "Validation des accès accordés par l'informatique")
	if n := b.count(`#validation-queue tbody tr`); n != 2 {
		t.Fatalf("queue shows %d grants, want 2 (advisor from SCIM, back office from the screen)", n)
	}
	b.mustSee("#validation-queue", "Ana Dubois", "Back-office", "SCIM", "écran d'administration")
	b.screenshot("validation-queue")
	b.loads("validate the first", chromedp.Click(chromedp.CSS(`#validation-queue tbody tr:first-child button.validate`)))
	b.mustSee("main", "Accès validé.")
	if n := b.count(`#validation-queue tbody tr`); n != 1 {
		t.Errorf("queue shows %d grants after a validation, want 1", n)
	}

	b.loads("open reviews", chromedp.Click(chromedp.CSS(`a[href="/governance/reviews"]`)))
	b.mustSee("#review-none", "Aucune campagne")
	b.loads("start a campaign", chromedp.Click(chromedp.CSS(`#review-start`)))
	b.mustSee("main", "Campagne lancée.")
	b.loads("keep a role", chromedp.Click(chromedp.CSS(`#review-items tbody tr:first-child button.keep`)))
	b.mustSee("main", "Rôle gardé.")
	b.mustSee("#review-progress", "50 % fait : 1 gardés, 0 retirés, 1 en attente sur 2.")
	b.mustSee("#review-reminder", "Accès attendant votre revue : 1.")
	b.screenshot("access-review")
}

// TestBrowserAwarenessForm: S1 — the privacy officer records an awareness
// campaign with its attendance on the charter page, in French, and sees it
// listed after the redirect.
func TestBrowserAwarenessForm(t *testing.T) {
	b := mustBrowser(t)
	db := sqltest.MustOpenSQLite(t)
	f := mustFixture(t, db, AuthConfig{Demo: true})
	if _, err := EnsureDemoAccounts(t.Context(), f.db, f.clock); err != nil {
		t.Fatal(err)
	}
	b.base = f.ts.URL
	b.signInDemo(f.ts.URL, "demo-privacy-officer")
	b.run("open the charter page", chromedp.Navigate(f.ts.URL+"/governance/charter"), chromedp.WaitVisible(chromedp.CSS(`#awareness-form`)))
	b.mustSee("#aw-add-h", "Enregistrer une campagne")
	b.loads("record a campaign",
		chromedp.SendKeys(chromedp.CSS(`#aw-title`), "Le secret au téléphone"),
		chromedp.SetValue(chromedp.CSS(`#aw-date`), "2026-11-20"),
		chromedp.SendKeys(chromedp.CSS(`#aw-audience`), "conseillers"),
		chromedp.SendKeys(chromedp.CSS(`#aw-attendees`), "demo-advisor, demo-back-office"),
		chromedp.Click(chromedp.CSS(`#awareness-record`)))
	b.mustSee("main", "Campagne enregistrée")
	b.mustSee("#awareness", "Le secret au téléphone", "conseillers")
	list, err := db.ListAwareness(t.Context())
	if err != nil || len(list) != 1 || len(list[0].Attendees) != 2 || list[0].RecordedBy != "demo-privacy-officer" {
		t.Errorf("recorded: %+v, %v", list, err)
	}
}
