package web

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
	"golang.org/x/mod/sumdb/note"
)

// TraceReader is what the auditors' trace search reads: *audit.Reader.
type TraceReader interface {
	LatestCheckpoint(ctx context.Context) (audit.StoredCheckpoint, error)
	Size(ctx context.Context) (uint64, error)
	Query(ctx context.Context, q audit.Query) ([]audit.Found, error)
}

const tracePage = 50

type traceForm struct {
	Actor, Interaction, Customer, EAN, From, To string
	After                                       int64
}

type traceRow struct {
	Index                      uint64
	Time                       time.Time
	Erased                     bool
	Actor, Action, Interaction string
	CallReason                 string
	About                      []string
	Outcome, Reason, Client    string
	Data                       string
	// Policies are the policies that decided, each with the requirements
	// it implements ("ean-by-sms (D4)"): the codes are for auditors, the
	// caller heard the sentence without them (issue 15).
	Policies []string
}

type checkpointStatus struct {
	Found     bool
	Size      uint64
	Logged    uint64
	Pending   uint64
	SignedAt  time.Time
	Root      string
	Signature string // ok, bad, nokey
}

type traceData struct {
	Checkpoint checkpointStatus
	Form       traceForm
	Searched   bool
	Rows       []traceRow
	Next       int64 // >= 0: a next page starts after this index
	Problem    string
}

func (a *StaffAccess) checkpointStatus(ctx context.Context, cfg PagesConfig) (checkpointStatus, error) {
	var s checkpointStatus
	n, err := cfg.Traces.Size(ctx)
	if err != nil {
		return s, err
	}
	s.Logged = n
	c, err := cfg.Traces.LatestCheckpoint(ctx)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return s, nil
	} else if err != nil {
		return s, err
	}
	s.Found, s.Size, s.SignedAt = true, c.Size, c.SignedAt
	if n > c.Size {
		s.Pending = n - c.Size
	}
	root := hex.EncodeToString(c.Root)
	if len(root) > 16 {
		root = root[:16] + "…"
	}
	s.Root = root
	switch {
	case cfg.TraceVerifier == nil:
		s.Signature = "nokey"
	default:
		if _, err := note.Open(c.Note, note.VerifierList(cfg.TraceVerifier)); err != nil {
			s.Signature = "bad"
		} else {
			s.Signature = "ok"
		}
	}
	return s, nil
}

// handleTraces shows the search form and the checkpoint status (GET) or the
// results of a search (POST: an EAN or a customer reference never goes in a
// URL).
func (a *StaffAccess) handleTraces(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	ctx := r.Context()
	d := traceData{Next: -1}
	cp, err := a.checkpointStatus(ctx, a.pages)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d.Checkpoint = cp
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Searched = true
		d.Form = traceForm{
			Actor: strings.TrimSpace(r.PostFormValue("actor")), Interaction: strings.TrimSpace(r.PostFormValue("interaction")),
			Customer: strings.TrimSpace(r.PostFormValue("customer")), EAN: strings.TrimSpace(r.PostFormValue("ean")),
			From: strings.TrimSpace(r.PostFormValue("from")), To: strings.TrimSpace(r.PostFormValue("to")), After: -1,
		}
		if s := r.PostFormValue("after"); s != "" {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= -1 {
				d.Form.After = n
			}
		}
		q, problem := traceQuery(d.Form)
		if problem != "" {
			d.Problem = Message(lang, problem)
			status = http.StatusBadRequest
		} else {
			// Trace first (T1, S7): who searched for whom is itself traced
			// before anything is read; no trace, no results.
			if err := a.trace(ctx, AuditSearchEvent(p.Staff.ID, clientAddrFrom(ctx), q)); err != nil {
				a.pageError(w, r, p, err)
				return
			}
			found, err := a.pages.Traces.Query(ctx, q)
			if err != nil {
				a.pageError(w, r, p, err)
				return
			}
			reqs := a.policyRequirements()
			for _, f := range found {
				row := traceRowOf(f)
				if !row.Erased && f.Event.Decision != nil {
					row.Policies = policiesWithRequirements(f.Event.Decision.Policies, reqs)
				}
				d.Rows = append(d.Rows, row)
			}
			if len(found) == tracePage {
				d.Next = int64(found[len(found)-1].Index)
			}
		}
	}
	a.renderPage(w, r, status, "traces", view{Lang: lang, Title: "traces.title", Principal: p, Active: "nav.traces", Data: d})
}

