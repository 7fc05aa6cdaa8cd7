package textfold

import "strings"

// Streets are searched the way people say them (issue 15, item 6): with or
// without their type ("Sainte-Walburge" for "Rue Sainte-Walburge"), with
// the usual abbreviations ("r.", "av.", "bd", "ste"), accents or not.

// streetAbbreviations are expanded word by word after folding.
var streetAbbreviations = map[string]string{
	"r": "rue", "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "boul": "boulevard", "bvd": "boulevard",
	"ch": "chaussee", "chee": "chaussee", "chss": "chaussee", "pl": "place", "sq": "square", "imp": "impasse", "rte": "route",
	"st": "saint", "ste": "sainte", "str": "straat", "stwg": "steenweg",
}

// streetTypes are the words that begin a street name and say what kind of
// street it is; articles follow them ("Rue de l'Église").
var streetTypes = map[string]bool{
	"rue": true, "avenue": true, "boulevard": true, "chaussee": true, "place": true, "square": true, "impasse": true,
	"route": true, "chemin": true, "quai": true, "allee": true, "clos": true, "dreve": true, "sentier": true, "ruelle": true,
	"cour": true, "passage": true, "voie": true, "straat": true, "laan": true, "steenweg": true, "plein": true, "strasse": true,
}

var articles = map[string]bool{"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "l": true, "d": true}

// StreetWords folds a street as typed and expands its abbreviations:
// "R. Ste-Walburge" → "rue sainte walburge".
func StreetWords(s string) string {
	words := strings.Fields(Fold(s))
	for i, w := range words {
		if full, ok := streetAbbreviations[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// StreetCore is a street without its type and the articles after it, the
// part people say: "Rue de l'Église" → "eglise", "Boulevard d'Avroy" →
// "avroy", "Sainte-Walburge" → "sainte walburge". A street that is nothing
// but a type and articles is its own core.
func StreetCore(s string) string {
	words := strings.Fields(StreetWords(s))
	i := 0
	if i < len(words) && streetTypes[words[i]] {
		i++
	}
	for i < len(words) && articles[words[i]] {
		i++
	}
	if i == len(words) {
		return strings.Join(words, " ")
	}
	return strings.Join(words[i:], " ")
}

// StreetMatches says whether the street typed (folded words, as
// StreetWords gives them) names street (a stored street key): the typed
// words begin the street's words in order, with or without the type and
// articles, the last typed word possibly cut short ("sainte walb" names
// "rue sainte walburge"). A typed type must be the street's.
func StreetMatches(typed, street string) bool {
	if typed == "" {
		return false
	}
	words := strings.Fields(typed)
	if wordsBegin(words, strings.Fields(street)) {
		return true
	}
	if len(words) > 1 && streetTypes[words[0]] {
		return false // "avenue x" is not "rue x"
	}
	return wordsBegin(strings.Fields(StreetCore(typed)), strings.Fields(StreetCore(street)))
}

// wordsBegin says whether each of typed is a prefix of the word of words at
// the same place: every word whole but the last.
func wordsBegin(typed, words []string) bool {
	if len(typed) == 0 || len(typed) > len(words) {
		return false
	}
	for i, w := range typed {
		if i < len(typed)-1 && w != words[i] || !strings.HasPrefix(words[i], w) {
			return false
		}
	}
	return true
}
