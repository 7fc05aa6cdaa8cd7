package web

import "github.com/coupole/coupole"

// Texts of the contact-details section of the interaction page (D7).

func init() {
	for k, v := range contactMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var contactMessages = map[string]map[coupole.Language]string{
	"item.contact_details": tr("Modification des coordonnées", "Wijziging van contactgegevens", "Änderung der Kontaktdaten", "Change of contact details"),

	"ia.contact": tr("Coordonnées du client", "Contactgegevens van de klant", "Kontaktdaten des Kunden", "Customer's contact details"),
	"ia.contact_hint": tr("Ne remplissez que ce qui change. Le numéro de mobile et l'adresse e-mail précédents reçoivent un avis ; un nouveau numéro ne reçoit rien pendant cet appel.",
		"Vul alleen in wat verandert. Het vorige gsm-nummer en e-mailadres krijgen een bericht; een nieuw nummer krijgt tijdens dit gesprek niets.",
		"Füllen Sie nur aus, was sich ändert. Die bisherige Mobilnummer und E-Mail-Adresse erhalten eine Mitteilung; eine neue Nummer erhält während dieses Gesprächs nichts.",
		"Fill in only what changes. The previous mobile number and e-mail address are notified; a new number receives nothing during this call."),
	"ia.contact_show":      tr("Afficher les coordonnées actuelles (masquées)", "Huidige gegevens tonen (gemaskeerd)", "Aktuelle Daten anzeigen (maskiert)", "Show the current details (masked)"),
	"ia.contact_current":   tr("Coordonnées actuelles", "Huidige gegevens", "Aktuelle Daten", "Current details"),
	"ia.contact_none":      tr("aucun(e)", "geen", "keine", "none"),
	"ia.contact_mobile":    tr("Numéro de mobile", "Gsm-nummer", "Mobilnummer", "Mobile number"),
	"ia.contact_email":     tr("Adresse e-mail", "E-mailadres", "E-Mail-Adresse", "E-mail address"),
	"ia.contact_language":  tr("Langue", "Taal", "Sprache", "Language"),
	"ia.contact_unchanged": tr("(inchangée)", "(ongewijzigd)", "(unverändert)", "(unchanged)"),
	"ia.contact_address":   tr("Adresse de correspondance", "Correspondentieadres", "Korrespondenzadresse", "Correspondence address"),
	"ia.contact_street":    tr("Rue", "Straat", "Straße", "Street"),
	"ia.contact_number":    tr("Numéro", "Huisnummer", "Hausnummer", "Number"),
	"ia.contact_box":       tr("Boîte", "Bus", "Briefkasten", "Box"),
	"ia.contact_postcode":  tr("Code postal", "Postcode", "Postleitzahl", "Postcode"),
	"ia.contact_town":      tr("Localité", "Gemeente", "Ort", "Town"),
	"ia.contact_submit":    tr("Enregistrer les nouvelles coordonnées", "Nieuwe gegevens opslaan", "Neue Daten speichern", "Save the new details"),
	"ia.contact_ok":        tr("Coordonnées modifiées.", "Gegevens gewijzigd.", "Daten geändert.", "Details changed."),
	"ia.contact_same": tr("Les valeurs données sont déjà celles du dossier : rien n'a changé.", "De opgegeven waarden staan al in het dossier: er is niets gewijzigd.",
		"Die angegebenen Werte sind bereits hinterlegt: Es wurde nichts geändert.", "The values given are already on file: nothing changed."),
	"ia.contact_notice": tr("Avis en attente d'envoi à l'ancien contact :", "Bericht aan het vorige contact in afwachting van verzending:",
		"Mitteilung an den bisherigen Kontakt wartet auf Versand:", "Notice to the previous contact, waiting to be sent:"),
	"ia.contact_kind.sms":   tr("SMS au", "sms naar", "SMS an", "SMS to"),
	"ia.contact_kind.email": tr("e-mail à", "e-mail naar", "E-Mail an", "e-mail to"),
	"ia.contact_no_notice": tr("Aucun numéro de mobile ni adresse e-mail précédents : aucun avis n'est envoyé.", "Geen vorig gsm-nummer of e-mailadres: er wordt geen bericht gestuurd.",
		"Keine bisherige Mobilnummer oder E-Mail-Adresse: Es wird keine Mitteilung gesendet.", "No previous mobile number or e-mail address: no notice is sent."),

	"err.contact_mobile": tr("Numéro de mobile non valable : dites-le comme 0470 12 34 56 ou +32 470 12 34 56 (un numéro fixe ne reçoit pas de SMS).",
		"Ongeldig gsm-nummer: zeg het als 0470 12 34 56 of +32 470 12 34 56 (een vast nummer ontvangt geen sms).",
		"Ungültige Mobilnummer: Geben Sie sie als 0470 12 34 56 oder +32 470 12 34 56 an (eine Festnetznummer empfängt keine SMS).",
		"Not a valid mobile number: say it as 0470 12 34 56 or +32 470 12 34 56 (a landline receives no SMS)."),
	"err.contact_email":    tr("Adresse e-mail non valable (nom@domaine.be).", "Ongeldig e-mailadres (naam@domein.be).", "Ungültige E-Mail-Adresse (name@domain.be).", "Not a valid e-mail address (name@domain.be)."),
	"err.contact_language": tr("Langue inconnue : français, néerlandais, allemand ou anglais.", "Onbekende taal: Frans, Nederlands, Duits of Engels.", "Unbekannte Sprache: Französisch, Niederländisch, Deutsch oder Englisch.", "Unknown language: French, Dutch, German or English."),
	"err.contact_address": tr("Adresse de correspondance incomplète ou non valable : rue, numéro, code postal (quatre chiffres) et localité.",
		"Onvolledig of ongeldig correspondentieadres: straat, huisnummer, postcode (vier cijfers) en gemeente.",
		"Unvollständige oder ungültige Korrespondenzadresse: Straße, Hausnummer, Postleitzahl (vier Ziffern) und Ort.",
		"Incomplete or invalid correspondence address: street, number, postcode (four digits) and town."),
	"err.contact_empty": tr("Indiquez au moins une coordonnée à modifier.", "Geef minstens één gegeven op dat moet worden gewijzigd.", "Geben Sie mindestens eine zu ändernde Angabe an.", "Give at least one detail to change."),
	"err.contact_refused": tr("La politique de communication refuse cette demande pour cet appelant : rien n'a été modifié ni montré.",
		"Het communicatiebeleid weigert deze vraag voor deze beller: er is niets gewijzigd of getoond.",
		"Die Auskunftsrichtlinie lehnt diese Anfrage für diesen Anrufer ab: Es wurde nichts geändert oder angezeigt.",
		"The disclosure policy refuses this request for this caller: nothing was changed or shown."),
}

// contactProblemKeys words the contact section's errors; pages_errors.go
// reads them with its own.
var contactProblemKeys = []struct{ code, prefix, key string }{
	{coupole.EINVALID, "mobile:", "err.contact_mobile"},
	{coupole.EINVALID, "email:", "err.contact_email"},
	{coupole.EINVALID, "language:", "err.contact_language"},
	{coupole.EINVALID, "postal_address:", "err.contact_address"},
	{coupole.EINVALID, "contact details:", "err.contact_empty"},
	{coupole.ECONFLICT, "contact details not", "err.contact_refused"},
}
