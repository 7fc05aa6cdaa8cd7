package web

import (
	"testing"

	"github.com/coupole/coupole"
)

// TestDeskFormats: issue 15, items 4, 5 and 7 — dates and numbers in the
// screen's language, a colon without a French space outside French, and
// the sentence to read out without requirement codes.
func TestDeskFormats(t *testing.T) {
	for _, tc := range []struct {
		lang                  coupole.Language
		day, number, colonStr string
	}{
		{coupole.French, "10/01/2024", "69\u202f088,5", "\u00a0:"},
		{coupole.Dutch, "10/01/2024", "69.088,5", ":"},
		{coupole.German, "10.01.2024", "69.088,5", ":"},
		{coupole.English, "10/01/2024", "69,088.5", ":"},
	} {
		if got := dayIn(tc.lang, "2024-01-10"); got != tc.day {
			t.Errorf("%s: day = %q, want %q", tc.lang, got, tc.day)
		}
		if got := numberIn(tc.lang, 69088.5); got != tc.number {
			t.Errorf("%s: number = %q, want %q", tc.lang, got, tc.number)
		}
		if got := colon(tc.lang); got != tc.colonStr {
			t.Errorf("%s: colon = %q, want %q", tc.lang, got, tc.colonStr)
		}
	}
	for in, want := range map[string]string{
		"L'EAN est envoyé par SMS (D4).":                       "L'EAN est envoyé par SMS.",
		"Refusé : pas de lien avec le point d'accès (D1, D8).": "Refusé : pas de lien avec le point d'accès.",
		"Sans identification (D9). Dites-le.":                  "Sans identification. Dites-le.",
		"Rien à retirer (par exemple 2 kWh).":                  "Rien à retirer (par exemple 2 kWh).",
	} {
		if got := withoutCodes(in); got != want {
			t.Errorf("withoutCodes(%q) = %q, want %q", in, got, want)
		}
	}
}
