package redact

import (
	"strings"

	"github.com/coupole/coupole/textfold"
)

// Numbers read out in words (G5: "zéro quatre septante-cinq…"): each
// language's words for 0–99, so that a run of them gives the digits an
// advisor would have typed. A unit word gives one digit, a number from 10
// to 99 two.

var units = map[string]int{
	// French
	"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
	// Dutch
	"nul": 0, "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
	// German
	"null": 0, "eins": 1, "ein": 1, "zwei": 2, "zwo": 2, "drei": 3, "funf": 5, "fuenf": 5, "sechs": 6, "sieben": 7, "neun": 9,
	// English
	"oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9,
}

var teens = map[string]int{
	"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
	"tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19,
	"zehn": 10, "zwolf": 12, "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}

var tens = map[string]int{
	"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
	"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80, "negentig": 90,
	"zwanzig": 20, "dreissig": 30, "dreiig": 30, "vierzig": 40, "funfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90,
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

// ambiguous unit words are also articles or pronouns ("un compteur", "een
// meter", "ein Zähler", "one of them"): they count as digits only between
// other numbers.
var ambiguous = map[string]bool{"un": true, "une": true, "een": true, "ein": true, "one": true, "oh": true, "neuf": true, "elf": true}

// fold is the key of a word for the tables above.
func fold(w string) string {
	f := textfold.Fold(w)
	f = strings.ReplaceAll(f, "ss", "ss") // textfold maps ß to ss
	return strings.ReplaceAll(f, " ", "")
}

// compound parses the one-word numbers of Dutch and German, units before
// tens: "vijfenzeventig" (75), "fünfundsiebzig" (75), "eenentwintig" (21).
func compound(f string) (int, bool) {
	for _, sep := range []string{"en", "und"} {
		for u, uv := range units {
			if uv == 0 || !strings.HasPrefix(f, u+sep) {
				continue
			}
			if tv, ok := tens[strings.TrimPrefix(f, u+sep)]; ok {
				return tv + uv, true
			}
		}
	}
	// "eenentwintig" folds "één" to "een"; "einundzwanzig" has "ein".
	return 0, false
}

// word is one word's value: a unit (0–9), a teen (10–19), tens or a
// compound; kind says which.
func wordValue(w string) (v int, kind byte, ok bool) {
	f := fold(w)
	if v, ok := units[f]; ok {
		return v, 'u', true
	}
	if v, ok := teens[f]; ok {
		return v, 't', true
	}
	if v, ok := tens[f]; ok {
		return v, 'x', true
	}
	if v, ok := compound(f); ok {
		return v, 'c', true
	}
	return 0, 0, false
}

// readNumber reads one number (0–99) spoken in words starting at word i
// of ws, joined by hyphens, spaces or "et"/"and"; it returns its digits
// and the index after it.
func readNumber(ws []word, i int) (digits string, next int, ok bool) {
	v, kind, ok := wordValue(ws[i].text)
	if !ok {
		return "", i, false
	}
	next = i + 1
	peek := func(j int) (int, byte, bool) {
		if j >= len(ws) || !ws[j].joinable {
			return 0, 0, false
		}
		return wordValue(ws[j].text)
	}
	isWord := func(j int, set ...string) bool {
		if j >= len(ws) || !ws[j].joinable {
			return false
		}
		f := fold(ws[j].text)
		for _, s := range set {
			if f == s {
				return true
			}
		}
		return false
	}
	switch kind {
	case 'x':
		// quatre-vingt(s) is handled from "quatre"; here: tens [et|and] unit/teen.
		j := next
		if isWord(j, "et", "and") {
			j++
		}
		if u, k, ok := peek(j); ok && (k == 'u' && u > 0 || k == 't' && v == 60) {
			v, next = v+u, j+1
		}
	case 'u':
		// French "quatre-vingt(s)", "quatre-vingt-dix…", "dix-sept".
		if v == 4 && isWord(next, "vingt", "vingts") {
			v, next = 80, next+1
			if u, k, ok := peek(next); ok && (k == 'u' && u > 0 || k == 't') {
				v, next = v+u, next+1
			}
		}
	case 't':
		if v == 10 {
			if u, k, ok := peek(next); ok && k == 'u' && u >= 7 {
				v, next = 10+u, next+1
			}
		}
	}
	// Hundreds: "quatre cent septante-cinq", "four hundred and five".
	if (kind == 'u' && v > 0 && v < 10 || fold(ws[i].text) == "cent") && (isWord(next, hundreds...) || fold(ws[i].text) == "cent") {
		h := v
		if fold(ws[i].text) == "cent" {
			h = 1
		} else {
			next++
		}
		rest := 0
		j := next
		if isWord(j, "and", "en", "und") {
			j++
		}
		if j < len(ws) && ws[j].joinable {
			if d, n2, ok := readNumber(ws, j); ok && !isWord(j, hundreds...) {
				rest, next = atoi(d), n2
			}
		}
		return itoa3(h*100 + rest), next, true
	}
	if v < 10 && kind == 'u' {
		return string(rune('0' + v)), next, true
	}
	return string([]byte{byte('0' + v/10), byte('0' + v%10)}), next, true
}

var hundreds = []string{"cent", "cents", "honderd", "hundert", "hundred"}

func atoi(d string) int {
	n := 0
	for _, c := range d {
		n = n*10 + int(c-'0')
	}
	return n
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
}
