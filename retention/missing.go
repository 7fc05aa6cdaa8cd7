package retention

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// R1 proven for calls (issue 13 item 5): every phone interaction should have
// a call recording registered (by the platform's notification or the CSV
// import) within a grace period after the call. One that has none by then
// raises an oversight alert, which the team lead or the privacy officer
// acknowledges with a note (issue 16's alert store and screens).

// AlertRecordingMissing is the oversight alert kind of a call without a
// recording after the grace period.
const AlertRecordingMissing = "recording_missing"

// DefaultRecordingGrace is how long after a call its recording may arrive.
const DefaultRecordingGrace = 2 * time.Hour

// MissingHorizon is how far back the check looks: calls closed earlier
// than grace + horizon ago are not alerted on any more (a first start on
// an old database would otherwise raise one alert per old call).
const MissingHorizon = 7 * 24 * time.Hour

// Unrecorded is a phone interaction closed without a registered recording.
type Unrecorded struct {
	InteractionID string
	StaffID       string
	Channel       string
	ClosedAt      time.Time
}

// MissingStore finds unrecorded calls and raises alerts; sqlstore.DB is one.
type MissingStore interface {
	// UnrecordedCalls returns at most limit phone interactions closed in
	// [from, to) without a recording and without a recording_missing alert.
	UnrecordedCalls(ctx context.Context, from, to time.Time, limit int) ([]Unrecorded, error)
	RaiseAlert(ctx context.Context, al coupole.InteractionAlert) (bool, error)
}

// MissingRecordings raises the recording_missing alerts.
type MissingRecordings struct {
	Store MissingStore
	Audit Tracer
	Clock coupole.Clock
	Grace time.Duration // DefaultRecordingGrace when 0
}

// Check raises an alert for each call closed more than the grace period
// ago (and less than the horizon before that) that has no recording; each
// alert is raised once and traced. It returns the alerts raised.
func (m *MissingRecordings) Check(ctx context.Context) ([]coupole.InteractionAlert, error) {
	grace := m.Grace
	if grace <= 0 {
		grace = DefaultRecordingGrace
	}
	now := m.Clock.Now()
	to := now.Add(-grace)
	var raised []coupole.InteractionAlert
	for {
		calls, err := m.Store.UnrecordedCalls(ctx, to.Add(-MissingHorizon), to, 500)
		if err != nil {
			return raised, err
		}
		for _, c := range calls {
			key := AlertRecordingMissing + "/" + c.InteractionID
			sum := sha256.Sum256([]byte(key))
			al := coupole.InteractionAlert{ID: "al-" + hex.EncodeToString(sum[:10]), Kind: AlertRecordingMissing, InteractionID: c.InteractionID,
				StaffID: c.StaffID, RaisedAt: now, Target: "interaction:" + c.InteractionID, DedupeKey: key,
				Reason: fmt.Sprintf("call %s (%s) closed at %s has no recording after %s: R1 not proven for it", c.InteractionID, c.Channel,
					c.ClosedAt.UTC().Format(time.RFC3339), grace)}
			created, err := m.Store.RaiseAlert(ctx, al)
			if err != nil {
				return raised, err
			}
			if !created {
				continue
			}
			raised = append(raised, al)
			ev := audit.Event{Actor: PurgeActor, Action: "alert.raise", Interaction: c.InteractionID,
				Decision: &audit.Decision{Outcome: "raised", Reason: AlertRecordingMissing}, Data: []string{"alert=" + al.ID, "target=" + al.Target}}
			if _, err := m.Audit.Append(ctx, ev); err != nil {
				return raised, coupole.Wrap(err, coupole.EUNAVAILABLE, "alert %s raised but not traced", al.ID)
			}
		}
		if len(calls) < 500 {
			return raised, nil
		}
	}
}
