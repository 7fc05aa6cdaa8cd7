package oversight

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
)

// Trace is the part of the audit log the detector reads (audit.Reader).
type Trace interface {
	Query(ctx context.Context, q audit.Query) ([]audit.Found, error)
}

// Detector reads the trace from where it last stopped and raises the
// anomaly alerts of issue 16 (T1). Its memory (hourly views, lockouts) is
// rebuilt from the trace when it starts; the cursor and the alerts are in
// the store, and alerts carry a dedupe key, so several nodes may run it.
type Detector struct {
	Store  coupole.OversightStore
	Trace  Trace
	Audit  interaction.Tracer // where raising an alert is traced
	Clock  coupole.Clock
	Config Config
	Logger *slog.Logger

	mu          sync.Mutex
	warm        bool
	views       map[string]map[int64]map[string]bool // staff → hour (unix) → customers
	alertedHour map[string]bool                      // staff/hour already alerted
	lockouts    []lockout
	protected   map[string]string
}

type lockout struct {
	at          time.Time
	staff       string
	interaction string
	ean         string
}

// AlertHorizon: the detector alerts on events at most this old when it
// reads them.
const AlertHorizon = 24 * time.Hour

// SystemActor is who raises alerts in the trace.
const SystemActor = interaction.SystemActor

