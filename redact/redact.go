// Package redact removes personal identifiers from a call transcript or a
// message text in French, Dutch, German or English (G5): EANs (with their
// check digit), meter numbers, Belgian and international phone numbers,
// e-mail addresses, IBANs (mod 97), Belgian national register numbers
// (check digits), postal addresses, and the names of the customer and the
// people known in the interaction. Each is replaced by a typed placeholder
// ("[EAN]", "[PHONE]"…). Numbers read out in words and spaced digits are
// recognised; see docs/oversight.md for what is not.
package redact

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coupole/coupole"
)

// Kind is the type of an identifier, as its placeholder shows it.
type Kind string

// The kinds of identifiers removed.
const (
	EAN     Kind = "EAN"
	Meter   Kind = "METER"
	Phone   Kind = "PHONE"
	Email   Kind = "EMAIL"
	IBAN    Kind = "IBAN"
	NRN     Kind = "NRN" // Belgian national register number
	Address Kind = "ADDRESS"
	Name    Kind = "NAME"
)

// Kinds lists every kind; Structured those that are not names.
var (
	Kinds      = []Kind{EAN, Meter, Phone, Email, IBAN, NRN, Address, Name}
	Structured = []Kind{EAN, Meter, Phone, Email, IBAN, NRN, Address}
)

// Placeholder is what replaces an identifier of kind k.
func (k Kind) Placeholder() string { return "[" + string(k) + "]" }

// Span is one identifier found: text[Start:End] (byte offsets).
type Span struct {
	Start, End int
	Kind       Kind
}

// Options are what is known of the interaction: the names of the customer
// and of the people it names (mandataries, relatives, the caller).
type Options struct {
	Names []string
}

// Result is a redacted text and what was removed (kinds and offsets in the
// original, never the identifiers themselves).
type Result struct {
	Text  string
	Spans []Span
}

// Counts returns how many identifiers of each kind were removed.
func (r Result) Counts() map[Kind]int {
	out := map[Kind]int{}
	for _, s := range r.Spans {
		out[s.Kind]++
	}
	return out
}

// Text redacts text.
func Text(text string, o Options) Result {
	spans := Find(text, o)
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.Start])
		b.WriteString(s.Kind.Placeholder())
		last = s.End
	}
	b.WriteString(text[last:])
	return Result{Text: b.String(), Spans: spans}
}

// Find returns the identifiers of text, in order, without overlaps.
func Find(text string, o Options) []Span {
	var spans []Span
	add := func(k Kind, start, end int) {
		if start < end {
			spans = append(spans, Span{start, end, k})
		}
	}
	for _, m := range emailRE.FindAllStringIndex(text, -1) {
		add(Email, m[0], m[1])
	}
	for _, m := range spokenEmailRE.FindAllStringIndex(text, -1) {
		add(Email, m[0], m[1])
	}
	for _, m := range ibanRE.FindAllStringIndex(text, -1) {
		// The pattern may take in a following word ("… s'il"): the IBAN is
		// the longest prefix that passes mod 97.
		for end := m[1]; end > m[0]+14; end-- {
			if isAlnum(text[end-1]) && (end == len(text) || !isAlnum(text[end])) && validIBAN(text[m[0]:end]) {
				add(IBAN, m[0], end)
				break
			}
		}
	}
	ws := words(text)
	spans = append(spans, numberRuns(text, ws)...)
	spans = append(spans, meters(text, ws)...)
	for _, re := range addressREs {
		for _, m := range re.FindAllStringIndex(text, -1) {
			add(Address, m[0], m[1])
		}
	}
	for _, m := range postcodeTownRE.FindAllStringSubmatchIndex(text, -1) {
		if town := text[m[4]:m[5]]; !notTown[fold(town)] {
			add(Address, m[2], m[5])
		}
	}
	spans = append(spans, names(text, ws, o.Names)...)
	return resolve(spans)
}

