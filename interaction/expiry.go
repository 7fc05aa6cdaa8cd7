package interaction

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Need-to-know ends by itself (C1, issue 10): an interaction without a step
// for IdleAfter gives no access from that moment on (Handles and
// HandledInteractions no longer count it), and the sweeper closes it with
// the system reason "idle", trace first, as the system: no advisor picks a
// call reason for it.

// CloseIdle closes every interaction idle at the clock's now, each after its
// trace ("interaction.closed_idle", actor "system"). It returns how many it
// closed; one that became active or was closed meanwhile is skipped.
func (s *Service) CloseIdle(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	since := now.Add(-s.idleAfter())
	ins, err := s.Store.IdleInteractions(ctx, since)
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, in := range ins {
		ev := audit.Event{Action: "interaction.closed_idle", Decision: &audit.Decision{Outcome: "closed", Reason: coupole.CloseIdle},
			Data: []string{"close_reason=" + coupole.CloseIdle, "idle_after=" + s.idleAfter().String(), "handler=" + in.StaffID}}
		_, err := s.traceThen(ctx, Actor{StaffID: SystemActor}, in, ev, func(ctx context.Context, _ uint64) error {
			return s.Store.CloseIdleInteraction(ctx, in.ID, since, now)
		})
		switch {
		case coupole.ErrorCode(err) == coupole.ECONFLICT:
			continue
		case err != nil:
			return closed, err
		}
		closed++
	}
	return closed, nil
}

// SweepIdle runs CloseIdle every interval until ctx ends (coupole serve).
// Access does not wait for it: it only tidies up what has already ended.
func (s *Service) SweepIdle(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.CloseIdle(ctx)
		if s.Logger == nil {
			continue
		}
		if err != nil && ctx.Err() == nil {
			s.Logger.Error("interaction: idle interactions not closed", "err", err)
		} else if n > 0 {
			s.Logger.Info("interaction: idle interactions closed", "count", n)
		}
	}
}
