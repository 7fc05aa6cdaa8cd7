package report

import (
	"slices"

	"github.com/coupole/coupole"
)

// tr is one text in the four languages, French first.
type tr [4]string

func langIndex(lang string) int {
	i := slices.Index(coupole.Languages, coupole.Language(lang))
	if i < 0 {
		return 0
	}
	return i
}

func knownLanguage(lang string) bool {
	return slices.Contains(coupole.Languages, coupole.Language(lang))
}

func (t tr) in(lang string) string { return t[langIndex(lang)] }

// Words of the report around its figures.
var words = map[string]tr{
	"title":       {"Rapport de confidentialité", "Vertrouwelijkheidsverslag", "Vertraulichkeitsbericht", "Confidentiality report"},
	"year":        {"Année", "Jaar", "Jahr", "Year"},
	"period":      {"Période", "Periode", "Zeitraum", "Period"},
	"operator":    {"Gestionnaire", "Beheerder", "Betreiber", "Operator"},
	"generated":   {"Produit le", "Opgesteld op", "Erstellt am", "Produced on"},
	"log":         {"Journal d'audit", "Auditlogboek", "Audit-Protokoll", "Audit log"},
	"contents":    {"Table des matières", "Inhoudstafel", "Inhaltsverzeichnis", "Contents"},
	"figure":      {"Chiffre", "Cijfer", "Kennzahl", "Figure"},
	"value":       {"Valeur", "Waarde", "Wert", "Value"},
	"requirement": {"Exigence", "Vereiste", "Anforderung", "Requirement"},
	"query":       {"Requête", "Query", "Abfrage", "Query"},
	"key":         {"Clé", "Sleutel", "Schlüssel", "Key"},
	"appendix_a":  {"Annexe A – Chiffres, exigences et requêtes", "Bijlage A – Cijfers, vereisten en queries", "Anhang A – Kennzahlen, Anforderungen und Abfragen", "Appendix A – Figures, requirements and queries"},
	"appendix_b":  {"Annexe B – Signature et vérification", "Bijlage B – Handtekening en verificatie", "Anhang B – Signatur und Prüfung", "Appendix B – Signature and verification"},
	"not_available": {"Chiffres non disponibles pour l'instant : la source « %s » n'est pas encore branchée dans Coupole. Aucun chiffre n'est estimé.",
		"Cijfers nog niet beschikbaar: de bron « %s » is nog niet in Coupole aangesloten. Er wordt geen cijfer geschat.",
		"Kennzahlen noch nicht verfügbar: die Quelle „%s“ ist noch nicht an Coupole angeschlossen. Es wird keine Zahl geschätzt.",
		"Figures not available yet: the source \"%s\" is not connected to Coupole yet. No figure is estimated."},
	"none":         {"Aucun.", "Geen.", "Keine.", "None."},
	"checkpoint":   {"Point de contrôle de fin d'année (signé)", "Controlepunt einde jaar (ondertekend)", "Jahresend-Prüfpunkt (signiert)", "Year-end checkpoint (signed)"},
	"verification": {"Vérification du journal lors de la production du rapport", "Verificatie van het logboek bij het opstellen", "Prüfung des Protokolls bei der Erstellung", "Verification of the log when the report was produced"},
	"how_verify": {"Ce rapport est signé avec la clé d'audit du gestionnaire. Pour le vérifier : `coupole report verify RAPPORT --key CLÉ-PUBLIQUE [--export EXPORT-AUDIT]`. Avec un export du journal d'audit, chaque chiffre issu de la trace est recalculé et comparé.",
		"Dit verslag is ondertekend met de auditsleutel van de beheerder. Verifiëren: `coupole report verify VERSLAG --key PUBLIEKE-SLEUTEL [--export AUDITEXPORT]`. Met een export van het auditlogboek wordt elk cijfer uit het spoor herberekend en vergeleken.",
		"Dieser Bericht ist mit dem Audit-Schlüssel des Betreibers signiert. Prüfen: `coupole report verify BERICHT --key ÖFFENTLICHER-SCHLÜSSEL [--export AUDIT-EXPORT]`. Mit einem Export des Audit-Protokolls wird jede Kennzahl aus der Spur neu berechnet und verglichen.",
		"This report is signed with the operator's audit key. To verify it: `coupole report verify REPORT --key PUBLIC-KEY [--export AUDIT-EXPORT]`. Given an export of the audit log, every figure that comes from the trace is recomputed and compared."},
	"registers": {"Entrées des registres", "Registervermeldingen", "Registereinträge", "Register entries"},
	"status":    {"État", "Status", "Status", "Status"},
	"version":   {"Version", "Versie", "Version", "Version"},
	"preamble": {"Ce rapport est produit par Coupole à partir de ses propres enregistrements : chaque chiffre est le résultat d'une requête nommée (annexe A), rattachée à l'exigence qu'elle démontre, et l'ensemble est signé avec la clé du journal d'audit, à côté du point de contrôle de fin d'année (annexe B).",
		"Dit verslag wordt door Coupole opgesteld uit zijn eigen gegevens: elk cijfer is het resultaat van een benoemde query (bijlage A), gekoppeld aan de vereiste die het aantoont, en het geheel is ondertekend met de sleutel van het auditlogboek, naast het controlepunt van het einde van het jaar (bijlage B).",
		"Dieser Bericht wird von Coupole aus seinen eigenen Aufzeichnungen erstellt: jede Kennzahl ist das Ergebnis einer benannten Abfrage (Anhang A), verknüpft mit der Anforderung, die sie belegt, und das Ganze ist mit dem Schlüssel des Audit-Protokolls signiert, neben dem Jahresend-Prüfpunkt (Anhang B).",
		"Coupole produces this report from its own records: every figure is the result of a named query (appendix A), tied to the requirement it evidences, and the whole is signed with the audit log's key, beside the year-end checkpoint (appendix B)."},
	"partial": {"La période n'est pas terminée : les chiffres couvrent les événements enregistrés jusqu'à la production du rapport.",
		"De periode is nog niet voorbij: de cijfers dekken de gebeurtenissen tot het opstellen van het verslag.",
		"Der Zeitraum ist noch nicht abgeschlossen: die Kennzahlen umfassen die Ereignisse bis zur Erstellung des Berichts.",
		"The period has not ended: the figures cover the events recorded until the report was produced."},
}

