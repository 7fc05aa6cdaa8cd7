package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestPrivilegedAPI: S3, S7 — elevated-role requests over the JSON API go
// through governance.Privileged: bad input is a problem naming the field
// and creates nothing; nobody approves their own request (403, traced with
// the request as target, the request still pending); an approval gives the
// role at the next request, a withdrawal takes it away; a non-approver
// withdrawing somebody else's is refused and traced; an incompatible pair is
// refused naming the rule.
func TestPrivilegedAPI(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db, AuthConfig{})
		mustStaff(t, db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
		mustStaff(t, db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-sdm", coupole.StaffOIDC, coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-aud", coupole.StaffOIDC, coupole.RoleAuditor)
		adv, po, sdm, aud := f.mustSession(t, "s-adv"), f.mustSession(t, "s-po"), f.mustSession(t, "s-sdm"), f.mustSession(t, "s-aud")

		decode := func(resp *http.Response, v any) string {
			t.Helper()
			body := readBody(t, resp)
			if v != nil {
				if err := json.Unmarshal([]byte(body), v); err != nil {
					t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
				}
			}
			return body
		}
		problem := func(what string, resp *http.Response, status int, want string) {
			t.Helper()
			body := readBody(t, resp)
			if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, want) {
				t.Errorf("%s: %d %s %s, want %d problem with %q", what, resp.StatusCode, resp.Header.Get("Content-Type"), body, status, want)
			}
		}
		count := func() int {
			list, err := db.ListPrivilegedRequests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}

		for _, tc := range []struct{ name, body, want string }{
			{"no minutes", `{"role":"supervisor","justification":"evening shift"}`, "minutes"},
			{"too long", `{"role":"supervisor","minutes":481,"justification":"evening shift"}`, "minutes"},
			{"huge", `{"role":"supervisor","minutes":9223372036854775,"justification":"evening shift"}`, "minutes"},
			{"no such role", `{"role":"king","minutes":30,"justification":"evening shift"}`, "role"},
			{"no justification", `{"role":"supervisor","minutes":30,"justification":"  "}`, "justification"},
			{"unknown field", `{"role":"supervisor","minutes":30,"justification":"x","staff_id":"s-po"}`, "staff_id"},
		} {
			problem(tc.name, f.do(t, adv, "POST", "/api/v1/privileged", tc.body), http.StatusBadRequest, tc.want)
		}
		if n := count(); n != 0 {
			t.Fatalf("refused requests created %d", n)
		}

		// Traced first: with the audit log down nothing is requested.
		tr := f.access.Tracer
		f.access.Tracer = downTracer{}
		problem("audit log down", f.do(t, adv, "POST", "/api/v1/privileged", `{"role":"supervisor","minutes":60,"justification":"evening shift"}`),
			http.StatusServiceUnavailable, "")
		f.access.Tracer = tr
		if n := count(); n != 0 {
			t.Fatalf("requested without a trace: %d", n)
		}

		var mine privilegedJSON
		resp := f.do(t, adv, "POST", "/api/v1/privileged", `{"role":"supervisor","minutes":60,"justification":"evening shift"}`)
		if decode(resp, &mine); resp.StatusCode != http.StatusCreated || mine.Status != "pending" || mine.Active || mine.StaffID != "s-adv" || mine.Minutes != 60 {
			t.Fatalf("request: %d %+v", resp.StatusCode, mine)
		}
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == "privileged.requested" && e.Actor == "s-adv" && e.Subject == mine.ID
		}) {
			t.Error("the request is not traced")
		}
		var own privilegedJSON
		decode(f.do(t, po, "POST", "/api/v1/privileged", `{"role":"team_lead","minutes":30,"justification":"cover"}`), &own)

		// The advisor may neither list the pending requests nor decide.
		problem("advisor lists pending", f.do(t, adv, "GET", "/api/v1/privileged/pending", ""), http.StatusForbidden, "forbidden")
		problem("advisor approves", f.do(t, adv, "POST", "/api/v1/privileged/"+mine.ID+"/approve", ""), http.StatusForbidden, "forbidden")

		// Self-approval is refused at the API, traced with its target.
		problem("self-approval", f.do(t, po, "POST", "/api/v1/privileged/"+own.ID+"/approve", `{"why":"me"}`), http.StatusForbidden, "forbidden")
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == coupole.StaffEventAccessDenied && e.Actor == "s-po" && e.Subject == own.ID &&
				e.Details["action"] == string(coupole.ActionApprovePrivileged)
		}) {
			t.Error("the self-approval refusal is not traced with the request")
		}
		if q, err := db.PrivilegedRequest(ctx, own.ID); err != nil || q.Status != coupole.PrivilegedPending {
			t.Errorf("after self-approval: %+v, %v", q.Status, err)
		}

		var pending []privilegedJSON
		if resp := f.do(t, sdm, "GET", "/api/v1/privileged/pending", ""); decode(resp, &pending) == "" || len(pending) != 2 {
			t.Errorf("pending for the approver: %+v", pending)
		}
		var list []privilegedJSON
		if decode(f.do(t, adv, "GET", "/api/v1/privileged", ""), &list); len(list) != 1 || list[0].ID != mine.ID {
			t.Errorf("the advisor's own list: %+v", list)
		}

		// Before approval the advisor has no supervisor's right.
		if resp := f.do(t, adv, "GET", "/api/v1/interactions", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("before approval: %d", resp.StatusCode)
		}
		var got privilegedJSON
		resp = f.do(t, sdm, "POST", "/api/v1/privileged/"+mine.ID+"/approve", `{"why":"ok for tonight"}`)
		if decode(resp, &got); resp.StatusCode != http.StatusOK || got.Status != "approved" || !got.Active || got.DecidedBy != "s-sdm" ||
			got.EndsAt == nil || !got.EndsAt.Equal(f.clock.Now().Add(time.Hour)) {
			t.Fatalf("approve: %d %+v", resp.StatusCode, got)
		}
		if resp := f.do(t, adv, "GET", "/api/v1/interactions", ""); resp.StatusCode != http.StatusOK {
			t.Errorf("after approval: %d, want the elevated role", resp.StatusCode)
		}
		problem("approving twice", f.do(t, po, "POST", "/api/v1/privileged/"+mine.ID+"/approve", ""), http.StatusConflict, "")
		problem("unknown request", f.do(t, sdm, "POST", "/api/v1/privileged/pr-none/reject", ""), http.StatusNotFound, "")

		resp = f.do(t, sdm, "POST", "/api/v1/privileged/"+own.ID+"/reject", `{"why":"not needed"}`)
		if decode(resp, &got); resp.StatusCode != http.StatusOK || got.Status != "rejected" || got.Active {
			t.Errorf("reject: %d %+v", resp.StatusCode, got)
		}

		// A non-approver may not withdraw somebody else's: refused, traced.
		problem("auditor withdraws", f.do(t, aud, "POST", "/api/v1/privileged/"+mine.ID+"/withdraw", ""), http.StatusForbidden, "")
		if !f.tracer.has(func(e coupole.StaffEvent) bool {
			return e.Type == coupole.StaffEventAccessDenied && e.Actor == "s-aud" && e.Subject == mine.ID
		}) {
			t.Error("the withdrawal refusal is not traced with the request")
		}
		resp = f.do(t, adv, "POST", "/api/v1/privileged/"+mine.ID+"/withdraw", `{"why":"shift over"}`)
		if decode(resp, &got); resp.StatusCode != http.StatusOK || got.Status != "withdrawn" || got.Active {
			t.Errorf("withdraw: %d %+v", resp.StatusCode, got)
		}
		if resp := f.do(t, adv, "GET", "/api/v1/interactions", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("after withdrawal: %d, want the role gone", resp.StatusCode)
		}

		// S7: the auditor may not hold it_admin too, even for a while.
		if err := db.SetLanguage(ctx, "s-aud", coupole.French); err != nil {
			t.Fatal(err)
		}
		problem("incompatible pair", f.do(t, aud, "POST", "/api/v1/privileged", `{"role":"it_admin","minutes":30,"justification":"patch"}`),
			http.StatusForbidden, "incompatible-auditor-it-admin")

		// An approved request past its end reads as expired.
		var later privilegedJSON
		decode(f.do(t, adv, "POST", "/api/v1/privileged", `{"role":"team_lead","minutes":5,"justification":"short"}`), &later)
		f.do(t, sdm, "POST", "/api/v1/privileged/"+later.ID+"/approve", "")
		f.clock.T = f.clock.T.Add(6 * time.Minute)
		decode(f.do(t, adv, "GET", "/api/v1/privileged", ""), &list)
		for _, q := range list {
			if q.ID == later.ID && (q.Status != "expired" || q.Active) {
				t.Errorf("past its end: %+v", q)
			}
		}
	})
}
