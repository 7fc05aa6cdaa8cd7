package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/genesys"
	"github.com/coupole/coupole/retention"
)

// RecordingIntake takes the contact-center platform's recording
// notifications (issue 13, item 1a): signature and timestamp first
// (genesys.Verify), then the notification is checked whole, then the
// recording is registered, trace first, with its class from the wrap-up
// code — and its event id taken (replay protection, kept in the database
// so every node sees it) in the registration's own transaction: one
// transaction per notification, the id and the recording together or
// neither. A replayed, invalid or ignored notification writes nothing.
type RecordingIntake struct {
	Secret   []byte
	Clock    coupole.Clock
	Replay   ReplayStore
	Registry *retention.Service
	Logger   *slog.Logger
}

// ReplayStore remembers notification ids; sqlstore.DB is one.
// TakeWebhookEvent joins the transaction its context carries.
type ReplayStore interface {
	WebhookEventTaken(ctx context.Context, id string) (bool, error)
	TakeWebhookEvent(ctx context.Context, id string, at time.Time, keep time.Duration) error
}

// RecordingEventsPath is the intake's route.
const RecordingEventsPath = "/api/v1/recordings/events"

// machineAPIRoutes are the /api/ routes machines call without a staff
// session; web/openapi.json describes them with the staff routes.
var machineAPIRoutes = []string{"POST " + RecordingEventsPath}

// EnableRecordingIntake serves the intake on s.
func (s *Server) EnableRecordingIntake(h *RecordingIntake) {
	s.Handle("POST "+RecordingEventsPath, h)
}

// recordingEventAnswer is the intake's answer.
type recordingEventAnswer struct {
	Outcome string `json:"outcome"` // "registered", "known" or "ignored"
	Item    string `json:"item,omitempty"`
}

func (h *RecordingIntake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		writeError(h.Logger, w, r, coupole.Errorf(coupole.EINVALID, "request body: unreadable or larger than %d KiB", maxBodyBytes>>10))
		return
	}
	now := h.Clock.Now()
	if err := genesys.Verify(h.Secret, r.Header.Get(genesys.TimestampHeader), r.Header.Get(genesys.SignatureHeader), body, now); err != nil {
		writeError(h.Logger, w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var n genesys.Notification
	if err := decodeJSON(r, &n); err != nil {
		writeError(h.Logger, w, r, err)
		return
	}
	if n.ID == "" {
		writeError(h.Logger, w, r, coupole.Errorf(coupole.EINVALID, "id: required"))
		return
	}
	ans, err := h.take(r.Context(), n, now)
	if err != nil {
		writeError(h.Logger, w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if ans.Outcome == "registered" {
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(ans)
}

func (h *RecordingIntake) take(ctx context.Context, n genesys.Notification, now time.Time) (recordingEventAnswer, error) {
	if !genesys.RecordingTopic(n.TopicName) {
		// Nothing is written for it, so a replay of it does no harm.
		return recordingEventAnswer{Outcome: "ignored"}, nil
	}
	b := n.EventBody
	if b.ConversationID == "" || b.RecordingID == "" {
		return recordingEventAnswer{}, coupole.Errorf(coupole.EINVALID, "eventBody: conversationId and recordingId are required")
	}
	kind := map[string]string{"call": retention.KindRecording, "email": retention.KindEmail, "chat": retention.KindChat}[b.MediaType]
	if kind == "" {
		return recordingEventAnswer{}, coupole.Errorf(coupole.EINVALID, "eventBody.mediaType: want call, email or chat")
	}
	if b.StartTime.IsZero() {
		return recordingEventAnswer{}, coupole.Errorf(coupole.EINVALID, "eventBody.startTime: required")
	}
	// Asked before tracing, so that a replay leaves no register event
	// behind; the id is taken for good below, in the registration's
	// transaction, which also settles two deliveries racing past this.
	taken, err := h.Replay.WebhookEventTaken(ctx, n.ID)
	if err != nil {
		return recordingEventAnswer{}, err
	}
	if taken {
		return recordingEventAnswer{}, replayed(n.ID)
	}
	it, err := h.Registry.RegisterWith(ctx, "system:"+retention.SourceGenesys, retention.Item{
		Kind: kind, Source: retention.SourceGenesys, ExternalID: genesys.ExternalID(b.ConversationID, b.RecordingID), Channel: b.MediaType,
		InteractionID: b.InteractionID, CallReason: b.WrapupCode, Start: b.StartTime, End: b.EndTime, Size: b.FileSizeBytes, SHA256: b.SHA256,
	}, func(ctx context.Context) error {
		if err := h.Replay.TakeWebhookEvent(ctx, n.ID, now, 2*genesys.MaxSkew); err != nil {
			if coupole.ErrorCode(err) == coupole.ECONFLICT {
				return errReplay{err}
			}
			return err
		}
		return nil
	})
	var replay errReplay
	switch {
	case errors.As(err, &replay):
		return recordingEventAnswer{}, replay.error
	case coupole.ErrorCode(err) == coupole.ECONFLICT:
		// The same recording notified twice under two ids: it is known.
		// Its id went with the undone registration: a redelivery of it is
		// answered "known" again, which is what it is.
		return recordingEventAnswer{Outcome: "known"}, nil
	case err != nil:
		return recordingEventAnswer{}, err
	}
	return recordingEventAnswer{Outcome: "registered", Item: it.ID}, nil
}

// errReplay tells the id's conflict (a replay) from the recording's (a
// known recording), both ECONFLICT from the store.
type errReplay struct{ error }

func (e errReplay) Unwrap() error { return e.error }

func replayed(id string) error {
	return coupole.Errorf(coupole.ECONFLICT, "notification %s was received already: refused as a replay", id)
}
