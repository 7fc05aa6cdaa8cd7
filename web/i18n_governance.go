package web

import "github.com/coupole/coupole"

// Texts of the identity governance screens (issue 12).

func init() {
	for k, v := range governanceMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var governanceMessages = map[string]map[coupole.Language]string{
	"nav.gov_sod":   tr("Séparation des tâches", "Functiescheiding", "Funktionstrennung", "Segregation of duties"),
	"gov.sod.title": tr("Conflits de séparation des tâches", "Conflicten van functiescheiding", "Konflikte der Funktionstrennung", "Segregation-of-duties conflicts"),
	"gov.sod.intro": tr("Les comptes actifs dont les rôles enfreignent déjà une règle de séparation des tâches : attribués avant les règles ou par une modification directe de la base. Toute nouvelle attribution est vérifiée et refusée (S7).",
		"De actieve accounts waarvan de rollen al een regel van functiescheiding schenden: toegekend vóór de regels of door een rechtstreekse wijziging van de databank. Elke nieuwe toekenning wordt gecontroleerd en geweigerd (S7).",
		"Die aktiven Konten, deren Rollen bereits gegen eine Regel der Funktionstrennung verstoßen: vor den Regeln oder durch eine direkte Änderung der Datenbank vergeben. Jede neue Vergabe wird geprüft und abgelehnt (S7).",
		"The active accounts whose roles already break a segregation-of-duties rule: assigned before the rules, or by a direct change of the database. Every new assignment is checked and refused (S7)."),
	"gov.sod.none":  tr("Aucun conflit : chaque compte actif respecte les règles.", "Geen conflicten: elk actief account volgt de regels.", "Keine Konflikte: jedes aktive Konto hält die Regeln ein.", "No conflict: every active account follows the rules."),
	"gov.sod.staff": tr("Membre du personnel", "Personeelslid", "Mitarbeiter", "Staff member"),
	"gov.sod.roles": tr("Rôles", "Rollen", "Rollen", "Roles"),
	"gov.sod.rules": tr("Règles enfreintes", "Geschonden regels", "Verletzte Regeln", "Rules broken"),
}
