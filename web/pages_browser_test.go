package web

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coupole/coupole/sqlstore/sqltest"
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
