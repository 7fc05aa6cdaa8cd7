package web

import (
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// AlertReason words an alert's reason in the reader's language from its
// facts (issue 16: reviewers read French first). An alert raised before
// facts were kept, or of a kind the catalogue does not word, shows its
// stored English sentence.
func AlertReason(lang coupole.Language, al interaction.AlertView) string {
	key := "alerts.reason." + al.Kind
	text, ok := Messages[key]
	if !ok || len(al.ReasonFacts) == 0 && strings.Contains(text[coupole.French], "{") {
		return al.Reason
	}
	args := make([]string, 0, 2*len(al.ReasonFacts)+2)
	for name, v := range al.ReasonFacts {
		args = append(args, "{"+name+"}", alertFact(lang, name, v))
	}
	if at, err := time.Parse(time.RFC3339, al.ReasonFacts["hour_at"]); err == nil {
		args = append(args, "{hour_to}", at.Add(time.Hour).In(brussels).Format("15:04"))
	}
	return strings.NewReplacer(args...).Replace(Message(lang, key))
}

// alertFact writes one fact the way the page writes such values: times in
// Brussels as dd/mm/yyyy hh:mm, the decimal comma outside English, flags
// by their name.
func alertFact(lang coupole.Language, name, v string) string {
	switch {
	case name == "flag":
		return Message(lang, "alerts.flag."+v)
	case strings.HasSuffix(name, "at"):
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.In(brussels).Format("02/01/2006 15:04")
		}
	case strings.Contains(v, ".") && lang != coupole.English && isDecimal(v):
		return strings.Replace(v, ".", ",", 1)
	}
	return v
}

func isDecimal(v string) bool {
	for _, r := range v {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return false
		}
	}
	return true
}
