package governance

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// FigureStore computes the governance figures; sqlstore.DB does, one query
// per figure.
type FigureStore interface {
	GovernanceFigures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error)
}

// Figures is the governance part of the yearly report (G4): joiners, movers
// and leavers (S4), the time from the HR leaver date to the revocation
// (S4), and the assignments refused by segregation of duties (S7).
type Figures struct {
	Store FigureStore
}

var _ coupole.FigureSource = Figures{}

// Figures returns the governance figures for [from, to).
func (f Figures) Figures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	return f.Store.GovernanceFigures(ctx, from, to)
}
