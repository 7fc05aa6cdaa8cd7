package report

import (
	"sort"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
)

// TracePrefix starts the Query of every figure computed from the audit
// trace alone: `coupole report verify --export` recomputes exactly those
// from an audit export and compares them with the signed ones.
const TracePrefix = "trace: "

// traceFigure describes one family of figures counted over the trace.
type traceFigure struct {
	key, req, query string
}

// The families, in the order of the appendix. A key ending in "." takes a
// suffix per value (channel, reason…).
var traceFamilies = []traceFigure{
	{"audit.events", "T1", "events whose leaf time is in [from, to)"},
	{"audit.events_erased", "T2", "events in [from, to) whose payload was erased after its retention"},
	{"interactions.opened", "C4", "events action=interaction.open"},
	{"interactions.channel.", "D5", "events action=interaction.open, grouped by data channel="},
	{"interactions.requester.", "D1", "events action=interaction.open, grouped by data requester="},
	{"interactions.closed", "C4", "events action=interaction.close"},
	{"interactions.call_reason.", "C4", "events action=interaction.close, call_reason split on ',' and grouped"},
	{"interactions.closed_idle", "C4", "events action=interaction.closed_idle"},
	{"decisions.total", "D10", "events action=interaction.decide"},
	{"decisions.outcome.", "D10", "events action=interaction.decide, grouped by decision.outcome"},
	{"decisions.item.", "D1", "events action=interaction.decide, grouped by data item="},
	{"decisions.requester.", "D1", "events action=interaction.decide, grouped by the requester= of the same interaction's interaction.open event (unknown: opened before the period)"},
	{"disclosures.route.", "D4", "events action=interaction.deliver, grouped by decision.outcome (sms, letter, case…)"},
	{"disclosures.item.", "D2", "events action=interaction.deliver, grouped by data item="},
	{"refusals.total", "D10", "events whose decision.outcome is refuse or refused"},
	{"refusals.reason.", "D10", "events whose decision.outcome is refuse or refused, grouped by decision.reason"},
	{"verifications.outcome.", "C2", "events action=interaction.verify, grouped by decision.outcome"},
	{"alerts.raised", "C2", "data items alert= of events action=interaction.verify"},
	{"alerts.unlocked", "C2", "events action=verification.unlock"},
	{"deliveries.sent", "D4", "events action=delivery.sent"},
	{"deliveries.dead", "D4", "events action=delivery.dead"},
	{"cases.opened", "D4", "events action=interaction.case_opened"},
	{"staff.signins", "C5", "events action=staff.signin"},
	{"staff.signins_failed", "C5", "events action=staff.signin_failed"},
	{"staff.access_denied", "S2", "events action=access.denied"},
	{"staff.revoked", "S6", "events action=staff.revoked"},
	{"staff.breakglass_requested", "S3", "events action=breakglass.requested"},
	{"staff.breakglass_approved", "S3", "events action=breakglass.approved"},
	{"audit.exports", "T2", "events action=audit.export"},
	{"audit.searches", "T1", "events action=audit.search"},
	{"access_reports.produced", "T1", "events action=" + ActionAccessReport + " (GDPR art. 15 reports)"},
}

// ActionAccessReport is the audit action of an art. 15 "who saw my data"
// report: it is itself an access to the customer's data.
const ActionAccessReport = "report.access"

// ActionYearlyReport is the audit action of producing the yearly report.
const ActionYearlyReport = "report.yearly"

// simple maps an action to the family it counts one for.
var simple = map[string]string{
	"interaction.open":        "interactions.opened",
	"interaction.close":       "interactions.closed",
	"interaction.closed_idle": "interactions.closed_idle",
	"interaction.decide":      "decisions.total",
	"verification.unlock":     "alerts.unlocked",
	"delivery.sent":           "deliveries.sent",
	"delivery.dead":           "deliveries.dead",
	"interaction.case_opened": "cases.opened",
	"staff.signin":            "staff.signins",
	"staff.signin_failed":     "staff.signins_failed",
	"access.denied":           "staff.access_denied",
	"staff.revoked":           "staff.revoked",
	"breakglass.requested":    "staff.breakglass_requested",
	"breakglass.approved":     "staff.breakglass_approved",
	"audit.export":            "audit.exports",
	"audit.search":            "audit.searches",
	ActionAccessReport:        "access_reports.produced",
}

