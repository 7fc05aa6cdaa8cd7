package scim_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/scim"
)

// TestEntraProvisioningSequence runs the provisioning sequence Entra ID
// documents for a SCIM endpoint, with its request shapes, and checks that
// staff follow it (issue 12 items 1–2, S4): the create is a joiner, the
// group membership a mover, active "False" and DELETE a leaver whose live
// session is gone when the response arrives.
func TestEntraProvisioningSequence(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ctx := context.Background()
		const login = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"

		// 1. Is the user there? An empty ListResponse.
		if got := r.resources(r.do("GET", `/Users?filter=userName+eq+%22`+login+`%22`, nil)); len(got) != 0 {
			t.Fatalf("user found before creation: %v", got)
		}

		// 2. Create: a joiner without roles yet.
		created := r.must(201, r.do("POST", "/Users", entraUser(login, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")))
		id, _ := created.Body["id"].(string)
		meta, _ := created.Body["meta"].(map[string]any)
		if id == "" || meta["resourceType"] != "User" || meta["location"] != r.srv.URL+"/scim/v2/Users/"+id || meta["version"] != `W/"1"` {
			t.Fatalf("created user: %s", created.Raw)
		}
		if created.Header.Get("Location") != meta["location"] || created.Header.Get("ETag") != `W/"1"` {
			t.Errorf("Location %q ETag %q", created.Header.Get("Location"), created.Header.Get("ETag"))
		}
		if _, ok := created.Body["password"]; ok {
			t.Error("password returned")
		}
		staff := r.staffOf(id)
		if staff.Login != login || staff.DisplayName != "Given Family" || len(staff.Roles) != 0 || staff.Status != coupole.StaffActive {
			t.Fatalf("joiner account: %+v", staff)
		}
		// The same userName in another case is taken (userName is not caseExact).
		r.mustError(409, "uniqueness", r.do("POST", "/Users", entraUser("test_user_AB6490EE-1e48-479e-a20b-2d77186b5dd1", "x")))

		// 3. Found by filter now, with the externalId Entra matches on.
		found := r.resources(r.do("GET", `/Users?filter=userName+eq+%22`+login+`%22`, nil))
		if len(found) != 1 || found[0]["id"] != id || found[0]["externalId"] != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" {
			t.Fatalf("filter by userName: %v", found)
		}

		// 4. Update attributes the way Entra does.
		upd := r.must(200, r.do("PATCH", "/Users/"+id, patch(
			op("Replace", `emails[type eq "work"].value`, "updatedEmail@example.test"),
			op("Replace", "name.familyName", "updatedFamilyName"),
			op("Add", "displayName", "Given Updated"),
			op("Add", "preferredLanguage", "nl-BE"),
			op("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "E-1234"),
		)))
		emails := upd.Body["emails"].([]any)
		if len(emails) != 1 || emails[0].(map[string]any)["value"] != "updatedEmail@example.test" {
			t.Errorf("emails after patch: %v", emails)
		}
		if upd.Body["name"].(map[string]any)["familyName"] != "updatedFamilyName" || upd.Body["name"].(map[string]any)["givenName"] != "Given" {
			t.Errorf("name after patch: %v", upd.Body["name"])
		}
		if ext := upd.Body[scim.SchemaEnterprise].(map[string]any); ext["employeeNumber"] != "E-1234" {
			t.Errorf("enterprise extension: %v", ext)
		}
		if upd.Header.Get("ETag") != `W/"2"` {
			t.Errorf("ETag after patch %q", upd.Header.Get("ETag"))
		}
		if s := r.staffOf(id); s.Language != coupole.Dutch {
			t.Errorf("language %q, want nl", s.Language)
		}

		// 5. Group: not there, created, member added (mover), removed.
		if got := r.resources(r.do("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22Coupole+Advisors%22`, nil)); len(got) != 0 {
			t.Fatalf("group found before creation: %v", got)
		}
		g := r.must(201, r.do("POST", "/Groups", map[string]any{
			"schemas": []string{scim.SchemaGroup}, "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"displayName": "Coupole Advisors", "meta": map[string]any{"resourceType": "Group"}, "members": []any{},
		}))
		gid := g.Body["id"].(string)
		r.must(200, r.do("PATCH", "/Groups/"+gid, patch(op("Add", "members", []any{map[string]any{"$ref": nil, "value": id}}))))
		if s := r.staffOf(id); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Fatalf("roles after joining the group: %v", s.Roles)
		}
		u := r.must(200, r.do("GET", "/Users/"+id, nil))
		if gs, _ := u.Body["groups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["value"] != gid {
			t.Errorf("user's groups: %v", u.Body["groups"])
		}
		// Entra's exclusion of members, and the filter on displayName.
		listed := r.resources(r.do("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22coupole+advisors%22`, nil))
		if len(listed) != 1 || listed[0]["members"] != nil {
			t.Errorf("group listed with members excluded: %v", listed)
		}
		r.must(200, r.do("PATCH", "/Groups/"+gid, patch(op("Remove", "members", []any{map[string]any{"$ref": nil, "value": id}}))))
		if s := r.staffOf(id); len(s.Roles) != 0 {
			t.Fatalf("roles after leaving the group: %v", s.Roles)
		}
		r.must(200, r.do("PATCH", "/Groups/"+gid, patch(op("Add", "members", []any{map[string]any{"value": id}}))))

		// 6. A live session, then disable with the string "False": a leaver.
		secret := "session-secret"
		sum := sha256.Sum256([]byte(secret))
		hash := hex.EncodeToString(sum[:])
		now := time.Now().UTC()
		if err := r.db.CreateSession(ctx, coupole.Session{IDHash: hash, StaffID: r.staffOf(id).ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.db.ActiveSession(ctx, hash); err != nil {
			t.Fatalf("session not live before the leaver: %v", err)
		}
		start := time.Now()
		dis := r.must(200, r.do("PATCH", "/Users/"+id, patch(op("Replace", "", map[string]any{"active": "False"}))))
		if dis.Body["active"] != false {
			t.Errorf("active after disable: %v", dis.Body["active"])
		}
		if _, _, err := r.db.ActiveSession(ctx, hash); coupole.ErrorCode(err) != coupole.ENOTFOUND && coupole.ErrorCode(err) != coupole.EUNAUTHORIZED {
			t.Fatalf("leaver's session still usable after the response: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("leaver took %v, want under 1s", d)
		}
		if s := r.staffOf(id); s.Status != coupole.StaffRevoked {
			t.Fatalf("leaver status %s", s.Status)
		}
		// Enabled again, then disabled with a boolean in a path.
		r.must(200, r.do("PATCH", "/Users/"+id, patch(op("Replace", "active", "True"))))
		if s := r.staffOf(id); s.Status != coupole.StaffActive {
			t.Fatalf("reactivated status %s", s.Status)
		}
		r.must(200, r.do("PATCH", "/Users/"+id, patch(op("replace", "active", false))))

		// 7. Delete: 204, then 404 in the SCIM error schema; the group no
		// longer lists it.
		r.must(204, r.do("DELETE", "/Users/"+id, nil))
		r.mustError(404, "", r.do("GET", "/Users/"+id, nil))
		if gm := r.must(200, r.do("GET", "/Groups/"+gid, nil)); gm.Body["members"] != nil {
			t.Errorf("deleted user still a member: %v", gm.Body["members"])
		}

		// Every change is traced with the token as actor; each role granted
		// enters the validation queue (S5).
		want := []string{coupole.StaffEventCreated, "staff.profile_changed", coupole.StaffEventRolesChanged, governance.EventGrantOpened,
			coupole.StaffEventRolesChanged, coupole.StaffEventRolesChanged, governance.EventGrantOpened,
			coupole.StaffEventRevoked, coupole.StaffEventReinstated, coupole.StaffEventRevoked}
		got := r.tracer.types()[1:] // after the token's creation
		if !slices.Equal(got, want) {
			t.Errorf("traced %v, want %v", got, want)
		}
		for _, e := range r.tracer.events[1:] {
			if e.Actor != "scim:"+r.tokID {
				t.Errorf("event %s actor %q", e.Type, e.Actor)
			}
		}
	})
}
