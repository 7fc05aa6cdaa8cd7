package coupole

import (
	"fmt"
	"strings"
)

// Validate checks the supplier's invariants.
func (s Supplier) Validate() error {
	switch {
	case strings.TrimSpace(s.ID) == "":
		return Errorf(EINVALID, "supplier id is required")
	case strings.TrimSpace(s.Name) == "":
		return Errorf(EINVALID, "supplier name is required")
	}
	return nil
}

// Validate checks the CPAS's invariants.
func (c CPAS) Validate() error {
	switch {
	case strings.TrimSpace(c.ID) == "":
		return Errorf(EINVALID, "CPAS id is required")
	case strings.TrimSpace(c.Name) == "":
		return Errorf(EINVALID, "CPAS name is required")
	}
	return nil
}

// Validate checks the supply period's invariants.
func (p SupplyPeriod) Validate() error {
	if _, err := ParseEAN(string(p.EAN)); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(p.SupplierID) == "":
		return Errorf(EINVALID, "supply period: supplier id is required")
	case p.From.IsZero():
		return Errorf(EINVALID, "supply period: start date is required")
	case !p.To.IsZero() && !p.To.After(p.From):
		return Errorf(EINVALID, "supply period: end date must be after start date")
	}
	return nil
}

// PublicNoticeKinds lists every PublicNoticeKind.
var PublicNoticeKinds = []PublicNoticeKind{PlannedWorks, Outage}

// Validate checks the notice's invariants.
func (n PublicNotice) Validate() error {
	if strings.TrimSpace(n.ID) == "" {
		return Errorf(EINVALID, "public notice id is required")
	}
	if _, err := parseEnum("notice kind", string(n.Kind), PublicNoticeKinds); err != nil {
		return err
	}
	if _, err := ParseEnergy(string(n.Energy)); err != nil {
		return err
	}
	if err := ValidatePostcode(n.Postcode); err != nil {
		return err
	}
	switch {
	case n.From.IsZero() || n.To.IsZero():
		return Errorf(EINVALID, "public notice: start and end are required")
	case !n.To.After(n.From):
		return Errorf(EINVALID, "public notice: end must be after start")
	}
	return nil
}

// BatchRecordError locates the record of a Batch that made Load refuse it:
// Kind names the Batch field ("Occupancies") and Index the record's position
// in it, so that an importer can point at the line of the file it came from.
// Field, when known, names the offending field the way the import files
// name their columns ("ean", "customer_id", "supplier_id", "cpas_id").
// It travels as the cause (Err) of an EINVALID *Error.
type BatchRecordError struct {
	Kind  string
	Index int
	Field string
}

func (e *BatchRecordError) Error() string {
	return fmt.Sprintf("%s[%d]", e.Kind, e.Index)
}
