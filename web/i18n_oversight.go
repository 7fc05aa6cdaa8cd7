package web

import "github.com/coupole/coupole"

// Texts of the oversight pages (issue 16; issue 15 item 8): alerts of
// every kind and their acknowledgement, the team lead's open interactions,
// an interaction's metadata, the supervisor dashboard.

func init() {
	for k, v := range oversightMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var oversightMessages = map[string]map[coupole.Language]string{
	"nav.team":      tr("Équipe", "Team", "Team", "Team"),
	"nav.dashboard": tr("Tableau de bord", "Dashboard", "Dashboard", "Dashboard"),

	// alerts of every kind
	"oversight.alerts_title":                     tr("Alertes", "Meldingen", "Warnungen", "Alerts"),
	"oversight.alerts_intro":                     tr("Accès inhabituels aux données personnelles, relevés dans la traçabilité en moins d'une minute, et vérifications bloquées. Prenez connaissance de chaque alerte avec une note : elle est tracée.", "Ongewone toegang tot persoonsgegevens, binnen een minuut uit de traceerbaarheid gehaald, en geblokkeerde verificaties. Bevestig elke melding met een notitie: dat wordt getraceerd.", "Ungewöhnliche Zugriffe auf personenbezogene Daten, in weniger als einer Minute aus der Nachverfolgung erkannt, und gesperrte Überprüfungen. Bestätigen Sie jede Warnung mit einer Notiz: das wird protokolliert.", "Unusual access to personal data, found in the trace within a minute, and locked verifications. Acknowledge each alert with a note: it is traced."),
	"oversight.only_open":                        tr("Non traitées seulement", "Alleen onbehandelde", "Nur unbearbeitete", "Unacknowledged only"),
	"oversight.all_alerts":                       tr("Toutes (30 jours)", "Alle (30 dagen)", "Alle (30 Tage)", "All (30 days)"),
	"oversight.reason":                           tr("Motif", "Reden", "Grund", "Reason"),
	"oversight.action":                           tr("Suite donnée", "Opvolging", "Bearbeitung", "Follow-up"),
	"oversight.ack":                              tr("Prendre connaissance", "Bevestigen", "Bestätigen", "Acknowledge"),
	"oversight.ack_note":                         tr("Note (ce que vous avez constaté)", "Notitie (wat u hebt vastgesteld)", "Notiz (was Sie festgestellt haben)", "Note (what you found)"),
	"oversight.acked":                            tr("Traitée", "Behandeld", "Bearbeitet", "Acknowledged"),
	"oversight.ack_self":                         tr("Cette alerte vous concerne : un autre responsable la traite.", "Deze melding gaat over u: een andere verantwoordelijke behandelt ze.", "Diese Warnung betrifft Sie: ein anderer Verantwortlicher bearbeitet sie.", "This alert is about you: another reviewer handles it."),
	"oversight.ack_done":                         tr("Alerte traitée. Votre note est enregistrée et la prise de connaissance est tracée.", "Melding behandeld. Uw notitie is bewaard en de bevestiging wordt getraceerd.", "Warnung bearbeitet. Ihre Notiz ist gespeichert und die Bestätigung wird protokolliert.", "Alert acknowledged. Your note is kept and the acknowledgement is traced."),
	"oversight.ack_note_required":                tr("Écrivez une note (500 caractères au plus) avant de prendre connaissance de l'alerte.", "Schrijf een notitie (hoogstens 500 tekens) voordat u de melding bevestigt.", "Schreiben Sie eine Notiz (höchstens 500 Zeichen), bevor Sie die Warnung bestätigen.", "Write a note (at most 500 characters) before acknowledging the alert."),
	"oversight.ack_conflict":                     tr("Cette alerte a déjà été traitée.", "Deze melding is al behandeld.", "Diese Warnung wurde bereits bearbeitet.", "This alert has already been acknowledged."),
	"oversight.back_to_alerts":                   tr("Retour aux alertes", "Terug naar de meldingen", "Zurück zu den Warnungen", "Back to the alerts"),
	"alerts.kind.views_above_baseline":           tr("Consultations inhabituelles", "Ongewoon veel raadplegingen", "Ungewöhnlich viele Abfragen", "Unusual number of views"),
	"alerts.kind.protected_customer_viewed":      tr("Client protégé consulté", "Beschermde klant geraadpleegd", "Geschützter Kunde abgefragt", "Protected customer viewed"),
	"alerts.kind.access_outside_hours":           tr("Accès hors horaire", "Toegang buiten de uren", "Zugriff außerhalb der Arbeitszeit", "Access outside hours"),
	"alerts.kind.access_outside_network":         tr("Accès hors réseau", "Toegang buiten het netwerk", "Zugriff außerhalb des Netzwerks", "Access outside the network"),
	"alerts.kind.repeated_lockouts_advisor":      tr("Blocages répétés (conseiller)", "Herhaalde blokkeringen (adviseur)", "Wiederholte Sperren (Berater)", "Repeated lockouts (advisor)"),
	"alerts.kind.repeated_lockouts_access_point": tr("Blocages répétés (point d'accès)", "Herhaalde blokkeringen (toegangspunt)", "Wiederholte Sperren (Zugangspunkt)", "Repeated lockouts (access point)"),
	"alerts.kind.interaction_open_too_long":      tr("Interaction ouverte trop longtemps", "Interactie te lang open", "Interaktion zu lange offen", "Interaction open too long"),

	// alert reasons worded from their facts (web/alert_reasons.go)
	"alerts.flag.staff":     tr("membre du personnel", "personeelslid", "Mitarbeiter", "staff member"),
	"alerts.flag.protected": tr("personne protégée", "beschermde persoon", "geschützte Person", "protected person"),
	"alerts.reason.views_above_baseline": tr(
		"{staff} a consulté {views} clients entre {hour_at} et {hour_to} ; sa référence : médiane {own_median} (écart médian {own_mad}, {own_hours} heures), celle de l'équipe : médiane {team_median} (écart médian {team_mad}, {team_hours} heures) ; seuil {threshold}.",
		"{staff} raadpleegde {views} klanten tussen {hour_at} en {hour_to}; eigen referentie: mediaan {own_median} (mediane afwijking {own_mad}, {own_hours} uren), team: mediaan {team_median} (mediane afwijking {team_mad}, {team_hours} uren); drempel {threshold}.",
		"{staff} hat zwischen {hour_at} und {hour_to} {views} Kunden abgefragt; eigener Referenzwert: Median {own_median} (mittlere Abweichung {own_mad}, {own_hours} Stunden), Team: Median {team_median} (mittlere Abweichung {team_mad}, {team_hours} Stunden); Schwelle {threshold}.",
		"{staff} viewed {views} customers between {hour_at} and {hour_to}; own baseline median {own_median} (MAD {own_mad}, {own_hours} hours), team median {team_median} (MAD {team_mad}, {team_hours} hours); threshold {threshold}."),
	"alerts.reason.protected_customer_viewed": tr(
		"{staff} a consulté un client signalé comme {flag} ({action}, interaction {interaction}).",
		"{staff} raadpleegde een klant gemarkeerd als {flag} ({action}, interactie {interaction}).",
		"{staff} hat einen als {flag} gekennzeichneten Kunden abgefragt ({action}, Interaktion {interaction}).",
		"{staff} viewed a customer flagged as {flag} ({action}, interaction {interaction})."),
	"alerts.reason.access_outside_hours": tr(
		"{staff} a agi ({action}) le {at}, en dehors de son horaire ({hours}).",
		"{staff} handelde ({action}) op {at}, buiten de werkuren ({hours}).",
		"{staff} hat am {at} gehandelt ({action}), außerhalb der Arbeitszeit ({hours}).",
		"{staff} acted ({action}) at {at}, outside their working hours ({hours})."),
	"alerts.reason.access_outside_network": tr(
		"{staff} a agi ({action}) depuis {client}, en dehors des réseaux configurés.",
		"{staff} handelde ({action}) vanaf {client}, buiten de ingestelde netwerken.",
		"{staff} hat von {client} aus gehandelt ({action}), außerhalb der konfigurierten Netzwerke.",
		"{staff} acted ({action}) from {client}, outside the configured networks."),
	"alerts.reason.repeated_lockouts_advisor": tr(
		"{staff} a bloqué la vérification du numéro de compteur dans {interactions} interactions en {window_min} min (seuil {threshold}) : une énumération répartie sur plusieurs appels ?",
		"{staff} blokkeerde de verificatie van het meternummer in {interactions} interacties binnen {window_min} min (drempel {threshold}): een opsomming verspreid over meerdere oproepen?",
		"{staff} hat die Überprüfung der Zählernummer in {interactions} Interaktionen innerhalb von {window_min} Min. gesperrt (Schwelle {threshold}): eine auf mehrere Anrufe verteilte Aufzählung?",
		"{staff} locked meter-number verifications in {interactions} interactions within {window_min} min (threshold {threshold}): enumeration spread over several calls?"),
	"alerts.reason.repeated_lockouts_access_point": tr(
		"Un même point d'accès a été bloqué dans {interactions} interactions en {window_min} min (seuil {threshold}), la dernière fois par {staff}.",
		"Eenzelfde toegangspunt werd geblokkeerd in {interactions} interacties binnen {window_min} min (drempel {threshold}), de laatste keer door {staff}.",
		"Derselbe Zugangspunkt wurde in {interactions} Interaktionen innerhalb von {window_min} Min. gesperrt (Schwelle {threshold}), zuletzt von {staff}.",
		"One access point was locked in {interactions} interactions within {window_min} min (threshold {threshold}), the last by {staff}."),
	"alerts.reason.interaction_open_too_long": tr(
		"L'interaction {interaction} de {staff} est ouverte depuis {age_min} min (seuil {threshold_min} min) : son accès « besoin d'en connaître » dure trop longtemps.",
		"Interactie {interaction} van {staff} staat al {age_min} min open (drempel {threshold_min} min): de need-to-know-toegang duurt te lang.",
		"Die Interaktion {interaction} von {staff} ist seit {age_min} Min. offen (Schwelle {threshold_min} Min.): der Need-to-know-Zugriff dauert zu lange.",
		"Interaction {interaction} of {staff} has been open for {age_min} min (threshold {threshold_min} min): its need-to-know access is held too long."),

	// the team lead's pages
	"team.title":                      tr("Interactions ouvertes", "Open interacties", "Offene Interaktionen", "Open interactions"),
	"team.intro":                      tr("Qui traite quoi en ce moment : métadonnées seulement, sans données des clients. Les interactions ouvertes trop longtemps sont signalées.", "Wie wat behandelt op dit moment: alleen metadata, zonder klantgegevens. Te lang openstaande interacties worden gemarkeerd.", "Wer gerade was bearbeitet: nur Metadaten, ohne Kundendaten. Zu lange offene Interaktionen werden hervorgehoben.", "Who handles what right now: metadata only, no customer data. Interactions open too long are flagged."),
	"team.channel":                    tr("Canal", "Kanaal", "Kanal", "Channel"),
	"team.requester":                  tr("Type de demandeur", "Soort aanvrager", "Art des Anfragenden", "Requester type"),
	"team.opened":                     tr("Ouverte le", "Geopend op", "Geöffnet am", "Opened"),
	"team.age":                        tr("Durée", "Duur", "Dauer", "Age"),
	"team.idle":                       tr("Sans activité depuis", "Inactief sinds", "Inaktiv seit", "Idle for"),
	"team.minutes":                    tr("%d min", "%d min", "%d Min.", "%d min"),
	"team.none":                       tr("Aucune interaction ouverte.", "Geen open interacties.", "Keine offenen Interaktionen.", "No open interaction."),
	"team.sessions":                   tr("Sessions", "Sessies", "Sitzungen", "Sessions"),
	"team.sessions_hint":              tr("Ferme toutes vos sessions, sur tous les postes (par exemple après avoir quitté un poste partagé).", "Sluit al uw sessies, op alle werkstations (bijvoorbeeld na het verlaten van een gedeeld werkstation).", "Beendet alle Ihre Sitzungen auf allen Arbeitsplätzen (z. B. nach dem Verlassen eines gemeinsam genutzten Arbeitsplatzes).", "Ends all your sessions, on every workstation (for instance after leaving a shared one)."),
	"team.interaction_title":          tr("Métadonnées de l'interaction", "Metadata van de interactie", "Metadaten der Interaktion", "Interaction metadata"),
	"team.metadata_only":              tr("Métadonnées seulement : ni le client, ni le point d'accès, ni le numéro de l'appelant. La consultation est tracée.", "Alleen metadata: niet de klant, niet het toegangspunt, niet het nummer van de beller. De raadpleging wordt getraceerd.", "Nur Metadaten: weder der Kunde noch der Zugangspunkt noch die Nummer des Anrufers. Die Abfrage wird protokolliert.", "Metadata only: neither the customer, nor the access point, nor the caller's number. Viewing it is traced."),
	"team.last_activity":              tr("Dernière activité", "Laatste activiteit", "Letzte Aktivität", "Last activity"),
	"team.closed":                     tr("Clôturée le", "Afgesloten op", "Abgeschlossen am", "Closed"),
	"team.too_long":                   tr("Ouverte trop longtemps", "Te lang open", "Zu lange offen", "Open too long"),
	"team.identified":                 tr("Point d'accès choisi", "Toegangspunt gekozen", "Zugangspunkt gewählt", "Access point chosen"),
	"team.yes":                        tr("Oui", "Ja", "Ja", "Yes"),
	"team.no":                         tr("Non", "Nee", "Nein", "No"),
	"team.call_reasons":               tr("Motifs d'appel", "Redenen van de oproep", "Anrufgründe", "Call reasons"),
	"team.deliveries":                 tr("Envois", "Verzendingen", "Sendungen", "Deliveries"),
	"team.close_reason.idle":          tr("fermée par le système : inactive", "door het systeem gesloten: inactief", "vom System geschlossen: inaktiv", "closed by the system: idle"),
	"team.close_reason.staff_revoked": tr("fermée par le système : accès retiré", "door het systeem gesloten: toegang ingetrokken", "vom System geschlossen: Zugang entzogen", "closed by the system: access revoked"),
}

// The supervisor dashboard (issue 16 item 1).
var dashboardMessages = map[string]map[coupole.Language]string{
	"dashboard.title":                 tr("Tableau de bord", "Dashboard", "Dashboard", "Dashboard"),
	"dashboard.intro":                 tr("Volumes du centre de contact, comptés dans la traçabilité : des codes et des nombres, jamais de données des clients.", "Volumes van het contactcenter, geteld uit de traceerbaarheid: codes en aantallen, nooit klantgegevens.", "Mengen des Kontaktcenters, aus der Nachverfolgung gezählt: Codes und Zahlen, nie Kundendaten.", "Contact-center volumes, counted from the trace: codes and numbers, never customer data."),
	"dashboard.period":                tr("Période", "Periode", "Zeitraum", "Period"),
	"dashboard.period.today":          tr("Aujourd'hui", "Vandaag", "Heute", "Today"),
	"dashboard.period.7d":             tr("7 jours", "7 dagen", "7 Tage", "7 days"),
	"dashboard.period.30d":            tr("30 jours", "30 dagen", "30 Tage", "30 days"),
	"dashboard.period.custom":         tr("Période choisie", "Gekozen periode", "Gewählter Zeitraum", "Custom period"),
	"dashboard.from":                  tr("Du", "Van", "Vom", "From"),
	"dashboard.to":                    tr("Au", "Tot", "Bis", "To"),
	"dashboard.show":                  tr("Afficher", "Tonen", "Anzeigen", "Show"),
	"dashboard.csv":                   tr("Exporter en CSV", "Exporteren als CSV", "Als CSV exportieren", "Export as CSV"),
	"dashboard.live":                  tr("En ce moment", "Op dit moment", "Im Moment", "Right now"),
	"dashboard.open":                  tr("Interactions ouvertes", "Open interacties", "Offene Interaktionen", "Open interactions"),
	"dashboard.open_too_long":         tr("Ouvertes trop longtemps", "Te lang open", "Zu lange offen", "Open too long"),
	"dashboard.deliveries_waiting":    tr("Envois en attente", "Wachtende verzendingen", "Wartende Sendungen", "Deliveries waiting"),
	"dashboard.deliveries_failed":     tr("Envois en échec", "Mislukte verzendingen", "Fehlgeschlagene Sendungen", "Deliveries failed"),
	"dashboard.generated":             tr("Calculé le", "Berekend op", "Berechnet am", "Computed"),
	"dashboard.key":                   tr("Valeur", "Waarde", "Wert", "Value"),
	"dashboard.count":                 tr("Nombre", "Aantal", "Anzahl", "Count"),
	"dashboard.total":                 tr("Total", "Totaal", "Gesamt", "Total"),
	"dashboard.nothing":               tr("Rien sur cette période.", "Niets in deze periode.", "Nichts in diesem Zeitraum.", "Nothing in this period."),
	"dashboard.chart.days":            tr("Interactions ouvertes par jour", "Geopende interacties per dag", "Geöffnete Interaktionen pro Tag", "Interactions opened per day"),
	"dashboard.chart.channel":         tr("Interactions par canal", "Interacties per kanaal", "Interaktionen nach Kanal", "Interactions by channel"),
	"dashboard.chart.reason":          tr("Interactions par motif d'appel", "Interacties per reden van de oproep", "Interaktionen nach Anrufgrund", "Interactions by call reason"),
	"dashboard.chart.team":            tr("Interactions par équipe", "Interacties per team", "Interaktionen nach Team", "Interactions by team"),
	"dashboard.chart.decision":        tr("Décisions de communication par résultat", "Beslissingen over mededeling per uitkomst", "Entscheidungen über Mitteilungen nach Ergebnis", "Disclosure decisions by outcome"),
	"dashboard.chart.route":           tr("Communications par voie", "Mededelingen per kanaal", "Mitteilungen nach Weg", "Disclosures by route"),
	"dashboard.chart.refusal":         tr("Refus par motif", "Weigeringen per reden", "Ablehnungen nach Grund", "Refusals by reason"),
	"dashboard.chart.verification":    tr("Vérifications du compteur", "Meterverificaties", "Zählerüberprüfungen", "Meter verifications"),
	"dashboard.chart.alerts":          tr("Alertes par type", "Meldingen per soort", "Warnungen nach Art", "Alerts by kind"),
	"dashboard.verification.verified": tr("Réussies", "Geslaagd", "Erfolgreich", "Verified"),
	"dashboard.verification.failed":   tr("Échouées", "Mislukt", "Fehlgeschlagen", "Failed"),
	"dashboard.verification.locked":   tr("Bloquées", "Geblokkeerd", "Gesperrt", "Locked"),
	"dashboard.verification.refused":  tr("Refusées (bloqué)", "Geweigerd (geblokkeerd)", "Abgelehnt (gesperrt)", "Refused (locked)"),
}

func init() {
	for k, v := range dashboardMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}
