// Package interaction is what an advisor does during a call (issue 6): open
// an interaction, identify the customer, verify the caller, ask the
// disclosure policy, disclose or create the SMS, letter or case, take a
// meter index, and close with a call reason. The JSON API and the pages both
// call the Service; nothing else reads customer data for them.
//
// Every read of personal data and every decision is an audit event written
// before anything is served or stored (trace first, T1): if the trace cannot
// be written, the call fails with EUNAVAILABLE and nothing is returned.
package interaction

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
)

// Tracer appends audit events; *audit.Log is one. Append returns only once
// the event is durable.
type Tracer interface {
	Append(ctx context.Context, ev audit.Event) (uint64, error)
}

// StepTracer is a Tracer that also writes a step's own storage write with
// its event, in the same durable commit (one wait instead of two); *audit.Log
// is one. The returned error is the log's (nothing traced, nothing written)
// or, the event being traced, the very error then returned.
type StepTracer interface {
	AppendThen(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error)
}

// Decider is the disclosure policy; *policy.Disclosure is one.
type Decider interface {
	Decide(ctx context.Context, req policy.Request) (policy.Decision, error)
}

// Service is the interaction service. Fill every field but Reasons, Logger,
// MaxFailures, IdleAfter and Budget, which have defaults.
type Service struct {
	Grid   coupole.GridStore
	Store  coupole.InteractionStore
	Policy Decider
	Audit  Tracer
	Clock  coupole.Clock
	// Reasons is the call-reason taxonomy (DefaultCallReasons if nil).
	Reasons []CallReason
	Logger  *slog.Logger
	// MaxFailures is the number of failed verifications on one access point
	// that lock it for the interaction and alert team leads (default 3).
	MaxFailures int
	// IdleAfter ends an interaction's need-to-know once no step was taken
	// for this long; the sweeper then closes it (default 30 minutes).
	IdleAfter time.Duration
	// Budget is the number of failed verifications one access point allows
	// across interactions and advisors in a sliding window, before a team
	// lead must unlock it (default 5 in 24 hours).
	Budget coupole.VerificationBudget
	// Cases keeps back-office cases (issue 11); Store when nil, if it
	// keeps them too (sqlstore.DB does).
	Cases coupole.CaseStore
	// GridStaleness lets the steps of calls share their reads of access
	// points, customers and occupancies for this long (at most
	// MaxGridStaleness; 0, the default, reads afresh at every step).
	// gridcache.go says what is cached and what never is.
	GridStaleness time.Duration
	// Messages keeps the e-mail and chat bodies attached to interactions
	// (issue 13, messages.go); nil: none are taken.
	Messages MessageKeeper

	grid gridCache
}

// SystemActor is the actor of what the system does by itself (an idle
// interaction closed, issue 10).
const SystemActor = "system"

// DefaultIdleAfter and DefaultBudget are the defaults of IdleAfter and Budget.
const DefaultIdleAfter = 30 * time.Minute

var DefaultBudget = coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}

func (s *Service) idleAfter() time.Duration {
	if s.IdleAfter <= 0 {
		return DefaultIdleAfter
	}
	return s.IdleAfter
}

func (s *Service) budget() coupole.VerificationBudget {
	b := s.Budget
	if b.Failures <= 0 {
		b.Failures = DefaultBudget.Failures
	}
	if b.Window <= 0 {
		b.Window = DefaultBudget.Window
	}
	return b
}

var _ coupole.InteractionFacts = (*Service)(nil)

func (s *Service) maxFailures() int {
	if s.MaxFailures <= 0 {
		return 3
	}
	return s.MaxFailures
}

func (s *Service) reasons() []CallReason {
	if s.Reasons == nil {
		return DefaultCallReasons
	}
	return s.Reasons
}

// CallReasons returns the taxonomy.
func (s *Service) CallReasons() []CallReason { return slices.Clone(s.reasons()) }

// newID returns prefix and 28 hex digits: the time t in milliseconds (6
// bytes), then 8 random bytes. Time first: the rows keyed by these ids
// (interactions, their points, candidates, deliveries) land at the end of
// their indexes, so a group commit rewrites a few shared pages instead of one
// random page per row (issue 6); the random part keeps ids of the same
// millisecond apart.
func newID(prefix string, t time.Time) string {
	var b [14]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	rand.Read(b[6:])
	return prefix + hex.EncodeToString(b[:])
}

// trace appends ev for actor in interaction in; an error means nothing may
// be served.
func (s *Service) trace(ctx context.Context, a Actor, in coupole.Interaction, ev audit.Event) (uint64, error) {
	return s.traceThen(ctx, a, in, ev, nil)
}

// stepFailure carries the error of a step's write through the tracer, to
// tell it from the log's own.
type stepFailure struct{ err error }

func (f *stepFailure) Error() string { return f.err.Error() }

// traceThen traces ev and then, if not nil, makes the step's storage write
// with the event's index: with a StepTracer in the event's own transaction,
// otherwise once the event is durable. Trace first either way: the write is
// never made without its event; a failing write leaves its event (an
// attempted action) and returns the write's error.
func (s *Service) traceThen(ctx context.Context, a Actor, in coupole.Interaction, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	ev.Actor, ev.Client, ev.Interaction = a.StaffID, a.Client, in.ID
	if len(in.CallReasons) > 0 && ev.CallReason == "" {
		ev.CallReason = strings.Join(in.CallReasons, ",")
	}
	// A step of an open interaction is its activity (issue 10), written
	// with the step's event: no commit of its own.
	if in.ID != "" && in.Open() && a.StaffID != SystemActor {
		step, at := then, s.Clock.Now()
		then = func(ctx context.Context, index uint64) error {
			if step != nil {
				if err := step(ctx, index); err != nil {
					return err
				}
			}
			return s.Store.TouchInteraction(ctx, in.ID, at)
		}
	}
	return s.appendTrace(ctx, ev, then)
}

