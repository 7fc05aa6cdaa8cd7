package email_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/email"
)

// Templates in four languages (issue 11, item 4), without a server.

// TestRenderEveryItemInEveryLanguage: each item reads in each language, in
// both parts, and its subject carries the reference and nothing personal.
func TestRenderEveryItemInEveryLanguage(t *testing.T) {
	for _, item := range []string{email.ItemCaseAnswer, email.ItemContactChanged} {
		seen := map[string]coupole.Language{} // subject → language: four distinct wordings
		for _, lang := range coupole.Languages {
			m := answer(lang)
			m.Item = item
			r, err := email.Render(m)
			if err != nil {
				t.Fatalf("%s/%s: %v", item, lang, err)
			}
			if r.Lang != lang {
				t.Errorf("%s/%s: Lang = %s", item, lang, r.Lang)
			}
			if !strings.HasSuffix(r.Subject, "BO-2026-000123") {
				t.Errorf("%s/%s: subject %q does not end with the reference", item, lang, r.Subject)
			}
			for _, personal := range []string{"Gérard", "Dupont", "5414", recipientOK} {
				if strings.Contains(r.Subject, personal) {
					t.Errorf("%s/%s: subject %q holds %q", item, lang, r.Subject, personal)
				}
			}
			if other, dup := seen[r.Subject]; dup {
				t.Errorf("%s: %s and %s share the subject %q: a translation is missing", item, other, lang, r.Subject)
			}
			seen[r.Subject] = lang
			if !strings.Contains(r.Text, "Gérard Dupont") || !strings.Contains(r.HTML, "Gérard Dupont") {
				t.Errorf("%s/%s: the greeting does not name the customer", item, lang)
			}
			if !strings.Contains(r.HTML, `<html lang="`+string(lang)+`">`) {
				t.Errorf("%s/%s: HTML without lang=%s", item, lang, lang)
			}
		}
	}
}

// TestRenderContactChanged: the standard notice when Text is empty, dated in
// Brussels time; the given Text otherwise; the advice to call the number
// on the website in both cases.
func TestRenderContactChanged(t *testing.T) {
	m := answer(coupole.French)
	m.Item, m.Text = email.ItemContactChanged, ""
	m.CreatedAt = time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC) // 2 July, 00:30 in Brussels (summer time)
	r, err := email.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ont été modifiées le 02/07/2026 à 00:30.", "ancienne adresse e-mail", "jamais à un numéro reçu par e-mail"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("standard notice lacks %q:\n%s", want, r.Text)
		}
	}
	m.Text = "Votre numéro de GSM a été modifié aujourd'hui."
	r, err = email.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, m.Text) || strings.Contains(r.Text, "ont été modifiées le") {
		t.Errorf("the given text does not replace the standard notice:\n%s", r.Text)
	}
	if !strings.Contains(r.Text, "jamais à un numéro reçu par e-mail") {
		t.Errorf("the advice is missing after a given text:\n%s", r.Text)
	}
}

// TestRenderRefuses: what cannot be written is Permanent, never a panic,
// and the error holds nothing personal.
func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *outbound.Message)
		says   string
	}{
		{"unknown item", func(m *outbound.Message) { m.Item = "meter_reading" }, `no e-mail is written for the item "meter_reading"`},
		{"the EAN alone: the policy sends it by SMS or letter", func(m *outbound.Message) { m.Item = "ean" }, `item "ean"`},
		{"no item", func(m *outbound.Message) { m.Item = "" }, `item ""`},
		{"an answer without text", func(m *outbound.Message) { m.Text = " \n\n " }, "has no text"},
		{"a reference that would break the subject", func(m *outbound.Message) { m.Reference = "BO-1\r\nBcc: x@evil.test" }, "is not a reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := answer(coupole.German)
			tt.change(&m)
			_, err := email.Render(m)
			if err == nil || !outbound.IsPermanent(err) {
				t.Fatalf("Render = %v, want a Permanent error", err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			for _, personal := range []string{recipientOK, "Dupont", "541448820000"} {
				if strings.Contains(err.Error(), personal) {
					t.Errorf("error %q holds %q", err, personal)
				}
			}
		})
	}
}

// TestRenderUnknownLanguageIsFrench: French is the default language.
func TestRenderUnknownLanguageIsFrench(t *testing.T) {
	for _, lang := range []coupole.Language{"", "it"} {
		m := answer(lang)
		r, err := email.Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Lang != coupole.French || !strings.HasPrefix(r.Subject, "Réponse à votre demande") {
			t.Errorf("Lang %q: rendered in %s, subject %q; want French", lang, r.Lang, r.Subject)
		}
	}
}

// TestRenderKeepsTheAnswerAsWritten: the back office's text keeps its lines
// in text/plain and is escaped in text/html; a name cannot add lines.
func TestRenderKeepsTheAnswerAsWritten(t *testing.T) {
	m := answer(coupole.English)
	m.Name = "Gérard\r\nDupont"
	m.Text = "Line one\r\nline two\r\n\r\n\r\n<b>bold</b> & \"quoted\""
	r, err := email.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dear Gérard Dupont,\n", "Line one\nline two\n\n<b>bold</b> & \"quoted\"\n"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	for _, want := range []string{"<p>Line one<br>line two</p>", "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;</p>"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
		}
	}
	if strings.Contains(r.HTML, "<b>") {
		t.Errorf("HTML holds the text's markup unescaped:\n%s", r.HTML)
	}
}
