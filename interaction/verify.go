package interaction

import (
	"context"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Verify checks the meter number the caller gives against the meter in
// place on the interaction's date (C2, D1). The last allowed failure locks
// the access point for this interaction and raises an alert for team leads.
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
	ap, err := s.Grid.AccessPoint(ctx, in.CurrentEAN)
	if err != nil {
		return Verification{}, err
	}
	m, inPlace := ap.MeterOn(coupole.Date(in.OpenedAt))
	ok := inPlace && m.Number == given
	locks := !ok && cur.FailedAttempts+1 >= s.maxFailures()
	switch {
	case ok:
		ev.Decision = &audit.Decision{Outcome: "verified", Reason: "meter_matches"}
	case locks:
		ev.Decision = &audit.Decision{Outcome: "locked", Reason: "too_many_failures"}
		ev.Data = append(ev.Data, "alert=verification_locked")
	default:
		ev.Decision = &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"}
	}
	alert := coupole.InteractionAlert{ID: newID("al-", s.Clock.Now()), InteractionID: in.ID, StaffID: a.StaffID, EAN: in.CurrentEAN, Kind: "verification_locked", RaisedAt: s.Clock.Now()}
	var p coupole.InteractionPoint
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		if err := choose(ctx); err != nil {
			return err
		}
		var err error
		p, err = s.Store.RecordVerification(ctx, in.ID, in.CurrentEAN, ok, s.maxFailures(), alert)
		return err
	})
	if err != nil {
		return Verification{}, err
	}
	if p.Locked && s.Logger != nil {
		s.Logger.Warn("interaction: access point locked after failed verifications", "interaction", in.ID, "staff", a.StaffID, "ean", in.CurrentEAN.Masked())
	}
	return Verification{Verified: p.Verified, AttemptsLeft: max(0, s.maxFailures()-p.FailedAttempts), Locked: p.Locked, Current: in.CurrentEAN.Masked()}, nil
}
