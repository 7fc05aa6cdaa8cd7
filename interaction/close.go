package interaction

import (
	"context"
	"slices"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
)

// Close closes the interaction with at least one call reason of the
// taxonomy (C4); reasons with a legal retention are flagged.
func (s *Service) Close(ctx context.Context, a Actor, id string, r CloseRequest) (View, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return View{}, err
	}
	if len(r.CallReasons) == 0 {
		return View{}, coupole.Errorf(coupole.EINVALID, "call_reasons: at least one call reason is required to close an interaction (C4)")
	}
	var codes, legal []string
	for _, code := range r.CallReasons {
		i := slices.IndexFunc(s.reasons(), func(cr CallReason) bool { return cr.Code == code })
		if i < 0 {
			return View{}, coupole.Errorf(coupole.EINVALID, "call_reasons: unknown call reason %q (see GET /api/v1/call-reasons)", code)
		}
		if slices.Contains(codes, code) {
			continue
		}
		codes = append(codes, code)
		if s.reasons()[i].LegalRetention {
			legal = append(legal, code)
		}
	}
	var unsent []string
	for _, item := range r.Unsent {
		if err := checkEnum("unsent", item, policy.Items); err != nil {
			return View{}, err
		}
		if !slices.Contains(unsent, item) {
			unsent = append(unsent, item)
		}
	}
	// The call reasons choose the retention class of the interaction's
	// messages (R3), before the close: a failure keeps them longer, never
	// shorter.
	if s.Messages != nil {
		if err := s.Messages.Wrapup(ctx, a.StaffID, in.ID, codes); err != nil {
			return View{}, err
		}
	}
	now := s.Clock.Now()
	ev := audit.Event{Action: "interaction.close", CallReason: strings.Join(codes, ",")}
	if len(legal) > 0 {
		ev.Data = append(ev.Data, "legal_retention="+strings.Join(legal, ","))
	}
	if len(unsent) > 0 {
		ev.Data = append(ev.Data, "left_unsent="+strings.Join(unsent, ","))
	}
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.CloseInteraction(ctx, in.ID, codes, now)
	})
	if err != nil {
		return View{}, err
	}
	in.ClosedAt, in.CallReasons = now, codes
	return s.view(in, nil, nil), nil
}