// chapterTitles follow the seed report's chapters (REQUIREMENTS.md).
var chapterTitles = map[string]tr{
	"I":   {"Chapitre I – Préambule", "Hoofdstuk I – Inleiding", "Kapitel I – Präambel", "Chapter I – Preamble"},
	"II":  {"Chapitre II – Obligations du personnel en matière de confidentialité", "Hoofdstuk II – Vertrouwelijkheidsplichten van het personeel", "Kapitel II – Vertraulichkeitspflichten des Personals", "Chapter II – Staff confidentiality duties"},
	"III": {"Chapitre III – Accès du personnel aux données", "Hoofdstuk III – Toegang van het personeel tot de gegevens", "Kapitel III – Zugriff des Personals auf die Daten", "Chapter III – Staff access to the data"},
	"IV":  {"Chapitre IV – Accès des clients, fournisseurs et tiers aux données", "Hoofdstuk IV – Toegang van klanten, leveranciers en derden tot de gegevens", "Kapitel IV – Zugriff von Kunden, Lieferanten und Dritten auf die Daten", "Chapter IV – Access of customers, suppliers and third parties to the data"},
	"V":   {"Chapitre V – Accès des sous-traitants", "Hoofdstuk V – Toegang van verwerkers", "Kapitel V – Zugriff der Auftragsverarbeiter", "Chapter V – Sub-processors' access"},
	"VI":  {"Chapitre VI – Traçabilité", "Hoofdstuk VI – Traceerbaarheid", "Kapitel VI – Nachvollziehbarkeit", "Chapter VI – Traceability"},
	"VII": {"Chapitre VII – Traitements, registres et partage des systèmes", "Hoofdstuk VII – Verwerkingen, registers en gedeelde systemen", "Kapitel VII – Verarbeitungen, Register und geteilte Systeme", "Chapter VII – Processing, registers and shared systems"},
}

