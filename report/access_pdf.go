package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound/letter"
)

var accessWords = map[string]tr{
	"title": {"Qui a consulté vos données", "Wie heeft uw gegevens geraadpleegd", "Wer hat Ihre Daten eingesehen", "Who accessed your data"},
	"intro": {"Vous avez demandé, au titre de l'article 15 du RGPD, la liste des accès à vos données. Voici chaque accès enregistré entre le %s et le %s : quand, par quel rôle, pour quelle raison et ce qui a été consulté ou communiqué.",
		"U hebt op grond van artikel 15 van de AVG de lijst gevraagd van de toegangen tot uw gegevens. Hier staat elke geregistreerde toegang tussen %s en %s: wanneer, door welke functie, waarom en wat werd geraadpleegd of meegedeeld.",
		"Sie haben nach Artikel 15 DSGVO die Liste der Zugriffe auf Ihre Daten verlangt. Hier ist jeder zwischen dem %s und dem %s erfasste Zugriff: wann, durch welche Funktion, aus welchem Grund und was eingesehen oder mitgeteilt wurde.",
		"You asked, under article 15 of the GDPR, for the list of accesses to your data. Here is every access recorded between %s and %s: when, by which role, why, and what was read or disclosed."},
	"customer": {"Client", "Klant", "Kunde", "Customer"},
	"when":     {"Quand", "Wanneer", "Wann", "When"},
	"role":     {"Rôle", "Functie", "Funktion", "Role"},
	"staff":    {"Agent", "Medewerker", "Mitarbeiter", "Staff"},
	"why":      {"Pourquoi", "Waarom", "Warum", "Why"},
	"what":     {"Quoi", "Wat", "Was", "What"},
	"none":     {"Aucun accès à vos données n'a été enregistré pendant cette période.", "Tijdens deze periode werd geen toegang tot uw gegevens geregistreerd.", "In diesem Zeitraum wurde kein Zugriff auf Ihre Daten erfasst.", "No access to your data was recorded in this period."},
	"erased":   {"%d accès plus anciens ne sont plus détaillés : leurs détails ont été effacés à la fin de leur durée de conservation.", "%d oudere toegangen worden niet meer gedetailleerd: hun details werden gewist aan het einde van hun bewaartermijn.", "%d ältere Zugriffe sind nicht mehr im Einzelnen aufgeführt: ihre Angaben wurden am Ende ihrer Aufbewahrungsfrist gelöscht.", "%d older accesses are no longer detailed: their details were erased at the end of their retention."},
	"proof": {"Chaque accès de cette liste est inscrit dans le journal d'audit de Coupole, que nul ne peut modifier sans que cela se voie. La version électronique (JSON) de ce rapport contient, pour chaque accès, la preuve mathématique de son inscription ; elle se vérifie avec la clé publique du gestionnaire : coupole report verify RAPPORT.json --key CLÉ.",
		"Elke toegang in deze lijst staat in het auditlogboek van Coupole, dat niemand ongemerkt kan wijzigen. De elektronische versie (JSON) van dit verslag bevat voor elke toegang het wiskundige bewijs van de registratie; ze wordt geverifieerd met de publieke sleutel van de beheerder: coupole report verify VERSLAG.json --key SLEUTEL.",
		"Jeder Zugriff dieser Liste steht im Audit-Protokoll von Coupole, das niemand unbemerkt ändern kann. Die elektronische Fassung (JSON) dieses Berichts enthält für jeden Zugriff den mathematischen Nachweis seiner Erfassung; sie wird mit dem öffentlichen Schlüssel des Betreibers geprüft: coupole report verify BERICHT.json --key SCHLÜSSEL.",
		"Every access in this list is in Coupole's audit log, which nobody can change unnoticed. The electronic version (JSON) of this report carries, for each access, the mathematical proof that it was logged; it is verified with the operator's public key: coupole report verify REPORT.json --key KEY."},
	"call": {"appel", "oproep", "Anruf", "call"},
}