// resolve keeps, among overlapping spans, the one starting first (the
// longest when they start together), then merges adjacent spans of a kind.
func resolve(spans []Span) []Span {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			if s.End > out[n-1].End && s.Kind == out[n-1].Kind {
				out[n-1].End = s.End
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// --- words ---

// word is a run of letters or of digits in the text, with its offsets;
// joinable says it follows the previous word after spaces or a hyphen
// only (a spoken number may continue).
type word struct {
	text       string
	start, end int
	digits     bool
	joinable   bool
	gap        string // the text between the previous word and this one
}

func words(text string) []word {
	var out []word
	i := 0
	prevEnd := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		isL, isD := unicode.IsLetter(r), r >= '0' && r <= '9'
		if !isL && !isD {
			i += n
			continue
		}
		j := i
		for j < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if isD && !(r2 >= '0' && r2 <= '9') || isL && !unicode.IsLetter(r2) {
				break
			}
			j += n2
		}
		gap := text[prevEnd:i]
		out = append(out, word{text: text[i:j], start: i, end: j, digits: isD, gap: gap,
			joinable: len(out) > 0 && strings.Trim(gap, " -\u00a0") == ""})
		prevEnd, i = j, j
	}
	return out
}

// --- numbers: EAN, phone, national register, meter by context ---

// runGap is what may separate the parts of a number: spaces, dots, dashes,
// slashes, brackets and commas ("zéro quatre septante-cinq, douze…").
func runGap(g string) bool {
	return len(g) <= 4 && strings.Trim(g, " \u00a0.-/(),") == "" && strings.Count(g, ",") <= 1 && strings.Count(g, ".") <= 1
}

// numberRuns finds the runs of digits and number words and classifies
// their digits.
func numberRuns(text string, ws []word) []Span {
	var out []Span
	for i := 0; i < len(ws); {
		digits, end, next := readRun(ws, i)
		if digits == "" {
			i++
			continue
		}
		start := ws[i].start
		// "+32 …", not a structured payment reference "+++090/…+++"
		g := strings.TrimRight(ws[i].gap, " \u00a0")
		plus := strings.HasSuffix(g, "+") && !strings.HasSuffix(g, "++")
		if !plus && i > 0 && (fold(ws[i-1].text) == "plus") && ws[i].joinable {
			plus, start = true, ws[i-1].start
		}
		if plus && strings.HasSuffix(g, "+") {
			start = ws[i].start - len(ws[i].gap) + strings.LastIndex(ws[i].gap, "+")
		}
		if k, ok := classify(digits, plus, ws, i); ok {
			out = append(out, Span{start, end, k})
		}
		i = next
	}
	return out
}

// readRun reads the run starting at word i: its digits, its end offset
// and the index of the word after it.
func readRun(ws []word, i int) (string, int, int) {
	var b strings.Builder
	end, j := 0, i
	for j < len(ws) {
		if j > i && !runGap(ws[j].gap) {
			break
		}
		if ws[j].digits {
			b.WriteString(ws[j].text)
			end, j = ws[j].end, j+1
			continue
		}
		d, next, ok := readNumber(ws, j)
		if !ok {
			break
		}
		// An article or pronoun that is also a number counts only next to
		// other numbers.
		if next == j+1 && ambiguous[fold(ws[j].text)] {
			before := j > i
			after := next < len(ws) && runGap(ws[next].gap) && (ws[next].digits || isNumberWord(ws, next))
			if !before && !after {
				break
			}
		}
		b.WriteString(d)
		end, j = ws[next-1].end, next
	}
	if j == i {
		return "", 0, i + 1
	}
	return b.String(), end, j
}

func isNumberWord(ws []word, i int) bool {
	_, _, ok := wordValue(ws[i].text)
	return ok
}

// meterWords introduce a meter number in the four languages.
var meterWords = []string{"compteur", "meter", "teller", "zahler", "zaehler"}

// meterContext reports whether a meter word is among the five words
// before word i, closer than any phone word.
func meterContext(ws []word, i int) bool {
	m, p := contextDistance(ws, i, meterWords), contextDistance(ws, i, phoneWords)
	return m > 0 && (p == 0 || m <= p)
}

// contextDistance is how many words before word i the nearest of keys
// is (by prefix, or by suffix for the meter words of compounds such as
// "Stromzähler"), 0 if none among the five before it.
func contextDistance(ws []word, i int, keys []string) int {
	for j := i - 1; j >= 0 && j >= i-5; j-- {
		f := fold(ws[j].text)
		for _, k := range keys {
			if strings.HasPrefix(f, k) || len(k) > 5 && strings.HasSuffix(f, k) {
				return i - j
			}
		}
	}
	return 0
}

