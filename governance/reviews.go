package governance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Access reviews (issue 12, item 5: S5). A campaign gives each role of each
// active staff member to a reviewer — their manager from the HR profile,
// else any service delivery manager — who keeps or removes it; what nobody
// reviewed by the campaign's end is removed, through the lifecycle's mover
// path. Campaigns start on a schedule (serve --review-every) or from the
// CLI; each decision is traced before it is recorded.

// Staff events of access reviews.
const (
	EventReviewStarted = "review.started"
	EventReviewKept    = "review.kept"
	EventReviewRemoved = "review.removed"
	EventReviewExpired = "review.expired" // not reviewed by the end: removed
	EventReviewClosed  = "review.closed"
)

// DefaultReviewLength is how long a campaign stays open when nothing is
// configured; DefaultReviewEvery how often one starts (quarterly).
const (
	DefaultReviewLength = 14 * 24 * time.Hour
	DefaultReviewEvery  = 90 * 24 * time.Hour
)

// ReviewStore is what access reviews need of the database.
type ReviewStore interface {
	Store
	coupole.ReviewStore
}

// Reviews runs the access-review campaigns.
type Reviews struct {
	Lifecycle *Lifecycle
	Store     ReviewStore
}

// actorFor parses a staff actor allowed to do action; the sweeper is a
// system actor, allowed by the schedule.
func (l *Lifecycle) pageActor(ctx context.Context, actorID string, action coupole.StaffAction) (actor, error) {
	a, err := l.parseActor(ctx, actorID)
	if err != nil || a.staffID == "" {
		return a, err
	}
	d, err := l.Access.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: a.staff, Action: action, ResourceType: "Page", ResourceID: "reviews"})
	if err != nil {
		return a, err
	}
	if !d.Allow {
		if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventAccessDenied, Actor: a.raw, Outcome: "refused", Reason: d.Reason,
			Details: map[string]string{"action": string(action)}}); err != nil {
			return a, err
		}
		return a, coupole.Errorf(coupole.EFORBIDDEN, "%s may not %s (%s)", a.staffID, action, d.Reason)
	}
	return a, nil
}

// Start opens a campaign lasting length (DefaultReviewLength if 0) over the
// roles of every active staff member. ECONFLICT if one is open.
func (r *Reviews) Start(ctx context.Context, actorID string, length time.Duration) (coupole.ReviewCampaign, error) {
	l := r.Lifecycle
	a, err := l.pageActor(ctx, actorID, coupole.ActionManageReviews)
	if err != nil {
		return coupole.ReviewCampaign{}, err
	}
	if length <= 0 {
		length = DefaultReviewLength
	}
	if length < time.Hour || length > 180*24*time.Hour {
		return coupole.ReviewCampaign{}, coupole.Errorf(coupole.EINVALID, "review length: between 1 hour and 180 days")
	}
	if _, err := r.Store.OpenReviewCampaign(ctx); err == nil {
		return coupole.ReviewCampaign{}, coupole.Errorf(coupole.ECONFLICT, "a review campaign is open already: close it first")
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return coupole.ReviewCampaign{}, err
	}
	staff, err := r.Store.ListStaff(ctx)
	if err != nil {
		return coupole.ReviewCampaign{}, err
	}
	active := map[string]bool{}
	for _, s := range staff {
		active[s.ID] = s.Status == coupole.StaffActive
	}
	now := l.Clock.Now()
	c := coupole.ReviewCampaign{ID: newID("rc-"), StartedBy: a.raw, StartedAt: now, EndsAt: now.Add(length), Open: true}
	var items []coupole.ReviewItem
	for _, s := range staff {
		if s.Status != coupole.StaffActive || s.Kind == coupole.StaffDemo {
			continue
		}
		p, err := r.Store.StaffProfile(ctx, s.ID)
		if err != nil {
			return c, err
		}
		reviewer := ""
		if p.Manager != "" && p.Manager != s.ID && active[p.Manager] {
			reviewer = p.Manager
		}
		for _, role := range s.Roles {
			items = append(items, coupole.ReviewItem{ID: newID("ri-"), CampaignID: c.ID, StaffID: s.ID, Role: role, Reviewer: reviewer, Decision: coupole.ReviewPending})
		}
	}
	if err := l.trace(ctx, coupole.StaffEvent{Type: EventReviewStarted, At: now, Actor: a.raw, Subject: c.ID, Outcome: "ok",
		Details: map[string]string{"items": fmt.Sprint(len(items)), "ends_at": c.EndsAt.UTC().Format(time.RFC3339)}}); err != nil {
		return c, err
	}
	if err := r.Store.CreateReviewCampaign(ctx, c, items); err != nil {
		return c, err
	}
	return c, nil
}

