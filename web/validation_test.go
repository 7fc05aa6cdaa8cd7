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
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// The routes of business validation, access reviews and the charter
// (issue 12, items 5 and 6) in the authorization matrix.
func init() {
	routeMatrix["GET /charter"] = coupole.Roles
	routeMatrix["POST /charter/acknowledge"] = coupole.Roles
	routeMatrix["GET /governance/charter"] = []coupole.Role{coupole.RolePrivacyOfficer, coupole.RoleAuditor, coupole.RoleServiceDeliveryManager}
	routeMatrix["POST /governance/charter/awareness"] = []coupole.Role{coupole.RolePrivacyOfficer}
	sdm := []coupole.Role{coupole.RoleServiceDeliveryManager}
	for _, p := range []string{"GET /governance/validations", "POST /governance/validations/{id}", "GET /governance/reviews",
		"POST /governance/reviews/items/{id}", "POST /governance/reviews/start", "POST /governance/reviews/close"} {
		routeMatrix[p] = sdm
	}
}

// TestCharterGate: S1 — once a charter is published, a staff member cannot
// open customer data before acknowledging it: the JSON API answers 403
// with the problem code charter_required, pages send them to /charter; the
// refusal is traced with its target; after acknowledging, the same read
// is served; a new version closes the gate again.
func TestCharterGate(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, AuthConfig{})
		mustStaff(t, db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		f.facts.handle("s-adv", coupole.HandledInteraction{ID: "i-1", CustomerIDs: []string{"C1"}})
		adv := f.mustSession(t, "s-adv")
		// No charter published: the gate is open.
		if resp := f.do(t, adv, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("no charter: %d", resp.StatusCode)
		}
		texts := map[coupole.Language]string{coupole.French: "Charte", coupole.Dutch: "Charter", coupole.German: "Charta", coupole.English: "Charter"}
		if err := db.PublishCharter(ctx, coupole.Charter{Version: "v1", PublishedAt: t0, PublishedBy: "s-po", Text: texts}); err != nil {
			t.Fatal(err)
		}
		f.clock.T = f.clock.T.Add(time.Second) // past the staleness of the gate's memo
		resp := f.do(t, adv, "GET", "/api/v1/customers/C1", "")
		var prob Problem
		json.NewDecoder(resp.Body).Decode(&prob)
		if resp.StatusCode != http.StatusForbidden || prob.Code != ProblemCharterRequired || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("before acknowledging: %d %+v, want 403 charter_required", resp.StatusCode, prob)
		}
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == coupole.StaffEventAccessDenied && e.Reason == ProblemCharterRequired && e.Details["customer"] == "C1"
		}) {
			t.Error("the refusal is not traced with its target")
		}
		// A page opening a call is sent to the charter.
		if resp := f.form(t, adv, "/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}}); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/charter") {
			t.Errorf("page before acknowledging: %d %s, want a redirect to /charter", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := f.form(t, adv, "/charter/acknowledge", url.Values{"version": {"v1"}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("acknowledging without ticking the box: %d", resp.StatusCode)
		}
		if resp := f.form(t, adv, "/charter/acknowledge", url.Values{"version": {"v1"}, "read": {"yes"}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("acknowledge: %d", resp.StatusCode)
		}
		if resp := f.do(t, adv, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("after acknowledging: %d", resp.StatusCode)
		}
		if !f.tracer.has(func(e coupole.StaffEvent) bool { return e.Type == "charter.acknowledged" && e.Actor == "s-adv" }) {
			t.Error("the acknowledgement is not traced")
		}
		if err := db.PublishCharter(ctx, coupole.Charter{Version: "v2", PublishedAt: t0.Add(time.Hour), PublishedBy: "s-po", Text: texts}); err != nil {
			t.Fatal(err)
		}
		f.clock.T = f.clock.T.Add(time.Second)
		if resp := f.do(t, adv, "GET", "/api/v1/customers/C1", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("after a new version: %d, want 403", resp.StatusCode)
		}
	})
}

// TestOverdueRoleStopsOnLiveSession: S5 — a role IT granted and nobody
// validated gives nothing from its due time on a live session, before
// any sweeper ran.
func TestOverdueRoleStopsOnLiveSession(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	f := mustFixture(t, db, AuthConfig{})
	mustStaff(t, db, "s-it", coupole.StaffOIDC, coupole.RoleITAdmin)
	mustStaff(t, db, "s-new", coupole.StaffOIDC, coupole.RoleAdvisor)
	it := f.mustSession(t, "s-it")
	if resp := f.do(t, it, "POST", "/api/v1/staff/s-new/roles", `{"roles":["advisor","team_lead"]}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("grant: %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(coupole.DefaultValidationDays*24*time.Hour - time.Second)
	s := f.mustSession(t, "s-new") // a live session, signed in on the last day
	if resp := f.do(t, s, "GET", "/api/v1/interactions", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("team lead a second before the due time: %d", resp.StatusCode)
	}
	f.clock.T = f.clock.T.Add(time.Second)
	if resp := f.do(t, s, "GET", "/api/v1/interactions", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("team lead at the due time, unvalidated: %d, want 403", resp.StatusCode)
	}
	if resp := f.do(t, s, "GET", "/api/v1/me", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the advisor role (not granted now) still works: %d", resp.StatusCode)
	}
}

// has reports whether an event recorded so far matches.
func (t *recTracer) has(match func(coupole.StaffEvent) bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.events {
		if match(e) {
			return true
		}
	}
	return false
}

// TestValidationScreensInFourLanguages: the codes the new screens name
// have words in every language, and the charter page shows the text of the
// reader's language (French first).
func TestValidationScreensInFourLanguages(t *testing.T) {
	var keys []string
	for _, s := range coupole.AssignmentSources {
		keys = append(keys, "gov.source."+s)
	}
	for _, d := range []coupole.ReviewDecision{coupole.ReviewPending, coupole.ReviewKept, coupole.ReviewRemoved, coupole.ReviewExpired, coupole.ReviewGone} {
		keys = append(keys, "review.decision."+string(d))
	}
	keys = append(keys, "charter.reason.never", "charter.reason.new_version", "charter.reason.expired")
	for _, k := range keys {
		m, ok := Messages[k]
		if !ok {
			t.Errorf("no message %s", k)
			continue
		}
		for _, l := range coupole.Languages {
			if m[l] == "" {
				t.Errorf("%s has no %s text", k, l)
			}
		}
	}
	db := sqltest.MustOpenSQLite(t)
	f := mustFixture(t, db, AuthConfig{})
	texts := map[coupole.Language]string{coupole.French: "Texte français", coupole.Dutch: "Nederlandse tekst", coupole.German: "Deutscher Text", coupole.English: "English text"}
	if err := db.PublishCharter(t.Context(), coupole.Charter{Version: "v1", PublishedAt: t0, PublishedBy: "s-po", Text: texts}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[coupole.Language][]string{
		coupole.French:  {"Charte de confidentialité", "Texte français", "accepte la charte"},
		coupole.Dutch:   {"Vertrouwelijkheidscharter", "Nederlandse tekst", "Ik aanvaard het charter"},
		coupole.German:  {"Vertraulichkeitscharta", "Deutscher Text", "Ich bestätige die Charta"},
		coupole.English: {"Confidentiality charter", "English text", "I acknowledge the charter"},
	} {
		id := "s-" + string(lang)
		mustStaff(t, db, id, coupole.StaffOIDC, coupole.RoleAdvisor)
		if err := db.SetLanguage(t.Context(), id, lang); err != nil {
			t.Fatal(err)
		}
		page := f.get(t, f.mustSession(t, id), "/charter", nil)
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s charter page lacks %q", lang, w)
			}
		}
	}
}

// downTracer is an audit log that cannot record.
type downTracer struct{}

func (downTracer) TraceStaff(context.Context, coupole.StaffEvent) error {
	return coupole.Errorf(coupole.EUNAVAILABLE, "audit log down")
}

// TestAwarenessForm: S1 — the privacy officer records an awareness
// campaign and its attendance on /governance/charter, through the service
// the CLI uses: traced first, POST-redirect-GET, bad input refused with
// nothing written; the auditor sees the campaigns but no form, and a post
// by them is refused and traced.
func TestAwarenessForm(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, AuthConfig{})
		mustStaff(t, db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor)
		mustStaff(t, db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		po, aud := f.mustSession(t, "s-po"), f.mustSession(t, "s-aud")
		count := func() int {
			list, err := db.ListAwareness(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		if page := f.get(t, po, "/governance/charter", nil); !strings.Contains(page, `id="awareness-form"`) || !strings.Contains(page, "Enregistrer une campagne") {
			t.Error("the privacy officer's page has no French campaign form")
		}
		if page := f.get(t, aud, "/governance/charter", nil); strings.Contains(page, `id="awareness-form"`) {
			t.Error("the auditor is shown the campaign form")
		}

		good := url.Values{"title": {"Phishing et secret professionnel"}, "date": {"2026-11-20"}, "audience": {"conseillers"}, "attendees": {"s-adv, s-po\ns-adv"}}
		for _, tc := range []struct {
			name   string
			change func(url.Values)
			status int
		}{
			{"no date", func(v url.Values) { v.Del("date") }, http.StatusBadRequest},
			{"bad date", func(v url.Values) { v.Set("date", "20/11/2026") }, http.StatusBadRequest},
			{"no title", func(v url.Values) { v.Set("title", " ") }, http.StatusBadRequest},
			{"no audience", func(v url.Values) { v.Del("audience") }, http.StatusBadRequest},
			{"unknown attendee", func(v url.Values) { v.Set("attendees", "s-adv s-nobody") }, http.StatusBadRequest},
		} {
			v := url.Values{}
			for k, vs := range good {
				v[k] = vs
			}
			tc.change(v)
			resp := f.form(t, po, "/governance/charter/awareness", v)
			if body := readBody(t, resp); resp.StatusCode != tc.status || !strings.Contains(body, `id="awareness-form"`) {
				t.Errorf("%s: %d, want %d with the form again", tc.name, resp.StatusCode, tc.status)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("refused forms recorded %d campaign(s)", n)
		}

		// The auditor may not record: refused by the staff policy, traced.
		if resp := f.form(t, aud, "/governance/charter/awareness", good); resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor posting: %d, want 403", resp.StatusCode)
		}
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == coupole.StaffEventAccessDenied && e.Actor == "s-aud" && e.Details["action"] == string(coupole.ActionPublishCharter)
		}) {
			t.Error("the auditor's refusal is not traced")
		}
		// Without the CSRF token: refused.
		if resp := f.form(t, session{cookie: po.cookie}, "/governance/charter/awareness", good); resp.StatusCode != http.StatusForbidden {
			t.Errorf("without CSRF token: %d, want 403", resp.StatusCode)
		}
		// With the audit log down nothing is recorded.
		tr := f.access.Tracer
		f.access.Tracer = downTracer{}
		resp := f.form(t, po, "/governance/charter/awareness", good)
		f.access.Tracer = tr
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("audit log down: %d, want 503", resp.StatusCode)
		}
		if n := count(); n != 0 {
			t.Fatalf("recorded without a trace: %d", n)
		}

		resp = f.form(t, po, "/governance/charter/awareness", good)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/governance/charter?done=awareness") {
			t.Fatalf("record: %d %q, want a redirect to the page", resp.StatusCode, loc)
		}
		list, err := db.ListAwareness(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("campaigns: %+v, %v", list, err)
		}
		c := list[0]
		if c.Title != "Phishing et secret professionnel" || c.Audience != "conseillers" || c.HeldOn.Format(time.DateOnly) != "2026-11-20" ||
			strings.Join(c.Attendees, ",") != "s-adv,s-po" || c.RecordedBy != "s-po" {
			t.Errorf("recorded campaign: %+v", c)
		}
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == "charter.awareness_recorded" && e.Actor == "s-po" && e.Subject == c.ID && e.Details["attendees"] == "s-adv,s-po"
		}) {
			t.Error("the campaign is not traced")
		}
		page := f.get(t, po, "/governance/charter?done=awareness", nil)
		if !strings.Contains(page, "Campagne enregistrée") || !strings.Contains(page, "Phishing et secret professionnel") {
			t.Error("the page after the redirect shows neither the confirmation nor the campaign")
		}
	})
}
