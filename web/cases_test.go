package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// gridLoaded remembers the fixtures whose database holds storetest's grid.
var gridLoaded sync.Map // *fixture → true

func (f *fixture) mustGrid(tb testing.TB) {
	tb.Helper()
	if _, done := gridLoaded.LoadOrStore(f, true); !done {
		storetest.MustLoad(tb, f.db, storetest.Fixture())
	}
}

var matrixCases int

// matrixCase gives staffID a case of their own for a matrix row: open for
// the take routes, taken by them for the others, so that only the role
// decides (C1 itself is tested below).
func (f *fixture) matrixCase(tb testing.TB, staffID, pattern string) string {
	tb.Helper()
	f.mustGrid(tb)
	matrixCases++
	id := fmt.Sprintf("c-matrix-%d", matrixCases)
	iid := "i-" + id
	storetest.MustInteraction(tb, f.db, iid, staffID, t0)
	mustCreateCase(tb, f.db, id, iid)
	if !strings.HasSuffix(pattern, "/take") {
		if _, err := f.db.TakeCase(context.Background(), id, staffID, t0); err != nil {
			tb.Fatal(err)
		}
	}
	return id
}

func mustCreateCase(tb testing.TB, db *sqlstore.DB, id, interactionID string) {
	tb.Helper()
	err := db.CreateCase(context.Background(), coupole.Case{ID: id, InteractionID: interactionID, OpenedBy: "s-adv", CustomerID: "C-1",
		EANs: []coupole.EAN{storetest.EANElecNamur, storetest.EANGasNamur, storetest.EANElecLiege}, Kind: coupole.CaseMultipleEANs, Item: "ean",
		Channel: "phone", Note: "note interne", OpenedAt: t0})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestCasesNeedToKnow: D4, C1, issue 11 item 5 — through the API, the
// queue is the back office's and shows no customer data; a case's data is
// read, answered and closed only by the member who took it, until it is
// closed; a second take loses; an answer is exactly one pending delivery
// carrying the text.
func TestCasesNeedToKnow(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, AuthConfig{})
		f.mustGrid(t)
		mustStaff(t, db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		mustStaff(t, db, "s-bo1", coupole.StaffOIDC, coupole.RoleBackOffice)
		mustStaff(t, db, "s-bo2", coupole.StaffOIDC, coupole.RoleBackOffice)
		mustStaff(t, db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor, coupole.RoleBackOffice)
		storetest.MustInteraction(t, db, "i-1", "s-adv", t0)
		mustCreateCase(t, db, "c-1", "i-1")
		adv, bo1, bo2, aud := f.mustSession(t, "s-adv"), f.mustSession(t, "s-bo1"), f.mustSession(t, "s-bo2"), f.mustSession(t, "s-aud")
		personal := []string{"Dupont", "Gérard", string(storetest.EANElecNamur), "gd@example.be", "note interne"}
		noPersonal := func(what, body string, allowed ...string) {
			t.Helper()
			for _, p := range personal {
				if strings.Contains(body, p) && !strings.Contains(strings.Join(allowed, ","), p) {
					t.Errorf("%s shows %q", what, p)
				}
			}
		}

		steps := []struct {
			name   string
			s      session
			method string
			path   string
			body   string
			status int
		}{
			{"an advisor does not see the queue", adv, "GET", "/api/v1/cases", "", http.StatusForbidden},
			{"the back office sees the queue", bo1, "GET", "/api/v1/cases?status=open", "", http.StatusOK},
			{"nobody reads an untaken case", bo1, "GET", "/api/v1/cases/c-1", "", http.StatusForbidden},
			{"a member takes it", bo1, "POST", "/api/v1/cases/c-1/take", "", http.StatusOK},
			{"a second take loses", bo2, "POST", "/api/v1/cases/c-1/take", "", http.StatusConflict},
			{"another member does not read it", bo2, "GET", "/api/v1/cases/c-1", "", http.StatusForbidden},
			{"another member does not answer it", bo2, "POST", "/api/v1/cases/c-1/answer", `{"by":"email","text":"x"}`, http.StatusForbidden},
			{"another member does not close it", bo2, "POST", "/api/v1/cases/c-1/close", "", http.StatusForbidden},
			{"an auditor in the back office does not read it", aud, "GET", "/api/v1/cases/c-1", "", http.StatusForbidden},
			{"the taker reads it, masked", bo1, "GET", "/api/v1/cases/c-1", "", http.StatusOK},
			{"an empty answer is refused", bo1, "POST", "/api/v1/cases/c-1/answer", `{"by":"email","text":" "}`, http.StatusBadRequest},
			{"the taker answers by e-mail", bo1, "POST", "/api/v1/cases/c-1/answer", `{"by":"email","text":"Vos codes EAN suivent par courrier."}`, http.StatusOK},
			{"answered once", bo1, "POST", "/api/v1/cases/c-1/answer", `{"by":"letter","text":"encore"}`, http.StatusConflict},
			{"the taker closes it", bo1, "POST", "/api/v1/cases/c-1/close", "", http.StatusOK},
			{"closed: need-to-know ends", bo1, "GET", "/api/v1/cases/c-1", "", http.StatusForbidden},
		}
		for _, st := range steps {
			resp := f.do(t, st.s, st.method, st.path, st.body)
			body := readBody(t, resp)
			if resp.StatusCode != st.status {
				t.Fatalf("%s: %s %s = %d %s, want %d", st.name, st.method, st.path, resp.StatusCode, body, st.status)
			}
			switch st.name {
			case "the back office sees the queue":
				var q []map[string]any
				if err := json.Unmarshal([]byte(body), &q); err != nil || len(q) != 1 || q[0]["id"] != "c-1" || q[0]["ean_count"] != 3.0 {
					t.Errorf("queue = %s, %v", body, err)
				}
				noPersonal("the queue", body)
			case "the taker reads it, masked":
				var v map[string]any
				json.Unmarshal([]byte(body), &v)
				if v["customer"] != "G••• D•••" || v["email"] != "g•••@example.be" || v["note"] != "note interne" {
					t.Errorf("case = %s", body)
				}
				noPersonal("the case", body, "note interne")
			}
		}
		ds, err := db.Deliveries(ctx, "i-1")
		if err != nil || len(ds) != 1 || ds[0].Status != "pending" || ds[0].Kind != coupole.DeliveryEmail || ds[0].Text != "Vos codes EAN suivent par courrier." || ds[0].Recipient != "gd@example.be" {
			t.Errorf("deliveries = %+v, %v; want one pending e-mail with the text", ds, err)
		}
		// The refusals name the case they were about (T1).
		refused := 0
		for _, e := range f.tracer.events {
			if e.Type == coupole.StaffEventAccessDenied && e.Subject == "c-1" && e.Actor == "s-bo2" {
				refused++
			}
		}
		if refused != 3 {
			t.Errorf("%d traced refusals of s-bo2 on c-1, want 3", refused)
		}
		// Every read and change of the case is in the audit log with its targets.
		var actions []string
		for _, ev := range f.audit.events {
			if strings.HasPrefix(ev.Action, "case.") && ev.Decision.Outcome == "ok" {
				actions = append(actions, ev.Action)
				if ev.Action != "case.list" && (len(ev.Customers) != 1 || ev.Customers[0] != "C-1" || len(ev.AccessPoints) != 3) {
					t.Errorf("%s traced without its targets: %+v", ev.Action, ev)
				}
			}
		}
		if got := strings.Join(actions, " "); got != "case.list case.take case.read case.answer case.close" {
			t.Errorf("traced = %s", got)
		}
	})
}

