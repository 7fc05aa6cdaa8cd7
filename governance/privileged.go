package governance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// Staff events of privileged access (S3).
const (
	EventPrivilegedRequested = "privileged.requested"
	EventPrivilegedApproved  = "privileged.approved" // the role starts now
	EventPrivilegedRejected  = "privileged.rejected"
	EventPrivilegedWithdrawn = "privileged.withdrawn"
	EventPrivilegedExpired   = "privileged.expired"
)

// DefaultMaxPrivileged bounds the duration of an elevated role when the
// configuration says nothing.
const DefaultMaxPrivileged = 8 * time.Hour

// PrivilegedStore is what privileged access needs of the database.
type PrivilegedStore interface {
	coupole.StaffStore
	coupole.PrivilegedStore
	coupole.BreakGlassDecisionStore
}

// Privileged is privileged access (S3): a staff member asks for an elevated
// role with a justification and a duration; somebody allowed by the staff
// policy, and not the requester (S7), approves or rejects; the role is held
// from the approval to its end, on every node, because each request of the
// holder reads it from the database with the clock (ElevatedRoles); it can
// be withdrawn early. Each step is traced first.
type Privileged struct {
	Store  PrivilegedStore
	SoD    *sodpolicy.Checker
	Access coupole.StaffAuthorizer
	Tracer coupole.StaffTracer
	Clock  coupole.Clock
	// MaxDuration bounds a request's duration (DefaultMaxPrivileged if 0):
	// serve's --privileged-max.
	MaxDuration time.Duration
	// BreakGlassMax bounds a break-glass grant (coupole.MaxBreakGlass if
	// 0): serve's --break-glass-max.
	BreakGlassMax time.Duration
}

// Limit is the longest duration a request may ask for.
func (p *Privileged) Limit() time.Duration { return p.max() }

func (p *Privileged) max() time.Duration {
	if p.MaxDuration > 0 {
		return p.MaxDuration
	}
	return DefaultMaxPrivileged
}

func (p *Privileged) lifecycle() *Lifecycle {
	return &Lifecycle{Store: nil, SoD: p.SoD, Access: p.Access, Tracer: p.Tracer, Clock: p.Clock}
}

// activeStaff returns an active staff member, or EFORBIDDEN.
func (p *Privileged) activeStaff(ctx context.Context, id string) (coupole.Staff, error) {
	st, err := p.Store.Staff(ctx, id)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return st, coupole.Errorf(coupole.EFORBIDDEN, "no such staff member %s", id)
	} else if err != nil {
		return st, err
	}
	if st.Status != coupole.StaffActive {
		return st, coupole.Errorf(coupole.EFORBIDDEN, "staff %s is revoked", id)
	}
	return st, nil
}

func (p *Privileged) authorize(ctx context.Context, st coupole.Staff, action coupole.StaffAction, resType, resID string, self bool) error {
	d, err := p.Access.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: st, Action: action, ResourceType: resType, ResourceID: resID,
		Facts: coupole.AccessFacts{TargetIsSelf: self}})
	if err != nil {
		return err
	}
	if d.Allow {
		return nil
	}
	if err := p.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventAccessDenied, Actor: st.ID, Subject: resID, Outcome: "refused", Reason: d.Reason,
		Details: map[string]string{"action": string(action)}}); err != nil {
		return err
	}
	return coupole.Errorf(coupole.EFORBIDDEN, "%s may not %s (%s)", st.ID, action, d.Reason)
}

func (p *Privileged) trace(ctx context.Context, e coupole.StaffEvent) error {
	if e.At.IsZero() {
		e.At = p.Clock.Now()
	}
	if err := p.Tracer.TraceStaff(ctx, e); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: %s of %s is not done", e.Type, e.Subject)
	}
	return nil
}

// sodCombination checks that the requester's roles with the elevated one
// break no incompatible pair (S7), whoever asks.
func (p *Privileged) sodCombination(ctx context.Context, actor string, st coupole.Staff, role coupole.Role, lang coupole.Language) error {
	roles := slices.Clone(st.Roles)
	if !slices.Contains(roles, role) {
		roles = append(roles, role)
	}
	return p.SoD.Check(ctx, sodpolicy.ActionAssign, "", st.ID, roles, lang)
}

// Request asks for role for d, with a justification.
func (p *Privileged) Request(ctx context.Context, staffID string, role coupole.Role, justification string, d time.Duration) (coupole.PrivilegedRequest, error) {
	st, err := p.activeStaff(ctx, staffID)
	if err != nil {
		return coupole.PrivilegedRequest{}, err
	}
	if _, err := coupole.ParseRole(string(role)); err != nil {
		return coupole.PrivilegedRequest{}, err
	}
	justification = strings.TrimSpace(strings.ToValidUTF8(justification, "\uFFFD"))
	switch {
	case justification == "":
		return coupole.PrivilegedRequest{}, coupole.Errorf(coupole.EINVALID, "justification: say why the access is needed")
	case d < time.Minute || d > p.max():
		return coupole.PrivilegedRequest{}, coupole.Errorf(coupole.EINVALID, "duration: must be between 1 minute and %s", p.max())
	case st.HasRole(role):
		return coupole.PrivilegedRequest{}, coupole.Errorf(coupole.ECONFLICT, "role %s is already held", role)
	}
	if err := p.authorize(ctx, st, coupole.ActionRequestPrivileged, "Page", "", false); err != nil {
		return coupole.PrivilegedRequest{}, err
	}
	if err := p.sodCombination(ctx, st.ID, st, role, st.Language); err != nil {
		p.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSoDRefused, Actor: st.ID, Subject: st.ID, Outcome: "refused", Reason: ruleOf(err),
			Details: map[string]string{"role": string(role)}})
		return coupole.PrivilegedRequest{}, err
	}
	r := coupole.PrivilegedRequest{ID: newID("pr-"), StaffID: st.ID, Role: role, Justification: justification, Duration: d.Truncate(time.Second),
		RequestedAt: p.Clock.Now(), Status: coupole.PrivilegedPending}
	ev := coupole.StaffEvent{Type: EventPrivilegedRequested, Actor: st.ID, Subject: r.ID, Outcome: "ok", Reason: justification,
		Details: map[string]string{"role": string(role), "minutes": fmt.Sprint(int(d / time.Minute))}}
	if err := p.trace(ctx, ev); err != nil {
		return r, err
	}
	if err := p.Store.CreatePrivilegedRequest(ctx, r); err != nil {
		p.lifecycle().traceFailure(ctx, ev, err)
		return r, err
	}
	return r, nil
}

