package web

import "github.com/coupole/coupole"

// Texts of the interaction screens (issue 7): the advisor workspace, the
// CPAS line, the alerts. Enumeration codes (channels, requesters, items,
// outcomes…) are named "prefix.code"; a test walks every code.

func init() {
	for k, v := range interactionMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var interactionMessages = map[string]map[coupole.Language]string{
	// channels (policy.Channels)
	"channel.phone":     tr("Téléphone", "Telefoon", "Telefon", "Phone"),
	"channel.email":     tr("E-mail", "E-mail", "E-Mail", "E-mail"),
	"channel.letter":    tr("Courrier", "Brief", "Brief", "Letter"),
	"channel.chat":      tr("Chat", "Chat", "Chat", "Chat"),
	"channel.messenger": tr("Messenger", "Messenger", "Messenger", "Messenger"),
	"channel.cpas_line": tr("Ligne CPAS", "OCMW-lijn", "ÖSHZ-Leitung", "CPAS line"),
	"channel.web_form":  tr("Formulaire web", "Webformulier", "Webformular", "Web form"),

	// requesters (policy.Requesters)
	"requester.customer":    tr("Client (occupant)", "Klant (bewoner)", "Kunde (Bewohner)", "Customer (occupant)"),
	"requester.mandatary":   tr("Mandataire du client", "Gevolmachtigde van de klant", "Bevollmächtigter des Kunden", "Customer's mandatary"),
	"requester.cpas":        tr("CPAS", "OCMW", "ÖSHZ", "CPAS"),
	"requester.supplier":    tr("Fournisseur d'énergie", "Energieleverancier", "Energielieferant", "Energy supplier"),
	"requester.landlord":    tr("Propriétaire (non occupant)", "Eigenaar (geen bewoner)", "Eigentümer (nicht Bewohner)", "Landlord (not the occupant)"),
	"requester.third_party": tr("Autre tiers", "Andere derde", "Andere Dritte", "Other third party"),

	// items (policy.Items)
	"item.ean":                 tr("Code EAN", "EAN-code", "EAN-Code", "EAN code"),
	"item.supplier":            tr("Fournisseur actuel", "Huidige leverancier", "Aktueller Lieferant", "Current supplier"),
	"item.consumption_history": tr("Historique de consommation", "Verbruiksgeschiedenis", "Verbrauchsverlauf", "Consumption history"),
	"item.case_status":         tr("État du dossier", "Stand van het dossier", "Stand der Akte", "Case status"),
	"item.public_info":         tr("Travaux et pannes (public)", "Werken en storingen (openbaar)", "Arbeiten und Störungen (öffentlich)", "Works and outages (public)"),

	// outcomes (policy.Outcomes)
	"outcome.oral":             tr("À communiquer maintenant", "Nu meedelen", "Jetzt mitteilen", "Tell it now"),
	"outcome.sms":              tr("Par SMS", "Per sms", "Per SMS", "By SMS"),
	"outcome.letter":           tr("Par courrier", "Per brief", "Per Brief", "By letter"),
	"outcome.back_office_case": tr("Dossier back-office", "Backofficedossier", "Backoffice-Akte", "Back-office case"),
	"outcome.cms_portal":       tr("Renvoi vers le portail CMS", "Doorverwijzing naar het CMS-portaal", "Verweis auf das CMS-Portal", "Redirect to the CMS portal"),
	"outcome.website":          tr("Renvoi vers le site web", "Doorverwijzing naar de website", "Verweis auf die Website", "Redirect to the website"),
	"outcome.customer_portal":  tr("Renvoi vers le portail client", "Doorverwijzing naar het klantenportaal", "Verweis auf das Kundenportal", "Redirect to the customer portal"),
	"outcome.refuse":           tr("Refus", "Weigering", "Ablehnung", "Refused"),

	// refusal reasons (policy.RefusalReasons)
	"refusal.not_verified":    tr("numéro de compteur non vérifié", "meternummer niet geverifieerd", "Zählernummer nicht überprüft", "meter number not verified"),
	"refusal.no_relation":     tr("aucun lien avec le point d'accès", "geen band met het toegangspunt", "keine Beziehung zum Zugangspunkt", "no relation to the access point"),
	"refusal.mandate_invalid": tr("mandat absent ou expiré", "volmacht ontbreekt of verlopen", "Vollmacht fehlt oder abgelaufen", "mandate missing or expired"),
	"refusal.private_data":    tr("données privées", "privégegevens", "private Daten", "private data"),
	"refusal.wrong_channel":   tr("canal inadapté", "ongeschikt kanaal", "ungeeigneter Kanal", "wrong channel"),
	"refusal.not_allowed":     tr("non autorisé", "niet toegestaan", "nicht erlaubt", "not allowed"),

	// energies, regimes
	"energy.electricity": tr("Électricité", "Elektriciteit", "Strom", "Electricity"),
	"energy.gas":         tr("Gaz", "Gas", "Gas", "Gas"),
	"regime.annual":      tr("Relevé annuel", "Jaarlijkse opname", "Jährliche Ablesung", "Annual reading"),
	"regime.monthly":     tr("Relevé mensuel", "Maandelijkse opname", "Monatliche Ablesung", "Monthly reading"),
	"regime.remote":      tr("Télérelevé (sans compteur communicant)", "Telemeting (zonder slimme meter)", "Fernablesung (ohne intelligenten Zähler)", "Remote reading (no smart meter)"),
	"regime.smart":       tr("Compteur communicant", "Slimme meter", "Intelligenter Zähler", "Smart meter"),

	// call reasons (interaction.DefaultCallReasons)
	"reason.emergency_gas_odour":  tr("Urgence : odeur de gaz", "Noodgeval: gasgeur", "Notfall: Gasgeruch", "Emergency: gas odour"),
	"reason.emergency_electrical": tr("Urgence : danger électrique", "Noodgeval: elektrisch gevaar", "Notfall: elektrische Gefahr", "Emergency: electrical hazard"),
	"reason.outage":               tr("Panne", "Storing", "Störung", "Outage"),
	"reason.planned_works":        tr("Travaux planifiés", "Geplande werken", "Geplante Arbeiten", "Planned works"),
	"reason.connection":           tr("Raccordement", "Aansluiting", "Anschluss", "Connection"),
	"reason.metering_index":       tr("Comptage, relevé d'index", "Meting, meterstand", "Messung, Zählerstand", "Metering, index reading"),
	"reason.move":                 tr("Déménagement", "Verhuizing", "Umzug", "Move"),
	"reason.ean_request":          tr("Demande de code EAN", "Aanvraag EAN-code", "Anfrage EAN-Code", "EAN code request"),
	"reason.supplier_question":    tr("Question sur le fournisseur", "Vraag over de leverancier", "Frage zum Lieferanten", "Supplier question"),
	"reason.invoice":              tr("Facture", "Factuur", "Rechnung", "Invoice"),
	"reason.solar_ev":             tr("Panneaux solaires, véhicule électrique", "Zonnepanelen, elektrisch voertuig", "Solaranlage, Elektrofahrzeug", "Solar panels, electric vehicle"),
	"reason.complaint":            tr("Plainte", "Klacht", "Beschwerde", "Complaint"),
	"reason.privacy_request":      tr("Demande relative à la vie privée", "Privacyverzoek", "Datenschutzanfrage", "Privacy request"),
	"reason.other":                tr("Autre", "Andere", "Sonstiges", "Other"),

	// demo callers (serve --demo only)
	"demo.account_name":          tr("%s (démo)", "%s (demo)", "%s (Demo)", "%s (demo)"),
	"demo.callers":               tr("Appelants de démonstration", "Demobellers", "Demo-Anrufer", "Demo callers"),
	"demo.callers_hint":          tr("Données synthétiques du mode démo, jamais réelles. Jouez l'appelant : ouvrez l'interaction, cherchez l'EAN (ou le nom), choisissez le candidat aux mêmes initiales, puis donnez le numéro de compteur.", "Synthetische gegevens van de demomodus, nooit echt. Speel de beller: open de interactie, zoek de EAN (of de naam), kies de kandidaat met dezelfde initialen en geef dan het meternummer.", "Synthetische Daten des Demo-Modus, nie echt. Spielen Sie den Anrufer: Interaktion eröffnen, EAN (oder Namen) suchen, den Kandidaten mit denselben Initialen wählen, dann die Zählernummer nennen.", "Synthetic data of the demo mode, never real. Play the caller: open the interaction, search the EAN (or the name), choose the candidate with the same initials, then give the meter number."),
	"demo.col_scenario":          tr("Scénario", "Scenario", "Szenario", "Scenario"),
	"demo.col_caller":            tr("Appelant", "Beller", "Anrufer", "Caller"),
	"demo.col_search":            tr("EAN à chercher", "Te zoeken EAN", "Zu suchende EAN", "EAN to search"),
	"demo.col_meter":             tr("N° de compteur donné", "Gegeven meternummer", "Genannte Zählernummer", "Meter number given"),
	"demo.col_steps":             tr("Déroulé", "Verloop", "Ablauf", "Steps"),
	"demo.scenario.occupant_sms": tr("Occupant avec GSM enregistré", "Bewoner met geregistreerde gsm", "Bewohner mit registriertem Handy", "Occupant with a registered mobile"),
	"demo.scenario.smart_meter":  tr("Compteur communicant", "Slimme meter", "Intelligenter Zähler", "Smart meter"),
	"demo.scenario.cpas":         tr("Bénéficiaire d'un CPAS", "Begunstigde van een OCMW", "Begünstigter eines ÖSHZ", "CPAS beneficiary"),
	"demo.steps.occupant_sms":    tr("Téléphone, Client. Demandez « Code EAN » → SMS au GSM enregistré ; envoyez-le, puis clôturez avec un motif.", "Telefoon, Klant. Vraag ‘EAN-code’ → sms naar de geregistreerde gsm; verstuur hem en sluit af met een reden.", "Telefon, Kunde. Fragen Sie „EAN-Code“ → SMS an das registrierte Handy; senden, dann mit einem Grund abschließen.", "Phone, Customer. Ask “EAN code” → SMS to the registered mobile; send it, then wrap up with a reason."),
	"demo.steps.smart_meter":     tr("Téléphone, Client. Demandez « Historique de consommation » → renvoi vers le portail client. En « Propriétaire » : refus.", "Telefoon, Klant. Vraag ‘Verbruiksgeschiedenis’ → doorverwijzing naar het klantenportaal. Als ‘Eigenaar’: weigering.", "Telefon, Kunde. Fragen Sie „Verbrauchsverlauf“ → Verweis auf das Kundenportal. Als „Eigentümer“: Ablehnung.", "Phone, Customer. Ask “Consumption history” → redirect to the customer portal. As “Landlord”: refused."),
	"demo.steps.cpas":            tr("Compte « Conseiller ligne CPAS », Ligne CPAS, identifiant %s (%s). Cherchez l'EAN ; pas de compteur à vérifier. Demandez « Fournisseur actuel » → réponse orale.", "Account ‘Adviseur OCMW-lijn’, OCMW-lijn, id %s (%s). Zoek de EAN; geen meter te verifiëren. Vraag ‘Huidige leverancier’ → mondeling antwoord.", "Konto „Berater ÖSHZ-Leitung“, ÖSHZ-Leitung, Kennung %s (%s). EAN suchen; keine Zählerprüfung. Fragen Sie „Aktueller Lieferant“ → mündliche Antwort.", "Account “CPAS line advisor”, CPAS line, id %s (%s). Search the EAN; no meter to verify. Ask “Current supplier” → told orally."),

	// workspace
	"ws.new":            tr("Nouvelle interaction", "Nieuwe interactie", "Neue Interaktion", "New interaction"),
	"ws.channel":        tr("Canal", "Kanaal", "Kanal", "Channel"),
	"ws.requester":      tr("Qui vous contacte ?", "Wie neemt contact op?", "Wer meldet sich?", "Who is contacting you?"),
	"ws.caller_number":  tr("Numéro de l'appelant (affiché par la téléphonie)", "Nummer van de beller (getoond door de telefonie)", "Nummer des Anrufers (von der Telefonie angezeigt)", "Caller's number (shown by the telephony)"),
	"ws.caller_hint":    tr("Facultatif. Jamais utilisé pour envoyer un SMS.", "Facultatief. Nooit gebruikt om een sms te sturen.", "Optional. Nie für den SMS-Versand verwendet.", "Optional. Never used to send an SMS."),
	"ws.mandatary_name": tr("Nom du mandataire", "Naam van de gevolmachtigde", "Name des Bevollmächtigten", "Mandatary's name"),
	"ws.mandatary_hint": tr("Seulement si un mandataire appelle pour le client.", "Alleen als een gevolmachtigde voor de klant belt.", "Nur wenn ein Bevollmächtigter für den Kunden anruft.", "Only when a mandatary calls for the customer."),
	"ws.open":           tr("Ouvrir l'interaction", "Interactie openen", "Interaktion eröffnen", "Open the interaction"),
	"ws.mine":           tr("Mes interactions ouvertes", "Mijn open interacties", "Meine offenen Interaktionen", "My open interactions"),
	"ws.none_open":      tr("Aucune interaction ouverte.", "Geen open interacties.", "Keine offenen Interaktionen.", "No open interaction."),
	"ws.resume":         tr("Reprendre", "Hervatten", "Fortsetzen", "Resume"),
	"ws.opened_at":      tr("Ouverte le", "Geopend op", "Eröffnet am", "Opened at"),

	// interaction page
	"ia.title":                    tr("Interaction", "Interactie", "Interaktion", "Interaction"),
	"ia.status.open":              tr("ouverte", "open", "offen", "open"),
	"ia.status.closed":            tr("clôturée", "afgesloten", "abgeschlossen", "closed"),
	"ia.steps":                    tr("Étapes", "Stappen", "Schritte", "Steps"),
	"ia.step.identify":            tr("1. Identifier", "1. Identificeren", "1. Identifizieren", "1. Identify"),
	"ia.step.verify":              tr("2. Vérifier", "2. Verifiëren", "2. Überprüfen", "2. Verify"),
	"ia.step.answer":              tr("3. Répondre", "3. Antwoorden", "3. Antworten", "3. Answer"),
	"ia.step.wrapup":              tr("4. Clôturer", "4. Afsluiten", "4. Abschließen", "4. Wrap up"),
	"ia.identify":                 tr("Identifier le point d'accès", "Het toegangspunt identificeren", "Den Zugangspunkt identifizieren", "Identify the access point"),
	"ia.identify_hint":            tr("Un seul critère : l'EAN, le numéro de compteur, le nom, ou l'adresse.", "Eén criterium: de EAN, het meternummer, de naam of het adres.", "Ein Kriterium: die EAN, die Zählernummer, der Name oder die Adresse.", "One criterion: the EAN, the meter number, the name, or the address."),
	"ia.by_ean":                   tr("Code EAN", "EAN-code", "EAN-Code", "EAN code"),
	"ia.by_meter":                 tr("Numéro de compteur", "Meternummer", "Zählernummer", "Meter number"),
	"ia.by_name":                  tr("Nom du client", "Naam van de klant", "Name des Kunden", "Customer's name"),
	"ia.postcode":                 tr("Code postal", "Postcode", "Postleitzahl", "Postcode"),
	"ia.street":                   tr("Rue", "Straat", "Straße", "Street"),
	"ia.number":                   tr("Numéro", "Nummer", "Hausnummer", "Number"),
	"ia.search":                   tr("Rechercher", "Zoeken", "Suchen", "Search"),
	"ia.candidates":               tr("Résultats", "Resultaten", "Ergebnisse", "Results"),
	"ia.no_candidates":            tr("Aucun point d'accès ne correspond. Vérifiez l'orthographe ou essayez un autre critère.", "Geen toegangspunt gevonden. Controleer de spelling of probeer een ander criterium.", "Kein passender Zugangspunkt. Prüfen Sie die Schreibweise oder versuchen Sie ein anderes Kriterium.", "No access point matches. Check the spelling or try another criterion."),
	"ia.truncated":                tr("D'autres résultats existent : précisez la recherche.", "Er zijn meer resultaten: verfijn de zoekopdracht.", "Es gibt weitere Ergebnisse: verfeinern Sie die Suche.", "More results exist: narrow the search."),
	"ia.choose":                   tr("Choisir", "Kiezen", "Auswählen", "Choose"),
	"ia.verify":                   tr("Vérifier l'appelant", "De beller verifiëren", "Den Anrufer überprüfen", "Verify the caller"),
	"ia.verify_ask":               tr("Demandez : « Pouvez-vous me donner le numéro de votre compteur ? »", "Vraag: ‘Kunt u mij het nummer van uw meter geven?’", "Fragen Sie: „Können Sie mir die Nummer Ihres Zählers nennen?“", "Ask: “Could you give me your meter number?”"),
	"ia.meter_given":              tr("Numéro de compteur donné par l'appelant", "Meternummer gegeven door de beller", "Vom Anrufer genannte Zählernummer", "Meter number given by the caller"),
	"ia.verify_submit":            tr("Vérifier", "Verifiëren", "Überprüfen", "Verify"),
	"ia.verified":                 tr("Numéro de compteur vérifié.", "Meternummer geverifieerd.", "Zählernummer überprüft.", "Meter number verified."),
	"ia.verify_failed":            tr("Ce numéro ne correspond pas. Tentatives restantes : %d.", "Dit nummer klopt niet. Resterende pogingen: %d.", "Diese Nummer stimmt nicht. Verbleibende Versuche: %d.", "This number does not match. Attempts left: %d."),
	"ia.budget_locked":            tr("Trop de vérifications échouées sur ce point d'accès, toutes interactions confondues : il est bloqué jusqu'à ce qu'un chef d'équipe le débloque. Dites : « Je ne peux pas vous donner ces informations par téléphone ; vous pouvez nous écrire. »", "Te veel mislukte verificaties op dit toegangspunt, over alle interacties heen: het is geblokkeerd tot een teamleider het deblokkeert. Zeg: ‘Ik kan u deze informatie niet telefonisch geven; u kunt ons schrijven.’", "Zu viele fehlgeschlagene Überprüfungen dieses Zugangspunkts über alle Interaktionen hinweg: Er ist gesperrt, bis ein Teamleiter ihn entsperrt. Sagen Sie: „Ich kann Ihnen diese Auskunft nicht telefonisch geben; Sie können uns schreiben.“", "Too many failed verifications on this access point across interactions: it is locked until a team lead unlocks it. Say: “I cannot give you this information by phone; you may write to us.”"),
	"ia.locked":                   tr("Point d'accès bloqué pour cette interaction après trop d'essais. Votre chef d'équipe est prévenu. Dites : « Je ne peux pas vous donner ces informations par téléphone ; vous pouvez nous écrire. »", "Toegangspunt geblokkeerd voor deze interactie na te veel pogingen. Uw teamleider is verwittigd. Zeg: ‘Ik kan u deze informatie niet telefonisch geven; u kunt ons schrijven.’", "Zugangspunkt für diese Interaktion nach zu vielen Versuchen gesperrt. Ihr Teamleiter ist benachrichtigt. Sagen Sie: „Ich kann Ihnen diese Auskunft nicht telefonisch geben; Sie können uns schreiben.“", "Access point locked for this interaction after too many attempts. Your team lead has been alerted. Say: “I cannot give you this information by phone; you may write to us.”"),
	"ia.attempts_left":            tr("Tentatives restantes : %d", "Resterende pogingen: %d", "Verbleibende Versuche: %d", "Attempts left: %d"),
	"ia.point":                    tr("Point d'accès", "Toegangspunt", "Zugangspunkt", "Access point"),
	"ia.customer":                 tr("Client", "Klant", "Kunde", "Customer"),
	"ia.address":                  tr("Adresse d'installation", "Installatieadres", "Installationsadresse", "Installation address"),
	"ia.energy":                   tr("Énergie", "Energie", "Energie", "Energy"),
	"ia.regime":                   tr("Relevé", "Opname", "Ablesung", "Reading"),
	"ia.verification":             tr("Vérification", "Verificatie", "Überprüfung", "Verification"),
	"ia.v_ok":                     tr("vérifié", "geverifieerd", "überprüft", "verified"),
	"ia.v_no":                     tr("pas encore vérifié", "nog niet geverifieerd", "noch nicht überprüft", "not verified yet"),
	"ia.v_locked":                 tr("bloqué", "geblokkeerd", "gesperrt", "locked"),
	"ia.masked_note":              tr("Données masquées : seul ce que la demande exige est affiché (C1).", "Gemaskeerde gegevens: alleen wat het verzoek vereist wordt getoond (C1).", "Maskierte Daten: nur was die Anfrage erfordert wird angezeigt (C1).", "Masked data: only what the request needs is shown (C1)."),
	"ia.answer":                   tr("Que demande-t-on ?", "Wat wordt er gevraagd?", "Was wird gefragt?", "What is asked?"),
	"ia.answer_hint":              tr("Coupole décide selon la politique de divulgation et vous donne la phrase à dire.", "Coupole beslist volgens het openbaarmakingsbeleid en geeft u de zin om te zeggen.", "Coupole entscheidet nach der Offenlegungsrichtlinie und gibt Ihnen den Satz zum Vorlesen.", "Coupole decides by the disclosure policy and gives you the sentence to say."),
	"ia.decide":                   tr("Demander", "Vragen", "Anfragen", "Ask"),
	"ia.disclosures":              tr("Réponses", "Antwoorden", "Antworten", "Answers"),
	"ia.read_out":                 tr("À lire à l'appelant", "Voor te lezen aan de beller", "Dem Anrufer vorlesen", "Read out to the caller"),
	"ia.route":                    tr("Acheminement", "Verzending", "Zustellung", "Route"),
	"ia.route.sms":                tr("SMS au %s", "Sms naar %s", "SMS an %s", "SMS to %s"),
	"ia.route.sms_pending":        tr("SMS au numéro de GSM enregistré", "Sms naar het geregistreerde gsm-nummer", "SMS an die registrierte Handynummer", "SMS to the registered mobile number"),
	"ia.route.letter":             tr("courrier à l'adresse d'installation", "brief naar het installatieadres", "Brief an die Installationsadresse", "letter to the installation address"),
	"ia.route.letter_to":          tr("courrier à l'adresse d'installation (%s)", "brief naar het installatieadres (%s)", "Brief an die Installationsadresse (%s)", "letter to the installation address (%s)"),
	"ia.route.letter_postal":      tr("courrier à l'adresse postale du client", "brief naar het postadres van de klant", "Brief an die Postanschrift des Kunden", "letter to the customer's postal address"),
	"ia.route.case":               tr("dossier transmis au back-office (réponse par e-mail ou courrier)", "dossier doorgegeven aan de backoffice (antwoord per e-mail of brief)", "Akte an das Backoffice (Antwort per E-Mail oder Brief)", "case passed to the back office (answer by e-mail or letter)"),
	"ia.execute.sms":              tr("Envoyer le SMS", "Sms versturen", "SMS senden", "Send the SMS"),
	"ia.execute.letter":           tr("Envoyer le courrier", "Brief versturen", "Brief senden", "Send the letter"),
	"ia.execute.back_office_case": tr("Créer le dossier", "Dossier aanmaken", "Akte anlegen", "Create the case"),
	"ia.executed":                 tr("Fait : %s (envoi en attente).", "Gedaan: %s (verzending in behandeling).", "Erledigt: %s (Versand ausstehend).", "Done: %s (sending pending)."),
	"ia.already":                  tr("Déjà fait pour cette interaction : rien n'a été envoyé une deuxième fois.", "Al gedaan voor deze interactie: er is niets een tweede keer verstuurd.", "Für diese Interaktion bereits erledigt: nichts wurde ein zweites Mal gesendet.", "Already done for this interaction: nothing was sent twice."),
	"ia.deliveries":               tr("Envois", "Verzendingen", "Sendungen", "Deliveries"),
	"ia.data":                     tr("Données communicables", "Mee te delen gegevens", "Mitteilbare Daten", "Data that may be told"),
	"ia.period":                   tr("Période", "Periode", "Zeitraum", "Period"),
	"ia.until_today":              tr("aujourd'hui", "vandaag", "heute", "today"),
	"ia.readings":                 tr("Index", "Meterstanden", "Zählerstände", "Readings"),
	"ia.reading":                  tr("Encoder un relevé d'index", "Een meterstand invoeren", "Einen Zählerstand erfassen", "Enter a meter reading"),
	"ia.reading_date":             tr("Date du relevé", "Datum van de opname", "Datum der Ablesung", "Reading date"),
	"ia.day_kwh":                  tr("Jour (kWh)", "Dag (kWh)", "Tag (kWh)", "Day (kWh)"),
	"ia.night_kwh":                tr("Nuit (kWh)", "Nacht (kWh)", "Nacht (kWh)", "Night (kWh)"),
	"ia.excl_night_kwh":           tr("Exclusif nuit (kWh)", "Uitsluitend nacht (kWh)", "Nur Nacht (kWh)", "Exclusive night (kWh)"),
	"ia.gas_m3":                   tr("Gaz (m³)", "Gas (m³)", "Gas (m³)", "Gas (m³)"),
	"ia.reading_submit":           tr("Enregistrer l'index", "Meterstand opslaan", "Zählerstand speichern", "Record the reading"),
	"ia.reading_ok":               tr("Index du %s enregistré (consommation moyenne %.1f par jour depuis le relevé précédent).", "Meterstand van %s opgeslagen (gemiddeld verbruik %.1f per dag sinds de vorige opname).", "Zählerstand vom %s gespeichert (durchschnittlich %.1f pro Tag seit der letzten Ablesung).", "Reading of %s recorded (average %.1f per day since the previous reading)."),
	"ia.wrapup":                   tr("Clôturer l'interaction", "De interactie afsluiten", "Die Interaktion abschließen", "Wrap up the interaction"),
	"ia.wrapup_hint":              tr("Indiquez au moins un motif d'appel (C4).", "Geef minstens één reden van de oproep op (C4).", "Geben Sie mindestens einen Anrufgrund an (C4).", "Give at least one call reason (C4)."),
	"ia.reasons":                  tr("Motifs de l'appel", "Redenen van de oproep", "Anrufgründe", "Call reasons"),
	"ia.legal":                    tr("conservation légale de l'enregistrement", "wettelijke bewaring van de opname", "gesetzliche Aufbewahrung der Aufzeichnung", "legal retention of the recording"),
	"ia.close":                    tr("Clôturer", "Afsluiten", "Abschließen", "Close"),
	"ia.closed":                   tr("Interaction clôturée. Merci !", "Interactie afgesloten. Bedankt!", "Interaktion abgeschlossen. Danke!", "Interaction closed. Thank you!"),
	"ia.closed_note":              tr("Cette interaction est clôturée : plus aucune donnée du client n'est accessible.", "Deze interactie is afgesloten: er zijn geen klantgegevens meer toegankelijk.", "Diese Interaktion ist abgeschlossen: keine Kundendaten sind mehr zugänglich.", "This interaction is closed: no customer data is accessible any more."),
	"ia.back":                     tr("Retour à l'accueil", "Terug naar start", "Zurück zum Start", "Back to home"),
	"ia.public":                   tr("Travaux et pannes (information publique)", "Werken en storingen (openbare informatie)", "Arbeiten und Störungen (öffentliche Information)", "Works and outages (public information)"),
	"ia.public_hint":              tr("Sans identification ni vérification (D9).", "Zonder identificatie of verificatie (D9).", "Ohne Identifizierung oder Überprüfung (D9).", "No identification or verification needed (D9)."),
	"ia.public_none":              tr("Aucun travail planifié ni panne connue à cet endroit.", "Geen geplande werken of gekende storingen op deze plaats.", "Keine geplanten Arbeiten oder bekannten Störungen an diesem Ort.", "No planned works or known outage there."),

	"ia.pick_item":       tr("Cochez au moins une demande.", "Vink minstens één vraag aan.", "Kreuzen Sie mindestens eine Anfrage an.", "Tick at least one request."),
	"ia.bad_number":      tr("Index invalide : un nombre positif, avec une virgule ou un point pour les décimales.", "Ongeldige meterstand: een positief getal, met een komma of punt voor decimalen.", "Ungültiger Zählerstand: eine positive Zahl, mit Komma oder Punkt für Dezimalstellen.", "Invalid index: a positive number, with a comma or a point for decimals."),
	"ia.requester_label": tr("Demandeur", "Aanvrager", "Anfragender", "Requester"),

	// CPAS line
	"cpas.title": tr("Ligne CPAS", "OCMW-lijn", "ÖSHZ-Leitung", "CPAS line"),
	"cpas.intro": tr("Ligne dédiée, non publiée : le CPAS appelle pour un bénéficiaire dont il détient un mandat permanent (D6).", "Aparte, niet-gepubliceerde lijn: het OCMW belt voor een begunstigde waarvoor het een permanente volmacht heeft (D6).", "Eigene, nicht veröffentlichte Leitung: das ÖSHZ ruft für einen Begünstigten an, für den es eine Dauervollmacht hat (D6).", "Dedicated, unpublished line: the CPAS calls about a beneficiary it holds a permanent mandate for (D6)."),
	"cpas.id":    tr("CPAS appelant (référence)", "Bellend OCMW (referentie)", "Anrufendes ÖSHZ (Referenz)", "Calling CPAS (reference)"),
	"cpas.open":  tr("Prendre l'appel", "Oproep aannemen", "Anruf annehmen", "Take the call"),

	// alerts
	"alerts.title":                    tr("Alertes : vérifications bloquées", "Meldingen: geblokkeerde verificaties", "Warnungen: gesperrte Überprüfungen", "Alerts: locked verifications"),
	"alerts.intro":                    tr("Un point d'accès est bloqué quand un appelant donne plusieurs fois un mauvais numéro de compteur : possible tentative d'obtenir des données d'autrui (C2).", "Een toegangspunt wordt geblokkeerd wanneer een beller meermaals een fout meternummer geeft: mogelijke poging om gegevens van anderen te verkrijgen (C2).", "Ein Zugangspunkt wird gesperrt, wenn ein Anrufer mehrmals eine falsche Zählernummer nennt: möglicher Versuch, fremde Daten zu erhalten (C2).", "An access point is locked when a caller gives a wrong meter number several times: a possible attempt to obtain someone else's data (C2)."),
	"alerts.none":                     tr("Aucune alerte.", "Geen meldingen.", "Keine Warnungen.", "No alert."),
	"alerts.when":                     tr("Quand", "Wanneer", "Wann", "When"),
	"alerts.advisor":                  tr("Conseiller", "Adviseur", "Berater", "Advisor"),
	"alerts.interaction":              tr("Interaction", "Interactie", "Interaktion", "Interaction"),
	"alerts.point":                    tr("Point d'accès", "Toegangspunt", "Zugangspunkt", "Access point"),
	"alerts.kind":                     tr("Alerte", "Melding", "Warnung", "Alert"),
	"alerts.kind.verification_locked": tr("Vérification bloquée", "Verificatie geblokkeerd", "Überprüfung gesperrt", "Verification locked"),

	// the access point's verification budget across interactions (issue 10)
	"alerts.kind.verification_budget_spent": tr("Point d'accès bloqué pour tous", "Toegangspunt voor iedereen geblokkeerd", "Zugangspunkt für alle gesperrt", "Access point locked for everyone"),
}
