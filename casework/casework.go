// Package casework is the back office's queue of cases (D4, issue 11): a
// request about more than two access points, a written request that needs
// research, a CPAS follow-up. The back office lists the queue (no customer
// data), takes a case (one handler at a time), reads it, answers it by
// e-mail or letter — a delivery in the outbox, which the delivery worker
// sends — and closes it.
//
// Every read and every change is an audit event written first, with the
// case's customer and access points as its targets (T1); refusals are
// traced too. Only the member who took a case reads its customer data
// (need-to-know, C1): the staff policy decides it on the HandlesCase fact,
// and this service refuses anybody else as well.
package casework

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
)

// Grid is what the back office reads of the grid data to answer a case.
type Grid interface {
	Customer(ctx context.Context, id string) (coupole.Customer, error)
	AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error)
	OccupanciesOfCustomer(ctx context.Context, customerID string) ([]coupole.Occupancy, error)
}

// Service is the back-office queue. Fill every field but Logger.
type Service struct {
	Store  coupole.CaseStore
	Grid   Grid
	Audit  interaction.Tracer
	Clock  coupole.Clock
	Logger *slog.Logger
}

// MaxAnswer bounds an answer's text, in characters: a letter's page.
const MaxAnswer = 4000

// Answer media.
const (
	ByEmail  = "email"
	ByLetter = "letter"
)

// ItemCaseAnswer is the Item of a delivery that carries a case's answer.
const ItemCaseAnswer = "case_answer"

