package governance

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
)

// The confidentiality charter (issue 12, item 6: S1). The privacy officer
// publishes versions of it in the four languages; nobody opens customer
// data (coupole.CharterActions) before acknowledging the current version,
// within the last year; awareness campaigns are recorded beside it. Each
// publication, acknowledgement and campaign is traced before it is
// recorded.

// Staff events of the charter.
const (
	EventCharterPublished    = "charter.published"
	EventCharterAcknowledged = "charter.acknowledged"
	EventAwarenessRecorded   = "charter.awareness_recorded"
)

// CharterStore is what the charter needs of the database.
type CharterStore interface {
	Store
	coupole.CharterStore
}

// Charters is the charter service.
type Charters struct {
	Lifecycle *Lifecycle
	Store     CharterStore
}

// MaxCharterText bounds each language's text.
const MaxCharterText = 64 << 10

// Publish publishes a new version of the charter, which every staff member
// must then acknowledge before opening customer data again.
func (c *Charters) Publish(ctx context.Context, actorID, version string, text map[coupole.Language]string) (coupole.Charter, error) {
	l := c.Lifecycle
	a, err := l.pageActor(ctx, actorID, coupole.ActionPublishCharter)
	if err != nil {
		return coupole.Charter{}, err
	}
	if a.staffID == "" {
		return coupole.Charter{}, coupole.Errorf(coupole.EFORBIDDEN, "the charter is published by the privacy officer: act as a staff member (--as)")
	}
	version = strings.TrimSpace(version)
	if version == "" || len(version) > 40 || strings.ContainsAny(version, " \t\r\n/") {
		return coupole.Charter{}, coupole.Errorf(coupole.EINVALID, "version: give a short label without spaces, like 2026.1")
	}
	ch := coupole.Charter{Version: version, PublishedAt: l.Clock.Now(), PublishedBy: a.staffID, Text: map[coupole.Language]string{}}
	for _, lang := range []coupole.Language{coupole.French, coupole.Dutch, coupole.German, coupole.English} {
		t := strings.TrimSpace(text[lang])
		switch {
		case t == "":
			return ch, coupole.Errorf(coupole.EINVALID, "charter %s: the %s text is missing (French, Dutch, German and English are all required)", version, lang)
		case !utf8.ValidString(t):
			return ch, coupole.Errorf(coupole.EINVALID, "charter %s: the %s text is not UTF-8", version, lang)
		case len(t) > MaxCharterText:
			return ch, coupole.Errorf(coupole.EINVALID, "charter %s: the %s text is longer than %d bytes", version, lang, MaxCharterText)
		}
		ch.Text[lang] = t
	}
	ev := coupole.StaffEvent{Type: EventCharterPublished, At: ch.PublishedAt, Actor: a.raw, Subject: version, Outcome: "ok"}
	if err := l.trace(ctx, ev); err != nil {
		return ch, err
	}
	if err := c.Store.PublishCharter(ctx, ch); err != nil {
		l.traceFailure(ctx, ev, err)
		return ch, err
	}
	return ch, nil
}

// Status is where a staff member stands with the charter.
type Status struct {
	Charter        coupole.Charter // the current version; zero if none is published
	Published      bool
	AcknowledgedAt time.Time // of the current version; zero if never
	Cleared        bool      // may open customer data
	Reason         string    // when not cleared: "never", "new_version" or "expired"
}

// StatusOf says whether staffID may open customer data at now. With no
// charter published there is nothing to acknowledge: the gate is open (serve
// warns at start-up).
func (c *Charters) StatusOf(ctx context.Context, staffID string, now time.Time) (Status, error) {
	ch, err := c.Store.CurrentCharter(ctx)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return Status{Cleared: true}, nil
	} else if err != nil {
		return Status{}, err
	}
	s := Status{Charter: ch, Published: true}
	if s.AcknowledgedAt, err = c.Store.LastAcknowledgement(ctx, staffID, ch.Version); err != nil {
		return s, err
	}
	switch {
	case s.AcknowledgedAt.IsZero():
		s.Reason = "never"
		if any, err := c.anyAcknowledgement(ctx, staffID); err != nil {
			return s, err
		} else if any {
			s.Reason = "new_version"
		}
	case now.Sub(s.AcknowledgedAt) >= coupole.CharterValidity:
		s.Reason = "expired"
	default:
		s.Cleared = true
	}
	return s, nil
}

func (c *Charters) anyAcknowledgement(ctx context.Context, staffID string) (bool, error) {
	list, err := c.Store.ListCharters(ctx)
	if err != nil {
		return false, err
	}
	for _, ch := range list[min(1, len(list)):] {
		at, err := c.Store.LastAcknowledgement(ctx, staffID, ch.Version)
		if err != nil {
			return false, err
		}
		if !at.IsZero() {
			return true, nil
		}
	}
	return false, nil
}