// groupTitles name the figure groups (a key, or a prefix ending in ".").
var groupTitles = map[string]tr{
	"staff.":                    {"Connexions et refus d'accès du personnel", "Aanmeldingen en geweigerde toegang van personeel", "Anmeldungen und verweigerte Zugriffe des Personals", "Staff sign-ins and refused access"},
	"governance.":               {"Cycle de vie des identités et droits (RH, SCIM, séparation des tâches)", "Levenscyclus van identiteiten en rechten", "Lebenszyklus von Identitäten und Rechten", "Identity and rights lifecycle (HR, SCIM, segregation of duties)"},
	"oversight.":                {"Alertes de surveillance (anomalies)", "Toezichtsmeldingen (afwijkingen)", "Aufsichtswarnungen (Anomalien)", "Oversight alerts (anomalies)"},
	"interactions.channel.":     {"Interactions par canal", "Interacties per kanaal", "Interaktionen nach Kanal", "Interactions by channel"},
	"interactions.requester.":   {"Interactions par demandeur", "Interacties per aanvrager", "Interaktionen nach Anfragendem", "Interactions by requester"},
	"interactions.call_reason.": {"Motifs d'appel", "Oproepredenen", "Anrufgründe", "Call reasons"},
	"decisions.outcome.":        {"Décisions de divulgation par résultat", "Beslissingen per uitkomst", "Entscheidungen nach Ergebnis", "Disclosure decisions by outcome"},
	"decisions.item.":           {"Décisions par donnée demandée", "Beslissingen per gevraagd gegeven", "Entscheidungen nach Datenelement", "Decisions by item asked"},
	"decisions.requester.":      {"Décisions par demandeur", "Beslissingen per aanvrager", "Entscheidungen nach Anfragendem", "Decisions by requester"},
	"disclosures.route.":        {"Divulgations par voie (SMS, lettre, dossier)", "Mededelingen per weg (sms, brief, dossier)", "Offenlegungen nach Weg (SMS, Brief, Vorgang)", "Disclosures by route (SMS, letter, case)"},
	"disclosures.item.":         {"Divulgations par donnée", "Mededelingen per gegeven", "Offenlegungen nach Datenelement", "Disclosures by item"},
	"refusals.reason.":          {"Refus par motif", "Weigeringen per reden", "Ablehnungen nach Grund", "Refusals by reason"},
	"verifications.outcome.":    {"Vérifications du numéro de compteur", "Verificaties van het meternummer", "Prüfungen der Zählernummer", "Meter-number verifications"},
	"records.":                  {"Envois, alertes et dossiers enregistrés", "Verzendingen, meldingen en dossiers", "Sendungen, Warnungen und Vorgänge", "Deliveries, alerts and cases on record"},
	"retention.":                {"Enregistrements et conservation", "Opnames en bewaring", "Aufnahmen und Aufbewahrung", "Recordings and retention"},
	"registers.subprocessor.":   {"Sous-traitants (art. 28)", "Verwerkers (art. 28)", "Auftragsverarbeiter (Art. 28)", "Sub-processors (art. 28)"},
	"registers.assessment.":     {"Analyses de risques et tests d'intrusion", "Risicoanalyses en penetratietests", "Risikoanalysen und Penetrationstests", "Risk analyses and penetration tests"},
	"registers.finding.":        {"Constats et remédiation", "Bevindingen en herstel", "Befunde und Behebung", "Findings and remediation"},
	"registers.processing.":     {"Registre des traitements (art. 30)", "Register van verwerkingen (art. 30)", "Verzeichnis der Verarbeitungstätigkeiten (Art. 30)", "Register of processing activities (art. 30)"},
	"registers.dpia.":           {"Analyses d'impact (art. 35)", "Gegevensbeschermingseffectbeoordelingen (art. 35)", "Datenschutz-Folgenabschätzungen (Art. 35)", "Data protection impact assessments (art. 35)"},
	"audit.":                    {"Journal d'audit", "Auditlogboek", "Audit-Protokoll", "Audit log"},
	"access_reports.":           {"Rapports « qui a vu mes données » (art. 15)", "Verslagen « wie zag mijn gegevens » (art. 15)", "Berichte „wer hat meine Daten gesehen“ (Art. 15)", "\"Who saw my data\" reports (art. 15)"},
	"alerts.":                   {"Alertes de verrouillage (anti-énumération)", "Vergrendelingsmeldingen (anti-enumeratie)", "Sperrwarnungen (Anti-Enumeration)", "Lockout alerts (anti-enumeration)"},
	"interactions.":             {"Interactions", "Interacties", "Interaktionen", "Interactions"},
	"decisions.":                {"Décisions", "Beslissingen", "Entscheidungen", "Decisions"},
	"refusals.":                 {"Refus", "Weigeringen", "Ablehnungen", "Refusals"},
	"deliveries.":               {"Envois", "Verzendingen", "Sendungen", "Deliveries"},
	"cases.":                    {"Dossiers back-office", "Backofficedossiers", "Backoffice-Vorgänge", "Back-office cases"},
}