// TestCasePages: the back office's pages — the queue with a take button,
// the taken case with its answer form, close — in French first and the
// other languages; a second take is told it lost.
func TestCasePages(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	f.mustGrid(t)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	mustStaff(t, f.db, "s-bo1", coupole.StaffOIDC, coupole.RoleBackOffice)
	mustStaff(t, f.db, "s-bo2", coupole.StaffOIDC, coupole.RoleBackOffice)
	storetest.MustInteraction(t, f.db, "i-1", "s-adv", t0)
	mustCreateCase(t, f.db, "c-1", "i-1")
	bo1, bo2 := f.mustSession(t, "s-bo1"), f.mustSession(t, "s-bo2")

	page := f.get(t, bo1, "/cases", nil)
	for _, want := range []string{"Dossiers du back office", `action="/cases/c-1/take"`, "Plus de deux EAN", `href="/cases"`} {
		if !strings.Contains(page, want) {
			t.Errorf("queue page lacks %q", want)
		}
	}
	if strings.Contains(page, "Dupont") || strings.Contains(page, "G•••") {
		t.Error("the queue page shows customer data")
	}
	if resp := f.form(t, bo1, "/cases/c-1/take", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases/c-1" {
		t.Fatalf("take: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := f.form(t, bo2, "/cases/c-1/take", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(readBody(t, resp), "être pris par quelqu") {
		t.Errorf("second take: %d", resp.StatusCode)
	}
	page = f.get(t, bo1, "/cases/c-1", nil)
	for _, want := range []string{"G••• D•••", "g•••@example.be", `action="/cases/c-1/answer"`, `name="text"`, `action="/cases/c-1/close"`, "note interne"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	resp := f.form(t, bo1, "/cases/c-1/answer", url.Values{"by": {"letter"}, "text": {"Madame, Monsieur, …"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Réponse mise en file") {
		t.Errorf("answer: %d", resp.StatusCode)
	}
	if ds, _ := f.db.Deliveries(context.Background(), "i-1"); len(ds) != 1 || ds[0].Recipient != "postal_address" || ds[0].Kind != coupole.DeliveryLetter {
		t.Errorf("deliveries after a letter answer = %+v", ds)
	}
	resp = f.form(t, bo1, "/cases/c-1/close", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dossier clôturé") {
		t.Errorf("close: %d", resp.StatusCode)
	}
	if resp := f.form(t, bo1, "/cases/c-1/take", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("take of a closed case: %d", resp.StatusCode)
	}
}
