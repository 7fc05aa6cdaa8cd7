package interaction

import (
	"context"

	"github.com/coupole/coupole"
)

// HandledInteractions is the need-to-know fact of the staff policy (C1):
// the customers and access points verified in the open interactions
// staffID handles. An identified but unverified point gives no access, nor
// does an idle interaction, closed by the sweeper or not yet (issue 10).
func (s *Service) HandledInteractions(ctx context.Context, staffID string) ([]coupole.HandledInteraction, error) {
	ins, err := s.Store.OpenInteractions(ctx, staffID)
	if err != nil {
		return nil, err
	}
	out := []coupole.HandledInteraction{}
	for _, in := range ins {
		if s.idle(in) {
			continue
		}
		points, err := s.Store.InteractionPoints(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		hi := coupole.HandledInteraction{ID: in.ID}
		for _, p := range points {
			if p.Verified {
				hi.EANs = append(hi.EANs, p.EAN)
				hi.CustomerIDs = appendNew(hi.CustomerIDs, p.CustomerID)
			}
		}
		out = append(out, hi)
	}
	return out, nil
}

// OpenInteractions lists the open interactions' metadata, for supervision;
// an idle one is as good as closed.
func (s *Service) OpenInteractions(ctx context.Context) ([]coupole.InteractionMeta, error) {
	ins, err := s.Store.OpenInteractions(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]coupole.InteractionMeta, 0, len(ins))
	for _, in := range ins {
		if s.idle(in) {
			continue
		}
		out = append(out, coupole.InteractionMeta{ID: in.ID, StaffID: in.StaffID, Channel: in.Channel, OpenedAt: in.OpenedAt})
	}
	return out, nil
}

// Handles reports whether staffID handles the open interaction id: the
// need-to-know fact for working in it (C1). An idle interaction is handled
// by nobody, from the moment it becomes idle (issue 10).
func (s *Service) Handles(ctx context.Context, staffID, id string) (bool, error) {
	in, err := s.Store.Interaction(ctx, id)
	if err == nil {
		s.memo(ctx, id, in)
	}
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return in.StaffID == staffID && in.Open() && !s.idle(in), nil
}

// idle reports whether the open interaction in has had no step for the idle
// time: its need-to-know has ended, whether or not the sweeper closed it.
func (s *Service) idle(in coupole.Interaction) bool {
	return in.IdleAt(s.Clock.Now(), s.idleAfter())
}

// A request's interaction, read once: the staff policy's need-to-know fact
// (Handles) and then the service's ownership check (own) read the same row,
// one right after the other in one request. In a request whose context
// carries a memo (WithInteractionMemo), Handles leaves the row it read and the
// next ownership check takes it: taken once, so a read after the request's
// own writes always goes to the store.
type interactionMemo struct {
	id  string
	in  coupole.Interaction
	set bool
}

type memoKey struct{}

// WithInteractionMemo returns a context in which the first read of an
// interaction is remembered for later reads of the same one. Give it one
// request's context, never a longer-lived one.
func WithInteractionMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &interactionMemo{})
}

func (s *Service) memo(ctx context.Context, id string, in coupole.Interaction) {
	if m, _ := ctx.Value(memoKey{}).(*interactionMemo); m != nil {
		m.id, m.in, m.set = id, in, true
	}
}

func (s *Service) takeMemo(ctx context.Context, id string) (coupole.Interaction, error) {
	if m, _ := ctx.Value(memoKey{}).(*interactionMemo); m != nil && m.set {
		in, same := m.in, m.id == id
		*m = interactionMemo{}
		if same {
			return in, nil
		}
	}
	return s.Store.Interaction(ctx, id)
}
