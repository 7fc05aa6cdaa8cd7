package oversight

import (
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Dashboard metrics, counted per hour from the trace (issue 16 item 1).
const (
	MetricChannel      = "channel"      // interactions opened, by channel
	MetricTeam         = "team"         // interactions opened, by the handler's team
	MetricReason       = "reason"       // interactions closed, by call reason
	MetricDecision     = "decision"     // disclosure decisions, by outcome
	MetricRoute        = "route"        // disclosures carried out, by route
	MetricRefusal      = "refusal"      // refusals, by reason
	MetricVerification = "verification" // meter-number verifications, by outcome
)

// volumes counts one page of events by hour, metric and key.
type volumes map[coupole.HourlyCount]int64

// NoTeam is the team of staff the configuration puts in none.
const NoTeam = "—"

func (v volumes) add(t time.Time, metric, key string) {
	if key == "" {
		return
	}
	v[coupole.HourlyCount{Hour: t.UTC().Truncate(time.Hour), Metric: metric, Key: key}]++
}

// count takes the metadata of one event: never a customer or an EAN.
func (v volumes) count(ev audit.Event, teams map[string]string) {
	outcome, reason := "", ""
	if ev.Decision != nil {
		outcome, reason = ev.Decision.Outcome, ev.Decision.Reason
	}
	switch {
	case ev.Action == "interaction.open":
		for _, d := range ev.Data {
			if c, ok := strings.CutPrefix(d, "channel="); ok {
				v.add(ev.Time, MetricChannel, c)
			}
		}
		team := teams[ev.Actor]
		if team == "" {
			team = NoTeam
		}
		v.add(ev.Time, MetricTeam, team)
	case ev.Action == "interaction.close":
		for _, code := range strings.Split(ev.CallReason, ",") {
			v.add(ev.Time, MetricReason, code)
		}
	case ev.Action == "interaction.decide":
		v.add(ev.Time, MetricDecision, outcome)
		if outcome == "refuse" {
			v.add(ev.Time, MetricRefusal, reason)
		}
	case ev.Action == "interaction.deliver":
		v.add(ev.Time, MetricRoute, outcome)
	case ev.Action == "interaction.verify":
		v.add(ev.Time, MetricVerification, outcome)
	case ev.Action == "interaction.refused" || strings.HasSuffix(ev.Action, "_refused"):
		v.add(ev.Time, MetricRefusal, reason)
	}
}

func (v volumes) list() []coupole.HourlyCount {
	out := make([]coupole.HourlyCount, 0, len(v))
	for k, n := range v {
		k.N = n
		out = append(out, k)
	}
	return out
}
