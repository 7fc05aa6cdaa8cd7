package oversight

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/redact"
)

// Service is what team leads and security do with alerts: list them,
// acknowledge them with a note (traced), and the report's figures.
type Service struct {
	Store coupole.OversightStore
	Audit interaction.Tracer
	Clock coupole.Clock
	// Interactions reads one interaction's metadata for the team lead's
	// pages; OpenTooLong marks the open ones held too long (Config).
	Interactions InteractionReader
	OpenTooLong  time.Duration
}

// MaxNoteLength bounds an acknowledgement's note.
const MaxNoteLength = 500

// AckRequest acknowledges an alert: the reviewer says what they found.
type AckRequest struct {
	Note string `json:"note"`
}

// Acknowledge records that a reviewer looked at an alert and what they
// found. The event is traced first (the note itself stays out of the
// trace: it may name people); nobody acknowledges an alert about
// themselves (the staff policy refuses it before this is called).
func (s *Service) Acknowledge(ctx context.Context, a interaction.Actor, id string, r AckRequest) (interaction.AlertView, error) {
	note := strings.TrimSpace(r.Note)
	switch {
	case note == "":
		return interaction.AlertView{}, coupole.Errorf(coupole.EINVALID, "note: say what you found before acknowledging the alert")
	case utf8.RuneCountInString(note) > MaxNoteLength:
		return interaction.AlertView{}, coupole.Errorf(coupole.EINVALID, "note: at most %d characters", MaxNoteLength)
	}
	// A note is free text: it is stored with its structured identifiers
	// (EANs, phone numbers, e-mails…) redacted (G5).
	note = redact.Text(note, redact.Options{}).Text
	al, err := s.Store.Alert(ctx, id)
	if err != nil {
		return interaction.AlertView{}, err
	}
	if !al.AckedAt.IsZero() {
		return interaction.AlertView{}, coupole.Errorf(coupole.ECONFLICT, "alert %s is already acknowledged", id)
	}
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "alert.acknowledge", Interaction: al.InteractionID,
		Decision: &audit.Decision{Outcome: "acknowledged", Reason: al.Kind},
		Data:     []string{"alert=" + al.ID, "target=" + al.Target, "note_chars=" + strconv.Itoa(utf8.RuneCountInString(note))}}
	var out coupole.InteractionAlert
	_, err = interaction.TraceFirst(ctx, s.Audit, ev, func(ctx context.Context, _ uint64) error {
		var err error
		out, err = s.Store.AcknowledgeAlert(ctx, id, a.StaffID, note, s.Clock.Now())
		return err
	})
	if err != nil {
		return interaction.AlertView{}, err
	}
	return interaction.NewAlertView(out), nil
}

// Alerts lists the alerts of every kind raised in the last days days,
// newest first, for team leads and security; the list is traced.
func (s *Service) Alerts(ctx context.Context, a interaction.Actor, days int, unacknowledged bool) ([]interaction.AlertView, error) {
	as, err := s.Store.ListAlerts(ctx, coupole.AlertFilter{From: s.Clock.Now().AddDate(0, 0, -days), Unacknowledged: unacknowledged})
	if err != nil {
		return nil, err
	}
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "alert.list", Data: []string{"alerts=" + strconv.Itoa(len(as)), "masked_access_point"}}
	if _, err := interaction.TraceFirst(ctx, s.Audit, ev, nil); err != nil {
		return nil, err
	}
	out := make([]interaction.AlertView, 0, len(as))
	for _, al := range as {
		out = append(out, interaction.NewAlertView(al))
	}
	return out, nil
}

// AllAlertKinds are the kinds the report counts: the verification alerts
// (issue 10) and the anomaly alerts. Kinds other parts add (retention's)
// are counted as they appear.
var AllAlertKinds = append([]string{coupole.AlertVerificationLocked, coupole.AlertVerificationBudgetSpent}, coupole.AnomalyAlertKinds...)

// Figures gives the yearly report its oversight figures (G4, T1): alerts
// raised in [from, to) by kind, and how many of them were acknowledged.
func (s *Service) Figures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	counts, err := s.Store.CountAlerts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	kinds := append([]string(nil), AllAlertKinds...)
	known := map[string]bool{}
	for _, k := range kinds {
		known[k] = true
	}
	for k := range counts {
		if base, _, _ := strings.Cut(k, "/"); !known[base] {
			known[base] = true
			kinds = append(kinds, base)
		}
	}
	var total, acked int64
	var out []coupole.Figure
	for _, k := range kinds {
		q := "SELECT count(*) FROM interaction_alerts WHERE kind = '" + k + "' AND raised_at >= :from AND raised_at < :to"
		out = append(out,
			coupole.Figure{Key: "oversight.alerts." + k, Requirement: "T1", Query: q, Value: counts[k], Unit: "count"},
			coupole.Figure{Key: "oversight.alerts." + k + ".acknowledged", Requirement: "T1", Query: q + " AND acked_at > 0", Value: counts[k+"/acknowledged"], Unit: "count"})
		total += counts[k]
		acked += counts[k+"/acknowledged"]
	}
	q := "SELECT count(*) FROM interaction_alerts WHERE raised_at >= :from AND raised_at < :to"
	out = append(out,
		coupole.Figure{Key: "oversight.alerts", Requirement: "T1", Query: q, Value: total, Unit: "count"},
		coupole.Figure{Key: "oversight.alerts.acknowledged", Requirement: "T1", Query: q + " AND acked_at > 0", Value: acked, Unit: "count"})
	return out, nil
}

var _ coupole.FigureSource = (*Service)(nil)
