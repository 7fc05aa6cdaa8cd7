package redact_test

import (
	"strings"
	"testing"

	"github.com/coupole/coupole/redact"
)

// TestTextReplacesWithTypedPlaceholders (G5): each identifier becomes its
// typed placeholder, the rest of the text stays as it was.
func TestTextReplacesWithTypedPlaceholders(t *testing.T) {
	for _, c := range []struct {
		in, want string
		names    []string
	}{
		{"Bonjour, ici Jean Dupont, EAN 541448820000010373, GSM +32 475 12 34 56.", "Bonjour, ici [NAME], EAN [EAN], GSM [PHONE].", []string{"Jean Dupont"}},
		{"Mail: els.janssens@telenet.be, IBAN BE68 5390 0754 7034.", "Mail: [EMAIL], IBAN [IBAN].", nil},
		{"Ich wohne in der Hauptstraße 12, 4700 Eupen.", "Ich wohne in der [ADDRESS].", nil},
		{"Le compteur porte le numéro 40123456.", "Le compteur porte le numéro [METER].", nil},
		{"Registre national 85.07.30-033.28.", "Registre national [NRN].", nil},
		// no identifier: unchanged, whatever its numbers
		{"La facture de 1 250 euros du 12/03/2024 porte sur 3 400 kWh.", "La facture de 1 250 euros du 12/03/2024 porte sur 3 400 kWh.", nil},
		// an EAN whose check digit is wrong is no EAN
		{"Code 541448820000010374.", "Code 541448820000010374.", nil},
		// a name that is also a word is a name only when written as one
		{"Le boulanger a vu Monsieur Boulanger.", "Le boulanger a vu Monsieur [NAME].", []string{"Luc Boulanger"}},
	} {
		got := redact.Text(c.in, redact.Options{Names: c.names})
		if got.Text != c.want {
			t.Errorf("Text(%q) = %q; want %q", c.in, got.Text, c.want)
		}
		if strings.Count(c.want, "[") != len(got.Spans) {
			t.Errorf("Text(%q): %d spans; want %d", c.in, len(got.Spans), strings.Count(c.want, "["))
		}
	}
}
