package textfold_test

import (
	"testing"

	"github.com/coupole/coupole/textfold"
)

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Gérard":                  "gerard",
		"  ÉLOÏSE   Van-den Berg": "eloise van den berg",
		"D'Hondt":                 "d hondt",
		"Straße Œuvre Ærø":        "strasse oeuvre aero",
		"Rue de l’Église 12":      "rue de l eglise 12",
		"-'":                      "",
	}
	for in, want := range tests {
		if got := textfold.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
