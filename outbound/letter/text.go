package letter

import (
	"fmt"
	"time"

	"github.com/coupole/coupole"
)

// wording is a letter's fixed text in one language. Customer-facing text
// is French first, then Dutch, German and English (DESIGN.md).
type wording struct {
	months     [12]string
	dateFormat string // day, month name, year: "%d %s %d"
	reference  string // "Réf." label
	salutation string
	subjectEAN string
	bodyEAN    string
	labelEAN   string
	subjectSup string
	bodySup    string
	labelSup   string
	subjectTxt string
	labelAddr  string // "Installation address" label
	closing    string
}

var wordings = map[coupole.Language]wording{
	coupole.French: {
		months:     [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		dateFormat: "%d %s %d",
		reference:  "Réf.",
		salutation: "Madame, Monsieur,",
		subjectEAN: "Votre code EAN",
		bodyEAN:    "À votre demande, nous vous communiquons le code EAN de votre point d'accès. Ce code de 18 chiffres identifie votre raccordement au réseau : votre fournisseur d'énergie vous le demandera pour tout contrat.",
		labelEAN:   "Code EAN",
		subjectSup: "Votre fournisseur d'énergie",
		bodySup:    "À votre demande, nous vous communiquons le nom du fournisseur d'énergie actif sur votre point d'accès pour la période de votre occupation.",
		labelSup:   "Fournisseur",
		subjectTxt: "Réponse à votre demande",
		labelAddr:  "Point d'accès",
		closing:    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
	},
	coupole.Dutch: {
		months:     [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		dateFormat: "%d %s %d",
		reference:  "Ref.",
		salutation: "Geachte mevrouw, geachte heer,",
		subjectEAN: "Uw EAN-code",
		bodyEAN:    "Op uw verzoek delen wij u de EAN-code van uw toegangspunt mee. Deze code van 18 cijfers identificeert uw aansluiting op het net: uw energieleverancier vraagt hem bij elk contract.",
		labelEAN:   "EAN-code",
		subjectSup: "Uw energieleverancier",
		bodySup:    "Op uw verzoek delen wij u de naam mee van de energieleverancier die actief is op uw toegangspunt voor de periode waarin u er woonde.",
		labelSup:   "Leverancier",
		subjectTxt: "Antwoord op uw aanvraag",
		labelAddr:  "Toegangspunt",
		closing:    "Met vriendelijke groeten.",
	},
	coupole.German: {
		months:     [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		dateFormat: "%d. %s %d",
		reference:  "Zeichen",
		salutation: "Sehr geehrte Damen und Herren,",
		subjectEAN: "Ihr EAN-Code",
		bodyEAN:    "Auf Ihre Anfrage hin teilen wir Ihnen den EAN-Code Ihres Anschlusspunktes mit. Dieser 18-stellige Code kennzeichnet Ihren Netzanschluss: Ihr Energielieferant fragt bei jedem Vertrag danach.",
		labelEAN:   "EAN-Code",
		subjectSup: "Ihr Energielieferant",
		bodySup:    "Auf Ihre Anfrage hin teilen wir Ihnen den Namen des Energielieferanten mit, der für den Zeitraum Ihrer Belegung an Ihrem Anschlusspunkt aktiv ist.",
		labelSup:   "Lieferant",
		subjectTxt: "Antwort auf Ihre Anfrage",
		labelAddr:  "Anschlusspunkt",
		closing:    "Mit freundlichen Grüßen",
	},
	coupole.English: {
		months:     [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		dateFormat: "%d %s %d",
		reference:  "Ref.",
		salutation: "Dear Sir or Madam,",
		subjectEAN: "Your EAN code",
		bodyEAN:    "As you asked, here is the EAN code of your access point. This 18-digit code identifies your connection to the grid: your energy supplier will ask for it for any contract.",
		labelEAN:   "EAN code",
		subjectSup: "Your energy supplier",
		bodySup:    "As you asked, here is the name of the energy supplier active on your access point for the period you lived there.",
		labelSup:   "Supplier",
		subjectTxt: "Answer to your request",
		labelAddr:  "Access point",
		closing:    "Yours faithfully,",
	},
}

// wordingFor returns the wording of lang, French when the language is
// unknown (the operator's first language).
func wordingFor(lang coupole.Language) wording {
	if w, ok := wordings[lang]; ok {
		return w
	}
	return wordings[coupole.French]
}

// formatDate writes d the way a letter in this language dates itself.
func (w wording) formatDate(d time.Time) string {
	return fmt.Sprintf(w.dateFormat, d.Day(), w.months[d.Month()-1], d.Year())
}
