package web

import (
	"net/http"
	"strings"

	"github.com/coupole/coupole"
)

// Errors on the staff pages are shown in the staff member's language (issue
// 7): a service error is a stable code (coupole.EINVALID, …) and, for bad
// input, the name of the field it is about, which starts its message
// ("meter_number: …"). Both map to a catalogue key; the service's own
// message — English, written for API clients and logs — never reaches a
// page. The texts name the problem and what to do, never the data typed.

// problemKeys maps a code and the start of the service's message to a
// catalogue key, first match wins; TestServiceErrorsInFourLanguages walks
// each case through the real service, so a changed message is caught.
var problemKeys = []struct {
	code, prefix, key string
}{
	{coupole.EINVALID, "channel:", "err.channel"},
	{coupole.EINVALID, "requester:", "err.requester"},
	{coupole.EINVALID, "caller_number:", "err.caller_number"},
	{coupole.EINVALID, "mandatary_name:", "err.mandatary_name"},
	{coupole.EINVALID, "cpas_id:", "err.cpas_id"},
	{coupole.EINVALID, "identify:", "err.identify_one"},
	{coupole.EINVALID, "ean:", "err.ean"},
	{coupole.EINVALID, "meter_number:", "err.meter_number"},
	{coupole.EINVALID, "name:", "err.name"},
	{coupole.EINVALID, "postcode:", "err.postcode"},
	{coupole.EINVALID, "street:", "err.street"},
	{coupole.EINVALID, "ref:", "err.ref"},
	{coupole.EINVALID, "choose an access point", "err.choose_first"},
	{coupole.EINVALID, "item:", "err.item"},
	{coupole.EINVALID, "Idempotency-Key:", "err.resend"},
	{coupole.EINVALID, "call_reasons: at least one", "ia.wrapup_hint"},
	{coupole.EINVALID, "call_reasons:", "err.call_reason"},
	{coupole.EFORBIDDEN, "too many failed verifications", "ia.locked"},
	{coupole.EFORBIDDEN, "verification budget spent", "ia.budget_locked"},
	{coupole.ECONFLICT, "Idempotency-Key:", "err.resend"},
	{coupole.ECONFLICT, "no mobile number", "err.no_mobile"},
	{coupole.ECONFLICT, "the decision for this request", "err.nothing_to_send"},
	{coupole.ECONFLICT, "index not taken:", "err.index_refused"},
	{coupole.ECONFLICT, "interaction ", "err.closed"},
}

// problemKey returns the catalogue key of a service error: its own case,
// else the words of its code.
func problemKey(err error) string {
	code, msg := coupole.ErrorCode(err), coupole.ErrorMessage(err)
	for _, p := range problemKeys {
		if p.code == code && strings.HasPrefix(msg, p.prefix) {
			return p.key
		}
	}
	for _, p := range contactProblemKeys {
		if p.code == code && strings.HasPrefix(msg, p.prefix) {
			return p.key
		}
	}
	return "err." + code
}

// problem turns a service error into words for the advisor. On the public
// information section, a refusal carries the policy's explanation, which is
// already in the staff member's language (Actor.Lang).
func problem(lang coupole.Language, step string, err error) string {
	if step == "public" && coupole.ErrorCode(err) == coupole.EFORBIDDEN {
		return withoutCodes(coupole.ErrorMessage(err))
	}
	return Message(lang, problemKey(err))
}

// pageError answers a page request that failed as a whole (the interaction
// does not exist, the audit log is down…): a page in the staff member's
// language with the status of the error. Internal errors are logged, with
// the service's message (no personal data in it, by convention).
func (a *StaffAccess) pageError(w http.ResponseWriter, r *http.Request, p *Principal, err error) {
	code := coupole.ErrorCode(err)
	status := Status(code)
	if status >= 500 && a.Logger != nil {
		a.Logger.Error("page failed", "method", r.Method, "route", r.Pattern, "code", code, "err", err)
	}
	lang := RequestLanguage(r)
	a.renderPage(w, r, status, "refused", view{Lang: lang, Title: "refused.title", Principal: p, Message: Message(lang, problemKey(err))})
}