// units after a number make it a quantity, not an identifier.
var unitWords = map[string]bool{"kwh": true, "m3": true, "m": true, "eur": true, "euro": true, "euros": true, "kw": true, "w": true, "jours": true,
	"dagen": true, "tage": true, "days": true, "kilowattheure": true, "kilowattuur": true, "kilowattstunden": true, "litres": true, "liter": true, "l": true}

// unitFollows reports whether the run starting at word i is followed by a unit.
func unitFollows(ws []word, i int) bool {
	_, _, next := readRun(ws, i)
	return next < len(ws) && unitWords[fold(ws[next].text)]
}

func classify(d string, plus bool, ws []word, i int) (Kind, bool) {
	n := len(d)
	meter := n >= 5 && !plus && meterContext(ws, i) && !unitFollows(ws, i)
	switch {
	case n == 18 && coupole.GS1CheckDigit(d[:17]) == d[17]:
		return EAN, true
	case meter:
		return Meter, true
	case plus && n >= 8 && n <= 15:
		return Phone, true
	case n == 11 && validNRN(d):
		return NRN, true
	case strings.HasPrefix(d, "00") && n >= 11 && n <= 17:
		return Phone, true
	case strings.HasPrefix(d, "0") && (n == 9 || n == 10):
		return Phone, true
	case strings.HasPrefix(d, "32") && (n == 10 || n == 11) && phoneContext(ws, i):
		return Phone, true
	}
	return "", false
}

// phoneWords announce a phone number ("numéro", "Nummer" alone announce
// any number, a meter's too).
var phoneWords = []string{"telephone", "tel", "gsm", "phone", "mobile", "handy", "telefoon", "telefon", "portable", "rappel", "appel", "joindre",
	"bereik", "bel", "erreich", "ruf", "call", "ring", "reach"}

func phoneContext(ws []word, i int) bool { return contextDistance(ws, i, phoneWords) > 0 }

// validNRN checks a Belgian national register number: the last two digits
// are 97 minus the first nine modulo 97 (with a 2 before them for those
// born from 2000).
func validNRN(d string) bool {
	var n int64
	for _, c := range d[:9] {
		n = n*10 + int64(c-'0')
	}
	check := int64(d[9]-'0')*10 + int64(d[10]-'0')
	return check == 97-n%97 || check == 97-(2000000000+n)%97
}