// Run calls Step every Config.Every until ctx ends; errors are logged and
// the next tick tries again.
func (d *Detector) Run(ctx context.Context) {
	t := time.NewTicker(d.Config.Every)
	defer t.Stop()
	for {
		if _, err := d.Step(ctx); err != nil && d.Logger != nil && ctx.Err() == nil {
			d.Logger.Error("oversight: anomaly detection step failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step reads the events traced since the last step, raises the alerts they
// call for and those of interactions open too long, and returns the alerts
// it raised.
func (d *Detector) Step(ctx context.Context) ([]coupole.InteractionAlert, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.Clock.Now()
	next, err := d.Store.OversightCursor(ctx)
	if err != nil {
		return nil, err
	}
	if d.protected, err = d.Store.CustomerProtections(ctx); err != nil {
		return nil, err
	}
	if !d.warm {
		if err := d.warmUp(ctx, now, next); err != nil {
			return nil, err
		}
	}
	var raised []coupole.InteractionAlert
	for {
		page, err := d.Trace.Query(ctx, audit.Query{After: int64(next) - 1, Limit: audit.MaxQueryLimit})
		if err != nil {
			return raised, err
		}
		from := next
		counts := volumes{}
		for _, f := range page {
			counts.count(f.Event, d.Config.Teams)
			// Events older than a day (a first start on an old trace, a
			// long outage) are counted and remembered, not alerted on.
			for _, al := range d.observe(f.Event, now.Sub(f.Event.Time) <= AlertHorizon) {
				ok, err := d.raise(ctx, &al)
				if err != nil {
					return raised, err
				}
				if ok {
					raised = append(raised, al)
				}
			}
			next = f.Index + 1
		}
		if len(page) > 0 {
			if err := d.Store.AdvanceOversight(ctx, from, next, counts.list()); err != nil {
				// Another node read these events: start again from the
				// store's cursor next time.
				d.warm = false
				return raised, err
			}
		}
		if len(page) < audit.MaxQueryLimit {
			break
		}
	}
	open, err := d.Store.OpenInteractions(ctx, "")
	if err != nil {
		return raised, err
	}
	for _, in := range open {
		if age := now.Sub(in.OpenedAt); age > d.Config.OpenTooLong {
			al := coupole.InteractionAlert{Kind: coupole.AlertInteractionOpenTooLong, InteractionID: in.ID, StaffID: in.StaffID, RaisedAt: now,
				Target: "interaction:" + in.ID, DedupeKey: coupole.AlertInteractionOpenTooLong + "/" + in.ID,
				Reason:      fmt.Sprintf("interaction %s of %s has been open for %s (threshold %s): its need-to-know access is held too long", in.ID, in.StaffID, roundDur(age), d.Config.OpenTooLong),
				ReasonFacts: map[string]string{"interaction": in.ID, "staff": in.StaffID, "age_min": wholeMinutes(age), "threshold_min": wholeMinutes(d.Config.OpenTooLong)}}
			ok, err := d.raise(ctx, &al)
			if err != nil {
				return raised, err
			}
			if ok {
				raised = append(raised, al)
			}
		}
	}
	d.prune(now)
	return raised, nil
}

// warmUp rebuilds the baselines and lockouts from the events already read
// (those before next) of the baseline period, without raising anything.
func (d *Detector) warmUp(ctx context.Context, now time.Time, next uint64) error {
	d.views, d.alertedHour = map[string]map[int64]map[string]bool{}, map[string]bool{}
	d.lockouts = nil
	from := now.AddDate(0, 0, -d.Config.BaselineDays)
	if w := now.Add(-d.Config.LockoutWindow); w.Before(from) {
		from = w
	}
	after := int64(-1)
	for next > 0 {
		page, err := d.Trace.Query(ctx, audit.Query{From: from, After: after, Limit: audit.MaxQueryLimit})
		if err != nil {
			return err
		}
		for _, f := range page {
			if f.Index >= next {
				d.warm = true
				return nil
			}
			d.observe(f.Event, false)
			after = int64(f.Index)
		}
		if len(page) < audit.MaxQueryLimit {
			break
		}
	}
	d.warm = true
	return nil
}

// staffEvent reports whether ev was made by a staff member (not the system).
func staffEvent(ev audit.Event) bool {
	return ev.Actor != "" && ev.Actor != SystemActor && !strings.HasPrefix(ev.Action, "alert.")
}

// observe takes one event into the detector's memory and returns the
// alerts it calls for (when alert is false, only remembers).
func (d *Detector) observe(ev audit.Event, alert bool) []coupole.InteractionAlert {
	if !staffEvent(ev) {
		return nil
	}
	var out []coupole.InteractionAlert
	add := func(al coupole.InteractionAlert) {
		if alert {
			al.StaffID, al.RaisedAt = ev.Actor, d.Clock.Now()
			if al.InteractionID == "" && ev.Interaction != "" {
				al.InteractionID = ev.Interaction
			}
			out = append(out, al)
		}
	}
	local := ev.Time.In(d.Config.Location)
	day := local.Format("2006-01-02")

	// Access outside configured hours or networks.
	sched, ok := d.Config.StaffHours[ev.Actor]
	if !ok {
		sched = d.Config.Hours
	}
	if !sched.Contains(ev.Time, d.Config.Location) {
		add(coupole.InteractionAlert{Kind: coupole.AlertOutsideHours, Target: "staff:" + ev.Actor,
			DedupeKey:   coupole.AlertOutsideHours + "/" + ev.Actor + "/" + day,
			Reason:      fmt.Sprintf("%s acted (%s) at %s, outside their working hours (%s)", ev.Actor, ev.Action, local.Format("Mon 2006-01-02 15:04"), sched),
			ReasonFacts: map[string]string{"staff": ev.Actor, "action": ev.Action, "at": ev.Time.UTC().Format(time.RFC3339), "hours": sched.String()}})
	}
	nets, ok := d.Config.StaffNetworks[ev.Actor]
	if !ok {
		nets = d.Config.Networks
	}
	if len(nets) > 0 && ev.Client != "" && !inNetworks(ev.Client, nets) {
		add(coupole.InteractionAlert{Kind: coupole.AlertOutsideNetwork, Target: "staff:" + ev.Actor,
			DedupeKey:   coupole.AlertOutsideNetwork + "/" + ev.Actor + "/" + day,
			Reason:      fmt.Sprintf("%s acted (%s) from %s, outside the configured networks", ev.Actor, ev.Action, ev.Client),
			ReasonFacts: map[string]string{"staff": ev.Actor, "action": ev.Action, "client": ev.Client}})
	}

	// Views of flagged customers, and views per hour.
	hour := ev.Time.Truncate(time.Hour).Unix()
	for _, c := range ev.Customers {
		if flag := d.protected[c]; flag != "" {
			what := "a protected person"
			if flag == coupole.ProtectionStaff {
				what = "a staff member"
			}
			add(coupole.InteractionAlert{Kind: coupole.AlertProtectedCustomerViewed, Target: "interaction:" + ev.Interaction,
				DedupeKey:   coupole.AlertProtectedCustomerViewed + "/" + ev.Actor + "/" + ev.Interaction + "/" + c,
				Reason:      fmt.Sprintf("%s viewed a customer flagged as %s (%s, interaction %s)", ev.Actor, what, ev.Action, ev.Interaction),
				ReasonFacts: map[string]string{"staff": ev.Actor, "flag": flag, "action": ev.Action, "interaction": ev.Interaction}})
		}
		byHour := d.views[ev.Actor]
		if byHour == nil {
			byHour = map[int64]map[string]bool{}
			d.views[ev.Actor] = byHour
		}
		set := byHour[hour]
		if set == nil {
			set = map[string]bool{}
			byHour[hour] = set
		}
		set[c] = true
	}
	if len(ev.Customers) > 0 && alert {
		key := fmt.Sprintf("%s/%d", ev.Actor, hour)
		if n := len(d.views[ev.Actor][hour]); !d.alertedHour[key] && n >= d.Config.MinViewsPerHour {
			if b, departs := d.departs(ev.Actor, hour, n); departs {
				d.alertedHour[key] = true
				add(coupole.InteractionAlert{Kind: coupole.AlertViewsAboveBaseline, Target: "staff:" + ev.Actor,
					DedupeKey: coupole.AlertViewsAboveBaseline + "/" + key,
					Reason: fmt.Sprintf("%s viewed %d customers between %s and %s; own baseline median %.1f (MAD %.1f, %d hours), team median %.1f (MAD %.1f, %d hours); threshold %.1f",
						ev.Actor, n, local.Truncate(time.Hour).Format("2006-01-02 15:04"), local.Truncate(time.Hour).Add(time.Hour).Format("15:04"),
						b.own.median, b.own.mad, b.own.n, b.team.median, b.team.mad, b.team.n, b.threshold),
					ReasonFacts: map[string]string{"staff": ev.Actor, "views": strconv.Itoa(n), "hour_at": time.Unix(hour, 0).UTC().Format(time.RFC3339),
						"own_median": decimal(b.own.median), "own_mad": decimal(b.own.mad), "own_hours": strconv.Itoa(b.own.n),
						"team_median": decimal(b.team.median), "team_mad": decimal(b.team.mad), "team_hours": strconv.Itoa(b.team.n), "threshold": decimal(b.threshold)}})
			}
		}
	}

	// Lockouts across interactions.
	if ev.Action == "interaction.verify" && ev.Decision != nil && ev.Decision.Outcome == "locked" {
		var ean string
		if len(ev.AccessPoints) > 0 {
			ean = ev.AccessPoints[0]
		}
		d.lockouts = append(d.lockouts, lockout{at: ev.Time, staff: ev.Actor, interaction: ev.Interaction, ean: ean})
		since := ev.Time.Add(-d.Config.LockoutWindow)
		// The episode is named by its first lockout in the window: more
		// lockouts of the same episode raise nothing new.
		byStaff, onPoint := map[string]bool{}, map[string]bool{}
		var firstByStaff, firstOnPoint string
		for _, l := range d.lockouts {
			if l.at.Before(since) {
				continue
			}
			if l.staff == ev.Actor {
				if len(byStaff) == 0 {
					firstByStaff = l.interaction
				}
				byStaff[l.interaction] = true
			}
			if ean != "" && l.ean == ean {
				if len(onPoint) == 0 {
					firstOnPoint = l.interaction
				}
				onPoint[l.interaction] = true
			}
		}
		if len(byStaff) >= d.Config.LockoutsPerAdvisor {
			add(coupole.InteractionAlert{Kind: coupole.AlertRepeatedLockoutsByAdvisor, Target: "staff:" + ev.Actor,
				DedupeKey: coupole.AlertRepeatedLockoutsByAdvisor + "/" + ev.Actor + "/" + firstByStaff,
				Reason: fmt.Sprintf("%s locked meter-number verifications in %d interactions within %s (threshold %d): enumeration spread over several calls?",
					ev.Actor, len(byStaff), roundDur(d.Config.LockoutWindow), d.Config.LockoutsPerAdvisor),
				ReasonFacts: map[string]string{"staff": ev.Actor, "interactions": strconv.Itoa(len(byStaff)), "window_min": wholeMinutes(d.Config.LockoutWindow), "threshold": strconv.Itoa(d.Config.LockoutsPerAdvisor)}})
		}
		if len(onPoint) >= d.Config.LockoutsPerPoint {
			add(coupole.InteractionAlert{Kind: coupole.AlertRepeatedLockoutsOnPoint, Target: "access_point", EAN: coupole.EAN(ean),
				DedupeKey: coupole.AlertRepeatedLockoutsOnPoint + "/" + ean + "/" + firstOnPoint,
				Reason: fmt.Sprintf("one access point was locked in %d interactions within %s (threshold %d), the last by %s",
					len(onPoint), roundDur(d.Config.LockoutWindow), d.Config.LockoutsPerPoint, ev.Actor),
				ReasonFacts: map[string]string{"staff": ev.Actor, "interactions": strconv.Itoa(len(onPoint)), "window_min": wholeMinutes(d.Config.LockoutWindow), "threshold": strconv.Itoa(d.Config.LockoutsPerPoint)}})
		}
	}
	return out
}

// raise stores an alert (once: its id comes from its dedupe key) and
// traces it.
func (d *Detector) raise(ctx context.Context, al *coupole.InteractionAlert) (bool, error) {
	sum := sha256.Sum256([]byte(al.DedupeKey))
	al.ID = "al-" + hex.EncodeToString(sum[:10])
	created, err := d.Store.RaiseAlert(ctx, *al)
	if err != nil || !created {
		return false, err
	}
	ev := audit.Event{Actor: SystemActor, Action: "alert.raise", Interaction: al.InteractionID,
		Decision: &audit.Decision{Outcome: "raised", Reason: al.Kind}, Data: []string{"alert=" + al.ID, "target=" + al.Target}}
	if al.EAN != "" {
		ev.AccessPoints = []string{string(al.EAN)}
	}
	if d.Audit != nil {
		if _, err := d.Audit.Append(ctx, ev); err != nil && d.Logger != nil {
			d.Logger.Error("oversight: alert raised but not traced", "alert", al.ID, "kind", al.Kind, "err", err)
		}
	}
	if d.Logger != nil {
		d.Logger.Warn("oversight: alert raised", "alert", al.ID, "kind", al.Kind, "staff", al.StaffID)
	}
	return true, nil
}

// prune forgets what no baseline or window needs any more.
func (d *Detector) prune(now time.Time) {
	oldest := now.AddDate(0, 0, -d.Config.BaselineDays-1).Truncate(time.Hour).Unix()
	for staff, byHour := range d.views {
		for h := range byHour {
			if h < oldest {
				delete(byHour, h)
			}
		}
		if len(byHour) == 0 {
			delete(d.views, staff)
		}
	}
	keep := d.lockouts[:0]
	for _, l := range d.lockouts {
		if !l.at.Before(now.Add(-d.Config.LockoutWindow)) {
			keep = append(keep, l)
		}
	}
	d.lockouts = keep
}

func inNetworks(client string, nets []netip.Prefix) bool {
	a, err := netip.ParseAddr(client)
	if err != nil {
		ap, err := netip.ParseAddrPort(client)
		if err != nil {
			return false
		}
		a = ap.Addr()
	}
	a = a.Unmap()
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// wholeMinutes and decimal write a reason fact: whole minutes, one decimal with
// a point (the screens put the reader's separator).
func wholeMinutes(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Minute) / time.Minute))
}

func decimal(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func roundDur(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}

// robust is a baseline summarised by its median and median absolute
// deviation.
type robust struct {
	median, mad float64
	n           int
}

func summarise(xs []float64) robust {
	if len(xs) == 0 {
		return robust{}
	}
	m := median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		if x > m {
			dev[i] = x - m
		} else {
			dev[i] = m - x
		}
	}
	return robust{median: m, mad: median(dev), n: len(xs)}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// madScale makes the MAD a consistent estimator of the standard deviation
// of normally distributed data.
const madScale = 1.4826

type baseline struct {
	own, team robust
	threshold float64
}

// departs computes the advisor's and their team's baselines from the
// active hours of the baseline period before hour, and reports whether n
// views exceed both.
func (d *Detector) departs(staff string, hour int64, n int) (baseline, bool) {
	from := hour - int64(d.Config.BaselineDays)*24*3600
	team := d.Config.Teams[staff]
	var own, all []float64
	for s, byHour := range d.views {
		sameTeam := d.Config.Teams[s] == team
		for h, set := range byHour {
			if h < from || h >= hour || len(set) == 0 {
				continue
			}
			if s == staff {
				own = append(own, float64(len(set)))
			}
			if sameTeam {
				all = append(all, float64(len(set)))
			}
		}
	}
	b := baseline{own: summarise(own), team: summarise(all)}
	limit := func(r robust) float64 { return r.median + d.Config.MADFactor*madScale*max(r.mad, 1) }
	b.threshold = float64(d.Config.MinViewsPerHour)
	if b.team.n > 0 {
		b.threshold = max(b.threshold, limit(b.team))
	}
	if b.own.n >= d.Config.MinBaselineHours {
		b.threshold = max(b.threshold, limit(b.own))
	}
	return b, float64(n) > b.threshold
}
