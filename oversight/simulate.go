package oversight

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// The traffic simulator generates contact-center traffic as the trace sees
// it — advisors opening calls, identifying and verifying callers, reading
// their data, closing — and injects misbehaviour of every kind the detector
// knows, so that a test and the benchmark (docs/benchmarks.md) can measure
// the detection rate and the false alerts. It is deterministic for a seed.

// Traffic is a generated month (or any period) of trace events.
type Traffic struct {
	Events       []audit.Event         // by time
	Interactions []coupole.Interaction // with their opening and closing times
	Protected    map[string]string     // customer id → flag
	Injected     []Injected
	AdvisorDays  int // advisor working days of normal traffic
}

// Injected is one case of misbehaviour the detector must catch.
type Injected struct {
	Kind  string
	Staff string // the staff member the alert names (empty for an access point)
	EAN   string // for lockouts on one access point
	At    time.Time
}

// TrafficOptions shape the generated traffic.
type TrafficOptions struct {
	Seed     uint64
	Start    time.Time // a Monday, midnight in loc
	Days     int
	Advisors int
	Location *time.Location
	Inject   bool // add the misbehaviour cases
}

// SimNetwork is where the simulated advisors work from.
const SimNetwork = "10.20.0.0/16"

// GenerateTraffic builds the traffic described by o.
func GenerateTraffic(o TrafficOptions) Traffic {
	r := rand.New(rand.NewPCG(o.Seed, 16))
	t := Traffic{Protected: map[string]string{}}
	for i := range 6 {
		flag := coupole.ProtectionStaff
		if i%2 == 1 {
			flag = coupole.ProtectionProtected
		}
		t.Protected[fmt.Sprintf("c-p%03d", i)] = flag
	}
	seq := 0
	var lockedAt, selectedAt time.Time // the last locked verification, the last customer selected
	ean := func(n int) string { return fmt.Sprintf("54144%013d", n) }
	customer := func() (string, string) {
		n := r.IntN(200000)
		return fmt.Sprintf("c-%06d", n), ean(n)
	}
	// One call: open, identify, select, verify, some reads, close.
	call := func(staff, client string, at time.Time, cust, point string, lock bool, open bool) time.Time {
		seq++
		id := fmt.Sprintf("i-%06d", seq)
		in := coupole.Interaction{ID: id, StaffID: staff, Channel: "phone", Requester: "customer", OpenedAt: at}
		ev := func(action string, withCustomer bool, d *audit.Decision) {
			e := audit.Event{Time: at, Actor: staff, Action: action, Interaction: id, Client: client, Decision: d}
			if withCustomer {
				e.Customers, e.AccessPoints = []string{cust}, []string{point}
			}
			t.Events = append(t.Events, e)
			at = at.Add(time.Duration(20+r.IntN(70)) * time.Second)
		}
		ev("interaction.open", false, nil)
		ev("interaction.identify", false, nil)
		selectedAt = at
		ev("interaction.select", true, nil)
		switch {
		case lock:
			ev("interaction.verify", true, &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"})
			ev("interaction.verify", true, &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"})
			lockedAt = at
			ev("interaction.verify", true, &audit.Decision{Outcome: "locked", Reason: "too_many_failures"})
		case r.IntN(10) == 0:
			ev("interaction.verify", true, &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"})
			ev("interaction.verify", true, &audit.Decision{Outcome: "verified", Reason: "meter_matches"})
		default:
			ev("interaction.verify", true, &audit.Decision{Outcome: "verified", Reason: "meter_matches"})
		}
		for range 1 + r.IntN(4) {
			ev("interaction.decide", true, &audit.Decision{Outcome: "oral"})
		}
		if !open {
			ev("interaction.close", false, nil)
			in.ClosedAt = at
		}
		t.Interactions = append(t.Interactions, in)
		return at
	}
	advisor := func(i int) string { return fmt.Sprintf("s-adv%02d", i) }
	clientOf := func(i int) string { return fmt.Sprintf("10.20.%d.%d", i/200, 10+i%200) }
	for day := range o.Days {
		date := o.Start.AddDate(0, 0, day)
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for i := range o.Advisors {
			if r.IntN(20) == 0 { // a day off
				continue
			}
			t.AdvisorDays++
			at := time.Date(date.Year(), date.Month(), date.Day(), 8, r.IntN(30), 0, 0, o.Location)
			end := time.Date(date.Year(), date.Month(), date.Day(), 17, 0, 0, 0, o.Location)
			busy := 1 + r.IntN(3) // some advisors take more calls some days
			for at.Before(end) {
				c, p := customer()
				at = call(advisor(i), clientOf(i), at, c, p, r.IntN(500) == 0, false)
				at = at.Add(time.Duration(60+r.IntN(600/busy)) * time.Second)
			}
		}
	}
	if o.Inject {
		t.inject(o, call, advisor, clientOf, ean, func() time.Time { return lockedAt }, func() time.Time { return selectedAt })
	}
	sort.SliceStable(t.Events, func(i, j int) bool { return t.Events[i].Time.Before(t.Events[j].Time) })
	sort.SliceStable(t.Interactions, func(i, j int) bool { return t.Interactions[i].OpenedAt.Before(t.Interactions[j].OpenedAt) })
	return t
}

// inject adds, in the third week, one case of each kind (and a second
// case of the views spike, on another advisor, in the fourth).
func (t *Traffic) inject(o TrafficOptions, call func(staff, client string, at time.Time, cust, point string, lock, open bool) time.Time,
	advisor func(int) string, clientOf func(int) string, ean func(int) string, lockedAt, selectedAt func() time.Time) {
	week := func(w, day, h, m int) time.Time {
		d := o.Start.AddDate(0, 0, 7*w+day)
		return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, o.Location)
	}
	// Views far above the baseline: 45 customers browsed in 40 minutes,
	// on top of the advisor's calls. At is the spike's start: the alert
	// comes when the hour's count crosses the threshold, some minutes on.
	for n, when := range []time.Time{week(2, 1, 10, 5), week(3, 2, 14, 5)} {
		staff := advisor(n + 1)
		at, id := when, fmt.Sprintf("i-spike%d", n)
		for k := range 45 {
			at = at.Add(50 * time.Second)
			t.Events = append(t.Events, audit.Event{Time: at, Actor: staff, Action: "interaction.select", Interaction: id, Client: clientOf(n + 1),
				Customers: []string{fmt.Sprintf("c-9%05d", k)}, AccessPoints: []string{ean(900000 + k)}})
		}
		t.Injected = append(t.Injected, Injected{Kind: coupole.AlertViewsAboveBaseline, Staff: staff, At: when})
	}
	// A customer flagged as a staff member, viewed.
	at := week(2, 2, 11, 0)
	call(advisor(3), clientOf(3), at, "c-p000", ean(777000), false, false)
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertProtectedCustomerViewed, Staff: advisor(3), At: selectedAt()})
	// Access at night.
	at = week(2, 3, 22, 40)
	c, p := "c-123456", ean(123456)
	call(advisor(4), clientOf(4), at, c, p, false, false)
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertOutsideHours, Staff: advisor(4), At: at})
	// Access from an unknown network.
	at = week(2, 3, 10, 15)
	call(advisor(5), "203.0.113.7", at, c, p, false, false)
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertOutsideNetwork, Staff: advisor(5), At: at})
	// One advisor locks verifications in three calls over two days.
	for k, when := range []time.Time{week(2, 0, 9, 30), week(2, 0, 15, 10), week(2, 1, 8, 45)} {
		call(advisor(6), clientOf(6), when, fmt.Sprintf("c-8%05d", k), ean(800000+k), true, false)
	}
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertRepeatedLockoutsByAdvisor, Staff: advisor(6), At: lockedAt()})
	// One access point locked by two advisors in two calls.
	point := ean(555555)
	call(advisor(7), clientOf(7), week(2, 4, 9, 0), "c-555555", point, true, false)
	call(advisor(8), clientOf(8), week(2, 4, 13, 0), "c-555555", point, true, false)
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertRepeatedLockoutsOnPoint, EAN: point, At: lockedAt()})
	// An interaction kept open for the rest of the day.
	at = week(2, 4, 9, 30)
	call(advisor(9), clientOf(9), at, c, p, false, true)
	t.Injected = append(t.Injected, Injected{Kind: coupole.AlertInteractionOpenTooLong, Staff: advisor(9), At: at})
}