// meters finds meter numbers that carry letters ("9876543A", "G555"…)
// or follow a meter word: the first token with at least three digits
// among the five words after it.
func meters(text string, ws []word) []Span {
	var out []Span
	for i := 0; i < len(ws); i++ {
		f := fold(ws[i].text)
		is := false
		for _, m := range meterWords {
			if strings.HasPrefix(f, m) || strings.HasSuffix(f, m) {
				is = true
			}
		}
		if !is {
			continue
		}
		for j := i + 1; j < len(ws) && j <= i+6; j++ {
			// an alphanumeric token: letters glued to digits
			s, e := ws[j].start, ws[j].end
			for e < len(text) && isAlnum(text[e]) {
				e++
			}
			for s > 0 && isAlnum(text[s-1]) {
				s--
			}
			tok := text[s:e]
			if countDigits(tok) >= 3 && countDigits(tok) < len(tok) {
				// extend over spaced digit groups ("12 34 567")
				k := j + 1
				for k < len(ws) && ws[k].digits && runGap(ws[k].gap) && !strings.Contains(ws[k].gap, ",") {
					e = ws[k].end
					k++
				}
				out = append(out, Span{s, e, Meter})
				break
			}
		}
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func countDigits(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

// --- e-mail and IBAN ---

var (
	emailRE       = regexp.MustCompile(`[\p{L}0-9._%+-]+@[\p{L}0-9-]+(?:\.[\p{L}0-9-]+)*\.\p{L}{2,}`)
	spokenEmailRE = regexp.MustCompile(`(?i)\b[\p{L}0-9_-]+(?:\s+(?:point|dot|punt|punkt|tiret|underscore)\s+[\p{L}0-9_-]+)*\s+(?:arobase|arrobase|at|apenstaartje|klammeraffe|at-teken)\s+[\p{L}0-9-]+(?:\s+(?:point|dot|punt|punkt)\s+[\p{L}]{2,})+\b`)
	ibanRE        = regexp.MustCompile(`(?i)\b[A-Z]{2}\d{2}(?:[ \-.]?[A-Z0-9]){11,30}\b`)
)

// validIBAN checks the mod-97 of an IBAN written with or without spaces.
func validIBAN(s string) bool {
	var b []byte
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			b = append(b, byte(unicode.ToUpper(rune(s[i]))))
		}
	}
	if len(b) < 15 || len(b) > 34 {
		return false
	}
	b = append(b[4:], b[:4]...)
	rem := 0
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}

// --- postal addresses ---

const (
	capWord  = `\p{Lu}[\p{L}'’\-]*`
	number   = `\d{1,4}(?:\s?[a-zA-Z]\b)?(?:\s*(?:bte|boîte|bus|box|b\.)\s*\d+[a-zA-Z]?)?`
	postTown = `(?:,?\s+\d{4}\s+` + capWord + `(?:[\s\-]` + capWord + `)*)?`
)

var addressREs = []*regexp.Regexp{
	// French: rue de l'Église 12, avenue Louise 54 bte 3, r. Sainte-Walburge 5
	regexp.MustCompile(`(?i:\b(?:rue|r\.|avenue|av\.|boulevard|bd|chaussée|chée|place|pl\.|chemin|allée|impasse|quai|square|drève|clos|sentier|route|rempart|faubourg|galerie|cité|voie))\s+(?:(?i:de la|de l'|de l’|du|des|de|d'|d’|la|le|les|l'|l’)\s*)?` + capWord + `(?:\s+(?:(?i:de|du|des|la|le|les|d'|l')\s*)?` + capWord + `)*,?\s+` + number + postTown),
	// Dutch and German: one word ending in its street type, then the number
	regexp.MustCompile(`\b\p{Lu}[\p{L}\-]*(?:straat|laan|weg|plein|steenweg|lei|dreef|kaai|markt|singel|baan|hof|pad|Straße|Strasse|straße|strasse|gasse|platz|allee|ring|damm|ufer)\s+` + number + postTown),
	// Dutch and German in two words: "Sint-Jansstraat", "Lange Nieuwstraat", "Aachener Straße"
	regexp.MustCompile(`\b` + capWord + `\s+(?:Straße|Strasse|Weg|Platz|Gasse|Allee|Ring|Steenweg|Laan|Plein|Lei|Dreef|Kaai|Markt)\s+` + number + postTown),
	// English: 12 Baker Street, 5 Green Lane
	regexp.MustCompile(`\b\d{1,4}\s+` + capWord + `(?:\s+` + capWord + `)*\s+(?:Street|St\.|Road|Rd\.|Avenue|Lane|Drive|Close|Way|Square|Place|Court|Crescent|Terrace)\b` + postTown),
}

// postcodeTownRE: a Belgian postcode and its town ("5000 Namur",
// "4040 Herstal"), when what follows the number is a capitalised word
// that is not a month, a title or a sentence's first word.
var postcodeTownRE = regexp.MustCompile(`(?:^|[^\d\p{L}])(([1-9]\d{3})\s+(` + capWord + `(?:-` + capWord + `)*))`)

var notTown = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
		januari februari maart april mei juni juli augustus oktober november december januar februar marz juni juli
		january february march may june july august october euro euros eur kwh m3 monsieur madame mevrouw meneer herr frau mr mrs ms
		je il elle nous vous ils ik hij zij wij ich er sie wir the i we he she they le la les de het der die das een ein
		lundi mardi mercredi jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
		montag dienstag mittwoch donnerstag freitag samstag sonntag monday tuesday wednesday thursday friday saturday sunday`) {
		notTown[w] = true
	}
}

// MaxTextBytes bounds one text to redact (a long call's transcript).
const MaxTextBytes = 1 << 20

// Response is a redaction as the API and `coupole redact --json` give it:
// the redacted text and how many identifiers of each kind were removed —
// never the identifiers.
type Response struct {
	Text    string         `json:"text"`
	Removed map[string]int `json:"removed"`
}

// NewResponse is the Response of a Result.
func NewResponse(r Result) Response {
	out := Response{Text: r.Text, Removed: map[string]int{}}
	for k, n := range r.Counts() {
		out.Removed[string(k)] = n
	}
	return out
}