// QueueItem is a case as the queue shows it: no customer data.
type QueueItem struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Item      string     `json:"item,omitempty"`
	Channel   string     `json:"channel"`
	Status    string     `json:"status"`
	EANCount  int        `json:"ean_count"`
	OpenedAt  time.Time  `json:"opened_at"`
	TakenBy   string     `json:"taken_by,omitempty"`
	TakenAt   *time.Time `json:"taken_at,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	Mine      bool       `json:"mine"` // taken by the one asking
	AgeMinute int        `json:"age_minutes"`
}

// CaseView is a case as its handler sees it: personal data masked (C1), the
// note, and where an answer would go.
type CaseView struct {
	QueueItem
	Note           string     `json:"note,omitempty"`
	Customer       string     `json:"customer"`        // masked name
	Language       string     `json:"language"`        // the customer's: the answer is written in it
	AccessPoints   []string   `json:"access_points"`   // masked EANs
	Email          string     `json:"email,omitempty"` // masked registered e-mail, if any
	LetterAddress  string     `json:"letter_address,omitempty"`
	LetterTo       string     `json:"letter_to,omitempty"` // postal_address or installation_address
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	AnswerDelivery string     `json:"answer_delivery,omitempty"`
}

// AnswerRequest answers a case by e-mail or letter.
type AnswerRequest struct {
	By   string `json:"by"`   // email or letter
	Text string `json:"text"` // the answer, in the customer's language
}

// List lists the queue in status (every status when empty), oldest first.
// The queue holds no customer data; listing it is traced all the same.
func (s *Service) List(ctx context.Context, a interaction.Actor, status string) ([]QueueItem, error) {
	if status != "" && !contains(coupole.CaseStatuses, status) {
		return nil, coupole.Errorf(coupole.EINVALID, "status: unknown value %q (expected one of %s)", status, strings.Join(coupole.CaseStatuses, ", "))
	}
	cs, err := s.Store.Cases(ctx, status, 0)
	if err != nil {
		return nil, err
	}
	ev := audit.Event{Action: "case.list", Decision: &audit.Decision{Outcome: "ok"}, Data: []string{"status=" + status, "cases=" + strconv.Itoa(len(cs))}}
	if _, err := s.trace(ctx, a, ev, nil); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]QueueItem, 0, len(cs))
	for _, c := range cs {
		out = append(out, queueItem(c, a.StaffID, now))
	}
	return out, nil
}

// Take makes the actor the case's one handler: of two members taking the
// same case at once, one wins, the other is told it is taken (ECONFLICT).
func (s *Service) Take(ctx context.Context, a interaction.Actor, id string) (QueueItem, error) {
	c, err := s.find(ctx, a, id, "case.take")
	if err != nil {
		return QueueItem{}, err
	}
	if c.Status != coupole.CaseOpen {
		s.refused(ctx, a, c, "case.take", "not_open")
		return QueueItem{}, coupole.Errorf(coupole.ECONFLICT, "case %s is already taken or no longer open", id)
	}
	var took coupole.Case
	_, err = s.trace(ctx, a, caseEvent("case.take", c), func(ctx context.Context, _ uint64) error {
		var err error
		took, err = s.Store.TakeCase(ctx, id, a.StaffID, s.Clock.Now())
		return err
	})
	if err != nil {
		return QueueItem{}, err
	}
	return queueItem(took, a.StaffID, s.Clock.Now()), nil
}

// Read shows the case to its handler, traced first with its targets.
func (s *Service) Read(ctx context.Context, a interaction.Actor, id string) (CaseView, error) {
	c, err := s.handled(ctx, a, id, "case.read")
	if err != nil {
		return CaseView{}, err
	}
	v, err := s.view(ctx, a, c)
	if err != nil {
		return CaseView{}, err
	}
	if _, err := s.trace(ctx, a, caseEvent("case.read", c), nil); err != nil {
		return CaseView{}, err
	}
	return v, nil
}

// Answer puts the answer in the outbox: one pending delivery (an e-mail to
// the customer's registered address, or a letter) carrying the text, created
// with the case's change in the answer's own audit transaction. The text is
// not traced: it is the customer's correspondence, kept with the delivery.
func (s *Service) Answer(ctx context.Context, a interaction.Actor, id string, r AnswerRequest) (CaseView, error) {
	text, err := answerText(r.Text)
	if err != nil {
		return CaseView{}, err
	}
	if r.By != ByEmail && r.By != ByLetter {
		return CaseView{}, coupole.Errorf(coupole.EINVALID, "by: unknown value %q (expected email or letter)", r.By)
	}
	c, err := s.handled(ctx, a, id, "case.answer")
	if err != nil {
		return CaseView{}, err
	}
	if c.Status != coupole.CaseTaken {
		s.refused(ctx, a, c, "case.answer", "already_answered")
		return CaseView{}, coupole.Errorf(coupole.ECONFLICT, "case %s is already answered", id)
	}
	cu, err := s.Grid.Customer(ctx, c.CustomerID)
	if err != nil {
		return CaseView{}, err
	}
	now := s.Clock.Now()
	sum := sha256.Sum256([]byte(c.ID + "\x00" + r.By + "\x00" + text))
	d := coupole.Delivery{ID: newID("d-", now), InteractionID: c.InteractionID, StaffID: a.StaffID, Item: ItemCaseAnswer, CustomerID: c.CustomerID,
		IdempotencyKey: "case-answer:" + c.ID, RequestHash: hex.EncodeToString(sum[:]), Status: "pending", CreatedAt: now, Text: text}
	if len(c.EANs) > 0 {
		d.EAN = c.EANs[0]
	}
	traced := ""
	switch r.By {
	case ByEmail:
		if strings.TrimSpace(cu.Email) == "" {
			s.refused(ctx, a, c, "case.answer", "no_registered_email")
			return CaseView{}, coupole.Errorf(coupole.ECONFLICT, "the customer has no registered e-mail address: answer by letter")
		}
		d.Kind, d.Recipient, traced = coupole.DeliveryEmail, cu.Email, "registered_email"
	case ByLetter:
		to, _, err := s.letterAddress(ctx, c, cu)
		if err != nil {
			s.refused(ctx, a, c, "case.answer", "no_letter_address")
			return CaseView{}, err
		}
		d.Kind, d.Recipient, traced = coupole.DeliveryLetter, to, to
	}
	ev := caseEvent("case.answer", c)
	ev.Data = append(ev.Data, "delivery="+d.ID, "kind="+d.Kind, "recipient="+traced, "chars="+strconv.Itoa(utf8.RuneCountInString(text)))
	var answered coupole.Case
	_, err = s.trace(ctx, a, ev, func(ctx context.Context, idx uint64) error {
		d.AuditIndex = idx
		var err error
		answered, err = s.Store.AnswerCase(ctx, id, a.StaffID, d, now)
		return err
	})
	if err != nil {
		return CaseView{}, err
	}
	return s.view(ctx, a, answered)
}

// Close closes the case its handler took, answered or not.
func (s *Service) Close(ctx context.Context, a interaction.Actor, id string) (QueueItem, error) {
	c, err := s.handled(ctx, a, id, "case.close")
	if err != nil {
		return QueueItem{}, err
	}
	var closed coupole.Case
	_, err = s.trace(ctx, a, caseEvent("case.close", c), func(ctx context.Context, _ uint64) error {
		var err error
		closed, err = s.Store.CloseCase(ctx, id, a.StaffID, s.Clock.Now())
		return err
	})
	if err != nil {
		return QueueItem{}, err
	}
	return queueItem(closed, a.StaffID, s.Clock.Now()), nil
}

// HandlesCase is the need-to-know fact of the staff policy: staffID took
// case id and it is not closed (C1). An unknown case is not handled.
func (s *Service) HandlesCase(ctx context.Context, staffID, id string) (bool, error) {
	c, err := s.Store.Case(ctx, id)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return c.HandledBy(staffID), nil
}

// letterAddress decides where a letter answering c goes: the customer's
// correspondence address on file (docs/policies.md: a letter for a former
// occupant never goes to their successor's door, so an answer never goes to
// the installation address). Every customer record holds one (the grid
// import requires it); a record without one is refused all the same.
func (s *Service) letterAddress(ctx context.Context, c coupole.Case, cu coupole.Customer) (string, coupole.Address, error) {
	if cu.PostalAddress.Validate() == nil {
		return "postal_address", cu.PostalAddress, nil
	}
	return "", coupole.Address{}, coupole.Errorf(coupole.ECONFLICT, "the customer has no correspondence address on file: answer by e-mail")
}

func (s *Service) view(ctx context.Context, a interaction.Actor, c coupole.Case) (CaseView, error) {
	cu, err := s.Grid.Customer(ctx, c.CustomerID)
	if err != nil {
		return CaseView{}, err
	}
	v := CaseView{QueueItem: queueItem(c, a.StaffID, s.Clock.Now()), Note: c.Note, Customer: cu.MaskedName(), Language: string(cu.Language),
		AccessPoints: []string{}, AnswerDelivery: c.AnswerDelivery}
	for _, e := range c.EANs {
		v.AccessPoints = append(v.AccessPoints, e.Masked())
	}
	if cu.Email != "" {
		v.Email = MaskEmail(cu.Email)
	}
	if to, addr, err := s.letterAddress(ctx, c, cu); err == nil {
		v.LetterTo, v.LetterAddress = to, addr.Masked()
	} else if coupole.ErrorCode(err) != coupole.ECONFLICT {
		return CaseView{}, err
	}
	if !c.AnsweredAt.IsZero() {
		t := c.AnsweredAt
		v.AnsweredAt = &t
	}
	return v, nil
}

// MaskEmail keeps the first character of the local part and the domain:
// "j•••@example.org".
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "•••"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "•••@" + domain
}

func queueItem(c coupole.Case, staffID string, now time.Time) QueueItem {
	q := QueueItem{ID: c.ID, Kind: c.Kind, Item: c.Item, Channel: c.Channel, Status: c.Status, EANCount: len(c.EANs), OpenedAt: c.OpenedAt,
		TakenBy: c.TakenBy, Mine: c.TakenBy != "" && c.TakenBy == staffID, AgeMinute: max(0, int(now.Sub(c.OpenedAt)/time.Minute))}
	if !c.TakenAt.IsZero() {
		t := c.TakenAt
		q.TakenAt = &t
	}
	if !c.ClosedAt.IsZero() {
		t := c.ClosedAt
		q.ClosedAt = &t
	}
	return q
}

// answerText checks an answer typed by staff: valid UTF-8, no control
// characters but line breaks and tabs, 1 to MaxAnswer characters. The
// message never repeats the text.
func answerText(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", coupole.Errorf(coupole.EINVALID, "text: not valid UTF-8")
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return "", coupole.Errorf(coupole.EINVALID, "text: the answer is empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxAnswer {
		return "", coupole.Errorf(coupole.EINVALID, "text: %d characters, at most %d", n, MaxAnswer)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", coupole.Errorf(coupole.EINVALID, "text: control characters are not allowed")
		}
	}
	return s, nil
}

// caseEvent is the audit event of an action on c, with its targets.
func caseEvent(action string, c coupole.Case) audit.Event {
	ev := audit.Event{Action: action, Interaction: c.InteractionID, Customers: []string{c.CustomerID}, Decision: &audit.Decision{Outcome: "ok"},
		Data: []string{"case=" + c.ID, "case_kind=" + c.Kind}}
	for _, e := range c.EANs {
		ev.AccessPoints = append(ev.AccessPoints, string(e))
	}
	return ev
}

// find reads case id; a missing one is refused and traced with the id asked.
func (s *Service) find(ctx context.Context, a interaction.Actor, id, action string) (coupole.Case, error) {
	c, err := s.Store.Case(ctx, id)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		s.refused(ctx, a, coupole.Case{ID: id}, action, "not_found")
	}
	return c, err
}

// handled reads a case the actor handles. Somebody else's case is "not
// found": nobody learns about cases they did not take (C1).
func (s *Service) handled(ctx context.Context, a interaction.Actor, id, action string) (coupole.Case, error) {
	c, err := s.find(ctx, a, id, action)
	if err != nil {
		return c, err
	}
	if !c.HandledBy(a.StaffID) {
		s.refused(ctx, a, c, action, "not_handler")
		return coupole.Case{}, coupole.Errorf(coupole.ENOTFOUND, "case %s not found among the cases you handle", id)
	}
	return c, nil
}

// refused traces a refused action on c with its targets. The refusal stands
// whether or not its trace is written (nothing was served or changed).
func (s *Service) refused(ctx context.Context, a interaction.Actor, c coupole.Case, action, reason string) {
	ev := audit.Event{Action: action, Decision: &audit.Decision{Outcome: "refused", Reason: reason}, Data: []string{"case=" + c.ID}}
	if c.CustomerID != "" {
		ev = caseEvent(action, c)
		ev.Decision = &audit.Decision{Outcome: "refused", Reason: reason}
	}
	s.trace(ctx, a, ev, nil)
}

// trace appends ev for a and then makes then's change with the event's
// index, in the event's own transaction (interaction.TraceFirst). Trace
// first: nothing changes without its event.
func (s *Service) trace(ctx context.Context, a interaction.Actor, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	ev.Actor, ev.Client = a.StaffID, a.Client
	idx, err := interaction.TraceFirst(ctx, s.Audit, ev, then)
	if interaction.IsTraceNotWritten(err) && s.Logger != nil {
		s.Logger.Error("casework: trace not written, request refused", "action", ev.Action, "err", err)
	}
	return idx, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// newID returns prefix, the time in milliseconds and random bytes, like the
// interaction service's ids (time first: rows land at the end of indexes).
func newID(prefix string, t time.Time) string {
	var b [14]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	rand.Read(b[6:])
	return prefix + hex.EncodeToString(b[:])
}