// Decide keeps (keep true) or removes a role under review. The reviewer is
// allowed by the staff policy (the item's assigned reviewer, or a service
// delivery manager) and does not review their own access (SoD).
func (r *Reviews) Decide(ctx context.Context, actorID, itemID string, keep bool, why string) (coupole.ReviewItem, error) {
	l := r.Lifecycle
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return coupole.ReviewItem{}, err
	}
	if a.staffID == "" {
		return coupole.ReviewItem{}, coupole.Errorf(coupole.EFORBIDDEN, "a review is a person's decision: act as a staff member (--as)")
	}
	it, err := r.Store.ReviewItem(ctx, itemID)
	if err != nil {
		return it, err
	}
	facts := coupole.AccessFacts{TargetIsSelf: a.staffID == it.StaffID, IsReviewer: it.Reviewer != "" && it.Reviewer == a.staffID}
	if err := l.authorizeFacts(ctx, a, coupole.ActionReviewAccess, it.StaffID, facts); err != nil {
		return it, err
	}
	if err := l.checkValidationSoD(ctx, a, it.StaffID, "", it.Role); err != nil {
		return it, err
	}
	c, err := r.Store.ReviewCampaign(ctx, it.CampaignID)
	if err != nil {
		return it, err
	}
	if !c.Open || it.Decision != coupole.ReviewPending {
		return it, coupole.Errorf(coupole.ECONFLICT, "review item %s is decided already, or its campaign is closed", it.ID)
	}
	why = strings.TrimSpace(strings.ToValidUTF8(why, "\uFFFD"))
	if !keep && why == "" {
		why = "removed_in_review"
	}
	d, evType := coupole.ReviewKept, EventReviewKept
	if !keep {
		d, evType = coupole.ReviewRemoved, EventReviewRemoved
	}
	return r.apply(ctx, a, it, d, evType, why)
}

// apply traces the decision, records it, and removes the role when the
// decision is not to keep it.
func (r *Reviews) apply(ctx context.Context, a actor, it coupole.ReviewItem, d coupole.ReviewDecision, evType, why string) (coupole.ReviewItem, error) {
	l := r.Lifecycle
	now := l.Clock.Now()
	st, err := r.Store.Staff(ctx, it.StaffID)
	if err != nil && coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return it, err
	}
	if err != nil || st.Status != coupole.StaffActive || !st.HasRole(it.Role) {
		d, evType = coupole.ReviewGone, "" // left, or the role went meanwhile: nothing to decide
	}
	by := a.staffID
	if by == "" {
		by = a.raw
	}
	ev := coupole.StaffEvent{Type: evType, At: now, Actor: a.raw, Subject: it.StaffID, Outcome: "ok", Reason: why,
		Details: map[string]string{"campaign": it.CampaignID, "item": it.ID, "role": string(it.Role)}}
	if evType != "" {
		if err := l.trace(ctx, ev); err != nil {
			return it, err
		}
	}
	if err := r.Store.DecideReviewItem(ctx, it.ID, d, by, now); err != nil {
		if evType != "" {
			l.traceFailure(ctx, ev, err) // the decision traced above did not happen
		}
		return it, err
	}
	it.Decision, it.DecidedBy, it.DecidedAt = d, by, now
	if d == coupole.ReviewRemoved || d == coupole.ReviewExpired {
		if err := l.removeRole(ctx, a, st, it.Role); err != nil {
			return it, coupole.Wrap(err, coupole.ErrorCode(err), "review item %s is %s but the role could not be removed: %v", it.ID, d, err)
		}
	}
	return it, nil
}

// removeRole is the mover path of a removal decided by the business (a
// rejection, a review): the role goes, its pending grant closes, the step
// is recorded for the figures. The decision itself was authorized and
// traced by the caller; a removal needs no segregation-of-duties check (it
// can only make a set of roles smaller).
func (l *Lifecycle) removeRole(ctx context.Context, a actor, st coupole.Staff, role coupole.Role) error {
	if !st.HasRole(role) {
		return nil
	}
	after := slices.DeleteFunc(slices.Clone(st.Roles), func(r coupole.Role) bool { return r == role })
	if err := l.Store.SetRoles(ctx, st.ID, after); err != nil {
		return err
	}
	if err := l.closeGrants(ctx, st.ID, after); err != nil {
		return err
	}
	return l.record(ctx, coupole.LifecycleRecord{StaffID: st.ID, Kind: coupole.LifecycleMover, Source: a.source, Actor: a.raw,
		RolesBefore: st.Roles, RolesAfter: after})
}