// Acknowledge records that staffID read and accepts version, which must be
// the current one (a newer version may have been published meanwhile).
func (c *Charters) Acknowledge(ctx context.Context, staffID, version string) error {
	l := c.Lifecycle
	st, err := c.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if st.Status != coupole.StaffActive {
		// A refusal is traced with its target, like the policy's.
		if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventAccessDenied, Actor: staffID, Subject: staffID, Outcome: "refused",
			Reason: "revoked", Details: map[string]string{"action": string(coupole.ActionAcknowledgeCharter)}}); err != nil {
			return err
		}
		return coupole.Errorf(coupole.EFORBIDDEN, "staff %s is revoked", staffID)
	}
	ch, err := c.Store.CurrentCharter(ctx)
	if err != nil {
		return err
	}
	if ch.Version != version {
		return coupole.Errorf(coupole.ECONFLICT, "charter %s is no longer the current version (%s): read the current one", version, ch.Version)
	}
	now := l.Clock.Now()
	ev := coupole.StaffEvent{Type: EventCharterAcknowledged, At: now, Actor: staffID, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"version": version}}
	if err := l.trace(ctx, ev); err != nil {
		return err
	}
	if err := c.Store.AcknowledgeCharter(ctx, staffID, version, now); err != nil {
		l.traceFailure(ctx, ev, err)
		return err
	}
	return nil
}

// RecordAwareness records an awareness campaign: title, date, audience and
// who attended (staff ids).
func (c *Charters) RecordAwareness(ctx context.Context, actorID string, a coupole.AwarenessCampaign) (coupole.AwarenessCampaign, error) {
	l := c.Lifecycle
	act, err := l.pageActor(ctx, actorID, coupole.ActionPublishCharter)
	if err != nil {
		return a, err
	}
	if act.staffID == "" {
		return a, coupole.Errorf(coupole.EFORBIDDEN, "awareness campaigns are recorded by the privacy officer: act as a staff member (--as)")
	}
	a.Title, a.Audience = strings.TrimSpace(a.Title), strings.TrimSpace(a.Audience)
	switch {
	case a.Title == "" || len(a.Title) > 200:
		return a, coupole.Errorf(coupole.EINVALID, "awareness: a title (at most 200 characters) is required")
	case a.Audience == "" || len(a.Audience) > 200:
		return a, coupole.Errorf(coupole.EINVALID, "awareness: the audience (at most 200 characters) is required, e.g. \"advisors, back office\"")
	case a.HeldOn.IsZero():
		return a, coupole.Errorf(coupole.EINVALID, "awareness: the date is required")
	}
	seen := map[string]bool{}
	var attendees []string
	for _, s := range a.Attendees {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		if _, err := c.Store.Staff(ctx, s); coupole.ErrorCode(err) == coupole.ENOTFOUND {
			return a, coupole.Errorf(coupole.EINVALID, "awareness: attendee %s is no staff member", s)
		} else if err != nil {
			return a, err
		}
		seen[s] = true
		attendees = append(attendees, s)
	}
	a.Attendees = attendees
	a.ID, a.RecordedBy, a.RecordedAt = newID("aw-"), act.raw, l.Clock.Now()
	a.HeldOn = time.Date(a.HeldOn.Year(), a.HeldOn.Month(), a.HeldOn.Day(), 0, 0, 0, 0, time.UTC)
	ev := coupole.StaffEvent{Type: EventAwarenessRecorded, At: a.RecordedAt, Actor: act.raw, Subject: a.ID, Outcome: "ok",
		Details: map[string]string{"held_on": a.HeldOn.Format(time.DateOnly), "attendees": strings.Join(attendees, ",")}}
	if err := l.trace(ctx, ev); err != nil {
		return a, err
	}
	if err := c.Store.RecordAwareness(ctx, a); err != nil {
		l.traceFailure(ctx, ev, err)
		return a, err
	}
	return a, nil
}

// Rate is the share of active staff members cleared at now, in percent,
// with the counts.
func (c *Charters) Rate(ctx context.Context, now time.Time) (cleared, active int, err error) {
	list, err := c.Store.ListStaff(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, st := range list {
		if st.Status != coupole.StaffActive {
			continue
		}
		active++
		s, err := c.StatusOf(ctx, st.ID, now)
		if err != nil {
			return 0, 0, err
		}
		if s.Cleared && s.Published {
			cleared++
		}
	}
	return cleared, active, nil
}
