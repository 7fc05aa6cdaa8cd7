package web

import "github.com/coupole/coupole"

// Texts of the advisor's desk, second pass (issue 15): the call's
// timeline, the consumption per period, the close warning, the keyboard
// shortcuts.

func init() {
	for k, v := range deskMessages {
		if _, dup := Messages[k]; dup {
			panic("web: message key " + k + " defined twice")
		}
		Messages[k] = v
	}
}

var deskMessages = map[string]map[coupole.Language]string{
	"keys.hint": tr("Raccourcis : Alt+Maj+N nouvel appel · I identifier · V vérifier · A demander · S envoyer · W motifs · C clôturer.",
		"Sneltoetsen: Alt+Shift+N nieuwe oproep · I identificeren · V verifiëren · A vragen · S versturen · W redenen · C afsluiten.",
		"Tastenkürzel: Alt+Umschalt+N neuer Anruf · I identifizieren · V überprüfen · A anfragen · S senden · W Gründe · C abschließen.",
		"Shortcuts: Alt+Shift+N new call · I identify · V verify · A ask · S send · W reasons · C close."),

	"page.not_found_title": tr("Page introuvable", "Pagina niet gevonden", "Seite nicht gefunden", "Page not found"),
	"page.not_found":       tr("Page introuvable : cette adresse ne mène à aucun écran de Coupole. Revenez à l'accueil.", "Pagina niet gevonden: dit adres leidt naar geen enkel scherm van Coupole. Ga terug naar de startpagina.", "Seite nicht gefunden: Diese Adresse führt zu keinem Bildschirm von Coupole. Kehren Sie zur Startseite zurück.", "Page not found: this address leads to no Coupole screen. Go back to the home page."),

	"ia.step.verify_cpas": tr("sans objet sur la ligne CPAS", "niet van toepassing op de OCMW-lijn", "entfällt auf der ÖSHZ-Leitung", "not needed on the CPAS line"),
	"ia.v_cpas":           tr("sans objet (mandat permanent du CPAS)", "niet van toepassing (vaste volmacht van het OCMW)", "entfällt (Dauervollmacht des ÖSHZ)", "not needed (the CPAS's standing mandate)"),
	"ia.unsent_warning": tr("Décidé mais pas envoyé : %s. Envoyez-le au-dessus, ou cochez ci-dessous pour clôturer sans l'envoyer (ce choix est tracé).",
		"Beslist maar niet verstuurd: %s. Verstuur het hierboven, of vink hieronder aan om af te sluiten zonder te versturen (deze keuze wordt vastgelegd).",
		"Entschieden, aber nicht gesendet: %s. Senden Sie es oben, oder kreuzen Sie unten an, um ohne Senden abzuschließen (diese Wahl wird protokolliert).",
		"Decided but not sent: %s. Send it above, or tick below to close without sending it (this choice is traced)."),
	"ia.leave_unsent": tr("Clôturer sans envoyer", "Afsluiten zonder te versturen", "Ohne Senden abschließen", "Close without sending"),

	// the call's timeline
	"tl.title":         tr("Déroulé de l'appel", "Verloop van de oproep", "Verlauf des Anrufs", "Call timeline"),
	"tl.empty":         tr("Rien encore.", "Nog niets.", "Noch nichts.", "Nothing yet."),
	"tl.opened":        tr("Interaction ouverte", "Interactie geopend", "Interaktion eröffnet", "Interaction opened"),
	"tl.searched":      tr("Recherche par %s : %d résultat(s)", "Gezocht op %s: %d resultaat/resultaten", "Suche nach %s: %d Ergebnis(se)", "Searched by %s: %d result(s)"),
	"tl.by.ean":        tr("EAN", "EAN", "EAN", "EAN"),
	"tl.by.meter":      tr("numéro de compteur", "meternummer", "Zählernummer", "meter number"),
	"tl.by.name":       tr("nom", "naam", "Name", "name"),
	"tl.by.address":    tr("adresse", "adres", "Adresse", "address"),
	"tl.chosen":        tr("Point d'accès choisi", "Toegangspunt gekozen", "Zugangspunkt gewählt", "Access point chosen"),
	"tl.verified":      tr("Numéro de compteur vérifié", "Meternummer geverifieerd", "Zählernummer überprüft", "Meter number verified"),
	"tl.verify_failed": tr("Numéro de compteur erroné (encore %d essai(s))", "Verkeerd meternummer (nog %d poging(en))", "Falsche Zählernummer (noch %d Versuch(e))", "Wrong meter number (%d attempt(s) left)"),
	"tl.locked":        tr("Vérification bloquée", "Verificatie geblokkeerd", "Überprüfung gesperrt", "Verification locked"),
	"tl.asked":         tr("Demande : %s", "Vraag: %s", "Anfrage: %s", "Asked: %s"),
	"tl.sent":          tr("Envoi créé : %s", "Verzending aangemaakt: %s", "Sendung erstellt: %s", "Delivery created: %s"),
	"tl.reading":       tr("Index enregistré", "Meterstand opgeslagen", "Zählerstand gespeichert", "Reading recorded"),
	"tl.notice":        tr("Avis de modification : %s", "Melding van de wijziging: %s", "Änderungsmitteilung: %s", "Notice of the change: %s"),
	"tl.contact":       tr("Coordonnées modifiées", "Contactgegevens gewijzigd", "Kontaktdaten geändert", "Contact details changed"),
	"tl.public":        tr("Travaux et pannes consultés : %d avis", "Werken en storingen geraadpleegd: %d bericht(en)", "Arbeiten und Störungen abgefragt: %d Hinweis(e)", "Works and outages looked up: %d notice(s)"),

	// consumption per period (D1, D8)
	"cons.title":      tr("Consommation par période", "Verbruik per periode", "Verbrauch je Zeitraum", "Consumption per period"),
	"cons.chart":      tr("Consommation par période, entre deux relevés d'index", "Verbruik per periode, tussen twee meterstanden", "Verbrauch je Zeitraum, zwischen zwei Zählerständen", "Consumption per period, between two index readings"),
	"cons.period":     tr("Période", "Periode", "Zeitraum", "Period"),
	"cons.days":       tr("Jours", "Dagen", "Tage", "Days"),
	"cons.day":        tr("Jour", "Dag", "Tag", "Day"),
	"cons.night":      tr("Nuit", "Nacht", "Nacht", "Night"),
	"cons.excl_night": tr("Exclusif nuit", "Uitsluitend nacht", "Nur Nacht", "Exclusive night"),
	"cons.total":      tr("Total", "Totaal", "Gesamt", "Total"),
	"cons.gas":        tr("Gaz", "Gas", "Gas", "Gas"),
	"cons.none":       tr("Pas assez de relevés dans votre période d'occupation des trois dernières années pour calculer une consommation.", "Niet genoeg meterstanden in uw bewoningsperiode van de laatste drie jaar om een verbruik te berekenen.", "Nicht genug Zählerstände in Ihrem Nutzungszeitraum der letzten drei Jahre, um einen Verbrauch zu berechnen.", "Not enough readings in your occupancy of the last three years to compute a consumption."),
	"cons.readings":   tr("Relevés d'index (valeurs cumulées du compteur)", "Meterstanden (cumulatieve waarden van de meter)", "Zählerstände (kumulierte Werte des Zählers)", "Index readings (the meter's cumulative values)"),
	"cons.date":       tr("Date", "Datum", "Datum", "Date"),
	"cons.meter":      tr("Compteur", "Meter", "Zähler", "Meter"),
	"cons.index":      tr("Index", "Meterstand", "Zählerstand", "Index"),
}