func init() {
	for k, v := range errorMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var errorMessages = map[string]map[coupole.Language]string{
	// by code, when no case below fits
	"err.invalid":      tr("Donnée invalide : vérifiez ce qui a été saisi.", "Ongeldige gegevens: controleer wat werd ingevoerd.", "Ungültige Angabe: prüfen Sie die Eingabe.", "Invalid input: check what was typed."),
	"err.not_found":    tr("Introuvable : cette interaction n'existe pas ou n'est pas la vôtre.", "Niet gevonden: deze interactie bestaat niet of is niet de uwe.", "Nicht gefunden: Diese Interaktion existiert nicht oder ist nicht Ihre.", "Not found: this interaction does not exist or is not yours."),
	"err.conflict":     tr("Impossible dans l'état actuel : rechargez la page.", "Niet mogelijk in de huidige toestand: herlaad de pagina.", "Im aktuellen Zustand nicht möglich: laden Sie die Seite neu.", "Not possible in the current state: reload the page."),
	"err.forbidden":    tr("Refusé : votre rôle ne permet pas cette action.", "Geweigerd: uw rol laat deze handeling niet toe.", "Abgelehnt: Ihre Rolle erlaubt diese Aktion nicht.", "Refused: your role does not allow this action."),
	"err.unauthorized": tr("Votre session a pris fin : reconnectez-vous.", "Uw sessie is beëindigd: meld u opnieuw aan.", "Ihre Sitzung ist abgelaufen: melden Sie sich erneut an.", "Your session has ended: sign in again."),
	"err.unavailable":  tr("Service momentanément indisponible : rien n'a été montré ni enregistré. Réessayez dans un instant.", "Dienst tijdelijk niet beschikbaar: er werd niets getoond of opgeslagen. Probeer het zo opnieuw.", "Dienst vorübergehend nicht verfügbar: nichts wurde angezeigt oder gespeichert. Versuchen Sie es gleich erneut.", "Service unavailable for a moment: nothing was shown or saved. Try again shortly."),
	"err.internal":     tr("Erreur interne : réessayez ; si cela persiste, prévenez le support.", "Interne fout: probeer opnieuw; meld het aan de support als het blijft duren.", "Interner Fehler: versuchen Sie es erneut; melden Sie es dem Support, wenn es anhält.", "Internal error: try again; if it persists, tell support."),

	// by case
	"err.channel":         tr("Choisissez un canal dans la liste.", "Kies een kanaal uit de lijst.", "Wählen Sie einen Kanal aus der Liste.", "Choose a channel from the list."),
	"err.requester":       tr("Choisissez qui vous contacte dans la liste.", "Kies uit de lijst wie contact opneemt.", "Wählen Sie aus der Liste, wer sich meldet.", "Choose who is contacting you from the list."),
	"err.caller_number":   tr("Numéro de l'appelant invalide : format international, par exemple +32470123456.", "Ongeldig nummer van de beller: internationaal formaat, bijvoorbeeld +32470123456.", "Ungültige Nummer des Anrufers: internationales Format, zum Beispiel +32470123456.", "Invalid caller's number: international format, for example +32470123456."),
	"err.mandatary_name":  tr("Le nom du mandataire ne s'indique que lorsqu'un mandataire appelle : choisissez « Mandataire du client ».", "De naam van de gevolmachtigde vult u alleen in als een gevolmachtigde belt: kies ‘Gevolmachtigde van de klant’.", "Den Namen des Bevollmächtigten nur angeben, wenn ein Bevollmächtigter anruft: wählen Sie „Bevollmächtigter des Kunden“.", "The mandatary's name is only for a mandatary's call: choose “Customer's mandatary”."),
	"err.cpas_id":         tr("Aucun CPAS avec cet identifiant.", "Geen OCMW met deze id.", "Kein ÖSHZ mit dieser Kennung.", "No CPAS with this id."),
	"err.identify_one":    tr("Un seul critère à la fois : l'EAN, le numéro de compteur, le nom, ou l'adresse (code postal et rue).", "Eén criterium tegelijk: de EAN, het meternummer, de naam of het adres (postcode en straat).", "Ein Kriterium auf einmal: die EAN, die Zählernummer, der Name oder die Adresse (Postleitzahl und Straße).", "One criterion at a time: the EAN, the meter number, the name, or the address (postcode and street)."),
	"err.ean":             tr("EAN invalide : 18 chiffres, commençant par 54, clé de contrôle comprise.", "Ongeldige EAN: 18 cijfers, beginnend met 54, controlecijfer inbegrepen.", "Ungültige EAN: 18 Ziffern, beginnend mit 54, mit Prüfziffer.", "Invalid EAN: 18 digits starting with 54, check digit included."),
	"err.meter_number":    tr("Numéro de compteur invalide : lettres et chiffres tels qu'imprimés sur le compteur.", "Ongeldig meternummer: letters en cijfers zoals op de meter gedrukt.", "Ungültige Zählernummer: Buchstaben und Ziffern wie auf dem Zähler aufgedruckt.", "Invalid meter number: letters and digits as printed on the meter."),
	"err.name":            tr("Donnez au moins deux lettres du nom.", "Geef minstens twee letters van de naam.", "Geben Sie mindestens zwei Buchstaben des Namens an.", "Give at least two letters of the name."),
	"err.postcode":        tr("Code postal invalide : quatre chiffres.", "Ongeldige postcode: vier cijfers.", "Ungültige Postleitzahl: vier Ziffern.", "Invalid postcode: four digits."),
	"err.street":          tr("Indiquez la rue avec le code postal.", "Geef de straat op bij de postcode.", "Geben Sie die Straße zur Postleitzahl an.", "Give the street with the postcode."),
	"err.ref":             tr("Ce résultat n'est plus d'actualité : recherchez à nouveau, puis choisissez.", "Dit resultaat is niet meer actueel: zoek opnieuw en kies dan.", "Dieses Ergebnis ist nicht mehr aktuell: suchen Sie erneut und wählen Sie dann.", "This result is no longer current: search again, then choose."),
	"err.choose_first":    tr("Choisissez d'abord le point d'accès parmi les résultats.", "Kies eerst het toegangspunt uit de resultaten.", "Wählen Sie zuerst den Zugangspunkt aus den Ergebnissen.", "First choose the access point among the results."),
	"err.item":            tr("Cochez une demande de la liste.", "Vink een vraag uit de lijst aan.", "Kreuzen Sie eine Anfrage aus der Liste an.", "Tick a request from the list."),
	"err.resend":          tr("Ce bouton a déjà servi pour une autre demande : redemandez, puis envoyez.", "Deze knop werd al gebruikt voor een andere vraag: vraag opnieuw en verstuur dan.", "Diese Schaltfläche wurde schon für eine andere Anfrage benutzt: erneut anfragen, dann senden.", "This button was already used for another request: ask again, then send."),
	"err.call_reason":     tr("Motif d'appel inconnu : choisissez dans la liste.", "Onbekende reden van de oproep: kies uit de lijst.", "Unbekannter Anrufgrund: wählen Sie aus der Liste.", "Unknown call reason: choose from the list."),
	"err.no_mobile":       tr("Aucun GSM n'était enregistré avant l'appel : rien n'est envoyé. Redemandez : le courrier sera proposé.", "Er was vóór de oproep geen gsm geregistreerd: er wordt niets verstuurd. Vraag opnieuw: een brief wordt voorgesteld.", "Vor dem Anruf war kein Handy registriert: nichts wird gesendet. Erneut anfragen: ein Brief wird vorgeschlagen.", "No mobile was registered before the call: nothing is sent. Ask again: a letter will be offered."),
	"err.nothing_to_send": tr("La décision pour cette demande n'envoie rien : lisez l'explication au client.", "De beslissing voor deze vraag verstuurt niets: lees de uitleg voor aan de klant.", "Die Entscheidung für diese Anfrage sendet nichts: lesen Sie dem Kunden die Erklärung vor.", "The decision for this request sends nothing: read the explanation to the customer."),
	"err.index_refused":   tr("Index non enregistré : seul l'occupant actuel vérifié, son mandataire ou son CPAS peut en donner un. Demandez la décision « Prise d'index » pour l'explication.", "Meterstand niet geregistreerd: alleen de geverifieerde huidige bewoner, zijn gemachtigde of zijn OCMW mag er een doorgeven. Vraag de beslissing „Meterstand doorgeven” voor de uitleg.", "Zählerstand nicht erfasst: Nur der überprüfte derzeitige Bewohner, sein Bevollmächtigter oder sein ÖSHZ darf einen angeben. Fragen Sie die Entscheidung „Zählerstand angeben“ für die Erklärung ab.", "Index not recorded: only the verified current occupant, their mandatary or their CPAS may give one. Ask the “Index given by the caller” decision for the explanation."),
	"err.closed":          tr("Cette interaction est clôturée : ouvrez-en une nouvelle.", "Deze interactie is afgesloten: open een nieuwe.", "Diese Interaktion ist abgeschlossen: eröffnen Sie eine neue.", "This interaction is closed: open a new one."),
}
