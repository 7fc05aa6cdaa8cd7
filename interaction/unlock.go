package interaction

import (
	"context"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// UnlockVerification unlocks the access point a budget alert locked (C2,
// issue 10): a team lead or supervisor, as the staff policy says, gives a
// reason; the unlock is traced first, with its target, and from then on the
// failures before it no longer count. The EAN never travels: the alert
// names it.
func (s *Service) UnlockVerification(ctx context.Context, a Actor, alertID string, r UnlockRequest) (AlertView, error) {
	reason := strings.TrimSpace(r.Reason)
	if reason == "" {
		return AlertView{}, coupole.Errorf(coupole.EINVALID, "reason: say why the access point is unlocked")
	}
	if len(reason) > 500 {
		return AlertView{}, coupole.Errorf(coupole.EINVALID, "reason: at most 500 characters")
	}
	al, err := s.Store.Alert(ctx, alertID)
	if err != nil {
		return AlertView{}, err
	}
	ev := audit.Event{Action: "verification.unlock", AccessPoints: []string{string(al.EAN)},
		Decision: &audit.Decision{Outcome: "unlocked", Reason: reason}, Data: []string{"alert=" + al.ID, "alert_kind=" + al.Kind, "alert_interaction=" + al.InteractionID}}
	var out coupole.InteractionAlert
	_, err = s.traceThen(ctx, a, coupole.Interaction{}, ev, func(ctx context.Context, _ uint64) error {
		var err error
		out, err = s.Store.UnlockVerification(ctx, al.ID, a.StaffID, reason, s.Clock.Now())
		return err
	})
	if err != nil {
		return AlertView{}, err
	}
	return alertView(out), nil
}

// alertView is an alert as team leads see it: the EAN masked.
func alertView(al coupole.InteractionAlert) AlertView { return NewAlertView(al) }

// NewAlertView is an alert as team leads and security see it, the EAN
// masked (the oversight service shows the same view).
func NewAlertView(al coupole.InteractionAlert) AlertView {
	v := AlertView{ID: al.ID, InteractionID: al.InteractionID, StaffID: al.StaffID, Kind: al.Kind, RaisedAt: al.RaisedAt, UnlockedBy: al.UnlockedBy,
		Reason: al.Reason, ReasonFacts: al.ReasonFacts, Target: al.Target, AckedBy: al.AckedBy, AckNote: al.AckNote}
	if al.EAN != "" {
		v.EAN = al.EAN.Masked()
	}
	if !al.UnlockedAt.IsZero() {
		t := al.UnlockedAt
		v.UnlockedAt = &t
	}
	if !al.AckedAt.IsZero() {
		t := al.AckedAt
		v.AckedAt = &t
	}
	return v
}
