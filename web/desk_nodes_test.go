package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestDeskStateAcrossNodes: issue 15 — the desk state lives in the
// database, so two nodes behind a load balancer without sticky sessions
// show the same call: each step lands on the other node than the one
// before, and every page shows what every earlier step left (candidates,
// both answers, the timeline, the close warning). On both engines.
func TestDeskStateAcrossNodes(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		storetest.MustLoad(t, db, storetest.Fixture())
		nodes := []*fixture{mustFixture(t, db, AuthConfig{}), mustFixture(t, db, AuthConfig{})}
		mustStaff(t, db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		s := nodes[0].mustSession(t, "adv")
		step := 0
		// post sends a form to the next node and follows its redirect on
		// the node after it.
		post := func(path string, form url.Values) string {
			t.Helper()
			n := nodes[step%2]
			step++
			form.Set("csrf_token", s.csrf)
			req, _ := http.NewRequest("POST", n.ts.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
			req.AddCookie(s.cookie)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s on node %d: %d", path, (step-1)%2, resp.StatusCode)
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			return loc.Path
		}
		get := func(path string) string {
			t.Helper()
			n := nodes[step%2]
			step++
			req, _ := http.NewRequest("GET", n.ts.URL+path, nil)
			req.Header.Set("Accept", "text/html")
			req.AddCookie(s.cookie)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.StatusCode)
			}
			return string(b)
		}
		page := post("/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}})
		id := strings.TrimPrefix(page, "/interactions/")
		post(page+"/identify", url.Values{"by": {"ean"}, "ean": {string(storetest.EANElecNamur)}})
		html := get(page)
		m := regexp.MustCompile(`name="ref" value="([^"]+)"`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("the candidates found on the other node are not shown")
		}
		post(page+"/select", url.Values{"ref": {m[1]}})
		post(page+"/verify", url.Values{"meter_number": {"9876543A"}})
		post(page+"/decide", url.Values{"item": {"ean", "supplier"}})
		html = get(page)
		for _, want := range []string{`data-item="ean"`, `data-item="supplier"`, `data-kind="opened"`, `data-kind="searched"`, `data-kind="verified"`, `data-kind="asked"`} {
			if !strings.Contains(html, want) {
				t.Errorf("the page on the other node lacks %s", want)
			}
		}
		post(page+"/close", url.Values{"reason": {"ean_request"}})
		if html = get(page); !strings.Contains(html, `id="unsent-warning"`) {
			t.Errorf("the close warning asked on one node is not shown on the other")
		}
		post(page+"/close", url.Values{"reason": {"ean_request"}, "leave_unsent": {"yes"}})
		if b, err := db.DeskState(context.Background(), id, "adv", time.Time{}); err != nil || b != nil {
			t.Errorf("the desk state of a closed interaction stays: %d bytes, %v", len(b), err)
		}
	})
}