// Close ends a campaign: every item nobody reviewed is removed (expired),
// then the campaign closes. It returns the final progress.
func (r *Reviews) Close(ctx context.Context, actorID, campaignID string) (coupole.ReviewProgress, error) {
	l := r.Lifecycle
	a, err := l.pageActor(ctx, actorID, coupole.ActionManageReviews)
	if err != nil {
		return coupole.ReviewProgress{}, err
	}
	c, err := r.Store.ReviewCampaign(ctx, campaignID)
	if err != nil {
		return coupole.ReviewProgress{}, err
	}
	if !c.Open {
		return coupole.ReviewProgress{}, coupole.Errorf(coupole.ECONFLICT, "review campaign %s is closed already", c.ID)
	}
	items, err := r.Store.ReviewItems(ctx, c.ID)
	if err != nil {
		return coupole.ReviewProgress{}, err
	}
	for _, it := range items {
		if it.Decision != coupole.ReviewPending {
			continue
		}
		if _, err := r.apply(ctx, a, it, coupole.ReviewExpired, EventReviewExpired, "not_reviewed_by_the_end"); err != nil {
			if coupole.ErrorCode(err) == coupole.ECONFLICT {
				continue // decided meanwhile
			}
			return coupole.ReviewProgress{}, err
		}
	}
	p, err := r.Store.ReviewProgress(ctx, c.ID)
	if err != nil {
		return p, err
	}
	now := l.Clock.Now()
	if err := l.trace(ctx, coupole.StaffEvent{Type: EventReviewClosed, At: now, Actor: a.raw, Subject: c.ID, Outcome: "ok",
		Details: map[string]string{"total": fmt.Sprint(p.Total), "kept": fmt.Sprint(p.Kept), "removed": fmt.Sprint(p.Removed),
			"expired": fmt.Sprint(p.Expired), "gone": fmt.Sprint(p.Gone)}}); err != nil {
		return p, err
	}
	if err := r.Store.CloseReviewCampaign(ctx, c.ID, a.raw, now); err != nil && coupole.ErrorCode(err) != coupole.ECONFLICT {
		return p, err
	}
	return p, nil
}

// Sweep is the schedule: it closes the open campaign whose end is past, and
// starts one when every has passed since the last started (every 0: never
// by itself). It says what it did.
func (r *Reviews) Sweep(ctx context.Context, every, length time.Duration) (started, closed bool, err error) {
	now := r.Lifecycle.Clock.Now()
	open, err := r.Store.OpenReviewCampaign(ctx)
	switch {
	case err == nil:
		if now.Before(open.EndsAt) {
			return false, false, nil
		}
		if _, err := r.Close(ctx, ActorSweeper, open.ID); err != nil {
			return false, false, err
		}
		closed = true
	case coupole.ErrorCode(err) != coupole.ENOTFOUND:
		return false, false, err
	}
	if every <= 0 {
		return false, closed, nil
	}
	list, err := r.Store.ListReviewCampaigns(ctx)
	if err != nil {
		return false, closed, err
	}
	if len(list) > 0 && now.Before(list[0].StartedAt.Add(every)) {
		return false, closed, nil
	}
	if _, err := r.Start(ctx, ActorSweeper, length); err != nil {
		if coupole.ErrorCode(err) == coupole.ECONFLICT {
			return false, closed, nil // another node started it
		}
		return false, closed, err
	}
	return true, closed, nil
}

// PendingFor counts the items of the open campaign waiting for reviewer:
// those assigned to them, and, for a service delivery manager, those
// without an assigned reviewer — never their own. It is the reminder shown
// to reviewers.
func (r *Reviews) PendingFor(ctx context.Context, st coupole.Staff) ([]coupole.ReviewItem, error) {
	c, err := r.Store.OpenReviewCampaign(ctx)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	items, err := r.Store.ReviewItems(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	sdm := st.HasRole(coupole.RoleServiceDeliveryManager)
	var out []coupole.ReviewItem
	for _, it := range items {
		if it.Decision != coupole.ReviewPending || it.StaffID == st.ID {
			continue
		}
		if it.Reviewer == st.ID || (sdm && it.Reviewer == "") {
			out = append(out, it)
		}
	}
	return out, nil
}
