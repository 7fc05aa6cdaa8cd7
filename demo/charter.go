package demo

import "github.com/coupole/coupole"

// CharterVersion is the version of the demo's confidentiality charter.
const CharterVersion = "demo-2026.1"

// CharterTexts is the confidentiality charter `serve --demo` publishes
// (issue 12, item 6: S1), in the four languages. An operator writes its
// own and publishes it with `coupole charter publish`.
func CharterTexts() map[coupole.Language]string {
	return map[coupole.Language]string{
		coupole.French: `Charte de confidentialité du centre de contacts (démonstration)

1. Je n'ouvre les données d'un client que pour traiter sa demande, dans une interaction que je mène (besoin d'en connaître).
2. Je ne communique une donnée qu'à la personne qui y a droit, après l'avoir vérifiée, et par le canal prévu.
3. Je ne copie, n'imprime ni ne photographie aucune donnée client en dehors des outils prévus.
4. Je sais que chaque accès est tracé et peut être contrôlé par un auditeur.
5. Je signale sans délai au délégué à la protection des données tout incident ou toute demande suspecte.
6. Ces obligations subsistent après la fin de mon contrat.`,
		coupole.Dutch: `Vertrouwelijkheidscharter van het contactcenter (demonstratie)

1. Ik open de gegevens van een klant alleen om zijn vraag te behandelen, in een interactie die ik voer (need-to-know).
2. Ik deel een gegeven alleen mee aan wie er recht op heeft, na verificatie, en via het voorziene kanaal.
3. Ik kopieer, print of fotografeer geen klantgegevens buiten de voorziene hulpmiddelen.
4. Ik weet dat elke toegang wordt gelogd en door een auditor kan worden gecontroleerd.
5. Ik meld elk incident of elke verdachte vraag onmiddellijk aan de functionaris voor gegevensbescherming.
6. Deze verplichtingen blijven gelden na het einde van mijn contract.`,
		coupole.German: `Vertraulichkeitscharta des Kontaktzentrums (Demonstration)

1. Ich öffne die Daten eines Kunden nur, um sein Anliegen in einer von mir geführten Interaktion zu bearbeiten (Need-to-know).
2. Ich gebe eine Angabe nur an Berechtigte weiter, nach Prüfung und über den vorgesehenen Kanal.
3. Ich kopiere, drucke oder fotografiere keine Kundendaten außerhalb der vorgesehenen Werkzeuge.
4. Ich weiß, dass jeder Zugriff protokolliert wird und von einem Auditor geprüft werden kann.
5. Ich melde jeden Vorfall und jede verdächtige Anfrage sofort dem Datenschutzbeauftragten.
6. Diese Pflichten gelten über das Ende meines Vertrags hinaus.`,
		coupole.English: `Confidentiality charter of the contact center (demonstration)

1. I open a customer's data only to handle their request, in an interaction I conduct (need-to-know).
2. I disclose data only to whoever is entitled to it, after verification, through the intended channel.
3. I do not copy, print or photograph customer data outside the intended tools.
4. I know that every access is traced and may be checked by an auditor.
5. I report any incident or suspicious request to the data protection officer without delay.
6. These duties continue after my contract ends.`,
	}
}