// MemoryTrace is an in-memory Trace for the simulation: Append keeps the
// event's own time.
type MemoryTrace struct{ events []audit.Event }

// Append adds ev (its Time set) and returns its index.
func (m *MemoryTrace) Append(_ context.Context, ev audit.Event) (uint64, error) {
	m.events = append(m.events, ev)
	return uint64(len(m.events) - 1), nil
}

// Query implements Trace for After, From, To and Limit.
func (m *MemoryTrace) Query(_ context.Context, q audit.Query) ([]audit.Found, error) {
	var out []audit.Found
	for i := int(q.After + 1); i < len(m.events) && len(out) < q.Limit; i++ {
		ev := m.events[i]
		if (!q.From.IsZero() && ev.Time.Before(q.From)) || (!q.To.IsZero() && !ev.Time.Before(q.To)) {
			continue
		}
		out = append(out, audit.Found{Entry: audit.Entry{Index: uint64(i), Time: ev.Time}, Event: ev})
	}
	return out, nil
}

// Outcome is what a replay of traffic through the detector found.
type Outcome struct {
	Caught int
	Missed []Injected
	False  []coupole.InteractionAlert
	// Latency is, by kind, the longest time from the injected event that
	// makes a case detectable to its alert (for view spikes: from the
	// spike's start; for interactions open too long: from the threshold).
	Latency     map[string]time.Duration
	AlertsTotal int
	Steps       int
}

