package web

import (
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// The back office's list of deliveries the worker could not send (issue
// 11): dead first, then failed with a retry scheduled; recipients masked.
// Who may see it is the staff policy's (delivery.list_failed).
func (a *StaffAccess) apiFailedDeliveries(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) ([]interaction.FailedDelivery, error) {
		return a.Interactions.FailedDeliveries(r.Context(), actor(r, p))
	})
}

// handleFailedDeliveries is the back office's page of the same list.
func (a *StaffAccess) handleFailedDeliveries(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	list, err := svc.FailedDeliveries(r.Context(), actor(r, p))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderPage(w, r, http.StatusOK, "deliveries", view{Lang: RequestLanguage(r), Title: "deliveries.title", Principal: p, Active: "nav.deliveries", Data: list})
}

func init() {
	for k, v := range deliveryMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var deliveryMessages = map[string]map[coupole.Language]string{
	"nav.deliveries":                   tr("Envois en échec", "Mislukte verzendingen", "Fehlgeschlagene Sendungen", "Failed deliveries"),
	"deliveries.title":                 tr("Envois en échec", "Mislukte verzendingen", "Fehlgeschlagene Sendungen", "Failed deliveries"),
	"deliveries.intro":                 tr("Les SMS, courriers et e-mails que Coupole n'a pas pu envoyer : abandonnés d'abord, puis ceux qui seront réessayés. Les destinataires sont masqués.", "De sms'en, brieven en e-mails die Coupole niet kon verzenden: eerst de opgegeven, dan die welke opnieuw geprobeerd worden. De ontvangers zijn gemaskeerd.", "Die SMS, Briefe und E-Mails, die Coupole nicht senden konnte: zuerst die aufgegebenen, dann die erneut versuchten. Die Empfänger sind maskiert.", "The SMS, letters and e-mails Coupole could not send: abandoned ones first, then those to be retried. Recipients are masked."),
	"deliveries.none":                  tr("Aucun envoi en échec.", "Geen mislukte verzendingen.", "Keine fehlgeschlagenen Sendungen.", "No failed deliveries."),
	"deliveries.created":               tr("Créé", "Aangemaakt", "Erstellt", "Created"),
	"deliveries.kind":                  tr("Type", "Soort", "Art", "Kind"),
	"deliveries.recipient":             tr("Destinataire", "Ontvanger", "Empfänger", "Recipient"),
	"deliveries.status":                tr("État", "Status", "Status", "Status"),
	"deliveries.attempts":              tr("Tentatives", "Pogingen", "Versuche", "Attempts"),
	"deliveries.error":                 tr("Dernière erreur", "Laatste fout", "Letzter Fehler", "Last error"),
	"deliveries.interaction":           tr("Interaction", "Interactie", "Interaktion", "Interaction"),
	"deliveries.kind.sms":              tr("SMS", "SMS", "SMS", "SMS"),
	"deliveries.kind.letter":           tr("Courrier", "Brief", "Brief", "Letter"),
	"deliveries.kind.email":            tr("E-mail", "E-mail", "E-Mail", "E-mail"),
	"deliveries.kind.back_office_case": tr("Dossier back office", "Backofficedossier", "Backoffice-Vorgang", "Back-office case"),
	"deliveries.status.pending":        tr("en attente d'envoi", "wacht op verzending", "wartet auf Versand", "waiting to be sent"),
	"deliveries.status.sending":        tr("en cours d'envoi", "wordt verzonden", "wird gesendet", "being sent"),
	"deliveries.status.sent":           tr("envoyé", "verzonden", "gesendet", "sent"),
	"deliveries.status.failed":         tr("sera réessayé", "wordt opnieuw geprobeerd", "wird erneut versucht", "to be retried"),
	"deliveries.status.dead":           tr("abandonné", "opgegeven", "aufgegeben", "abandoned"),
}
