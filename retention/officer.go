package retention

import (
	"context"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// StaffReader finds the staff member an officer's act is done by.
// sqlstore.DB is one.
type StaffReader interface {
	Staff(ctx context.Context, id string) (coupole.Staff, error)
}

// elevated is the optional part of a StaffReader that knows the roles held
// by approved privileged access (issue 12).
type elevated interface {
	ElevatedRoles(ctx context.Context, staffID string, now time.Time) ([]coupole.Role, error)
}

// Officer is the privacy officer's door to retention (R2, R3, S7): every
// act is done by a real staff member, asked of the staff policy
// (policy/staff/91-retention.cedar) and traced first; a refusal is traced
// with its target before it is answered. The CLI (`coupole retention hold`,
// `reclassify`) and the JSON API both go through it, so neither can skip
// the policy or the second person.
type Officer struct {
	Service *Service
	Access  coupole.StaffAuthorizer
	Staff   StaffReader
}

// Principal returns the active staff member id, with the roles privileged
// access gives them now; EFORBIDDEN for an unknown or revoked id (and the
// attempt is traced).
func (o *Officer) Principal(ctx context.Context, id string) (coupole.Staff, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return coupole.Staff{}, coupole.Errorf(coupole.EINVALID, "the staff member who acts is required (--as)")
	}
	st, err := o.Staff.Staff(ctx, id)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND || (err == nil && st.Status != coupole.StaffActive) {
		o.refuse(ctx, id, "", "Page:retention", "unknown_or_revoked_staff")
		return coupole.Staff{}, coupole.Errorf(coupole.EFORBIDDEN, "staff %s is unknown or revoked", id)
	}
	if err != nil {
		return coupole.Staff{}, err
	}
	if e, ok := o.Staff.(elevated); ok {
		extra, err := e.ElevatedRoles(ctx, st.ID, o.Service.Clock.Now())
		if err != nil {
			return coupole.Staff{}, err
		}
		for _, r := range extra {
			if !st.HasRole(r) {
				st.Roles = append(st.Roles, r)
			}
		}
	}
	return st, nil
}

// Authorize asks the staff policy whether st may do action on target (a
// hold or an item, for the trace); a refusal is traced and returned as
// EFORBIDDEN. self is S7's fact: st asked for the lift being approved.
func (o *Officer) Authorize(ctx context.Context, st coupole.Staff, action coupole.StaffAction, target string, self bool) error {
	d, err := o.Access.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: st, Action: action, ResourceType: "Page", ResourceID: "retention",
		Facts: coupole.AccessFacts{TargetIsSelf: self}})
	if err != nil {
		return err
	}
	if d.Allow {
		return nil
	}
	if err := o.refuse(ctx, st.ID, string(action), target, d.Reason); err != nil {
		return err
	}
	return coupole.Errorf(coupole.EFORBIDDEN, "%s may not %s (%s)", st.ID, action, d.Reason)
}

// refuse traces a refusal with its target; an error means the trace could
// not be written (the refusal still stands).
func (o *Officer) refuse(ctx context.Context, actor, action, target, reason string) error {
	ev := audit.Event{Actor: actor, Action: ActionRefused, Decision: &audit.Decision{Outcome: "refused", Reason: reason},
		Data: []string{"refused:" + action, "target:" + target}}
	if _, err := o.Service.Audit.Append(ctx, ev); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this refusal now")
	}
	return nil
}

// Holds lists the holds (all, or only the active ones) for st; the
// consultation is traced.
func (o *Officer) Holds(ctx context.Context, st coupole.Staff, activeOnly bool) ([]Hold, error) {
	if err := o.View(ctx, st, "holds"); err != nil {
		return nil, err
	}
	return o.Service.Store.Holds(ctx, activeOnly)
}

// PlaceHold places h for st.
func (o *Officer) PlaceHold(ctx context.Context, st coupole.Staff, h Hold) (Hold, error) {
	if err := o.Authorize(ctx, st, coupole.ActionPlaceHold, "hold:"+h.Scope+":"+h.Target, false); err != nil {
		return Hold{}, err
	}
	return o.Service.PlaceHold(ctx, st.ID, h)
}

// Lift is the two-person lift of a hold (S7) in one verb, for the
// terminal: when nobody asked for it yet, st asks, with a reason; when
// someone asked, st approves (refused and traced when st is who asked).
func (o *Officer) Lift(ctx context.Context, st coupole.Staff, id, reason string) (Hold, error) {
	h, err := o.Service.Store.Hold(ctx, id)
	if err != nil {
		return Hold{}, err
	}
	if h.Active() && h.LiftRequestedBy == "" {
		return o.RequestLift(ctx, st, id, reason)
	}
	return o.ApproveLift(ctx, st, id)
}

// RequestLift asks, for st, for the lift of a hold, with a reason.
func (o *Officer) RequestLift(ctx context.Context, st coupole.Staff, id, reason string) (Hold, error) {
	if err := o.Authorize(ctx, st, coupole.ActionRequestHoldLift, "hold:"+id, false); err != nil {
		return Hold{}, err
	}
	if err := o.Service.RequestLift(ctx, st.ID, id, reason); err != nil {
		return Hold{}, err
	}
	return o.Service.Store.Hold(ctx, id)
}

// ApproveLift lifts, for st, a hold whose lift someone else asked for. The
// staff policy refuses st when st asked (target_is_self, S7), and the
// service and the store refuse it again.
func (o *Officer) ApproveLift(ctx context.Context, st coupole.Staff, id string) (Hold, error) {
	h, err := o.Service.Store.Hold(ctx, id)
	if err != nil {
		return Hold{}, err
	}
	if !h.Active() {
		return h, coupole.Errorf(coupole.ECONFLICT, "hold %s is already lifted", id)
	}
	if err := o.Authorize(ctx, st, coupole.ActionLiftHold, "hold:"+id, h.LiftRequestedBy == st.ID); err != nil {
		return h, err
	}
	if err := o.Service.ApproveLift(ctx, st.ID, id); err != nil {
		return h, err
	}
	return o.Service.Store.Hold(ctx, id)
}

// SetClass moves an item to another class with st's justification.
func (o *Officer) SetClass(ctx context.Context, st coupole.Staff, itemID, class, justification string) (Item, error) {
	if err := o.Authorize(ctx, st, coupole.ActionSetRetentionClass, "item:"+itemID, false); err != nil {
		return Item{}, err
	}
	return o.Service.SetClass(ctx, st.ID, itemID, class, justification)
}
