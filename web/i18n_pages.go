package web

import "github.com/coupole/coupole"

// The texts of the staff pages (issue 7), added to the one catalogue,
// Messages. French is written for Belgian contact-center staff; sentences the
// advisor reads out to a customer use "vous".

func tr(fr, nl, de, en string) map[coupole.Language]string {
	return map[coupole.Language]string{coupole.French: fr, coupole.Dutch: nl, coupole.German: de, coupole.English: en}
}

func init() {
	for k, v := range pageMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var pageMessages = map[string]map[coupole.Language]string{
	// layout
	"page.error":    tr("Une erreur interne empêche d'afficher cette page. Réessayez ; si cela persiste, prévenez le support.", "Een interne fout verhindert het tonen van deze pagina. Probeer opnieuw; meld het aan de support als het blijft duren.", "Ein interner Fehler verhindert die Anzeige dieser Seite. Versuchen Sie es erneut; melden Sie es dem Support, wenn es anhält.", "An internal error prevents showing this page. Try again; if it persists, tell support."),
	"refused.title": tr("Accès refusé", "Toegang geweigerd", "Zugriff verweigert", "Access refused"),
	"nav.skip":      tr("Aller au contenu", "Naar de inhoud", "Zum Inhalt", "Skip to content"),
	"nav.label":     tr("Navigation principale", "Hoofdnavigatie", "Hauptnavigation", "Main navigation"),
	"nav.home":      tr("Accueil", "Start", "Start", "Home"),
	"nav.cpas":      tr("Ligne CPAS", "OCMW-lijn", "ÖSHZ-Leitung", "CPAS line"),
	"nav.alerts":    tr("Alertes", "Meldingen", "Warnungen", "Alerts"),
	"nav.traces":    tr("Traçabilité", "Traceerbaarheid", "Nachverfolgung", "Traces"),
	"lang.label":    tr("Langue", "Taal", "Sprache", "Language"),
	"lang.apply":    tr("Changer", "Wijzigen", "Ändern", "Change"),
	"lang.fr":       tr("Français", "Frans", "Französisch", "French"),
	"lang.nl":       tr("Néerlandais", "Nederlands", "Niederländisch", "Dutch"),
	"lang.de":       tr("Allemand", "Duits", "Deutsch", "German"),
	"lang.en":       tr("Anglais", "Engels", "Englisch", "English"),

	// sign-in
	"signin.intro":     tr("Réservé au personnel du centre de contacts, depuis un poste du réseau de l'entreprise.", "Voorbehouden aan het personeel van het contactcenter, vanaf een werkstation op het bedrijfsnetwerk.", "Nur für das Personal des Kontaktcenters, von einem Arbeitsplatz im Firmennetz.", "For contact-center staff only, from a workstation on the company network."),
	"signin.demo_hint": tr("Un clic suffit. Pour un appel de démonstration, commencez par « Conseiller clientèle ».", "Eén klik volstaat. Begin voor een demo-oproep met ‘Klantenadviseur’.", "Ein Klick genügt. Für einen Demo-Anruf beginnen Sie mit „Kundenberater“.", "One click is enough. For a demo call, start with “Customer advisor”."),

	// roles
	"role.advisor":                  tr("Conseiller clientèle", "Klantenadviseur", "Kundenberater", "Customer advisor"),
	"role.cpas_advisor":             tr("Conseiller ligne CPAS", "Adviseur OCMW-lijn", "Berater ÖSHZ-Leitung", "CPAS line advisor"),
	"role.back_office":              tr("Back-office", "Backoffice", "Backoffice", "Back office"),
	"role.team_lead":                tr("Chef d'équipe", "Teamleider", "Teamleiter", "Team lead"),
	"role.supervisor":               tr("Superviseur", "Supervisor", "Supervisor", "Supervisor"),
	"role.privacy_officer":          tr("Délégué à la protection des données", "Privacyfunctionaris", "Datenschutzbeauftragter", "Privacy officer"),
	"role.auditor":                  tr("Auditeur sécurité", "Beveiligingsauditor", "Sicherheitsprüfer", "Security auditor"),
	"role.it_admin":                 tr("Administrateur informatique", "IT-beheerder", "IT-Administrator", "IT administrator"),
	"role.service_delivery_manager": tr("Service delivery manager", "Service delivery manager", "Service-Delivery-Manager", "Service delivery manager"),

	// home
	"home.title":     tr("Accueil", "Start", "Start", "Home"),
	"home.nothing":   tr("Votre rôle ne donne accès à aucun écran du centre de contacts. Les outils d'administration sont en ligne de commande (voir la documentation).", "Uw rol geeft geen toegang tot schermen van het contactcenter. De beheertools zijn opdrachtregeltools (zie de documentatie).", "Ihre Rolle gibt keinen Zugang zu Bildschirmen des Kontaktcenters. Die Verwaltungswerkzeuge sind Kommandozeilenwerkzeuge (siehe Dokumentation).", "Your role gives access to no contact-center screen. Administration tools are on the command line (see the documentation)."),
	"home.go_cpas":   tr("Ouvrir la ligne CPAS", "OCMW-lijn openen", "ÖSHZ-Leitung öffnen", "Open the CPAS line"),
	"home.go_alerts": tr("Voir les alertes", "Meldingen bekijken", "Warnungen ansehen", "See the alerts"),
	"home.go_traces": tr("Rechercher dans la traçabilité", "Zoeken in de traceerbaarheid", "In der Nachverfolgung suchen", "Search the traces"),

	// traces (auditors)
	"traces.title":        tr("Traçabilité des accès", "Traceerbaarheid van de toegangen", "Nachverfolgung der Zugriffe", "Access traces"),
	"traces.intro":        tr("Chaque accès aux données des clients et chaque décision sont inscrits dans un journal vérifiable (T1, T2). Les données personnelles restent masquées.", "Elke toegang tot klantgegevens en elke beslissing wordt opgenomen in een verifieerbaar logboek (T1, T2). Persoonsgegevens blijven gemaskeerd.", "Jeder Zugriff auf Kundendaten und jede Entscheidung wird in einem überprüfbaren Protokoll festgehalten (T1, T2). Personenbezogene Daten bleiben maskiert.", "Every access to customer data and every decision is written to a verifiable log (T1, T2). Personal data stays masked."),
	"traces.checkpoint":   tr("Dernier point de contrôle signé", "Laatste ondertekend controlepunt", "Letzter signierter Prüfpunkt", "Latest signed checkpoint"),
	"traces.cp_size":      tr("Événements couverts", "Gedekte gebeurtenissen", "Abgedeckte Ereignisse", "Events covered"),
	"traces.cp_logged":    tr("Événements journalisés", "Gelogde gebeurtenissen", "Protokollierte Ereignisse", "Events logged"),
	"traces.cp_signed":    tr("Signé le", "Ondertekend op", "Signiert am", "Signed at"),
	"traces.cp_root":      tr("Racine de l'arbre", "Wortel van de boom", "Wurzel des Baums", "Tree root"),
	"traces.cp_sig":       tr("Signature", "Handtekening", "Signatur", "Signature"),
	"traces.cp_sig_ok":    tr("valide (clé publique de l'opérateur)", "geldig (publieke sleutel van de netbeheerder)", "gültig (öffentlicher Schlüssel des Betreibers)", "valid (operator's public key)"),
	"traces.cp_sig_bad":   tr("INVALIDE — prévenez le délégué à la protection des données", "ONGELDIG — verwittig de privacyfunctionaris", "UNGÜLTIG — benachrichtigen Sie den Datenschutzbeauftragten", "INVALID — tell the privacy officer"),
	"traces.cp_sig_nokey": tr("non vérifiée ici (aucune clé publique configurée) ; vérifiez hors ligne avec « coupole audit verify »", "hier niet geverifieerd (geen publieke sleutel ingesteld); verifieer offline met ‘coupole audit verify’", "hier nicht geprüft (kein öffentlicher Schlüssel eingerichtet); offline mit „coupole audit verify“ prüfen", "not checked here (no public key configured); verify offline with “coupole audit verify”"),
	"traces.cp_pending":   tr("%d événement(s) pas encore couvert(s) par un point de contrôle.", "%d gebeurtenis(sen) nog niet gedekt door een controlepunt.", "%d Ereignis(se) noch nicht von einem Prüfpunkt abgedeckt.", "%d event(s) not yet covered by a checkpoint."),
	"traces.cp_uptodate":  tr("Tous les événements sont couverts par le dernier point de contrôle.", "Alle gebeurtenissen zijn gedekt door het laatste controlepunt.", "Alle Ereignisse sind vom letzten Prüfpunkt abgedeckt.", "Every event is covered by the latest checkpoint."),
	"traces.cp_none":      tr("Aucun point de contrôle signé pour l'instant.", "Nog geen ondertekend controlepunt.", "Noch kein signierter Prüfpunkt.", "No signed checkpoint yet."),
	"traces.search":       tr("Rechercher", "Zoeken", "Suchen", "Search"),
	"traces.actor":        tr("Membre du personnel (identifiant)", "Personeelslid (id)", "Personalmitglied (Kennung)", "Staff member (id)"),
	"traces.interaction":  tr("Interaction", "Interactie", "Interaktion", "Interaction"),
	"traces.customer":     tr("Référence client", "Klantreferentie", "Kundenreferenz", "Customer reference"),
	"traces.ean":          tr("EAN", "EAN", "EAN", "EAN"),
	"traces.from":         tr("Du", "Van", "Von", "From"),
	"traces.to":           tr("Au (exclu)", "Tot (exclusief)", "Bis (ausschließlich)", "To (excluded)"),
	"traces.hint":         tr("Les critères se combinent. La recherche est envoyée par formulaire : aucune donnée personnelle dans l'adresse de la page.", "De criteria worden gecombineerd. De zoekopdracht wordt via een formulier verzonden: geen persoonsgegevens in het adres van de pagina.", "Die Kriterien werden kombiniert. Die Suche wird per Formular gesendet: keine personenbezogenen Daten in der Seitenadresse.", "Criteria combine. The search is sent as a form: no personal data in the page address."),
	"traces.results":      tr("Résultats", "Resultaten", "Ergebnisse", "Results"),
	"traces.none":         tr("Aucun événement ne correspond.", "Geen gebeurtenis gevonden.", "Kein passendes Ereignis.", "No matching event."),
	"traces.more":         tr("Page suivante", "Volgende pagina", "Nächste Seite", "Next page"),
	"traces.col_index":    tr("N°", "Nr.", "Nr.", "No."),
	"traces.col_time":     tr("Quand", "Wanneer", "Wann", "When"),
	"traces.col_actor":    tr("Qui", "Wie", "Wer", "Who"),
	"traces.col_action":   tr("Action", "Handeling", "Aktion", "Action"),
	"traces.col_about":    tr("Concernant", "Betreft", "Betrifft", "About"),
	"traces.col_decision": tr("Décision", "Beslissing", "Entscheidung", "Decision"),
	"traces.erased":       tr("contenu effacé (rétention écoulée) — la preuve reste valide", "inhoud gewist (bewaartermijn verstreken) — het bewijs blijft geldig", "Inhalt gelöscht (Aufbewahrung abgelaufen) — der Nachweis bleibt gültig", "content erased (retention over) — the proof stays valid"),
	"traces.bad_date":     tr("Date invalide : utilisez le format AAAA-MM-JJ.", "Ongeldige datum: gebruik het formaat JJJJ-MM-DD.", "Ungültiges Datum: verwenden Sie das Format JJJJ-MM-TT.", "Invalid date: use the format YYYY-MM-DD."),
	"traces.bad_ean":      tr("EAN invalide : 18 chiffres, commençant par 54.", "Ongeldige EAN: 18 cijfers, beginnend met 54.", "Ungültige EAN: 18 Ziffern, beginnend mit 54.", "Invalid EAN: 18 digits, starting with 54."),
	"traces.needs_filter": tr("Indiquez au moins un critère, ou une période.", "Geef minstens één criterium of een periode op.", "Geben Sie mindestens ein Kriterium oder einen Zeitraum an.", "Give at least one criterion, or a period."),
}
