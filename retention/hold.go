package retention

import (
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Hold scopes.
const (
	ScopeItem        = "item"
	ScopeInteraction = "interaction"
	ScopeCustomer    = "customer"
	ScopePeriod      = "period"
)

// A Hold keeps everything it covers from deletion until a second person
// lifts it (R3, S7). It covers the registered items it names and Coupole's
// own records of the same interaction, customer or period (trace payloads
// among them: audit erase skips them).
type Hold struct {
	ID              string
	Scope           string
	Target          string    // item id, interaction id or customer id
	From, To        time.Time // period [From, To), for ScopePeriod
	Reason          string
	Reference       string // the case or court reference
	PlacedBy        string
	PlacedAt        time.Time
	LiftRequestedBy string
	LiftRequestedAt time.Time
	LiftReason      string
	LiftedBy        string
	LiftedAt        time.Time
}

// Active reports whether the hold still holds.
func (h Hold) Active() bool { return h.LiftedAt.IsZero() }

// Validate checks a new hold.
func (h Hold) Validate() error {
	switch h.Scope {
	case ScopeItem, ScopeInteraction, ScopeCustomer:
		if strings.TrimSpace(h.Target) == "" {
			return coupole.Errorf(coupole.EINVALID, "a hold on a %s needs its id", h.Scope)
		}
	case ScopePeriod:
		if h.From.IsZero() || h.To.IsZero() || !h.From.Before(h.To) {
			return coupole.Errorf(coupole.EINVALID, "a hold on a period needs a start before its end")
		}
	default:
		return coupole.Errorf(coupole.EINVALID, "hold scope %q: want item, interaction, customer or period", h.Scope)
	}
	if strings.TrimSpace(h.Reason) == "" {
		return coupole.Errorf(coupole.EINVALID, "a hold needs a reason")
	}
	if strings.TrimSpace(h.Reference) == "" {
		return coupole.Errorf(coupole.EINVALID, "a hold needs a reference (case, court or request number)")
	}
	return nil
}

// Covers reports whether the active hold h covers a record of the given
// interaction and customers, made at t. Used for Coupole's own records.
func (h Hold) Covers(itemID, interactionID string, customers []string, t time.Time) bool {
	if !h.Active() {
		return false
	}
	switch h.Scope {
	case ScopeItem:
		return itemID != "" && h.Target == itemID
	case ScopeInteraction:
		return interactionID != "" && h.Target == interactionID
	case ScopeCustomer:
		for _, c := range customers {
			if c == h.Target {
				return true
			}
		}
	case ScopePeriod:
		return !t.Before(h.From) && t.Before(h.To)
	}
	return false
}

// HeldEvent returns the test audit erase asks of each trace event: whether
// one of the active holds covers it (its interaction, a customer it names,
// or its time). Nil when there is no hold.
func HeldEvent(holds []Hold) func(audit.Event) bool {
	if len(holds) == 0 {
		return nil
	}
	return func(ev audit.Event) bool {
		for _, h := range holds {
			if h.Covers("", ev.Interaction, ev.Customers, ev.Time) {
				return true
			}
			if h.Active() && h.Scope == ScopeItem && slices.Contains(ev.Data, "item:"+h.Target) {
				return true
			}
		}
		return false
	}
}
