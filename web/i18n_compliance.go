package web

import "github.com/coupole/coupole"

// Texts of the privacy officer's compliance screens (issue 14): registers
// and the yearly report. French first.

func init() {
	for k, v := range complianceMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var complianceMessages = map[string]map[coupole.Language]string{
	"nav.registers":             tr("Registres RGPD", "AVG-registers", "DSGVO-Register", "GDPR registers"),
	"registers.title":           tr("Registres RGPD", "AVG-registers", "DSGVO-Register", "GDPR registers"),
	"registers.intro":           tr("Les registres tenus par le responsable vie privée. Chaque modification crée une version : qui, quand, quoi. Les revues échues et les constats en retard sont signalés.", "De registers die de privacyfunctionaris bijhoudt. Elke wijziging maakt een versie: wie, wanneer, wat. Verstreken herzieningen en achterstallige bevindingen worden gemeld.", "Die Register des Datenschutzbeauftragten. Jede Änderung erzeugt eine Version: wer, wann, was. Fällige Überprüfungen und überfällige Befunde werden hervorgehoben.", "The registers the privacy officer keeps. Every change makes a version: who, when, what. Reviews due and overdue findings are flagged."),
	"registers.register":        tr("Registre", "Register", "Register", "Register"),
	"registers.entries":         tr("Entrées", "Vermeldingen", "Einträge", "Entries"),
	"registers.flagged":         tr("À traiter", "Te behandelen", "Zu bearbeiten", "To act on"),
	"registers.reminders":       tr("Rappels", "Herinneringen", "Erinnerungen", "Reminders"),
	"registers.no_reminders":    tr("Aucune revue ni remédiation en attente.", "Geen herziening of herstel in behandeling.", "Keine Überprüfung oder Behebung ausstehend.", "No review or remediation pending."),
	"registers.review_due":      tr("Revue prévue le", "Herziening gepland op", "Überprüfung fällig am", "Review due"),
	"registers.new":             tr("Nouvelle entrée", "Nieuwe vermelding", "Neuer Eintrag", "New entry"),
	"registers.entry_title":     tr("Intitulé", "Titel", "Bezeichnung", "Title"),
	"registers.status":          tr("État", "Status", "Status", "Status"),
	"registers.version":         tr("Version", "Versie", "Version", "Version"),
	"registers.changed":         tr("Dernière modification", "Laatste wijziging", "Letzte Änderung", "Last changed"),
	"registers.empty":           tr("Ce registre est vide.", "Dit register is leeg.", "Dieses Register ist leer.", "This register is empty."),
	"registers.history":         tr("Historique", "Geschiedenis", "Verlauf", "History"),
	"registers.history_intro":   tr("Toutes les versions, de la plus récente à la plus ancienne ; ce qui a changé est surligné.", "Alle versies, van de nieuwste tot de oudste; wat veranderde is gemarkeerd.", "Alle Versionen, von der neuesten zur ältesten; Geändertes ist markiert.", "Every version, newest first; what changed is highlighted."),
	"registers.deleted":         tr("supprimée", "verwijderd", "gelöscht", "deleted"),
	"registers.save":            tr("Enregistrer", "Opslaan", "Speichern", "Save"),
	"registers.delete":          tr("Supprimer (l'historique est conservé)", "Verwijderen (de geschiedenis blijft)", "Löschen (der Verlauf bleibt)", "Delete (the history is kept)"),
	"registers.yes":             tr("oui", "ja", "ja", "yes"),
	"registers.no":              tr("non", "nee", "nein", "no"),
	"registers.missing_clauses": tr("Art. 28 : il manque", "Art. 28: ontbreekt", "Art. 28: es fehlt", "Art. 28: missing"),

	"registers.kind.processing":   tr("Traitements (art. 30)", "Verwerkingen (art. 30)", "Verarbeitungstätigkeiten (Art. 30)", "Processing activities (art. 30)"),
	"registers.kind.dpia":         tr("Analyses d'impact (art. 35)", "Effectbeoordelingen (art. 35)", "Folgenabschätzungen (Art. 35)", "Impact assessments (art. 35)"),
	"registers.kind.subprocessor": tr("Sous-traitants (art. 28)", "Verwerkers (art. 28)", "Auftragsverarbeiter (Art. 28)", "Sub-processors (art. 28)"),
	"registers.kind.assessment":   tr("Analyses de risques et tests d'intrusion", "Risicoanalyses en penetratietests", "Risikoanalysen und Penetrationstests", "Risk analyses and penetration tests"),
	"registers.kind.finding":      tr("Constats et remédiation", "Bevindingen en herstel", "Befunde und Behebung", "Findings and remediation"),

	"registers.status.ok":             tr("à jour", "bijgewerkt", "aktuell", "up to date"),
	"registers.status.review_due":     tr("revue bientôt", "herziening binnenkort", "Überprüfung bald", "review soon"),
	"registers.status.review_overdue": tr("revue échue", "herziening verstreken", "Überprüfung überfällig", "review overdue"),
	"registers.status.overdue":        tr("en retard", "achterstallig", "überfällig", "overdue"),
	"registers.status.open":           tr("ouvert", "open", "offen", "open"),
	"registers.status.incomplete":     tr("clauses incomplètes", "clausules onvolledig", "Klauseln unvollständig", "clauses incomplete"),

	"registers.field.controller":                       tr("Responsable du traitement", "Verwerkingsverantwoordelijke", "Verantwortlicher", "Controller"),
	"registers.field.purposes":                         tr("Finalités", "Doeleinden", "Zwecke", "Purposes"),
	"registers.field.data_subjects":                    tr("Catégories de personnes concernées", "Categorieën van betrokkenen", "Kategorien betroffener Personen", "Categories of data subjects"),
	"registers.field.data_categories":                  tr("Catégories de données", "Categorieën van gegevens", "Datenkategorien", "Categories of data"),
	"registers.field.recipients":                       tr("Destinataires", "Ontvangers", "Empfänger", "Recipients"),
	"registers.field.transfers":                        tr("Transferts hors UE", "Doorgiften buiten de EU", "Übermittlungen außerhalb der EU", "Transfers outside the EU"),
	"registers.field.retention":                        tr("Durées de conservation", "Bewaartermijnen", "Aufbewahrungsfristen", "Retention periods"),
	"registers.field.security_measures":                tr("Mesures de sécurité", "Beveiligingsmaatregelen", "Sicherheitsmaßnahmen", "Security measures"),
	"registers.field.processing":                       tr("Traitements concernés (ID)", "Betrokken verwerkingen (ID)", "Betroffene Verarbeitungen (ID)", "Processing activities (ID)"),
	"registers.field.description":                      tr("Description du traitement", "Beschrijving van de verwerking", "Beschreibung der Verarbeitung", "Description of the processing"),
	"registers.field.risks":                            tr("Risques", "Risico's", "Risiken", "Risks"),
	"registers.field.measures":                         tr("Mesures", "Maatregelen", "Maßnahmen", "Measures"),
	"registers.field.access_assessment":                tr("Évaluation des accès", "Beoordeling van de toegang", "Bewertung der Zugriffe", "Access assessment"),
	"registers.field.outcome":                          tr("Conclusion", "Conclusie", "Ergebnis", "Outcome"),
	"registers.field.service":                          tr("Service fourni", "Geleverde dienst", "Erbrachte Leistung", "Service provided"),
	"registers.field.country":                          tr("Pays", "Land", "Land", "Country"),
	"registers.field.duration":                         tr("Durée", "Duur", "Dauer", "Duration"),
	"registers.field.scope":                            tr("Étendue", "Omvang", "Umfang", "Scope"),
	"registers.field.purpose":                          tr("Finalité", "Doel", "Zweck", "Purpose"),
	"registers.field.documented_instructions":          tr("Instructions documentées", "Gedocumenteerde instructies", "Dokumentierte Weisungen", "Documented instructions"),
	"registers.field.further_subprocessors_authorised": tr("Autorisation préalable des sous-traitants ultérieurs", "Voorafgaande toestemming voor subverwerkers", "Vorherige Genehmigung weiterer Auftragsverarbeiter", "Prior authorisation of further sub-processors"),
	"registers.field.proof_of_compliance":              tr("Preuve de conformité", "Bewijs van naleving", "Nachweis der Einhaltung", "Proof of compliance"),
	"registers.field.breach_notification":              tr("Notification des violations", "Melding van inbreuken", "Meldung von Verletzungen", "Breach notification"),
	"registers.field.dpa_signed":                       tr("Contrat de sous-traitance signé", "Verwerkersovereenkomst ondertekend", "Auftragsverarbeitungsvertrag unterzeichnet", "Data processing agreement signed"),
	"registers.field.outside_eu":                       tr("Transfert hors UE", "Doorgifte buiten de EU", "Übermittlung außerhalb der EU", "Transfer outside the EU"),
	"registers.field.standard_contractual_clauses":     tr("Clauses contractuelles types", "Modelcontractbepalingen", "Standardvertragsklauseln", "Standard contractual clauses"),
	"registers.field.type":                             tr("Type", "Soort", "Art", "Type"),
	"registers.field.subprocessor":                     tr("Sous-traitant (ID)", "Verwerker (ID)", "Auftragsverarbeiter (ID)", "Sub-processor (ID)"),
	"registers.field.performed_on":                     tr("Réalisé le", "Uitgevoerd op", "Durchgeführt am", "Performed on"),
	"registers.field.summary":                          tr("Résumé", "Samenvatting", "Zusammenfassung", "Summary"),
	"registers.field.assessment":                       tr("Analyse ou test (ID)", "Analyse of test (ID)", "Analyse oder Test (ID)", "Assessment (ID)"),
	"registers.field.severity":                         tr("Gravité", "Ernst", "Schweregrad", "Severity"),
	"registers.field.owner":                            tr("Responsable", "Eigenaar", "Verantwortlich", "Owner"),
	"registers.field.due":                              tr("Échéance", "Vervaldatum", "Fällig am", "Due"),
	"registers.field.remediation":                      tr("Remédiation", "Herstel", "Behebung", "Remediation"),
	"registers.field.status":                           tr("État", "Status", "Status", "Status"),

	"registers.choice.acceptable":               tr("acceptable", "aanvaardbaar", "vertretbar", "acceptable"),
	"registers.choice.acceptable_with_measures": tr("acceptable avec mesures", "aanvaardbaar met maatregelen", "vertretbar mit Maßnahmen", "acceptable with measures"),
	"registers.choice.not_acceptable":           tr("non acceptable", "niet aanvaardbaar", "nicht vertretbar", "not acceptable"),
	"registers.choice.prior_consultation":       tr("consultation préalable de l'autorité", "voorafgaande raadpleging van de toezichthouder", "vorherige Konsultation der Behörde", "prior consultation of the authority"),
	"registers.choice.risk_analysis":            tr("analyse de risques", "risicoanalyse", "Risikoanalyse", "risk analysis"),
	"registers.choice.pentest":                  tr("test d'intrusion", "penetratietest", "Penetrationstest", "penetration test"),
	"registers.choice.low":                      tr("faible", "laag", "niedrig", "low"),
	"registers.choice.medium":                   tr("moyenne", "gemiddeld", "mittel", "medium"),
	"registers.choice.high":                     tr("élevée", "hoog", "hoch", "high"),
	"registers.choice.critical":                 tr("critique", "kritiek", "kritisch", "critical"),
	"registers.choice.open":                     tr("ouvert", "open", "offen", "open"),
	"registers.choice.remediated":               tr("corrigé", "verholpen", "behoben", "remediated"),
	"registers.choice.accepted":                 tr("risque accepté", "risico aanvaard", "Risiko akzeptiert", "risk accepted"),

	"requirements.title":       tr("Couverture des exigences", "Dekking van de vereisten", "Abdeckung der Anforderungen", "Requirement coverage"),
	"requirements.intro":       tr("Chaque exigence, les tests qui la démontrent et les chiffres du rapport annuel qui l'attestent.", "Elke vereiste, de tests die ze aantonen en de cijfers van het jaarverslag die ze staven.", "Jede Anforderung, die Tests, die sie belegen, und die Kennzahlen des Jahresberichts, die sie nachweisen.", "Every requirement, the tests that prove it and the yearly report's figures that evidence it."),
	"requirements.requirement": tr("Exigence", "Vereiste", "Anforderung", "Requirement"),
	"requirements.tests":       tr("Tests", "Tests", "Tests", "Tests"),
	"requirements.figures":     tr("Chiffres du rapport", "Cijfers van het verslag", "Kennzahlen des Berichts", "Report figures"),
	"requirements.not_covered": tr("non couverte", "niet gedekt", "nicht abgedeckt", "not covered"),
	"report.title":             tr("Rapport annuel de confidentialité", "Jaarlijks vertrouwelijkheidsverslag", "Jährlicher Vertraulichkeitsbericht", "Yearly confidentiality report"),
	"report.intro":             tr("Produit à partir des enregistrements de Coupole et signé avec la clé d'audit : chaque chiffre nomme sa requête et l'exigence qu'il démontre.", "Opgesteld uit de gegevens van Coupole en ondertekend met de auditsleutel: elk cijfer noemt zijn query en de vereiste die het aantoont.", "Aus den Aufzeichnungen von Coupole erstellt und mit dem Audit-Schlüssel signiert: jede Kennzahl nennt ihre Abfrage und die Anforderung, die sie belegt.", "Produced from Coupole's records and signed with the audit key: every figure names its query and the requirement it evidences."),
	"report.year":              tr("Année", "Jaar", "Jahr", "Year"),
	"report.format":            tr("Format", "Formaat", "Format", "Format"),
	"report.produce":           tr("Produire et télécharger", "Opstellen en downloaden", "Erstellen und herunterladen", "Produce and download"),
	"report.bad_request":       tr("Indiquez une année et un format (HTML, PDF ou Markdown).", "Geef een jaar en een formaat op (HTML, PDF of Markdown).", "Geben Sie ein Jahr und ein Format an (HTML, PDF oder Markdown).", "Give a year and a format (HTML, PDF or Markdown)."),
}
