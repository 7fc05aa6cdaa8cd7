package interaction

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/coupole/coupole"
)

// CallReason is one entry of the call-reason taxonomy (C4). A reason with a
// legal retention (gas odour and other emergencies) keeps the interaction's
// recordings for as long as that obligation requires (R3).
type CallReason struct {
	Code           string `json:"code"`
	Label          string `json:"label"` // French, the default language
	LegalRetention bool   `json:"legal_retention"`
}

// DefaultCallReasons is the taxonomy of DESIGN.md, used when no file is
// configured.
var DefaultCallReasons = []CallReason{
	{"emergency_gas_odour", "Urgence : odeur de gaz", true},
	{"emergency_electrical", "Urgence : danger électrique", true},
	{"outage", "Panne", false},
	{"planned_works", "Travaux planifiés", false},
	{"connection", "Raccordement", false},
	{"metering_index", "Comptage, relevé d'index", false},
	{"move", "Déménagement", false},
	{"ean_request", "Demande de code EAN", false},
	{"supplier_question", "Question sur le fournisseur", false},
	{"invoice", "Facture", false},
	{"solar_ev", "Panneaux solaires, véhicule électrique", false},
	{"complaint", "Plainte", false},
	{"privacy_request", "Demande relative à la vie privée", false},
	{"other", "Autre", false},
}

// LoadCallReasons reads a taxonomy file: a JSON array of
// {"code", "label", "legal_retention"}. Codes are lower-case words joined by
// underscores, unique, and at least one reason is required.
func LoadCallReasons(path string) ([]CallReason, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "call reasons: cannot read %s", path)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var rs []CallReason
	if err := dec.Decode(&rs); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "call reasons: %s: %v", path, err)
	}
	if err := ValidateCallReasons(rs); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "call reasons: %s: %s", path, coupole.ErrorMessage(err))
	}
	return rs, nil
}

// ValidateCallReasons checks a taxonomy.
func ValidateCallReasons(rs []CallReason) error {
	if len(rs) == 0 {
		return coupole.Errorf(coupole.EINVALID, "at least one call reason is required")
	}
	seen := map[string]bool{}
	for i, r := range rs {
		if r.Code == "" || strings.Trim(r.Code, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return coupole.Errorf(coupole.EINVALID, "entry %d: code %q must be lower-case letters, digits and underscores", i+1, r.Code)
		}
		if seen[r.Code] {
			return coupole.Errorf(coupole.EINVALID, "entry %d: code %q appears twice", i+1, r.Code)
		}
		if strings.TrimSpace(r.Label) == "" {
			return coupole.Errorf(coupole.EINVALID, "entry %d (%s): label is required", i+1, r.Code)
		}
		seen[r.Code] = true
	}
	return nil
}
