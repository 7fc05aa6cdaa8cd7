package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// reasons are what the detector writes for each kind, as examples.
var reasons = map[string]string{
	coupole.AlertViewsAboveBaseline:     "s-adv viewed 45 customers between 10:00 and 11:00; own baseline median 6.0 (MAD 1.0, 89 hours), team median 6.0 (MAD 1.0, 994 hours); threshold 30.0",
	coupole.AlertOutsideHours:           "s-lead2 acted (interaction.open) at Mon 2026-11-02 22:40, outside their working hours (mon,tue,wed,thu,fri,sat 07:00-20:00)",
	coupole.AlertInteractionOpenTooLong: "interaction i-late of demo-advisor has been open for 5h0m0s (threshold 4h0m0s): its need-to-know access is held too long",
}

// reasonFacts are the facts the detector keeps beside the reasons above.
func reasonFacts(kind, staff, iid string) map[string]string {
	switch kind {
	case coupole.AlertViewsAboveBaseline:
		return map[string]string{"staff": staff, "views": "45", "hour_at": "2026-11-02T09:00:00Z", "own_median": "6.0", "own_mad": "1.0",
			"own_hours": "89", "team_median": "6.0", "team_mad": "1.0", "team_hours": "994", "threshold": "30.0"}
	case coupole.AlertOutsideHours:
		return map[string]string{"staff": staff, "action": "interaction.open", "at": "2026-11-02T21:40:00Z", "hours": "mon,tue,wed,thu,fri,sat 07:00-20:00"}
	case coupole.AlertInteractionOpenTooLong:
		return map[string]string{"interaction": iid, "staff": staff, "age_min": "300", "threshold_min": "240"}
	}
	return nil
}

// mustAlert raises an anomaly alert about staff in interaction iid.
func (f *fixture) mustAlert(tb testing.TB, id, kind, staff, iid string) {
	tb.Helper()
	if _, err := f.db.RaiseAlert(context.Background(), coupole.InteractionAlert{ID: id, Kind: kind, StaffID: staff, InteractionID: iid,
		Target: "staff:" + staff, Reason: reasons[kind], ReasonFacts: reasonFacts(kind, staff, iid), RaisedAt: f.clock.Now(), DedupeKey: id}); err != nil {
		tb.Fatal(err)
	}
}

