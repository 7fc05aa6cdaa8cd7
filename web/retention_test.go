package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// retentionFixture is the staff fixture with the retention routes on, a
// real audit log, and one registered call.
type retentionFixture struct {
	*fixture
	log  *audit.Log
	item retention.Item
}

func enableTestRetention(tb testing.TB, f *fixture) *retentionFixture {
	tb.Helper()
	l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(f.db), audit.Options{Clock: f.clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	svc := &retention.Service{Store: f.db, Audit: l, Clock: f.clock, Config: retention.DefaultConfig()}
	f.access.EnableRetention(RetentionPages{Officer: &retention.Officer{Service: svc, Access: staffpolicy.MustEmbedded(), Staff: f.db}, Store: f.db})
	it, err := svc.Register(context.Background(), "system:genesys", retention.Item{Kind: retention.KindRecording, Source: retention.SourceGenesys,
		ExternalID: "c-1/r-1", InteractionID: "int-1", CallReason: "outage", Start: f.clock.T.Add(-29 * 24 * time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	return &retentionFixture{fixture: f, log: l, item: it}
}

func mustRetentionFixture(tb testing.TB) *retentionFixture {
	tb.Helper()
	return enableTestRetention(tb, mustFixture(tb, sqltest.MustOpenSQLite(tb), AuthConfig{Demo: true}))
}

// retentionMatrix: the privacy officer, nobody else (91-retention.cedar).
var retentionMatrix = []string{
	"GET /api/v1/retention/holds", "POST /api/v1/retention/holds", "POST /api/v1/retention/holds/{id}/lift-request",
	"POST /api/v1/retention/holds/{id}/lift", "POST /api/v1/retention/items/{id}/class",
	"GET /retention", "GET /retention/holds", "POST /retention/holds", "POST /retention/holds/{id}/lift-request",
	"POST /retention/holds/{id}/lift", "GET /retention/items", "POST /retention/items/class", "GET /retention/reports",
}

// TestRetentionAuthorizationMatrix walks every retention route with every
// role: only the privacy officer gets past the policy, never a 500, and
// every refusal is traced with its target (R3, S7, T1).
func TestRetentionAuthorizationMatrix(t *testing.T) {
	f := mustRetentionFixture(t)
	seen := 0
	for _, rt := range f.access.Routes() {
		if !slices.Contains(retentionMatrix, rt.Pattern) {
			continue
		}
		seen++
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.ReplaceAll(path, "{id}", "hold-none")
		for _, role := range coupole.Roles {
			id := "s-" + string(role)
			if _, err := f.db.Staff(context.Background(), id); err != nil {
				mustStaff(t, f.db, id, coupole.StaffOIDC, role)
			}
			s := f.mustSession(t, id)
			var resp *http.Response
			switch {
			case method == "GET":
				resp = f.do(t, s, method, path, "")
			case strings.HasPrefix(path, "/api/"):
				resp = f.do(t, s, method, path, `{}`)
			default:
				resp = f.form(t, s, path, url.Values{})
			}
			allowed := resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized
			if want := role == coupole.RolePrivacyOfficer; allowed != want || resp.StatusCode >= 500 {
				t.Errorf("%s on %s %s: status %d, want allowed=%v", role, method, path, resp.StatusCode, want)
			}
		}
	}
	if seen != len(retentionMatrix) {
		t.Errorf("%d retention routes registered, the matrix has %d", seen, len(retentionMatrix))
	}
	if n := len(f.tracer.refusals()); n < len(retentionMatrix)*(len(coupole.Roles)-1) {
		t.Errorf("%d refusals traced, want at least one per refused request (%d)", n, len(retentionMatrix)*(len(coupole.Roles)-1))
	}
}

// TestRetentionAPI: through the JSON API (checked against openapi.json), a
// privacy officer places a hold and asks for its lift; approving it
// herself is refused (403, problem+json, traced); a second officer lifts
// it; a class changes with a justification; bad input is a 400 problem
// naming the field (R3, S7).
func TestRetentionAPI(t *testing.T) {
	f := mustRetentionFixture(t)
	mustStaff(t, f.db, "dpo-1", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	mustStaff(t, f.db, "dpo-2", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	s1, s2 := f.mustSession(t, "dpo-1"), f.mustSession(t, "dpo-2")
	decode := func(resp *http.Response, v any) {
		t.Helper()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	problem := func(resp *http.Response, status int, code string) Problem {
		t.Helper()
		var p Problem
		decode(resp, &p)
		if resp.StatusCode != status || p.Code != code || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("want %d %s problem, got %d %+v", status, code, resp.StatusCode, p)
		}
		return p
	}
	p := problem(f.do(t, s1, "POST", "/api/v1/retention/holds", `{"scope":"item","target":"`+f.item.ID+`","reason":"litige"}`), 400, "invalid")
	if !strings.Contains(p.Detail, "reference") {
		t.Errorf("missing reference: %q", p.Detail)
	}
	resp := f.do(t, s1, "POST", "/api/v1/retention/holds", `{"scope":"item","target":"`+f.item.ID+`","reason":"litige","reference":"RG 26/7"}`)
	var h holdJSON
	decode(resp, &h)
	if resp.StatusCode != 201 || !h.Active || h.PlacedBy != "dpo-1" {
		t.Fatalf("place: %d %+v", resp.StatusCode, h)
	}
	problem(f.do(t, s2, "POST", "/api/v1/retention/holds/"+h.ID+"/lift", ``), 409, "conflict") // nobody asked yet
	if resp := f.do(t, s1, "POST", "/api/v1/retention/holds/"+h.ID+"/lift-request", `{"reason":"affaire close"}`); resp.StatusCode != 200 {
		t.Fatalf("lift request: %d %s", resp.StatusCode, readBody(t, resp))
	}
	before := len(f.tracer.refusals())
	problem(f.do(t, s1, "POST", "/api/v1/retention/holds/"+h.ID+"/lift", ``), 403, "forbidden")
	if got := f.tracer.refusals(); len(got) != before+1 || got[len(got)-1].Subject != "hold:"+h.ID {
		t.Errorf("self-approval not traced with its target: %+v", got[before:])
	}
	resp = f.do(t, s2, "POST", "/api/v1/retention/holds/"+h.ID+"/lift", ``)
	decode(resp, &h)
	if resp.StatusCode != 200 || h.Active || h.LiftedBy != "dpo-2" || h.LiftRequestedBy != "dpo-1" {
		t.Fatalf("lift by the second person: %d %+v", resp.StatusCode, h)
	}
	var list []holdJSON
	decode(f.do(t, s2, "GET", "/api/v1/retention/holds?all=true", ""), &list)
	if len(list) != 1 || list[0].ID != h.ID {
		t.Errorf("list all: %+v", list)
	}
	decode(f.do(t, s2, "GET", "/api/v1/retention/holds", ""), &list)
	if len(list) != 0 {
		t.Errorf("active holds after the lift: %+v", list)
	}
	problem(f.do(t, s1, "POST", "/api/v1/retention/items/"+f.item.ID+"/class", `{"class":"legal_emergency","justification":""}`), 400, "invalid")
	problem(f.do(t, s1, "POST", "/api/v1/retention/items/ret_none/class", `{"class":"legal_emergency","justification":"x"}`), 404, "not_found")
	var it itemClassJSON
	resp = f.do(t, s1, "POST", "/api/v1/retention/items/"+f.item.ID+"/class", `{"class":"legal_emergency","justification":"odeur de gaz signalée"}`)
	decode(resp, &it)
	if resp.StatusCode != 200 || it.Class != "legal_emergency" || !it.Due.Equal(f.item.Start.AddDate(0, 60, 0)) {
		t.Fatalf("reclassify: %d %+v", resp.StatusCode, it)
	}
	// The acts are in the audit log under their actors.
	found, err := f.log.Query(context.Background(), audit.Query{After: -1, Limit: audit.MaxQueryLimit})
	if err != nil {
		t.Fatal(err)
	}
	acts := map[string]string{}
	for _, e := range found {
		acts[e.Event.Action] = e.Event.Actor
	}
	for action, actor := range map[string]string{retention.ActionHoldPlace: "dpo-1", retention.ActionHoldLiftAsk: "dpo-1", retention.ActionHoldLift: "dpo-2", retention.ActionSetClass: "dpo-1", retention.ActionView: "dpo-2"} {
		if acts[action] != actor {
			t.Errorf("%s traced by %q, want %s", action, acts[action], actor)
		}
	}
}

// refusals returns the access refusals traced so far.
func (t *recTracer) refusals() []coupole.StaffEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []coupole.StaffEvent
	for _, e := range t.events {
		if e.Type == coupole.StaffEventAccessDenied {
			out = append(out, e)
		}
	}
	return out
}

// TestRecordingMissingAlertPage: the alert of a call without a recording
// (R1, issue 13 item 4) shows on the team lead's alerts page with its kind
// and its reason in the reader's language, not the detector's English.
func TestRecordingMissingAlertPage(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-tl", coupole.StaffOIDC, coupole.RoleTeamLead)
	if _, err := f.db.RaiseAlert(context.Background(), coupole.InteractionAlert{ID: "al-rec", Kind: retention.AlertRecordingMissing, InteractionID: "i-call",
		StaffID: "s-adv", RaisedAt: f.clock.T, Target: "interaction:i-call", DedupeKey: "recording_missing/i-call", Reason: "call i-call has no recording"}); err != nil {
		t.Fatal(err)
	}
	page := f.get(t, f.mustSession(t, "s-tl"), "/alerts", nil)
	for _, want := range []string{"Appel sans enregistrement", "Aucun enregistrement de cet appel", `data-kind="recording_missing"`} {
		if !strings.Contains(page, want) {
			t.Errorf("alerts page lacks %q", want)
		}
	}
	if strings.Contains(page, "has no recording") {
		t.Errorf("the English reason reached a French page")
	}
}

// TestRetentionRefusalNamesTheItem: an advisor's class change is refused
// and traced with the item it was about (T1), from the API and the screen.
func TestRetentionRefusalNamesTheItem(t *testing.T) {
	f := mustRetentionFixture(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "s-adv")
	if resp := f.do(t, s, "POST", "/api/v1/retention/items/"+f.item.ID+"/class", `{"class":"legal_emergency","justification":"x"}`); resp.StatusCode != 403 {
		t.Fatalf("api: %d", resp.StatusCode)
	}
	if resp := f.form(t, s, "/retention/items/class", url.Values{"item": {f.item.ID}, "class": {"legal_emergency"}, "justification": {"x"}}); resp.StatusCode != 403 {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	got := f.tracer.refusals()
	if len(got) != 2 || got[0].Subject != "item:"+f.item.ID || got[1].Subject != "item:"+f.item.ID {
		t.Fatalf("refusals: %+v", got)
	}
	if it, _ := f.db.RetentionItem(context.Background(), f.item.ID); it.Class != "default" {
		t.Fatalf("class changed by a refused request: %s", it.Class)
	}
}

// TestRetentionScreensInFourLanguages: each retention screen renders in
// the privacy officer's language, French first (issue 13 item 5).
func TestRetentionScreensInFourLanguages(t *testing.T) {
	f := mustRetentionFixture(t)
	mustStaff(t, f.db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
	want := map[string][]string{
		"fr": {"Conservation des enregistrements", "Suspensions légales", "Éléments échus et à échoir", "Rapport de purge"},
		"nl": {"Bewaring van opnames", "Juridische blokkeringen", "Vervallen en te vervallen elementen", "Wissingsverslag"},
		"de": {"Aufbewahrung der Aufzeichnungen", "Rechtliche Sperren", "Fällige und bald fällige Elemente", "Löschbericht"},
		"en": {"Retention of recordings", "Legal holds", "Items due and coming due", "Purge report"},
	}
	for lang, titles := range want {
		s := f.mustSession(t, "s-po")
		if resp := f.form(t, s, "/preferences/language", url.Values{"lang": {lang}, "back": {"/"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: set language: %d", lang, resp.StatusCode)
		}
		for i, path := range []string{"/retention", "/retention/holds", "/retention/items", "/retention/reports"} {
			if body := f.get(t, s, path, nil); !strings.Contains(body, "<h1>"+titles[i]) {
				t.Errorf("%s %s: no title %q", lang, path, titles[i])
			}
		}
	}
}
