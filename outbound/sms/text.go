package sms

import (
	"fmt"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// texts are the SMS bodies by item and language. An SMS holds the EAN (or
// the supplier's name, which is not personal) and nothing else personal:
// no name, no address (D4). A back-office answer or a notice carries its
// own text, already in the customer's language.
var texts = map[string]map[coupole.Language]string{
	outbound.ItemEAN: {
		coupole.French:  "Votre gestionnaire de réseau : le code EAN de votre point de fourniture est %s. Réf. %s",
		coupole.Dutch:   "Uw netbeheerder: de EAN-code van uw toegangspunt is %s. Ref. %s",
		coupole.German:  "Ihr Netzbetreiber: Der EAN-Code Ihres Zugangspunkts lautet %s. Ref. %s",
		coupole.English: "Your grid operator: the EAN code of your supply point is %s. Ref. %s",
	},
	outbound.ItemSupplier: {
		coupole.French:  "Votre gestionnaire de réseau : le fournisseur actuel du point %s est %s. Réf. %s",
		coupole.Dutch:   "Uw netbeheerder: de huidige leverancier van toegangspunt %s is %s. Ref. %s",
		coupole.German:  "Ihr Netzbetreiber: Der aktuelle Lieferant des Zugangspunkts %s ist %s. Ref. %s",
		coupole.English: "Your grid operator: the current supplier of supply point %s is %s. Ref. %s",
	},
}

// Text is the SMS body of m in m.Lang (French if the language is unknown).
// An item without an SMS text is Permanent.
func Text(m outbound.Message) (string, error) {
	switch m.Item {
	case outbound.ItemCaseAnswer, outbound.ItemContactChanged:
		if m.Text == "" {
			return "", outbound.Permanent(fmt.Errorf("sms: %s without a text", m.Item))
		}
		return m.Text, nil
	}
	byLang, ok := texts[m.Item]
	if !ok {
		return "", outbound.Permanent(fmt.Errorf("sms: no SMS text for item %q", m.Item))
	}
	f, ok := byLang[m.Lang]
	if !ok {
		f = byLang[coupole.French]
	}
	if m.Item == outbound.ItemSupplier {
		return fmt.Sprintf(f, m.EAN, m.Supplier, m.Reference), nil
	}
	return fmt.Sprintf(f, m.EAN, m.Reference), nil
}
