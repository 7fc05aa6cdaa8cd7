package email

import "github.com/coupole/coupole"

// wording is everything a customer reads in an e-mail, in one language.
// French is the reference; Dutch, German and English say the same
// (TestCatalogueIsComplete keeps every field filled in every language).
type wording struct {
	greetingName string // %s: the customer's name
	greeting     string // when the name is unknown
	closing      string
	signature    string
	reference    string // %s: the reference; the last line of every e-mail

	caseAnswerSubject string // %s: " — réf. X" or ""
	caseAnswerIntro   string

	contactChangedSubject string
	contactChanged        []string // the standard notice; %s in the first: the date
	contactChangedAdvice  string   // closes the notice, also after a Text
	refShort              string   // %s: the reference, in a subject
	dateTime              string   // time layout of a date and hour, Brussels time
}

// catalogue holds the wordings, French first.
var catalogue = map[coupole.Language]wording{
	coupole.French: {
		greetingName: "Bonjour %s,",
		greeting:     "Madame, Monsieur,",
		closing:      "Nous vous prions d'agréer nos salutations distinguées.",
		signature:    "Le service clientèle",
		reference:    "Référence à rappeler dans toute correspondance : %s",

		caseAnswerSubject: "Réponse à votre demande%s",
		caseAnswerIntro:   "Voici la réponse à votre demande.",

		contactChangedSubject: "Modification de vos coordonnées%s",
		contactChanged: []string{
			"Les coordonnées de contact enregistrées à votre nom (numéro de GSM, adresse e-mail, langue ou adresse de correspondance) ont été modifiées le %s.",
			"Ce message est envoyé à votre ancienne adresse e-mail pour vous en informer.",
		},
		contactChangedAdvice: "Si vous n'êtes pas à l'origine de cette modification, appelez-nous sans attendre au numéro de notre service clientèle indiqué sur notre site web ou sur vos factures — jamais à un numéro reçu par e-mail.",
		refShort:             " — réf. %s",
		dateTime:             "02/01/2006 à 15:04",
	},
	coupole.Dutch: {
		greetingName: "Beste %s,",
		greeting:     "Geachte mevrouw, geachte heer,",
		closing:      "Met vriendelijke groeten,",
		signature:    "De klantendienst",
		reference:    "Vermeld deze referentie in elke briefwisseling: %s",

		caseAnswerSubject: "Antwoord op uw aanvraag%s",
		caseAnswerIntro:   "Hierbij ons antwoord op uw aanvraag.",

		contactChangedSubject: "Wijziging van uw contactgegevens%s",
		contactChanged: []string{
			"De contactgegevens die op uw naam geregistreerd zijn (gsm-nummer, e-mailadres, taal of correspondentieadres) werden gewijzigd op %s.",
			"Dit bericht wordt naar uw vorige e-mailadres gestuurd, zodat u op de hoogte bent.",
		},
		contactChangedAdvice: "Hebt u deze wijziging niet zelf aangevraagd? Bel ons dan meteen op het nummer van onze klantendienst dat op onze website of op uw facturen staat — nooit op een nummer dat u per e-mail ontvangt.",
		refShort:             " — ref. %s",
		dateTime:             "02/01/2006 om 15:04",
	},
	coupole.German: {
		greetingName: "Guten Tag %s,",
		greeting:     "Sehr geehrte Damen und Herren,",
		closing:      "Mit freundlichen Grüßen",
		signature:    "Ihr Kundendienst",
		reference:    "Bitte geben Sie diese Referenz in jedem Schreiben an: %s",

		caseAnswerSubject: "Antwort auf Ihre Anfrage%s",
		caseAnswerIntro:   "Hier ist die Antwort auf Ihre Anfrage.",

		contactChangedSubject: "Änderung Ihrer Kontaktdaten%s",
		contactChanged: []string{
			"Die auf Ihren Namen hinterlegten Kontaktdaten (Mobilnummer, E-Mail-Adresse, Sprache oder Postanschrift) wurden am %s geändert.",
			"Diese Nachricht geht an Ihre bisherige E-Mail-Adresse, damit Sie davon erfahren.",
		},
		contactChangedAdvice: "Wenn Sie diese Änderung nicht veranlasst haben, rufen Sie uns bitte sofort unter der Nummer unseres Kundendienstes an, die auf unserer Website oder auf Ihren Rechnungen steht — niemals unter einer Nummer aus einer E-Mail.",
		refShort:             " — Ref. %s",
		dateTime:             "02.01.2006 um 15:04 Uhr",
	},
	coupole.English: {
		greetingName: "Dear %s,",
		greeting:     "Dear Sir or Madam,",
		closing:      "Kind regards,",
		signature:    "Customer service",
		reference:    "Please quote this reference in any correspondence: %s",

		caseAnswerSubject: "Answer to your request%s",
		caseAnswerIntro:   "Here is the answer to your request.",

		contactChangedSubject: "Your contact details were changed%s",
		contactChanged: []string{
			"The contact details registered in your name (mobile number, e-mail address, language or correspondence address) were changed on %s.",
			"This message is sent to your previous e-mail address so that you know about it.",
		},
		contactChangedAdvice: "If you did not ask for this change, call us at once on the customer service number shown on our website or on your bills — never on a number received by e-mail.",
		refShort:             " — ref. %s",
		dateTime:             "02/01/2006 at 15:04",
	},
}
