package textfold

import "testing"

// TestStreetMatches: issue 15, item 6 — a street is found without its type,
// with abbreviations and without accents; never from the middle of a word.
func TestStreetMatches(t *testing.T) {
	for _, tc := range []struct {
		typed, street string
		want          bool
	}{
		{"Sainte-Walburge", "Rue Sainte-Walburge", true},
		{"sainte walburge", "Rue Sainte-Walburge", true},
		{"rue sainte walburge", "Rue Sainte-Walburge", true},
		{"R. Ste-Walburge", "Rue Sainte-Walburge", true},
		{"ste walb", "Rue Sainte-Walburge", true},
		{"eglise", "Rue de l'Église", true},
		{"r de l'égl", "Rue de l'Église", true},
		{"bd d'avroy", "Boulevard d'Avroy", true},
		{"av", "Avenue Louise", true},
		{"av louise", "Avenue Louise", true},
		{"louise", "Avenue Louise", true},
		{"avenue sainte walburge", "Rue Sainte-Walburge", false}, // another type
		{"glise", "Rue de l'Église", false},                      // not from the middle of a word
		{"walburge", "Rue Sainte-Walburge", false},               // words in order, from the first
		{"", "Rue Sainte-Walburge", false},
		{"sainte walburge haute", "Rue Sainte-Walburge", false},
	} {
		if got := StreetMatches(StreetWords(tc.typed), Fold(tc.street)); got != tc.want {
			t.Errorf("StreetMatches(%q, %q) = %v, want %v", tc.typed, tc.street, got, tc.want)
		}
	}
}

func TestStreetCore(t *testing.T) {
	for in, want := range map[string]string{
		"Rue de l'Église": "eglise", "Boulevard d'Avroy": "avroy", "Sainte-Walburge": "sainte walburge",
		"r. des Champs": "champs", "Rue": "rue", "Place de la Gare": "gare", "Kerkstraat": "kerkstraat",
	} {
		if got := StreetCore(in); got != want {
			t.Errorf("StreetCore(%q) = %q, want %q", in, got, want)
		}
	}
}
