package redact

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names: the customer's and those of the people known in the interaction
// are given (Options.Names); an occurrence of one of their words is a
// name when it is written as one (capitalised, not after an article), next
// to another of their words or after a title, or when the whole text is in
// lower case (speech-to-text). Names spelled letter by letter ("D U P O N
// T") and one-letter slips of long names are found too.

// particles belong to a family name but are no name alone.
var particles = map[string]bool{"de": true, "van": true, "der": true, "den": true, "von": true, "du": true, "la": true, "le": true,
	"d": true, "t": true, "ten": true, "ter": true, "vanden": true, "vander": true, "zu": true, "di": true, "del": true, "da": true}

var titles = map[string]bool{"m": true, "mr": true, "mme": true, "mlle": true, "monsieur": true, "madame": true, "mademoiselle": true,
	"meneer": true, "mevrouw": true, "mevr": true, "dhr": true, "herr": true, "frau": true, "mrs": true, "ms": true, "miss": true,
	"dr": true, "docteur": true, "dokter": true, "maitre": true, "me": true, "sir": true}

// determiners before a capitalised word make it a German noun ("der
// Wolf", "ein Vogel"), not a name. Only German capitalises nouns: in the
// other languages a capitalised word after an article is still a name.
var determiners = map[string]bool{"der": true, "die": true, "das": true, "dem": true, "den": true, "des": true, "ein": true, "eine": true,
	"einen": true, "einem": true, "einer": true, "kein": true, "keine": true, "mein": true, "meine": true, "dieser": true, "diese": true}

func names(text string, ws []word, known []string) []Span {
	keys := map[string]bool{}
	for _, n := range known {
		for _, w := range words(n) {
			if f := fold(w.text); len(f) >= 2 && !particles[f] {
				keys[f] = true
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	lower := strings.ToLower(text) == text
	isName := make([]bool, len(ws))
	match := make([]bool, len(ws))
	for i, w := range ws {
		if w.digits {
			continue
		}
		f := fold(w.text)
		if keys[f] {
			match[i] = true
			continue
		}
		if len(f) >= 5 && capitalised(w.text) {
			for k := range keys {
				if len(k) >= 5 && editDistanceAtMostOne(f, k) {
					match[i] = true
					break
				}
			}
		}
	}
	for i, w := range ws {
		if !match[i] {
			continue
		}
		adjacent := i > 0 && match[i-1] && nameGap(w.gap) || i+1 < len(ws) && match[i+1] && nameGap(ws[i+1].gap)
		titled := i > 0 && titles[fold(ws[i-1].text)] && nameGap(w.gap+" ")
		det := i > 0 && determiners[fold(ws[i-1].text)] && nameGap(w.gap)
		if adjacent || titled || lower || capitalised(w.text) && !det {
			isName[i] = true
		}
	}
	var out []Span
	for i := 0; i < len(ws); i++ {
		if !isName[i] {
			continue
		}
		start := ws[i].start
		// the family name's particles before it: "van den Berg", "de Smet"
		for j := i - 1; j >= 0 && particles[fold(ws[j].text)] && nameGap(ws[j+1].gap) && strings.TrimSpace(ws[j+1].gap) != "," && j >= i-2; j-- {
			start = ws[j].start
		}
		out = append(out, Span{start, ws[i].end, Name})
	}
	out = append(out, spelled(text, ws, keys)...)
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return mergeNames(text, out)
}

// spelled finds a known name spelled letter by letter: single letters
// separated by spaces, dots or dashes.
func spelled(text string, ws []word, keys map[string]bool) []Span {
	var out []Span
	for i := 0; i < len(ws); i++ {
		if utf8.RuneCountInString(ws[i].text) != 1 || ws[i].digits {
			continue
		}
		j, key := i, ""
		for j < len(ws) && utf8.RuneCountInString(ws[j].text) == 1 && !ws[j].digits && (j == i || strings.Trim(ws[j].gap, " .-") == "") {
			key += fold(ws[j].text)
			j++
			if len(key) >= 3 && keys[key] {
				out = append(out, Span{ws[i].start, ws[j-1].end, Name})
				i = j - 1
				break
			}
		}
	}
	return out
}

// mergeNames joins name spans separated by a space or a hyphen only
// ("Jean-Pierre Dupont" is one name).
func mergeNames(text string, spans []Span) []Span {
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start >= out[n-1].End && strings.Trim(text[out[n-1].End:s.Start], " -") == "" {
			out[n-1].End = s.End
			continue
		}
		out = append(out, s)
	}
	return out
}

func nameGap(g string) bool { return len(g) <= 3 && strings.Trim(g, " -.\u00a0'’") == "" }

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// editDistanceAtMostOne: one letter replaced, added or removed.
func editDistanceAtMostOne(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
