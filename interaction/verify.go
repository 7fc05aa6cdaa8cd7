package interaction

import (
	"context"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Verify checks the meter number the caller gives against the meter in
// place on the interaction's date (C2, D1). The last allowed failure locks
// the access point for this interaction and raises an alert for team leads;
// the failure that spends the access point's budget across interactions and
// advisors locks it for everybody until a team lead unlocks it (issue 10).
func (s *Service) Verify(ctx context.Context, a Actor, id string, r VerifyRequest) (Verification, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return Verification{}, err
	}
	given, err := coupole.ParseMeterNumber(r.MeterNumber)
	if err != nil {
		return Verification{}, coupole.Errorf(coupole.EINVALID, "meter_number: %s", coupole.ErrorMessage(err))
	}
	// A choice made with the verification is written with its event: a
	// point the interaction never asked about is new, neither verified nor
	// locked, as the points read below say.
	var choice *coupole.InteractionPoint
	if r.Ref != "" {
		p, err := s.candidate(ctx, in, r.Ref)
		if err != nil {
			return Verification{}, err
		}
		choice = &p
		in.CurrentEAN, in.CurrentCustomer = p.EAN, p.CustomerID
	}
	choose := func(ctx context.Context) error {
		if choice == nil {
			return nil
		}
		_, err := s.Store.SelectPoint(ctx, in.ID, *choice)
		return err
	}
	if in.CurrentEAN == "" {
		return Verification{}, coupole.Errorf(coupole.EINVALID, "choose an access point among the candidates (ref) before verifying")
	}
	points, err := s.Store.InteractionPoints(ctx, in.ID)
	if err != nil {
		return Verification{}, err
	}
	var cur coupole.InteractionPoint
	for _, p := range points {
		if p.EAN == in.CurrentEAN {
			cur = p
		}
	}
	ev := audit.Event{Action: "interaction.verify", AccessPoints: []string{string(in.CurrentEAN)}, Customers: []string{in.CurrentCustomer}, Data: []string{"meter_number"}}
	if cur.Locked {
		ev.Decision = &audit.Decision{Outcome: "refused", Reason: "locked"}
		if _, err := s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error { return choose(ctx) }); err != nil {
			return Verification{}, err
		}
		return Verification{}, coupole.Errorf(coupole.EFORBIDDEN, "too many failed verifications: this access point is locked for this interaction")
	}
	// The access point's budget across interactions and advisors (issue
	// 10): read here to say in the trace what is decided; counted again,
	// and enforced, in the verification's own transaction.
	now, budget := s.Clock.Now(), s.budget()
	state, err := s.Store.VerificationBudget(ctx, in.CurrentEAN, budget, now)
	if err != nil {
		return Verification{}, err
	}
	if state.Spent {
		return Verification{}, s.refuseSpentBudget(ctx, a, in, ev, choose)
	}
	ap, err := s.accessPoint(ctx, in.CurrentEAN)
	if err != nil {
		return Verification{}, err
	}
	m, inPlace := ap.MeterOn(coupole.Date(in.OpenedAt))
	ok := inPlace && m.Number == given
	locks := !ok && cur.FailedAttempts+1 >= s.maxFailures()
	spends := !ok && state.Failures+1 >= budget.Failures
	switch {
	case ok:
		ev.Decision = &audit.Decision{Outcome: "verified", Reason: "meter_matches"}
	case spends:
		ev.Decision = &audit.Decision{Outcome: "locked", Reason: "verification_budget_spent"}
		if locks {
			ev.Data = append(ev.Data, "alert="+coupole.AlertVerificationLocked)
		}
		ev.Data = append(ev.Data, "alert="+coupole.AlertVerificationBudgetSpent)
	case locks:
		ev.Decision = &audit.Decision{Outcome: "locked", Reason: "too_many_failures"}
		ev.Data = append(ev.Data, "alert="+coupole.AlertVerificationLocked)
	default:
		ev.Decision = &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"}
	}
	attempt := coupole.VerificationAttempt{InteractionID: in.ID, StaffID: a.StaffID, EAN: in.CurrentEAN, OK: ok, At: now,
		MaxFailures: s.maxFailures(), Budget: budget, LockAlertID: newID("al-", now), BudgetAlertID: newID("al-", now)}
	var p coupole.InteractionPoint
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		if err := choose(ctx); err != nil {
			return err
		}
		var err error
		p, state, err = s.Store.RecordVerification(ctx, attempt)
		return err
	})
	if isSpentBudget(err) {
		// Spent meanwhile by another verification of the point: the event
		// above stands as the attempt; the refusal is traced as such.
		return Verification{}, s.refuseSpentBudget(ctx, a, in, ev, nil)
	}
	if err != nil {
		return Verification{}, err
	}
	if (p.Locked || state.Spent) && s.Logger != nil {
		s.Logger.Warn("interaction: access point locked after failed verifications", "interaction", in.ID, "staff", a.StaffID, "ean", in.CurrentEAN.Masked(),
			"budget_spent", state.Spent)
	}
	return Verification{Verified: p.Verified, AttemptsLeft: min(max(0, s.maxFailures()-p.FailedAttempts), state.Left(budget)),
		Locked: p.Locked || state.Spent, BudgetSpent: state.Spent, Current: in.CurrentEAN.Masked()}, nil
}

// spentBudgetMessage is the refusal of a verification on an access point whose
// budget is spent; the store returns the same words.
const spentBudgetMessage = "verification budget spent: too many failed verifications on this access point across interactions; a team lead must unlock it"

func isSpentBudget(err error) bool {
	return coupole.ErrorCode(err) == coupole.EFORBIDDEN && strings.HasPrefix(coupole.ErrorMessage(err), "verification budget spent")
}

// refuseSpentBudget traces the refusal, with its target, and returns it.
func (s *Service) refuseSpentBudget(ctx context.Context, a Actor, in coupole.Interaction, ev audit.Event, then func(ctx context.Context) error) error {
	ev.Decision = &audit.Decision{Outcome: "refused", Reason: "verification_budget_spent"}
	ev.Data = []string{"meter_number"}
	var step func(ctx context.Context, _ uint64) error
	if then != nil {
		step = func(ctx context.Context, _ uint64) error { return then(ctx) }
	}
	if _, err := s.traceThen(ctx, a, in, ev, step); err != nil {
		return err
	}
	return coupole.Errorf(coupole.EFORBIDDEN, spentBudgetMessage)
}