// Replay feeds the traffic to d minute by minute (d.Clock must be a
// *coupole.FixedClock, d.Trace a *MemoryTrace or any Appender) and matches
// the alerts raised against the injected cases.
func Replay(ctx context.Context, d *Detector, tr Traffic, appendEv func(context.Context, audit.Event) error) (Outcome, error) {
	clock, ok := d.Clock.(*coupole.FixedClock)
	if !ok {
		return Outcome{}, coupole.Errorf(coupole.EINVALID, "replay: the detector needs a *coupole.FixedClock")
	}
	for id, flag := range tr.Protected {
		if err := d.Store.SetCustomerProtection(ctx, id, flag); err != nil {
			return Outcome{}, err
		}
	}
	var raised []coupole.InteractionAlert
	out := Outcome{Latency: map[string]time.Duration{}}
	if len(tr.Events) == 0 {
		return out, nil
	}
	tick := tr.Events[0].Time.Truncate(time.Minute).Add(time.Minute)
	end := tr.Events[len(tr.Events)-1].Time.Add(d.Config.OpenTooLong + time.Hour)
	next := 0
	for !tick.After(end) {
		for next < len(tr.Events) && tr.Events[next].Time.Before(tick) {
			clock.T = tr.Events[next].Time
			if err := appendEv(ctx, tr.Events[next]); err != nil {
				return out, err
			}
			next++
		}
		clock.T = tick
		as, err := d.Step(ctx)
		if err != nil {
			return out, err
		}
		out.Steps++
		raised = append(raised, as...)
		// Step every minute while there is traffic, else every quarter hour.
		if next < len(tr.Events) && tr.Events[next].Time.Before(tick.Add(time.Minute)) {
			tick = tick.Add(time.Minute)
		} else {
			tick = tick.Add(15 * time.Minute)
			if next < len(tr.Events) && tr.Events[next].Time.Before(tick) {
				tick = tr.Events[next].Time.Truncate(time.Minute).Add(time.Minute)
			}
		}
	}
	out.AlertsTotal = len(raised)
	used := make([]bool, len(raised))
	for _, inj := range tr.Injected {
		found := false
		for i, al := range raised {
			if used[i] || al.Kind != inj.Kind || (inj.Staff != "" && al.StaffID != inj.Staff) || (inj.EAN != "" && string(al.EAN) != inj.EAN) || al.RaisedAt.Before(inj.At) {
				continue
			}
			used[i], found = true, true
			lat := al.RaisedAt.Sub(inj.At)
			if inj.Kind == coupole.AlertInteractionOpenTooLong {
				lat -= d.Config.OpenTooLong
			}
			out.Latency[inj.Kind] = max(out.Latency[inj.Kind], lat)
			// Further alerts of the same case (the next hour of a spike)
			// are the same misbehaviour, not false alerts.
			for j := i + 1; j < len(raised); j++ {
				if raised[j].Kind == al.Kind && raised[j].StaffID == al.StaffID && raised[j].EAN == al.EAN && raised[j].RaisedAt.Sub(al.RaisedAt) < 2*time.Hour {
					used[j] = true
				}
			}
			break
		}
		if found {
			out.Caught++
		} else {
			out.Missed = append(out.Missed, inj)
		}
	}
	for i, al := range raised {
		if !used[i] {
			out.False = append(out.False, al)
		}
	}
	return out, nil
}

// SimStore is a store for replays whose open interactions are the
// traffic's at the clock's time (the simulation writes no interactions).
type SimStore struct {
	coupole.OversightStore
	Traffic *Traffic
	Clock   coupole.Clock
}

// OpenInteractions lists the traffic's interactions open at the clock's
// time (Traffic.Interactions sorted by opening time, as GenerateTraffic
// leaves them).
func (s SimStore) OpenInteractions(_ context.Context, staffID string) ([]coupole.Interaction, error) {
	now := s.Clock.Now()
	ins := s.Traffic.Interactions
	end := sort.Search(len(ins), func(i int) bool { return ins[i].OpenedAt.After(now) })
	var out []coupole.Interaction
	for _, in := range ins[:end] {
		if (staffID == "" || in.StaffID == staffID) && (in.ClosedAt.IsZero() || in.ClosedAt.After(now)) {
			out = append(out, in)
		}
	}
	return out, nil
}
