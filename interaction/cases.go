package interaction

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
)

// Back-office cases opened from an interaction (D4, issue 11): Execute opens
// one when the policy's decision is a back-office case (more than two
// access points); an advisor opens one for research or a CPAS follow-up.
// The case is created in the same audit transaction as its event.

// MaxCaseNote bounds a case's note, in characters.
const MaxCaseNote = 2000

// CaseRequest opens a case for research or a CPAS follow-up.
type CaseRequest struct {
	Kind string `json:"kind"` // research or cpas_followup
	Note string `json:"note"` // for the back office: free text, never told to the customer
}

// CaseOpened is the case an interaction opened.
type CaseOpened struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Status   string    `json:"status"`
	EANCount int       `json:"ean_count"`
	OpenedAt time.Time `json:"opened_at"`
}

// CaseStatusView is one of the customer's cases as case_status tells it: its
// reference, status and dates, never the back office's notes.
type CaseStatusView struct {
	Reference  string `json:"reference"`
	Status     string `json:"status"` // open, in_progress, answered, closed
	OpenedOn   string `json:"opened_on"`
	AnsweredOn string `json:"answered_on,omitempty"`
	ClosedOn   string `json:"closed_on,omitempty"`
}

// CaseStatuses lists cases as case_status tells them.
type CaseStatuses []CaseStatusView

func (s *Service) caseStore() (coupole.CaseStore, error) {
	if s.Cases != nil {
		return s.Cases, nil
	}
	if cs, ok := s.Store.(coupole.CaseStore); ok {
		return cs, nil
	}
	return nil, coupole.Errorf(coupole.EINTERNAL, "interaction: no case store")
}

// newCase is the case an interaction opens about its current access point
// (all the points asked about for a request about several).
func (s *Service) newCase(in coupole.Interaction, points []coupole.InteractionPoint, kind, item, note string) coupole.Case {
	c := coupole.Case{ID: newID("c-", s.Clock.Now()), InteractionID: in.ID, OpenedBy: in.StaffID, CustomerID: in.CurrentCustomer, Kind: kind, Item: item,
		Channel: in.Channel, Note: note, Status: coupole.CaseOpen, OpenedAt: s.Clock.Now()}
	if kind == coupole.CaseMultipleEANs {
		for _, p := range points {
			c.EANs = append(c.EANs, p.EAN)
		}
	}
	if len(c.EANs) == 0 && in.CurrentEAN != "" {
		c.EANs = []coupole.EAN{in.CurrentEAN}
	}
	return c
}

// OpenCase opens a back-office case for research or a CPAS follow-up about
// the interaction's current customer and access point. The note is bounded
// and valid UTF-8; it is stored for the back office, never traced or logged.
func (s *Service) OpenCase(ctx context.Context, a Actor, id string, r CaseRequest) (CaseOpened, error) {
	if r.Kind != coupole.CaseResearch && r.Kind != coupole.CaseCPASFollowUp {
		return CaseOpened{}, coupole.Errorf(coupole.EINVALID, "kind: unknown value %q (expected research or cpas_followup)", r.Kind)
	}
	note, err := caseNote(r.Note)
	if err != nil {
		return CaseOpened{}, err
	}
	cases, err := s.caseStore()
	if err != nil {
		return CaseOpened{}, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return CaseOpened{}, err
	}
	if in.CurrentEAN == "" {
		return CaseOpened{}, coupole.Errorf(coupole.ECONFLICT, "identify the customer and the access point before opening a case")
	}
	if r.Kind == coupole.CaseCPASFollowUp && in.Requester != string(policy.RequesterCPAS) {
		return CaseOpened{}, coupole.Errorf(coupole.EINVALID, "kind: a CPAS follow-up is opened from a CPAS's interaction")
	}
	c := s.newCase(in, nil, r.Kind, "", note)
	ev := audit.Event{Action: "interaction.case_opened", Decision: &audit.Decision{Outcome: "ok"}, Customers: []string{c.CustomerID},
		Data: []string{"case=" + c.ID, "case_kind=" + c.Kind}}
	for _, e := range c.EANs {
		ev.AccessPoints = append(ev.AccessPoints, string(e))
	}
	if _, err := s.traceThen(ctx, a, in, ev, func(ctx context.Context, idx uint64) error {
		c.AuditIndex = idx
		return cases.CreateCase(ctx, c)
	}); err != nil {
		return CaseOpened{}, err
	}
	return CaseOpened{ID: c.ID, Kind: c.Kind, Status: c.Status, EANCount: len(c.EANs), OpenedAt: c.OpenedAt}, nil
}

// caseNote checks a note typed by staff: valid UTF-8, no control characters
// but line breaks and tabs, at most MaxCaseNote characters (may be empty).
// The message never repeats the note.
func caseNote(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", coupole.Errorf(coupole.EINVALID, "note: not valid UTF-8")
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if n := utf8.RuneCountInString(s); n > MaxCaseNote {
		return "", coupole.Errorf(coupole.EINVALID, "note: %d characters, at most %d", n, MaxCaseNote)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", coupole.Errorf(coupole.EINVALID, "note: control characters are not allowed")
		}
	}
	return s, nil
}

// caseStatus is the answer to case_status (D1): the customer's cases about
// the access point opened within the requester's occupancy periods, newest
// first. Status "no_open_case" when none is open or in progress.
func (s *Service) caseStatus(ctx context.Context, sj subject, periods []period) (string, CaseStatuses, error) {
	cases, err := s.caseStore()
	if err != nil {
		return "", nil, err
	}
	cs, err := cases.CasesOfCustomer(ctx, sj.customer.ID, sj.ap.EAN)
	if err != nil {
		return "", nil, err
	}
	status, out := "no_open_case", CaseStatuses{}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if !inPeriods(periods, coupole.Date(c.OpenedAt)) {
			continue
		}
		v := CaseStatusView{Reference: c.ID, Status: c.Status, OpenedOn: day(c.OpenedAt)}
		if c.Status == coupole.CaseTaken {
			v.Status = "in_progress"
		}
		if !c.AnsweredAt.IsZero() {
			v.AnsweredOn = day(c.AnsweredAt)
		}
		if !c.ClosedAt.IsZero() {
			v.ClosedOn = day(c.ClosedAt)
		}
		if c.Active() {
			status = "open_case"
		}
		out = append(out, v)
	}
	return status, out, nil
}
