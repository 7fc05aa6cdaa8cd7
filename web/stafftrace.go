package web

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// AuditAppender is what staff events are written to: *audit.Log.
type AuditAppender interface {
	Append(ctx context.Context, ev audit.Event) (uint64, error)
}

// AuditStaffTracer writes staff events into the audit log (T1, issue 5
// point 8). The server and the command line both use it.
type AuditStaffTracer struct{ Log AuditAppender }

// TraceStaff appends the audit event of e; an error means it is not traced.
func (t AuditStaffTracer) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	_, err := t.Log.Append(ctx, StaffAuditEvent(e))
	return err
}

// maxTracedText bounds one free-text value of a staff event (a reason, a
// login tried): the event must fit the log's payload limit whatever was sent.
const maxTracedText = 512

// StaffAuditEvent maps a staff event onto an audit event: the event type is
// the action, the decision carries outcome and reason, the other facts go in
// Data as key=value items, sorted. Three keys are the event's targets and go
// in the erasable, searchable fields, never in Data: "customer" (a customer
// id), "access_point" (an EAN) and "interaction"; "client" is the client
// address. Every text is made valid UTF-8 and bounded (a sign-in with a
// garbled user name is traced all the same, issue 10 item 5).
func StaffAuditEvent(e coupole.StaffEvent) audit.Event {
	ev := audit.Event{Actor: traceText(e.Actor), Action: traceText(e.Type), Decision: &audit.Decision{Outcome: traceText(e.Outcome), Reason: traceText(e.Reason)}}
	if ev.Actor == "" {
		ev.Actor = "anonymous"
	}
	if e.Subject != "" {
		ev.Data = append(ev.Data, "subject="+traceText(e.Subject))
	}
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := traceText(e.Details[k])
		switch {
		case v == "":
		case k == "customer":
			ev.Customers = append(ev.Customers, v)
		case k == "access_point":
			ev.AccessPoints = append(ev.AccessPoints, v)
		case k == "interaction":
			ev.Interaction = v
		case k == "client":
			ev.Client = v
		default:
			ev.Data = append(ev.Data, traceText(k)+"="+v)
		}
	}
	return ev
}

// traceText returns s as valid UTF-8 (invalid bytes replaced by U+FFFD),
// cut on a rune boundary to at most maxTracedText bytes.
func traceText(s string) string {
	return cutText(strings.ToValidUTF8(s, "\uFFFD"), maxTracedText)
}

// cutText cuts s to at most n bytes without splitting a character.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
