package genesys_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/genesys"
)

// fakeGenesys follows the documented shapes of Genesys Cloud's OAuth
// client-credentials login and conversations' recording endpoints.
type fakeGenesys struct {
	mu         sync.Mutex
	tokens     int                            // tokens issued
	valid      map[string]bool                // live access tokens
	recordings map[string][]genesys.Recording // by conversation
	deleted    map[string]string              // recording id → deleteDate set
}

func newFake() *fakeGenesys {
	return &fakeGenesys{valid: map[string]bool{}, deleted: map[string]string{}, recordings: map[string][]genesys.Recording{
		"c-1": {{ID: "r-1", ConversationID: "c-1", Media: "audio", FileState: "AVAILABLE", StartTime: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
			{ID: "r-2", ConversationID: "c-1", Media: "audio", FileState: "AVAILABLE"}},
	}}
}

func (f *fakeGenesys) revokeAll() {
	f.mu.Lock()
	f.valid = map[string]bool{}
	f.mu.Unlock()
}

func (f *fakeGenesys) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/oauth/token" {
		id, secret, ok := r.BasicAuth()
		if r.Method != "POST" || !ok || id != "client-1" || secret != "s3cret" || r.PostFormValue("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		f.tokens++
		tok := "tok-" + strings.Repeat("x", f.tokens)
		f.valid[tok] = true
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": 86400})
		return
	}
	if !f.valid[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		http.Error(w, `{"status":401}`, http.StatusUnauthorized)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v2/conversations/"), "/")
	recs, ok := f.recordings[parts[0]]
	if !ok {
		http.Error(w, `{"status":404}`, http.StatusNotFound)
		return
	}
	switch {
	case r.Method == "GET" && len(parts) == 2 && parts[1] == "recordingmetadata":
		json.NewEncoder(w).Encode(recs)
		return
	case len(parts) == 3:
		for i, rec := range recs {
			if rec.ID != parts[2] {
				continue
			}
			switch {
			case r.Method == "GET" && parts[1] == "recordingmetadata":
				json.NewEncoder(w).Encode(rec)
				return
			case r.Method == "PUT" && parts[1] == "recordings":
				var body struct {
					DeleteDate string `json:"deleteDate"`
				}
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.DeleteDate == "" {
					http.Error(w, `{"status":400}`, http.StatusBadRequest)
					return
				}
				f.deleted[rec.ID] = body.DeleteDate
				recs[i].DeleteDate, _ = time.Parse(time.RFC3339, body.DeleteDate)
				json.NewEncoder(w).Encode(recs[i])
				return
			}
		}
	}
	http.Error(w, `{"status":404}`, http.StatusNotFound)
}

func TestClientAgainstFakeGenesys(t *testing.T) {
	ctx := context.Background()
	fake := newFake()
	ts := httptest.NewServer(fake)
	defer ts.Close()
	clock := &coupole.FixedClock{T: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)}
	c := &genesys.Client{LoginURL: ts.URL, APIURL: ts.URL, ClientID: "client-1", ClientSecret: "s3cret", Clock: clock}

	recs, err := c.Recordings(ctx, "c-1")
	if err != nil || len(recs) != 2 || recs[0].ID != "r-1" || recs[0].ConversationID != "c-1" {
		t.Fatalf("recordings: %+v, %v", recs, err)
	}
	rec, err := c.Recording(ctx, "c-1", "r-2")
	if err != nil || rec.ID != "r-2" {
		t.Fatalf("recording: %+v, %v", rec, err)
	}
	if _, err := c.Recording(ctx, "c-1", "r-9"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Fatalf("missing recording: %v", err)
	}
	if fake.tokens != 1 {
		t.Fatalf("%d tokens fetched for three calls, want 1 (kept until it expires)", fake.tokens)
	}
	fake.revokeAll() // the platform revoked the token: one new token, one retry
	if err := c.DeleteRecording(ctx, genesys.ExternalID("c-1", "r-1")); err != nil {
		t.Fatal(err)
	}
	if fake.tokens != 2 || fake.deleted["r-1"] != "2026-04-02T10:00:00Z" {
		t.Fatalf("delete: tokens %d, deleteDate %q", fake.tokens, fake.deleted["r-1"])
	}
	// Deleting what is gone is fine (a resumed purge); a bad id is not.
	if err := c.DeleteRecording(ctx, "c-404/r-1"); err != nil {
		t.Fatalf("delete of a missing recording: %v", err)
	}
	if err := c.DeleteRecording(ctx, "no-slash"); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Fatalf("delete of a malformed id: %v", err)
	}
	bad := &genesys.Client{LoginURL: ts.URL, APIURL: ts.URL, ClientID: "client-1", ClientSecret: "wrong", Clock: clock}
	if _, err := bad.Recordings(ctx, "c-1"); coupole.ErrorCode(err) != coupole.EUNAVAILABLE || !strings.Contains(err.Error(), "client id and secret") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestVerifySignature(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	body := []byte(`{"id":"ev-1"}`)
	ts, sig := genesys.Sign(secret, now, body)
	for _, tc := range []struct {
		name          string
		secret        []byte
		ts, sig, body string
		now           time.Time
		ok            bool
	}{
		{"good", secret, ts, sig, string(body), now, true},
		{"4 minutes later", secret, ts, sig, string(body), now.Add(4 * time.Minute), true},
		{"6 minutes later", secret, ts, sig, string(body), now.Add(6 * time.Minute), false},
		{"6 minutes early", secret, ts, sig, string(body), now.Add(-6 * time.Minute), false},
		{"other body", secret, ts, sig, `{"id":"ev-2"}`, now, false},
		{"other timestamp", secret, "1772443801", sig, string(body), now, false},
		{"no v1 prefix", secret, ts, strings.TrimPrefix(sig, "v1="), string(body), now, false},
		{"no secret configured", nil, ts, sig, string(body), now, false},
		{"timestamp not a number", secret, "soon", sig, string(body), now, false},
	} {
		err := genesys.Verify(tc.secret, tc.ts, tc.sig, []byte(tc.body), tc.now)
		if (err == nil) != tc.ok || (err != nil && coupole.ErrorCode(err) != coupole.EUNAUTHORIZED) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