// appendTrace appends ev (its actor and interaction set) and makes then's
// write with it; see traceThen.
func (s *Service) appendTrace(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	idx, err := TraceFirst(ctx, s.Audit, ev, then)
	if IsTraceNotWritten(err) && s.Logger != nil {
		s.Logger.Error("interaction: trace not written, request refused", "action", ev.Action, "interaction", ev.Interaction, "err", err)
	}
	return idx, err
}

// errTraceNotWritten marks, in TraceFirst's error chain, a failure of the
// audit log itself (as opposed to the step's own write).
var errTraceNotWritten = errors.New("trace not written")

// IsTraceNotWritten reports whether err is TraceFirst's: the audit log could
// not record the event, so nothing was served or changed.
func IsTraceNotWritten(err error) bool { return errors.Is(err, errTraceNotWritten) }

// TraceFirst appends ev with tr and then, if then is not nil, makes the
// step's storage write with the event's index: in the event's own
// transaction when tr is a StepTracer (*audit.Log), otherwise once the event
// is durable. Trace first either way: the write is never made without its
// event; a failing write leaves its event (an attempted action) and returns
// the write's own error. A failure of the log is EUNAVAILABLE: nothing was
// served or changed. The services that change personal data (interactions,
// back-office cases) all write through it.
func TraceFirst(ctx context.Context, tr Tracer, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	var idx uint64
	var err error
	if st, ok := tr.(StepTracer); ok && then != nil {
		idx, err = st.AppendThen(ctx, ev, func(ctx context.Context, index uint64) error {
			if err := then(ctx, index); err != nil {
				return &stepFailure{err}
			}
			return nil
		})
		var f *stepFailure
		if errors.As(err, &f) {
			return idx, f.err
		}
	} else {
		idx, err = tr.Append(ctx, ev)
		if err == nil && then != nil {
			return idx, then(ctx, idx)
		}
	}
	if err != nil {
		return 0, coupole.Wrap(errors.Join(errTraceNotWritten, err), coupole.EUNAVAILABLE, "the audit log cannot record this now: nothing was served or changed")
	}
	return idx, nil
}

// own returns the actor's interaction. Somebody else's is "not found": an
// advisor learns nothing about interactions they do not handle (C1). Every
// refusal is traced with the interaction asked for (T1, issue 10 item 5).
func (s *Service) own(ctx context.Context, a Actor, id string, mustBeOpen bool) (coupole.Interaction, error) {
	in, err := s.takeMemo(ctx, id)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		s.refused(ctx, a, id, "not_found")
		return in, err
	} else if err != nil {
		return in, err
	}
	if in.StaffID != a.StaffID {
		s.refused(ctx, a, id, "not_handler")
		return coupole.Interaction{}, coupole.Errorf(coupole.ENOTFOUND, "interaction %s not found", id)
	}
	if mustBeOpen && (!in.Open() || s.idle(in)) {
		s.refused(ctx, a, id, "closed")
		return in, coupole.Errorf(coupole.ECONFLICT, "interaction %s is closed", id)
	}
	return in, nil
}

// refused traces a refused request on interaction id. The refusal stands
// whether or not its trace is written: nothing was served or changed (a
// trace that fails is in the runtime log).
func (s *Service) refused(ctx context.Context, a Actor, id, reason string) {
	// A refusal is not activity: somebody else's probe must not keep an
	// interaction's need-to-know alive, nor touch one that does not exist.
	ev := audit.Event{Action: "interaction.refused", Decision: &audit.Decision{Outcome: "refused", Reason: reason},
		Actor: a.StaffID, Client: a.Client, Interaction: id}
	s.appendTrace(ctx, ev, nil)
}

func checkEnum[T ~string](field, v string, allowed []T) error {
	if slices.Contains(allowed, T(v)) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return coupole.Errorf(coupole.EINVALID, "%s: unknown value %q (expected one of %s)", field, v, strings.Join(names, ", "))
}

func (s *Service) view(in coupole.Interaction, points []coupole.InteractionPoint, cur *PointView) View {
	v := View{ID: in.ID, Channel: in.Channel, Requester: in.Requester, Status: "open", OpenedAt: in.OpenedAt, CallReasons: []ReasonView{}, Current: cur, EANsAsked: len(points)}
	if !in.Open() {
		t := in.ClosedAt
		v.Status, v.ClosedAt, v.ClosedBy = "closed", &t, in.StaffID
		if in.CloseReason != "" {
			v.ClosedBy, v.CloseReason = SystemActor, in.CloseReason
		}
	}
	for _, code := range in.CallReasons {
		v.CallReasons = append(v.CallReasons, s.reasonView(code))
	}
	return v
}

func (s *Service) reasonView(code string) ReasonView {
	for _, r := range s.reasons() {
		if r.Code == code {
			return ReasonView{r.Code, r.Label, r.LegalRetention}
		}
	}
	return ReasonView{Code: code, Label: code}
}