// TestDeskStateIsTheHandlers: issue 15 — the desk state of an interaction
// is its handler's: another staff member neither reads nor changes it; it
// goes after deskIdle without a step, and when forgotten. In memory and in
// the database, on both engines.
func TestDeskStateIsTheHandlers(t *testing.T) {
	check := func(t *testing.T, d *deskStates, ids func(string) string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		i1, i2 := ids("i-1"), ids("i-2")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(d.update(ctx, i1, "adv", now, func(s *deskState) { s.Problem = "mine" }))
		must(d.update(ctx, i1, "other", now, func(s *deskState) { s.Problem = "theirs" }))
		if got, err := d.get(ctx, i1, "adv", now); err != nil || got.Problem != "mine" {
			t.Errorf("the handler's state = %q, %v after another staff member's step", got.Problem, err)
		}
		if got, _ := d.get(ctx, i1, "other", now); got.Problem != "" {
			t.Errorf("another staff member reads %q", got.Problem)
		}
		later := now.Add(deskIdle + time.Minute)
		if got, _ := d.get(ctx, i1, "adv", later); got.Problem != "" {
			t.Errorf("an idle interaction's state is shown: %q", got.Problem)
		}
		must(d.update(ctx, i2, "adv", later, func(s *deskState) { s.Problem = "two" }))
		if got, _ := d.get(ctx, i1, "adv", now); got.Problem != "" {
			t.Errorf("an idle interaction's state stays: %q", got.Problem)
		}
		must(d.forget(ctx, i2))
		if got, _ := d.get(ctx, i2, "adv", later); got.Problem != "" {
			t.Errorf("a forgotten state stays: %q", got.Problem)
		}
	}
	t.Run("memory", func(t *testing.T) { check(t, &deskStates{}, func(id string) string { return id }) })
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		mustStaff(t, db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		mustStaff(t, db, "other", coupole.StaffOIDC, coupole.RoleAdvisor)
		for _, id := range []string{"i-1", "i-2"} {
			if err := db.CreateInteraction(context.Background(), coupole.Interaction{ID: id, StaffID: "adv", Channel: "phone", Requester: "customer", OpenedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}
		check(t, &deskStates{store: db}, func(id string) string { return id })
	})
}

// TestDeskStateRoundTrip: everything the page shows survives the JSON the
// store keeps — a field the encoding dropped would vanish from the page
// on the next node.
func TestDeskStateRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := deskState{
		Identify:       interaction.IdentifyRequest{EAN: "541234567890123456"},
		IdentifyBy:     "ean",
		Identification: &interaction.Identification{},
		Decisions: []decisionItem{{DecisionView: interaction.DecisionView{Item: "ean", Outcome: "sms", Reason: "ean_by_sms", Policies: []string{"ean-by-sms"}, Explanation: "Nous vous envoyons…", Requirements: []string{"D4"}, Destination: "04•• •• •• 56"},
			Route: "SMS au 04•• •• •• 56", Execute: "sms", Key: "k-1", Delivery: &interaction.DeliveryView{ID: "d-1", Kind: "sms", Item: "ean", Status: "pending", CreatedAt: at}}},
		Chosen: []string{"ean_request"}, Asked: []string{"ean"}, Problem: "p", ProblemAt: "wrapup", ProblemField: "reasons", Focus: "reasons",
		UnsentWarning: []string{"supplier"},
		Timeline:      []timelineEntry{{At: at, Kind: "sent", Item: "ean", Route: "SMS", DeliveryID: "d-1", Count: 2, Items: []string{"x"}, Outcome: "sms", Reason: "r"}},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back deskState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, back) {
		t.Errorf("the desk state changes through JSON:\n%+v\n%+v", s, back)
	}
}

// TestDeliveryStatusesInFourLanguages: issue 15, deliver 1 — the endpoint
// the timeline polls answers each delivery's status in the staff member's
// language (French, Dutch, German, English), with ids and statuses only:
// no recipient. On both engines.
func TestDeliveryStatusesInFourLanguages(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		storetest.MustLoad(t, db, storetest.Fixture())
		f := mustFixture(t, db, AuthConfig{})
		mustStaff(t, db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		s := f.mustSession(t, "adv")
		send := func(method, path string, form url.Values, lang string) (*http.Response, string) {
			t.Helper()
			var body io.Reader
			if form != nil {
				form.Set("csrf_token", s.csrf)
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, f.ts.URL+path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.AddCookie(s.cookie)
			if lang != "" {
				req.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		resp, _ := send("POST", "/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}}, "")
		page := resp.Header.Get("Location")
		send("POST", page+"/identify", url.Values{"by": {"ean"}, "ean": {string(storetest.EANElecNamur)}}, "")
		_, html := send("GET", page, nil, "")
		ref := regexp.MustCompile(`name="ref" value="([^"]+)"`).FindStringSubmatch(html)
		if ref == nil {
			t.Fatal("no candidate")
		}
		send("POST", page+"/select", url.Values{"ref": {ref[1]}}, "")
		send("POST", page+"/verify", url.Values{"meter_number": {"9876543A"}}, "")
		send("POST", page+"/decide", url.Values{"item": {"ean"}}, "")
		_, html = send("GET", page, nil, "")
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(html)
		if key == nil {
			t.Fatal("no send form")
		}
		if resp, _ := send("POST", page+"/execute", url.Values{"item": {"ean"}, "key": {key[1]}}, ""); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send the SMS: %d", resp.StatusCode)
		}
		seen := map[string]bool{}
		for _, lang := range coupole.Languages {
			resp, body := send("GET", page+"/deliveries", nil, string(lang))
			var got struct {
				Deliveries []struct {
					ID, Status, Label string
					Final             bool
				}
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK || len(got.Deliveries) != 1 {
				t.Fatalf("%s: %d %s %v", lang, resp.StatusCode, body, err)
			}
			d := got.Deliveries[0]
			if want := Message(lang, "deliveries.status.pending"); d.Status != "pending" || d.Final || d.Label != want {
				t.Errorf("%s: %+v, want pending, not final, %q", lang, d, want)
			}
			seen[d.Label] = true
			if strings.Contains(body, "recipient") || strings.Contains(body, "+32") || strings.Contains(body, "•") {
				t.Errorf("%s: the status answer shows a recipient: %s", lang, body)
			}
		}
		if len(seen) != len(coupole.Languages) {
			t.Errorf("the status is said the same way in several languages: %v", seen)
		}
	})
}