// chapterIntro says, per chapter, what the figures show.
var chapterIntro = map[string]tr{
	"II":  {"Engagements de confidentialité du personnel (charte, sensibilisation) : S1.", "Vertrouwelijkheidsverbintenissen van het personeel (charter, sensibilisering): S1.", "Vertraulichkeitsverpflichtungen des Personals (Charta, Sensibilisierung): S1.", "Staff confidentiality commitments (charter, awareness): S1."},
	"III": {"Gestion centralisée des accès, accès privilégiés, départs et séparation des tâches : S2–S7, C5.", "Centraal toegangsbeheer, bevoorrechte toegang, vertrek en functiescheiding: S2–S7, C5.", "Zentrale Zugriffsverwaltung, privilegierte Zugriffe, Austritte und Funktionstrennung: S2–S7, C5.", "Central access management, privileged access, leavers and segregation of duties: S2–S7, C5."},
	"IV":  {"Qui a demandé quoi, par quel canal, ce qui a été dit ou envoyé et ce qui a été refusé : D1–D10, C1–C4, R1–R4.", "Wie vroeg wat, via welk kanaal, wat werd meegedeeld of verzonden en wat geweigerd: D1–D10, C1–C4, R1–R4.", "Wer hat was über welchen Kanal gefragt, was wurde mitgeteilt oder gesendet und was abgelehnt: D1–D10, C1–C4, R1–R4.", "Who asked what, through which channel, what was told or sent and what was refused: D1–D10, C1–C4, R1–R4."},
	"V":   {"Sous-traitants, clauses de l'art. 28, analyses de risques et tests d'intrusion : G3.", "Verwerkers, clausules van art. 28, risicoanalyses en penetratietests: G3.", "Auftragsverarbeiter, Klauseln nach Art. 28, Risikoanalysen und Penetrationstests: G3.", "Sub-processors, art. 28 clauses, risk analyses and penetration tests: G3."},
	"VI":  {"Chaque accès est tracé dans un journal vérifiable ; le point de contrôle de fin d'année est signé : T1, T2.", "Elke toegang wordt getraceerd in een verifieerbaar logboek; het controlepunt van het einde van het jaar is ondertekend: T1, T2.", "Jeder Zugriff wird in einem prüfbaren Protokoll erfasst; der Jahresend-Prüfpunkt ist signiert: T1, T2.", "Every access is traced in a verifiable log; the year-end checkpoint is signed: T1, T2."},
	"VII": {"Registre des traitements et analyses d'impact : G1, G2.", "Register van verwerkingen en effectbeoordelingen: G1, G2.", "Verarbeitungsverzeichnis und Folgenabschätzungen: G1, G2.", "Register of processing activities and impact assessments: G1, G2."},
}