// Decide approves (approve true) or rejects a pending request. The approver
// is allowed by the staff policy and is not the requester (the SoD set's
// no-self-approval); the requester's roles with the elevated one must break
// no incompatible pair.
func (p *Privileged) Decide(ctx context.Context, approverID, id string, approve bool, why string) (coupole.PrivilegedRequest, error) {
	approver, err := p.activeStaff(ctx, approverID)
	if err != nil {
		return coupole.PrivilegedRequest{}, err
	}
	r, err := p.Store.PrivilegedRequest(ctx, id)
	if err != nil {
		return r, err
	}
	if err := p.authorize(ctx, approver, coupole.ActionApprovePrivileged, "Grant", id, r.StaffID == approver.ID); err != nil {
		return r, err
	}
	evType := EventPrivilegedRejected
	if approve {
		evType = EventPrivilegedApproved
	}
	if err := p.SoD.Check(ctx, sodpolicy.ActionApprove, approver.ID, r.StaffID, nil, approver.Language); err != nil {
		p.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSoDRefused, Actor: approver.ID, Subject: id, Outcome: "refused", Reason: ruleOf(err)})
		return r, err
	}
	if approve {
		requester, err := p.activeStaff(ctx, r.StaffID)
		if err != nil {
			return r, err
		}
		if err := p.sodCombination(ctx, approver.ID, requester, r.Role, approver.Language); err != nil {
			p.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSoDRefused, Actor: approver.ID, Subject: id, Outcome: "refused", Reason: ruleOf(err)})
			return r, err
		}
	}
	now := p.Clock.Now()
	ev := coupole.StaffEvent{Type: evType, At: now, Actor: approver.ID, Subject: id, Outcome: "ok", Reason: strings.TrimSpace(why),
		Details: map[string]string{"staff": r.StaffID, "role": string(r.Role)}}
	if approve {
		ev.Details["ends_at"] = now.Add(r.Duration).UTC().Format(time.RFC3339)
	}
	if err := p.trace(ctx, ev); err != nil {
		return r, err
	}
	out, err := p.Store.DecidePrivilegedRequest(ctx, id, approve, approver.ID, now)
	if err != nil {
		p.lifecycle().traceFailure(ctx, ev, err)
		return out, err
	}
	return out, nil
}

// Withdraw ends an approved request early: by its holder, or by somebody
// who may approve it. Ending access never waits for the audit log: the
// request ends even if the trace cannot be written, and the error says so.
func (p *Privileged) Withdraw(ctx context.Context, actorID, id, why string) error {
	actor, err := p.activeStaff(ctx, actorID)
	if err != nil {
		return err
	}
	r, err := p.Store.PrivilegedRequest(ctx, id)
	if err != nil {
		return err
	}
	if r.StaffID != actor.ID {
		if err := p.authorize(ctx, actor, coupole.ActionApprovePrivileged, "Grant", id, false); err != nil {
			return err
		}
	}
	now := p.Clock.Now()
	if err := p.Store.EndPrivilegedRequest(ctx, id, coupole.PrivilegedWithdrawn, now); err != nil {
		return err
	}
	if err := p.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: EventPrivilegedWithdrawn, At: now, Actor: actor.ID, Subject: id, Outcome: "ok", Reason: strings.TrimSpace(why),
		Details: map[string]string{"staff": r.StaffID, "role": string(r.Role)}}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "privileged request %s is withdrawn, but the audit log could not record it: %v", id, err)
	}
	return nil
}

// ExpireDue records and traces the end of the approved requests and
// break-glass grants whose end is past. The roles stopped at their end already (ElevatedRoles reads the
// clock); this only writes the expiry in the trace and the record. It
// returns how many ended.
func (p *Privileged) ExpireDue(ctx context.Context) (int, error) {
	now := p.Clock.Now()
	due, err := p.Store.DuePrivilegedRequests(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		ev := coupole.StaffEvent{Type: EventPrivilegedExpired, At: r.EndsAt, Actor: ActorSweeper, Subject: r.ID, Outcome: "ok",
			Details: map[string]string{"staff": r.StaffID, "role": string(r.Role)}}
		if err := p.trace(ctx, ev); err != nil {
			return n, err
		}
		if err := p.Store.EndPrivilegedRequest(ctx, r.ID, coupole.PrivilegedExpired, now); err != nil {
			if coupole.ErrorCode(err) == coupole.ECONFLICT {
				continue // withdrawn or expired meanwhile, by another node
			}
			return n, err
		}
		n++
	}
	m, err := p.expireGrants(ctx, now)
	return n + m, err
}
