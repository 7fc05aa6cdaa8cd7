package interaction

import (
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// noticeWords are the words of a contact-change notice in one language: the
// sentence (the date, then the fields changed), the date layout and the
// names of the fields.
type noticeWords struct {
	sentence string
	date     string
	fields   map[string]string
}

var noticeTexts = map[coupole.Language]noticeWords{
	coupole.French: {
		sentence: "Votre gestionnaire de réseau : les coordonnées de votre dossier ont été modifiées le %s (%s). Si ce n'était pas vous, appelez-nous.",
		date:     "02/01/2006",
		fields: map[string]string{coupole.ContactMobile: "numéro de mobile", coupole.ContactEmail: "adresse e-mail",
			coupole.ContactLanguage: "langue", coupole.ContactPostalAddress: "adresse de correspondance"},
	},
	coupole.Dutch: {
		sentence: "Uw netbeheerder: de contactgegevens van uw dossier werden gewijzigd op %s (%s). Was u dit niet? Bel ons.",
		date:     "02-01-2006",
		fields: map[string]string{coupole.ContactMobile: "gsm-nummer", coupole.ContactEmail: "e-mailadres",
			coupole.ContactLanguage: "taal", coupole.ContactPostalAddress: "correspondentieadres"},
	},
	coupole.German: {
		sentence: "Ihr Netzbetreiber: Die Kontaktdaten Ihres Vorgangs wurden am %s geändert (%s). Wenn Sie das nicht waren, rufen Sie uns an.",
		date:     "02.01.2006",
		fields: map[string]string{coupole.ContactMobile: "Mobilnummer", coupole.ContactEmail: "E-Mail-Adresse",
			coupole.ContactLanguage: "Sprache", coupole.ContactPostalAddress: "Korrespondenzadresse"},
	},
	coupole.English: {
		sentence: "Your grid operator: the contact details of your file were changed on %s (%s). If it was not you, call us.",
		date:     "2 January 2006",
		fields: map[string]string{coupole.ContactMobile: "mobile number", coupole.ContactEmail: "e-mail address",
			coupole.ContactLanguage: "language", coupole.ContactPostalAddress: "correspondence address"},
	},
}

// brussels is the time zone of the dates customers read.
var brussels = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Brussels"); err == nil {
		return l
	}
	return time.UTC
}()

// ContactNotice is the text that tells the holder of the previous mobile
// or e-mail address that the contact details changed (D7), in lang (French
// when unknown): on which day, which fields, and to call if it was not
// them. It holds no value, old or new.
func ContactNotice(lang coupole.Language, changed []string, at time.Time) string {
	w, ok := noticeTexts[lang]
	if !ok {
		w = noticeTexts[coupole.French]
	}
	names := make([]string, 0, len(changed))
	for _, f := range changed {
		names = append(names, w.fields[f])
	}
	return fmt.Sprintf(w.sentence, at.In(brussels).Format(w.date), strings.Join(names, ", "))
}
