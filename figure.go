package coupole

import (
	"context"
	"time"
)

// A Figure is one number of the yearly confidentiality report (G4). It is
// named so that the report's appendix, a test and an auditor can all find
// the query behind it and recount it from the records.
type Figure struct {
	Key         string // stable and dotted, e.g. "governance.joiners" or "retention.purged_late"
	Requirement string // the requirement it evidences, e.g. "S4"
	Query       string // the SQL, or the computation over the trace, that produced Value
	Value       int64
	Unit        string // "count", "seconds", "percent" or "bytes"
}

// A FigureSource computes its part of the report's figures for the period
// [from, to). Each part of Coupole that owns records (governance, retention,
// oversight…) provides one; the report only gathers and renders them.
type FigureSource interface {
	Figures(ctx context.Context, from, to time.Time) ([]Figure, error)
}
