package governance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Break-glass grants (a privacy officer reads one customer's data without
// an interaction, S3) go through the same path as elevated roles: a
// request with a justification and a duration bounded by configuration,
// approval or rejection by somebody else, a start on approval, an end by
// itself, early withdrawal; each step traced first. Whether the grant lets
// its holder read is decided on each request from the database and the
// clock (coupole.BreakGlassGrant.Active), so the end takes effect on every
// node at once; the sweeper only records and traces the expiry.

// BreakGlassLimit is the longest a break-glass grant may last.
func (p *Privileged) BreakGlassLimit() time.Duration { return p.breakGlassMax() }

func (p *Privileged) breakGlassMax() time.Duration {
	if p.BreakGlassMax > 0 {
		return p.BreakGlassMax
	}
	return coupole.MaxBreakGlass
}

// RequestBreakGlass asks for access to customerID's data for d. The
// customer's existence is the caller's to check (the web layer traces a
// probe for an unknown id).
func (p *Privileged) RequestBreakGlass(ctx context.Context, staffID, customerID, justification string, d time.Duration) (coupole.BreakGlassGrant, error) {
	st, err := p.activeStaff(ctx, staffID)
	if err != nil {
		return coupole.BreakGlassGrant{}, err
	}
	justification = strings.TrimSpace(strings.ToValidUTF8(justification, "\uFFFD"))
	customerID = strings.TrimSpace(customerID)
	switch {
	case customerID == "":
		return coupole.BreakGlassGrant{}, coupole.Errorf(coupole.EINVALID, "customer_id: required")
	case justification == "":
		return coupole.BreakGlassGrant{}, coupole.Errorf(coupole.EINVALID, "reason: say why the access is needed")
	case d < time.Minute || d > p.breakGlassMax():
		return coupole.BreakGlassGrant{}, coupole.Errorf(coupole.EINVALID, "minutes: must be between 1 and %d", int(p.breakGlassMax()/time.Minute))
	}
	if err := p.authorize(ctx, st, coupole.ActionRequestBreakGlass, "Page", "", false); err != nil {
		return coupole.BreakGlassGrant{}, err
	}
	g := coupole.BreakGlassGrant{ID: newID("bg-"), StaffID: st.ID, CustomerID: customerID, Reason: justification,
		RequestedAt: p.Clock.Now(), Duration: d.Truncate(time.Minute)}
	ev := coupole.StaffEvent{Type: coupole.StaffEventGrantRequested, Actor: st.ID, Subject: g.ID, Outcome: "ok", Reason: g.Reason,
		Details: map[string]string{"customer": g.CustomerID, "minutes": fmt.Sprint(int(g.Duration / time.Minute))}}
	if err := p.trace(ctx, ev); err != nil {
		return g, err
	}
	if err := p.Store.CreateGrant(ctx, g); err != nil {
		p.lifecycle().traceFailure(ctx, ev, err)
		return g, err
	}
	return g, nil
}

// DecideBreakGlass approves (the grant starts now and ends after its
// duration) or rejects a pending request. The decider is allowed by the
// staff policy and is not the requester.
func (p *Privileged) DecideBreakGlass(ctx context.Context, deciderID, id string, approve bool, why string) (coupole.BreakGlassGrant, error) {
	decider, err := p.activeStaff(ctx, deciderID)
	if err != nil {
		return coupole.BreakGlassGrant{}, err
	}
	g, err := p.Store.Grant(ctx, id)
	if err != nil {
		return g, err
	}
	if err := p.authorize(ctx, decider, coupole.ActionApproveBreakGlass, "Grant", id, g.StaffID == decider.ID); err != nil {
		return g, err
	}
	if err := g.ApprovableBy(decider.ID); err != nil {
		p.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventGrantRefused, Actor: decider.ID, Subject: id, Outcome: "refused", Reason: coupole.ErrorCode(err)})
		return g, err
	}
	now := p.Clock.Now()
	ev := coupole.StaffEvent{Type: coupole.StaffEventGrantRejected, At: now, Actor: decider.ID, Subject: id, Outcome: "ok", Reason: strings.TrimSpace(why),
		Details: map[string]string{"holder": g.StaffID, "customer": g.CustomerID}}
	if approve {
		ev.Type, ev.Reason = coupole.StaffEventGrantApproved, g.Reason
		ev.Details["expires_at"] = now.Add(g.Duration).UTC().Format(time.RFC3339)
	}
	if err := p.trace(ctx, ev); err != nil {
		return g, err
	}
	if approve {
		g, err = p.Store.ApproveGrant(ctx, id, decider.ID, now)
	} else {
		g, err = p.Store.RejectGrant(ctx, id, decider.ID, now)
	}
	if err != nil {
		p.lifecycle().traceFailure(ctx, ev, err)
	}
	return g, err
}

// WithdrawBreakGlass ends a grant early, or cancels a pending request: by
// its holder, or by somebody who may approve it. Ending access never waits
// for the audit log: the grant ends even if the trace cannot be written,
// and the error says so.
func (p *Privileged) WithdrawBreakGlass(ctx context.Context, actorID, id, why string) error {
	actor, err := p.activeStaff(ctx, actorID)
	if err != nil {
		return err
	}
	g, err := p.Store.Grant(ctx, id)
	if err != nil {
		return err
	}
	if g.StaffID != actor.ID {
		if err := p.authorize(ctx, actor, coupole.ActionApproveBreakGlass, "Grant", id, false); err != nil {
			return err
		}
	}
	now := p.Clock.Now()
	if err := p.Store.EndGrant(ctx, id, "withdrawn", now); err != nil {
		return err
	}
	if err := p.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: coupole.StaffEventGrantWithdrawn, At: now, Actor: actor.ID, Subject: id, Outcome: "ok",
		Reason: strings.TrimSpace(why), Details: map[string]string{"holder": g.StaffID, "customer": g.CustomerID}}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "break-glass grant %s is withdrawn, but the audit log could not record it: %v", id, err)
	}
	return nil
}

// expireGrants records and traces the end of the approved grants past
// their end.
func (p *Privileged) expireGrants(ctx context.Context, now time.Time) (int, error) {
	due, err := p.Store.DueGrants(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, g := range due {
		ev := coupole.StaffEvent{Type: coupole.StaffEventGrantExpired, At: g.ExpiresAt, Actor: ActorSweeper, Subject: g.ID, Outcome: "ok",
			Details: map[string]string{"holder": g.StaffID, "customer": g.CustomerID}}
		if err := p.trace(ctx, ev); err != nil {
			return n, err
		}
		if err := p.Store.EndGrant(ctx, g.ID, "expired", now); err != nil {
			if coupole.ErrorCode(err) == coupole.ECONFLICT {
				continue // ended meanwhile, by another node
			}
			return n, err
		}
		n++
	}
	return n, nil
}