// TestAcknowledgeAlertWithNote (T1, issue 16 item 2; issue 15 item 8): a
// team lead acknowledges an alert with a note, through the page (then
// back to the list, POST-redirect-GET) or the API; the note is required,
// an alert is acknowledged once, never by the member it is about, and the
// acknowledgement is traced.
func TestAcknowledgeAlertWithNote(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	mustStaff(t, f.db, "s-lead2", coupole.StaffOIDC, coupole.RoleTeamLead)
	f.mustAlert(t, "al-1", coupole.AlertViewsAboveBaseline, "s-adv", "i-1")
	f.mustAlert(t, "al-2", coupole.AlertOutsideHours, "s-lead2", "")
	lead := f.mustSession(t, "s-lead")

	page := readBody(t, f.do(t, lead, "GET", "/alerts", ""))
	for _, want := range []string{`action="/alerts/al-1/acknowledge"`, `href="/team/interactions/i-1"`, "a consulté 45 clients entre 02/11/2026 10:00 et 11:00", "médiane 6,0", "Consultations inhabituelles"} {
		if !strings.Contains(page, want) {
			t.Errorf("alerts page lacks %q", want)
		}
	}
	if resp := f.form(t, lead, "/alerts/al-1/acknowledge", url.Values{"note": {" "}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty note: status %d; want 400", resp.StatusCode)
	}
	resp := f.form(t, lead, "/alerts/al-1/acknowledge", url.Values{"note": {"Checked with the advisor: a campaign of calls."}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/alerts?done=ack") {
		t.Fatalf("acknowledge: status %d, location %q; want a redirect to the alerts", resp.StatusCode, resp.Header.Get("Location"))
	}
	page = readBody(t, f.do(t, lead, "GET", "/alerts?done=ack", ""))
	if !strings.Contains(page, "Checked with the advisor") || strings.Contains(page, `action="/alerts/al-1/acknowledge"`) {
		t.Errorf("after acknowledging, the page shows no note or still the form")
	}
	if resp := f.form(t, lead, "/alerts/al-1/acknowledge", url.Values{"note": {"again"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("second acknowledgement: status %d; want 409", resp.StatusCode)
	}
	// The alert about s-lead2 is not theirs to acknowledge (S7)…
	if resp := f.do(t, f.mustSession(t, "s-lead2"), "POST", "/api/v1/alerts/al-2/acknowledge", `{"note":"not me"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("self-acknowledgement: status %d; want 403", resp.StatusCode)
	}
	// …but another lead's, through the API.
	resp = f.do(t, lead, "POST", "/api/v1/alerts/al-2/acknowledge", `{"note":"Overtime approved by the manager."}`)
	var v struct {
		AckedBy string `json:"acked_by"`
		Reason  string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(readBody(t, resp)), &v); err != nil || resp.StatusCode != http.StatusOK || v.AckedBy != "s-lead" {
		t.Errorf("API acknowledgement: %d %+v %v", resp.StatusCode, v, err)
	}
	acks := 0
	for _, ev := range f.audit.events {
		if ev.Action == "alert.acknowledge" {
			acks++
			if strings.Contains(strings.Join(ev.Data, " "), "campaign") {
				t.Errorf("the note is in the trace: %v", ev.Data)
			}
		}
	}
	if acks != 2 {
		t.Errorf("%d acknowledgements traced; want 2", acks)
	}
}

// TestTeamLeadSeesOpenInteractionsAndMetadata (issue 15 item 8): open
// interactions listed with advisor, channel, requester type and age; an
// interaction's metadata opened from its alert, without customer data; a
// "sign out everywhere" button.
func TestTeamLeadSeesOpenInteractionsAndMetadata(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	ctx := context.Background()
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	if err := f.db.CreateInteraction(ctx, coupole.Interaction{ID: "i-old", StaffID: "s-adv", Channel: "email", Requester: "mandatary",
		CallerNumber: "+32475999888", OpenedAt: f.clock.Now().Add(-5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.mustAlert(t, "al-open", coupole.AlertInteractionOpenTooLong, "s-adv", "i-old")
	lead := f.mustSession(t, "s-lead")
	page := readBody(t, f.do(t, lead, "GET", "/team", ""))
	for _, want := range []string{"s-adv", "E-mail", "Mandataire du client", "300 min", `href="/team/interactions/i-old"`, `action="/signout/everywhere"`} {
		if !strings.Contains(page, want) {
			t.Errorf("team page lacks %q", want)
		}
	}
	page = readBody(t, f.do(t, lead, "GET", "/team/interactions/i-old", ""))
	for _, want := range []string{"i-old", "Interaction ouverte trop longtemps", "Ouverte trop longtemps"} {
		if !strings.Contains(page, want) {
			t.Errorf("metadata page lacks %q", want)
		}
	}
	if strings.Contains(page, "475999888") {
		t.Error("the metadata page shows the caller's number")
	}
	if resp := f.do(t, lead, "GET", "/team/interactions/i-none", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown interaction: status %d; want 404", resp.StatusCode)
	}
	traced := map[string]bool{}
	for _, ev := range f.audit.events {
		traced[ev.Action] = true
	}
	if !traced["interaction.list_open"] || !traced["interaction.read_metadata"] {
		t.Errorf("traced %v; want the list and the metadata read", traced)
	}
}

// TestRedactAPI (G5, issue 16 item 3): POST /api/v1/redact returns the text
// with typed placeholders and the counts, stores nothing, traces the counts
// and never the text.
func TestRedactAPI(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	adv := f.mustSession(t, "s-adv")
	resp := f.do(t, adv, "POST", "/api/v1/redact", `{"text":"Ici Jean Dupont, GSM 0475 12 34 56, EAN 541448820000010373.","names":["Jean Dupont"]}`)
	body := readBody(t, resp)
	var got struct {
		Text    string         `json:"text"`
		Removed map[string]int `json:"removed"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK ||
		got.Text != "Ici [NAME], GSM [PHONE], EAN [EAN]." || got.Removed["PHONE"] != 1 {
		t.Fatalf("redact = %d %s", resp.StatusCode, body)
	}
	if resp := f.do(t, adv, "POST", "/api/v1/redact", `{"text":""}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("empty text: status %d; want 400", resp.StatusCode)
	}
	if resp := f.do(t, adv, "POST", "/api/v1/redact", `{"text":"x","transcript":"y"}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: status %d; want 400", resp.StatusCode)
	}
	last := f.audit.events[len(f.audit.events)-1]
	if last.Action != "redact.text" || strings.Contains(strings.Join(last.Data, " "), "0475") || !strings.Contains(strings.Join(last.Data, " "), "removed_PHONE=1") {
		t.Errorf("trace = %+v", last)
	}
}