// Tally counts the trace-derived figures of a period over a stream of
// events. The report fills one from the database; `report verify` fills
// one from an audit export: the same code, so the same numbers.
type Tally struct {
	from, to  time.Time
	counts    map[string]int64
	requester map[string]string // interaction id → requester, from its open event
	undecoded int64
	// scan decodes payloads without encoding/json (it accepts exactly what
	// verify.DecodePayload accepts); keys remembers the figure keys built
	// from a family and a value, so that counting allocates nothing.
	scan verify.PayloadScanner
	keys map[familyValue]string
}

type familyValue struct{ family, value string }

// key returns the figure key of family (ending in ".") for value.
func (t *Tally) key(family, value string) string {
	if k, ok := t.keys[familyValue{family, value}]; ok {
		return k
	}
	k := family + orUnknown(value)
	if len(t.keys) < 1<<14 {
		t.keys[familyValue{family, value}] = k
	}
	return k
}

// NewTally counts events in [from, to).
func NewTally(from, to time.Time) *Tally {
	t := &Tally{from: from, to: to, counts: map[string]int64{}, requester: map[string]string{}, keys: map[familyValue]string{}}
	for _, f := range traceFamilies {
		if !strings.HasSuffix(f.key, ".") {
			t.counts[f.key] = 0
		}
	}
	return t
}

// In reports whether an event at ts belongs to the period.
func (t *Tally) In(ts time.Time) bool { return !ts.Before(t.from) && ts.Before(t.to) }

// Add counts one event of the period; payload is nil when erased.
func (t *Tally) Add(payload []byte) error {
	t.counts["audit.events"]++
	if payload == nil {
		t.counts["audit.events_erased"]++
		return nil
	}
	ev, err := t.scan.Scan(payload)
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "report: an event payload is unreadable: %v", err)
	}
	t.AddEvent(*ev)
	return nil
}

// AddEvent counts one decoded event (with its payload).
func (t *Tally) AddEvent(ev verify.Event) {
	if f, ok := simple[ev.Action]; ok {
		t.counts[f]++
	}
	data := func(key string) string {
		for _, d := range ev.Data {
			if v, ok := strings.CutPrefix(d, key+"="); ok {
				return v
			}
		}
		return ""
	}
	outcome, reason := "", ""
	if ev.Decision != nil {
		outcome, reason = ev.Decision.Outcome, ev.Decision.Reason
	}
	switch ev.Action {
	case "interaction.open":
		ch, req := data("channel"), data("requester")
		t.counts[t.key("interactions.channel.", ch)]++
		t.counts[t.key("interactions.requester.", req)]++
		if ev.Interaction != "" {
			t.requester[ev.Interaction] = orUnknown(req)
		}
	case "interaction.close":
		for r := range strings.SplitSeq(ev.CallReason, ",") {
			t.counts[t.key("interactions.call_reason.", r)]++
		}
	case "interaction.decide":
		t.counts[t.key("decisions.outcome.", outcome)]++
		t.counts[t.key("decisions.item.", data("item"))]++
		req := t.requester[ev.Interaction]
		t.counts[t.key("decisions.requester.", req)]++
	case "interaction.deliver":
		t.counts[t.key("disclosures.route.", outcome)]++
		t.counts[t.key("disclosures.item.", data("item"))]++
	case "interaction.verify":
		t.counts[t.key("verifications.outcome.", outcome)]++
		for _, d := range ev.Data {
			if strings.HasPrefix(d, "alert=") {
				t.counts["alerts.raised"]++
			}
		}
	}
	if outcome == "refuse" || outcome == "refused" {
		t.counts["refusals.total"]++
		t.counts[t.key("refusals.reason.", reason)]++
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	// Keys are dotted: a value never adds a level.
	return strings.ReplaceAll(s, ".", "_")
}

// Figures returns the counted figures, sorted by key.
func (t *Tally) Figures() []coupole.Figure {
	out := make([]coupole.Figure, 0, len(t.counts))
	for k, v := range t.counts {
		fam := familyOf(k)
		out = append(out, coupole.Figure{Key: k, Requirement: fam.req, Query: TracePrefix + fam.query, Value: v, Unit: "count"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func familyOf(key string) traceFigure {
	for _, f := range traceFamilies {
		if f.key == key || strings.HasSuffix(f.key, ".") && strings.HasPrefix(key, f.key) {
			return f
		}
	}
	return traceFigure{key: key, req: "T1", query: "events"}
}