// actionWords says in plain words what an access did.
var actionWords = map[string]tr{
	"interaction.identify":    {"recherche de votre dossier", "opzoeken van uw dossier", "Suche Ihres Kundenkontos", "search for your account"},
	"interaction.select":      {"ouverture de votre dossier", "openen van uw dossier", "Öffnen Ihres Kundenkontos", "your account opened"},
	"interaction.verify":      {"vérification du numéro de compteur", "controle van het meternummer", "Prüfung der Zählernummer", "meter number checked"},
	"interaction.decide":      {"demande d'information", "informatieaanvraag", "Auskunftsanfrage", "information requested"},
	"interaction.deliver":     {"envoi d'une information", "verzending van informatie", "Versand einer Auskunft", "information sent"},
	"interaction.read":        {"consultation", "raadpleging", "Einsicht", "read"},
	"interaction.reading":     {"relevé d'index enregistré", "meterstand geregistreerd", "Zählerstand erfasst", "meter reading recorded"},
	"interaction.contact":     {"coordonnées modifiées", "contactgegevens gewijzigd", "Kontaktdaten geändert", "contact details changed"},
	"interaction.case_opened": {"dossier back-office ouvert", "backofficedossier geopend", "Backoffice-Vorgang eröffnet", "back-office case opened"},
	"customer.read":           {"consultation par le responsable vie privée", "raadpleging door de privacyfunctionaris", "Einsicht durch den Datenschutzbeauftragten", "read by the privacy officer"},
	ActionAccessReport:        {"production d'un rapport d'accès (art. 15)", "opmaak van een toegangsverslag (art. 15)", "Erstellung eines Zugriffsberichts (Art. 15)", "access report produced (art. 15)"},
}

// PDF prints the report as a letter to the customer, in the report's
// language; name and address lines, when given, head it.
func (d *AccessDocument) PDF(name string, address []string) ([]byte, error) {
	ev := d.Evidence
	l := ev.Language
	pdf := letter.NewDocument(ev.GeneratedAt, accessWords["title"].in(l))
	pdf.SetMargins(pdfLeft, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	f := letter.FontName
	pdf.AddPage()
	pdf.SetFont(f, "", 11)
	if name != "" {
		pdf.SetXY(110, 45)
		for _, line := range append([]string{name}, address...) {
			pdf.SetX(110)
			pdf.CellFormat(80, 5, line, "", 2, "L", false, 0, "")
		}
		pdf.SetY(90)
	}
	heading(pdf, accessWords["title"].in(l), 16)
	pdf.SetFont(f, "", 10)
	pdf.CellFormat(0, 5, accessWords["customer"].in(l)+" "+ev.Customer, "", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.MultiCell(0, 5, fmt.Sprintf(accessWords["intro"].in(l), ev.From.Format("02/01/2006"), ev.To.AddDate(0, 0, -1).Format("02/01/2006")), "", "L", false)
	pdf.Ln(3)
	if len(ev.Accesses) == 0 {
		pdf.MultiCell(0, 5, accessWords["none"].in(l), "", "L", false)
	} else {
		head := []string{accessWords["when"].in(l), accessWords["role"].in(l), accessWords["why"].in(l), accessWords["what"].in(l)}
		widths := []float64{30, 38, 46, 60}
		if ev.StaffShown {
			head[1] = accessWords["role"].in(l) + " / " + accessWords["staff"].in(l)
		}
		rows := make([][]string, len(ev.Accesses))
		for i, a := range ev.Accesses {
			role := a.Role
			if a.Staff != "" {
				role += " / " + a.Staff
			}
			why := a.CallReason
			if a.Interaction != "" {
				why = strings.TrimSpace(accessWords["call"].in(l) + " " + a.Interaction + " " + why)
			}
			what := a.Action
			if t, ok := actionWords[a.Action]; ok {
				what = t.in(l)
			}
			if a.Outcome != "" {
				what += " → " + a.Outcome
			}
			if len(a.Data) > 0 {
				what += " (" + strings.Join(a.Data, ", ") + ")"
			}
			rows[i] = []string{a.Time.In(brussels()).Format("02/01/2006 15:04"), role, why, what}
		}
		table(pdf, head, widths, []string{"L", "L", "L", "L"}, rows)
	}
	if ev.Erased > 0 {
		pdf.MultiCell(0, 5, fmt.Sprintf(accessWords["erased"].in(l), ev.Erased), "", "L", false)
		pdf.Ln(2)
	}
	pdf.Ln(2)
	pdf.SetFont(f, "", 9)
	pdf.MultiCell(0, 4.5, accessWords["proof"].in(l), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "access report: the PDF could not be produced: %v", err)
	}
	return buf.Bytes(), nil
}

// brussels is the time zone the letter shows times in; UTC if the zone
// database is missing (times are still right, only shifted).
func brussels() *time.Location {
	if l, err := time.LoadLocation("Europe/Brussels"); err == nil {
		return l
	}
	return time.UTC
}
