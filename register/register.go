// Package register keeps the privacy officer's GDPR registers (G1–G3):
// processing activities (art. 30), DPIAs (art. 35), sub-processors with the
// art. 28 checklist, risk analyses and penetration tests, and their
// findings. Every change is a new version of the entry (who, when, what),
// nothing is overwritten: the history is the register's own audit trail.
// Entries carry review dates; overdue reviews and findings are flagged, and
// the registers give the yearly report its figures.
package register

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Kind is a register.
type Kind string

// The registers.
const (
	Processing   Kind = "processing"   // GDPR art. 30(1) (G1)
	DPIA         Kind = "dpia"         // GDPR art. 35 (G2)
	Subprocessor Kind = "subprocessor" // GDPR art. 28 (G3)
	Assessment   Kind = "assessment"   // risk analyses and penetration tests (G3)
	Finding      Kind = "finding"      // findings of an assessment, with remediation (G3)
)

// Kinds lists the registers in the order the pages show them.
var Kinds = []Kind{Processing, DPIA, Subprocessor, Assessment, Finding}

// ParseKind checks a register name.
func ParseKind(s string) (Kind, error) {
	if slices.Contains(Kinds, Kind(s)) {
		return Kind(s), nil
	}
	return "", coupole.Errorf(coupole.ENOTFOUND, "register %q does not exist", s)
}

// Field types.
const (
	Text   = "text"
	Date   = "date" // 2006-01-02
	Bool   = "bool" // "yes" or "no"
	Choice = "choice"
	Ref    = "ref" // ids of entries of another register, comma-separated
)

// Field is one field of a register's entries.
type Field struct {
	Name     string
	Type     string
	Required bool
	Choices  []string // Choice
	RefKind  Kind     // Ref
}

// Schemas says which fields each register has, beyond title and review
// date. The names are the GDPR's.
var Schemas = map[Kind][]Field{
	Processing: {
		{Name: "controller", Type: Text, Required: true},
		{Name: "purposes", Type: Text, Required: true},
		{Name: "data_subjects", Type: Text, Required: true},
		{Name: "data_categories", Type: Text, Required: true},
		{Name: "recipients", Type: Text, Required: true},
		{Name: "transfers", Type: Text},
		{Name: "retention", Type: Text, Required: true},
		{Name: "security_measures", Type: Text, Required: true},
	},
	DPIA: {
		{Name: "processing", Type: Ref, RefKind: Processing, Required: true},
		{Name: "description", Type: Text, Required: true},
		{Name: "risks", Type: Text, Required: true},
		{Name: "measures", Type: Text, Required: true},
		{Name: "access_assessment", Type: Text, Required: true},
		{Name: "outcome", Type: Choice, Required: true, Choices: []string{"acceptable", "acceptable_with_measures", "not_acceptable", "prior_consultation"}},
	},
	Subprocessor: {
		{Name: "service", Type: Text, Required: true},
		{Name: "country", Type: Text, Required: true},
		{Name: "duration", Type: Text},
		{Name: "scope", Type: Text},
		{Name: "purpose", Type: Text},
		{Name: "documented_instructions", Type: Bool},
		{Name: "further_subprocessors_authorised", Type: Bool},
		{Name: "proof_of_compliance", Type: Bool},
		{Name: "breach_notification", Type: Bool},
		{Name: "dpa_signed", Type: Bool},
		{Name: "outside_eu", Type: Bool},
		{Name: "standard_contractual_clauses", Type: Bool},
	},
	Assessment: {
		{Name: "type", Type: Choice, Required: true, Choices: []string{"risk_analysis", "pentest"}},
		{Name: "subprocessor", Type: Ref, RefKind: Subprocessor},
		{Name: "performed_on", Type: Date, Required: true},
		{Name: "summary", Type: Text, Required: true},
	},
	Finding: {
		{Name: "assessment", Type: Ref, RefKind: Assessment, Required: true},
		{Name: "severity", Type: Choice, Required: true, Choices: []string{"low", "medium", "high", "critical"}},
		{Name: "owner", Type: Text, Required: true},
		{Name: "due", Type: Date, Required: true},
		{Name: "remediation", Type: Text},
		{Name: "status", Type: Choice, Required: true, Choices: []string{"open", "remediated", "accepted"}},
	},
}

// Entry is one version of a register entry.
type Entry struct {
	Kind      Kind              `json:"kind"`
	ID        string            `json:"id"`
	Version   int               `json:"version"`
	Title     string            `json:"title"`
	Fields    map[string]string `json:"fields"`
	ReviewDue string            `json:"review_due,omitempty"` // 2006-01-02; "" for none
	Deleted   bool              `json:"deleted,omitempty"`
	ChangedBy string            `json:"changed_by"`
	ChangedAt time.Time         `json:"changed_at"`
}

// Store keeps register versions. Implementations pass the suite in
// sqlstore on SQLite and PostgreSQL.
type Store interface {
	// AddRegisterVersion stores e; ECONFLICT if version e.Version of the
	// entry exists already (somebody else changed it first).
	AddRegisterVersion(ctx context.Context, e Entry) error
	// RegisterEntries returns the latest version of every entry of kind,
	// deleted ones included, by id.
	RegisterEntries(ctx context.Context, kind Kind) ([]Entry, error)
	// RegisterHistory returns every version of one entry, oldest first;
	// ENOTFOUND if there is none.
	RegisterHistory(ctx context.Context, kind Kind, id string) ([]Entry, error)
}

// Status of an entry on a day.
const (
	StatusOK            = "ok"
	StatusReviewDue     = "review_due"     // review within the reminder window
	StatusReviewOverdue = "review_overdue" // review date passed
	StatusOverdue       = "overdue"        // finding open past its due date
	StatusOpen          = "open"           // finding open, not yet due
	StatusIncomplete    = "incomplete"     // art. 28 checklist not complete
	ReminderWindowDays  = 30
	reviewDateFormat    = time.DateOnly
)

// Status says where an entry stands on day today: the most urgent of its
// review, its remediation (findings) and its checklist (sub-processors).
func Status(e Entry, today time.Time) string {
	day := today.Format(reviewDateFormat)
	soon := today.AddDate(0, 0, ReminderWindowDays).Format(reviewDateFormat)
	if e.Kind == Finding && e.Fields["status"] == "open" {
		if due := e.Fields["due"]; due != "" && due < day {
			return StatusOverdue
		}
	}
	if e.ReviewDue != "" && e.ReviewDue < day {
		return StatusReviewOverdue
	}
	if e.Kind == Subprocessor && len(MissingClauses(e)) > 0 {
		return StatusIncomplete
	}
	if e.Kind == Finding && e.Fields["status"] == "open" {
		return StatusOpen
	}
	if e.ReviewDue != "" && e.ReviewDue <= soon {
		return StatusReviewDue
	}
	return StatusOK
}

// art28 are the checklist items a sub-processor contract must have.
var art28 = []string{"duration", "scope", "purpose", "documented_instructions", "further_subprocessors_authorised",
	"proof_of_compliance", "breach_notification", "dpa_signed"}

// MissingClauses lists the art. 28 checklist items a sub-processor entry
// lacks, and "standard_contractual_clauses" for a transfer outside the EU
// without them (G3).
func MissingClauses(e Entry) []string {
	var out []string
	for _, k := range art28 {
		v := strings.TrimSpace(e.Fields[k])
		if v == "" || v == "no" {
			out = append(out, k)
		}
	}
	if e.Fields["outside_eu"] == "yes" && e.Fields["standard_contractual_clauses"] != "yes" {
		out = append(out, "standard_contractual_clauses")
	}
	return out
}
