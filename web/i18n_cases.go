package web

import "github.com/coupole/coupole"

// Texts of the back office's case pages (D4, issue 11).

func init() {
	for k, v := range caseMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var caseMessages = map[string]map[coupole.Language]string{
	"nav.cases": tr("Dossiers", "Dossiers", "Vorgänge", "Cases"),

	// the queue
	"cases.title":         tr("Dossiers du back office", "Dossiers van de backoffice", "Vorgänge des Backoffice", "Back-office cases"),
	"cases.intro":         tr("Les demandes sur plus de deux EAN, les demandes écrites à rechercher et les suivis CPAS. Prenez un dossier pour en voir les données : vous seul le traitez ensuite, jusqu'à sa clôture.", "Aanvragen over meer dan twee EAN-codes, schriftelijke aanvragen die opzoekwerk vragen en OCMW-opvolgingen. Neem een dossier om de gegevens te zien: daarna behandelt alleen u het, tot het wordt afgesloten.", "Anfragen zu mehr als zwei EAN-Codes, schriftliche Anfragen mit Recherche und ÖSHZ-Nachverfolgungen. Übernehmen Sie einen Vorgang, um seine Daten zu sehen: danach bearbeiten nur Sie ihn, bis er abgeschlossen ist.", "Requests about more than two EANs, written requests that need research, and CPAS follow-ups. Take a case to see its data: you alone then handle it, until it is closed."),
	"cases.filter":        tr("État", "Status", "Status", "Status"),
	"cases.status_all":    tr("Tous", "Alle", "Alle", "All"),
	"cases.show":          tr("Afficher", "Tonen", "Anzeigen", "Show"),
	"cases.none":          tr("Aucun dossier.", "Geen dossiers.", "Keine Vorgänge.", "No case."),
	"cases.opened":        tr("Ouvert le", "Geopend op", "Eröffnet am", "Opened"),
	"cases.age":           tr("Attente", "Wachttijd", "Wartezeit", "Waiting"),
	"cases.minutes":       tr("%d min", "%d min", "%d Min.", "%d min"),
	"cases.kind":          tr("Type", "Soort", "Art", "Kind"),
	"cases.channel":       tr("Canal", "Kanaal", "Kanal", "Channel"),
	"cases.points":        tr("Points d'accès", "Toegangspunten", "Zugangspunkte", "Access points"),
	"cases.state":         tr("État", "Status", "Status", "Status"),
	"cases.action":        tr("Action", "Actie", "Aktion", "Action"),
	"cases.take":          tr("Prendre", "Nemen", "Übernehmen", "Take"),
	"cases.open_case":     tr("Ouvrir", "Openen", "Öffnen", "Open"),
	"cases.take_conflict": tr("Ce dossier vient d'être pris par quelqu'un d'autre.", "Dit dossier is net door iemand anders genomen.", "Dieser Vorgang wurde gerade von jemand anderem übernommen.", "Somebody else has just taken this case."),
	"cases.closed_done":   tr("Dossier clôturé. La clôture est tracée.", "Dossier afgesloten. De afsluiting wordt getraceerd.", "Vorgang abgeschlossen. Der Abschluss wird protokolliert.", "Case closed. The closing is traced."),

	"cases.kind.multiple_eans": tr("Plus de deux EAN", "Meer dan twee EAN-codes", "Mehr als zwei EAN-Codes", "More than two EANs"),
	"cases.kind.research":      tr("Recherche (demande écrite)", "Opzoekwerk (schriftelijke aanvraag)", "Recherche (schriftliche Anfrage)", "Research (written request)"),
	"cases.kind.cpas_followup": tr("Suivi CPAS", "OCMW-opvolging", "ÖSHZ-Nachverfolgung", "CPAS follow-up"),
	"cases.status.open":        tr("Ouvert", "Open", "Offen", "Open"),
	"cases.status.taken":       tr("En cours", "In behandeling", "In Bearbeitung", "In progress"),
	"cases.status.answered":    tr("Répondu", "Beantwoord", "Beantwortet", "Answered"),
	"cases.status.closed":      tr("Clôturé", "Afgesloten", "Abgeschlossen", "Closed"),

	// one case
	"case.title":           tr("Dossier", "Dossier", "Vorgang", "Case"),
	"case.back":            tr("Retour à la file", "Terug naar de wachtrij", "Zurück zur Warteschlange", "Back to the queue"),
	"case.item":            tr("Demande", "Aanvraag", "Anfrage", "Request"),
	"case.customer":        tr("Client", "Klant", "Kunde", "Customer"),
	"case.note":            tr("Note interne", "Interne notitie", "Interne Notiz", "Internal note"),
	"case.answer_delivery": tr("Envoi de la réponse", "Verzending van het antwoord", "Versand der Antwort", "Answer's delivery"),
	"case.answer":          tr("Répondre", "Antwoorden", "Antworten", "Answer"),
	"case.answer_hint":     tr("Écrivez dans la langue du client. La réponse part par la file d'envoi ; son texte n'est jamais tracé ni journalisé.", "Schrijf in de taal van de klant. Het antwoord vertrekt via de verzendwachtrij; de tekst wordt nooit getraceerd of gelogd.", "Schreiben Sie in der Sprache des Kunden. Die Antwort geht über die Versandwarteschlange; ihr Text wird nie protokolliert.", "Write in the customer's language. The answer leaves through the outbox; its text is never traced or logged."),
	"case.by":              tr("Envoyer par", "Versturen per", "Senden per", "Send by"),
	"case.by_email":        tr("Courriel à l'adresse enregistrée", "E-mail naar het geregistreerde adres", "E-Mail an die registrierte Adresse", "E-mail to the registered address"),
	"case.by_letter":       tr("Courrier à l'adresse de correspondance", "Brief naar het correspondentieadres", "Brief an die Korrespondenzadresse", "Letter to the correspondence address"),
	"case.text":            tr("Texte de la réponse", "Tekst van het antwoord", "Text der Antwort", "Text of the answer"),
	"case.send":            tr("Envoyer la réponse", "Antwoord versturen", "Antwort senden", "Send the answer"),
	"case.answer_done":     tr("Réponse mise en file d'envoi.", "Antwoord in de verzendwachtrij geplaatst.", "Antwort in die Versandwarteschlange gestellt.", "Answer queued for sending."),
	"case.answer_invalid":  tr("Choisissez l'envoi et écrivez une réponse (4 000 caractères au plus).", "Kies de verzending en schrijf een antwoord (hoogstens 4 000 tekens).", "Wählen Sie den Versand und schreiben Sie eine Antwort (höchstens 4 000 Zeichen).", "Choose how to send and write an answer (at most 4,000 characters)."),
	"case.answer_conflict": tr("Réponse impossible : déjà répondu, ou pas d'adresse pour cet envoi.", "Antwoord onmogelijk: al beantwoord, of geen adres voor deze verzending.", "Antwort nicht möglich: bereits beantwortet oder keine Adresse für diesen Versand.", "Cannot answer: already answered, or no address for this way of sending."),
	// case_status on the interaction screen (D1): what the advisor tells
	"case_status.no_open_case": tr("Aucun dossier en cours", "Geen lopend dossier", "Kein laufender Vorgang", "No case in progress"),
	"case_status.open_case":    tr("Un dossier est en cours", "Er is een lopend dossier", "Ein Vorgang ist in Bearbeitung", "A case is in progress"),
	"case_status.open":         tr("ouvert, en attente", "open, wachtend", "offen, wartend", "open, waiting"),
	"case_status.in_progress":  tr("en cours de traitement", "in behandeling", "in Bearbeitung", "being handled"),
	"case_status.answered":     tr("réponse envoyée", "antwoord verstuurd", "Antwort versandt", "answer sent"),
	"case_status.closed":       tr("clôturé", "afgesloten", "abgeschlossen", "closed"),
	"case_status.reference":    tr("Dossier", "Dossier", "Vorgang", "Case"),
	"case_status.answered_on":  tr("réponse le", "antwoord op", "Antwort am", "answered on"),
	"case_status.closed_on":    tr("clôturé le", "afgesloten op", "abgeschlossen am", "closed on"),

	"case.close": tr("Clôturer le dossier", "Dossier afsluiten", "Vorgang abschließen", "Close the case"),
}
