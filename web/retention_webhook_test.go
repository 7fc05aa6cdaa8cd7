package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/genesys"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/web"
	"github.com/coupole/coupole/web/apitest"
)

var webhookSecret = []byte("a shared secret of the relay, 32+ bytes long")

type intakeFixture struct {
	url   string
	db    *sqlstore.DB
	clock *coupole.FixedClock
}

func mustIntake(t *testing.T, db *sqlstore.DB) *intakeFixture {
	clock := &coupole.FixedClock{T: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	srv := web.NewServer(slog.New(slog.DiscardHandler), db)
	srv.EnableRecordingIntake(&web.RecordingIntake{Secret: webhookSecret, Clock: clock, Replay: db, Logger: slog.New(slog.DiscardHandler),
		Registry: &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &intakeFixture{url: ts.URL, db: db, clock: clock}
}

func notification(id, topic, conv, reason string) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "topicName": topic, "eventBody": map[string]any{
		"conversationId": conv, "recordingId": "rec-1", "mediaType": "call", "startTime": "2026-03-02T09:00:00Z", "endTime": "2026-03-02T09:06:00Z",
		"wrapupCode": reason, "coupoleInteractionId": "int-" + conv, "fileSizeBytes": 4096}})
	return b
}

// post sends body signed at signedAt (with secret) through the OpenAPI
// checking transport.
func (f *intakeFixture) post(t *testing.T, body []byte, secret []byte, signedAt time.Time, tamper func(h http.Header)) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", f.url+web.RecordingEventsPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	ts, sig := genesys.Sign(secret, signedAt, body)
	req.Header.Set(genesys.TimestampHeader, ts)
	req.Header.Set(genesys.SignatureHeader, sig)
	if tamper != nil {
		tamper(req.Header)
	}
	resp, err := (&http.Client{Transport: apitest.Transport(web.OpenAPIDocument(), "/api/", nil)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// R1 (issue 13, item 1a): the intake registers signed, fresh, first-seen
// notifications and refuses the others, registering nothing for them.
func TestRecordingIntakeSignatureAndReplay(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		f := mustIntake(t, db)
		now := f.clock.T
		topic := "v2.conversations.c-1.recordings"
		for _, tc := range []struct {
			name     string
			body     []byte
			secret   []byte
			at       time.Time
			tamper   func(http.Header)
			status   int
			contains string
		}{
			{"registered", notification("ev-1", topic, "c-1", "emergency_gas_odour"), webhookSecret, now, nil, 201, `"registered"`},
			{"same id again, signed anew: replay", notification("ev-1", topic, "c-1", "emergency_gas_odour"), webhookSecret, now.Add(time.Second), nil, 409, "replay"},
			{"same recording, new id: known", notification("ev-2", topic, "c-1", "emergency_gas_odour"), webhookSecret, now, nil, 200, `"known"`},
			{"wrong secret", notification("ev-3", "v2.conversations.c-3.recordings", "c-3", "outage"), []byte("another secret"), now, nil, 401, "signature"},
			{"body changed after signing", notification("ev-4", "v2.conversations.c-4.recordings", "c-4", "outage"), webhookSecret, now,
				func(h http.Header) {
					_, s := genesys.Sign(webhookSecret, now, []byte("{}"))
					h.Set(genesys.SignatureHeader, s)
				}, 401, "signature"},
			{"no signature", notification("ev-5", "v2.conversations.c-5.recordings", "c-5", "outage"), webhookSecret, now,
				func(h http.Header) { h.Set(genesys.SignatureHeader, "") }, 401, "signature"},
			{"ten minutes old", notification("ev-6", "v2.conversations.c-6.recordings", "c-6", "outage"), webhookSecret, now.Add(-10 * time.Minute), nil, 401, "replay"},
			{"unknown field", []byte(`{"id":"ev-7","topicName":"x","extra":1}`), webhookSecret, now, nil, 400, "extra"},
			{"other topic", []byte(`{"id":"ev-8","topicName":"v2.users.u-1.presence"}`), webhookSecret, now, nil, 200, `"ignored"`},
			{"no recording id", []byte(`{"id":"ev-9","topicName":"v2.conversations.c-9.recordings","eventBody":{"conversationId":"c-9","mediaType":"call","startTime":"2026-03-02T09:00:00Z"}}`), webhookSecret, now, nil, 400, "recordingId"},
		} {
			status, body := f.post(t, tc.body, tc.secret, tc.at, tc.tamper)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Errorf("%s: %d %s, want %d with %q", tc.name, status, body, tc.status, tc.contains)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM retention_items`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d items registered (%v), want 1", n, err)
		}
		var class, ext string
		db.Reader().QueryRow(`SELECT class, external_id FROM retention_items`).Scan(&class, &ext)
		if class != "legal_emergency" || ext != "c-1/rec-1" {
			t.Fatalf("registered %s in class %s", ext, class)
		}
		// One transaction per notification, trace first: ev-1 and the known
		// ev-2 left their register events (ev-2's registration undone with
		// its id); the replay, the refused and the ignored ones left none.
		var events, ids int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&events); err != nil || events != 2 {
			t.Fatalf("%d audit events (%v), want 2: a replayed or refused notification writes nothing", events, err)
		}
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM retention_webhook_events`).Scan(&ids); err != nil || ids != 1 {
			t.Fatalf("%d notification ids kept (%v), want 1 (ev-1's)", ids, err)
		}
		// The failed ev-9 can be retried once fixed: its id was never taken.
		fixed := []byte(`{"id":"ev-9","topicName":"v2.conversations.c-9.recordings","eventBody":{"conversationId":"c-9","recordingId":"r","mediaType":"call","startTime":"2026-03-02T09:00:00Z"}}`)
		if status, body := f.post(t, fixed, webhookSecret, now, nil); status != 201 {
			t.Fatalf("retry of a failed notification: %d %s", status, body)
		}
	})
}

// racingReplay answers that no id was taken yet, as for two deliveries of
// one id arriving together: the registration's transaction must refuse the
// second by itself.
type racingReplay struct{ *sqlstore.DB }

func (racingReplay) WebhookEventTaken(context.Context, string) (bool, error) { return false, nil }

// R1: the notification id and the recording are written in one
// transaction; a replay that slips past the first look is refused there
// and registers nothing.
func TestRecordingIntakeReplayInTransaction(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		clock := &coupole.FixedClock{T: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
		l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		srv := web.NewServer(slog.New(slog.DiscardHandler), db)
		srv.EnableRecordingIntake(&web.RecordingIntake{Secret: webhookSecret, Clock: clock, Replay: racingReplay{db}, Logger: slog.New(slog.DiscardHandler),
			Registry: &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}})
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		f := &intakeFixture{url: ts.URL, db: db, clock: clock}
		first := notification("ev-r", "v2.conversations.c-r.recordings", "c-r", "outage")
		if status, body := f.post(t, first, webhookSecret, clock.T, nil); status != 201 {
			t.Fatalf("first delivery: %d %s", status, body)
		}
		// Same id, another recording: only the id can refuse it.
		again := notification("ev-r", "v2.conversations.c-s.recordings", "c-s", "outage")
		if status, body := f.post(t, again, webhookSecret, clock.T, nil); status != 409 || !strings.Contains(body, "replay") {
			t.Fatalf("replay past the first look: %d %s, want 409 replay", status, body)
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM retention_items`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d items registered (%v), want 1", n, err)
		}
	})
}
