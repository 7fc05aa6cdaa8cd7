// Package textfold turns names and streets into keys that compare without
// regard to case, accents or punctuation ("Gérard" and "gerard" match).
package textfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold turns a name or street into its search key: lower case, accents
// stripped, letters and digits only, words separated by one space.
// "Gérard-Marie  D'Hondt" → "gerard marie d hondt". Punctuation, apostrophes
// included, separates words, so "Rue de l'Église" is found by "rue de l eg"
// as well as by "rue de l'ég".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent
			continue
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := foldSpecial[r]; ok {
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteString(f)
				continue
			}
			r = unicode.ToLower(r)
		default:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// foldSpecial holds letters that Unicode does not decompose into a base
// letter and an accent.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ı': "i", 'þ': "th", 'Þ': "th",
}