func traceQuery(f traceForm) (audit.Query, string) {
	q := audit.Query{Actor: f.Actor, Interaction: f.Interaction, Customer: f.Customer, After: f.After, Limit: tracePage}
	if f.EAN != "" {
		ean, err := coupole.ParseEAN(f.EAN)
		if err != nil {
			return q, "traces.bad_ean"
		}
		q.AccessPoint = string(ean)
	}
	for _, x := range []struct {
		s string
		t *time.Time
	}{{f.From, &q.From}, {f.To, &q.To}} {
		if x.s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", x.s, brussels)
		if err != nil {
			return q, "traces.bad_date"
		}
		*x.t = t
	}
	if q.Actor == "" && q.Interaction == "" && q.Customer == "" && q.AccessPoint == "" && q.From.IsZero() && q.To.IsZero() {
		return q, "traces.needs_filter"
	}
	return q, ""
}

// traceRowOf shows an event as an auditor needs it: EANs masked, customers
// by their reference (never a name: events hold none).
func traceRowOf(f audit.Found) traceRow {
	row := traceRow{Index: f.Index, Time: f.Event.Time, Erased: f.Erased()}
	if row.Erased {
		return row
	}
	e := f.Event
	row.Actor, row.Action, row.Interaction, row.CallReason, row.Client = e.Actor, e.Action, e.Interaction, e.CallReason, e.Client
	for _, ap := range e.AccessPoints {
		row.About = append(row.About, coupole.EAN(ap).Masked())
	}
	row.About = append(row.About, e.Customers...)
	if e.Decision != nil {
		row.Outcome, row.Reason = e.Decision.Outcome, e.Decision.Reason
	}
	row.Data = strings.Join(auditorData(e.Data), ", ")
	return row
}

// auditorData is what auditors see of an event's data: traces, never
// consumption (issue 10, item 8). Index-intake events written before
// Coupole stopped recording the per-day use still carry it; the log keeps
// it (erasable with the payload), the screen does not show it.
func auditorData(data []string) []string {
	out := make([]string, 0, len(data))
	for _, d := range data {
		if strings.HasPrefix(d, "per_day=") {
			continue
		}
		out = append(out, d)
	}
	return out
}

// AuditSearchEvent is the trace of a search of the audit log by actor (the
// pages and `coupole audit query`). The customer, the EAN and the
// interaction searched for go in the event's erasable, searchable fields —
// so a later search for that customer shows who looked — and the readable
// data names the criteria with the EAN masked.
func AuditSearchEvent(actor, client string, q audit.Query) coupole.StaffEvent {
	d := map[string]string{"customer": q.Customer, "access_point": q.AccessPoint, "interaction": q.Interaction, "client": client,
		"criteria.staff": q.Actor}
	var criteria []string
	for _, c := range []struct {
		name string
		set  bool
	}{{"customer", q.Customer != ""}, {"ean", q.AccessPoint != ""}, {"staff", q.Actor != ""}, {"interaction", q.Interaction != ""},
		{"from", !q.From.IsZero()}, {"to", !q.To.IsZero()}} {
		if c.set {
			criteria = append(criteria, c.name)
		}
	}
	d["criteria"] = strings.Join(criteria, ",")
	if q.AccessPoint != "" {
		d["criteria.ean"] = coupole.EAN(q.AccessPoint).Masked()
	}
	if !q.From.IsZero() {
		d["criteria.from"] = q.From.UTC().Format(time.RFC3339)
	}
	if !q.To.IsZero() {
		d["criteria.to"] = q.To.UTC().Format(time.RFC3339)
	}
	if q.After >= 0 {
		d["criteria.after"] = strconv.FormatInt(q.After, 10)
	}
	return coupole.StaffEvent{Type: coupole.StaffEventAuditSearch, Actor: actor, Outcome: "ok", Details: d}
}

// policyRequirements maps each disclosure policy's id to the requirements
// it implements (@requirement), from the policy set the interaction
// service decides with; empty when there is none to ask.
func (a *StaffAccess) policyRequirements() map[string][]string {
	out := map[string][]string{}
	if a.Interactions == nil {
		return out
	}
	d, ok := a.Interactions.Policy.(interface{ Set() *policy.Set })
	if !ok {
		return out
	}
	for _, p := range d.Set().Policies() {
		out[p.ID] = p.Requirements
	}
	return out
}

// policiesWithRequirements writes each policy id with its requirement
// codes, "ean-by-sms (D4)"; an id the current set does not know (the trace
// names an older policy version) stands alone.
func policiesWithRequirements(ids []string, reqs map[string][]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if r := reqs[id]; len(r) > 0 {
			id += " (" + strings.Join(r, ", ") + ")"
		}
		out = append(out, id)
	}
	return out
}
