package scim_test

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/scim"
)

// The tests of this file check the service provider against RFC 7643 and
// RFC 7644 rather than against one client's shapes (issue 12, item 1: an
// independent SCIM compliance suite will test it). Each names the section
// it checks.

// seedUsers provisions three users whose attributes the filter table
// reads, and returns their ids by userName.
func seedUsers(r *rig) map[string]string {
	r.t.Helper()
	ids := map[string]string{}
	add := func(body map[string]any) {
		resp := r.must(201, r.do("POST", "/Users", body))
		ids[body["userName"].(string)] = resp.Body["id"].(string)
	}
	add(map[string]any{
		"schemas": []string{scim.SchemaUser, scim.SchemaEnterprise}, "userName": "bjensen", "externalId": "ext-B",
		"displayName": "Babs Jensen", "title": "Tour Guide", "userType": "Employee", "active": true,
		"name":                map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
		"emails":              []any{map[string]any{"type": "work", "value": "bjensen@example.com", "primary": true}, map[string]any{"type": "home", "value": "babs@jensen.org"}},
		scim.SchemaEnterprise: map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	})
	add(map[string]any{
		"schemas": []string{scim.SchemaUser}, "userName": "jsmith", "externalId": "ext-S",
		"displayName": `Quote "Q" Smith`, "userType": "Contractor", "active": false,
		"name":   map[string]any{"familyName": "O'Malley", "givenName": "John"},
		"emails": []any{map[string]any{"type": "work", "value": "jsmith@example.org"}},
	})
	add(map[string]any{
		"schemas": []string{scim.SchemaUser}, "userName": "Alice", "displayName": "Alice Martin", "active": true,
		"emails": []any{map[string]any{"type": "home", "value": "alice@example.com"}},
	})
	return ids
}

// names lists the userNames of a ListResponse, sorted.
func (r *rig) names(resp response) []string {
	r.t.Helper()
	var out []string
	for _, u := range r.resources(resp) {
		out = append(out, u["userName"].(string))
	}
	sort.Strings(out)
	return out
}

// TestFilterGrammar checks the filter grammar of RFC 7644 §3.4.2.2 on
// GET /Users: every operator, logical operators with their precedence,
// grouping, valuePath, extension paths, case-insensitive attribute names
// and operators, string escaping; and that a bad filter is 400
// invalidFilter.
func TestFilterGrammar(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		seedUsers(r)
		cases := []struct {
			filter string
			want   string // userNames, sorted, comma-separated
		}{
			{`userName eq "bjensen"`, "bjensen"},
			{`userName eq "BJENSEN"`, "bjensen"}, // userName is caseExact false
			{`USERNAME Eq "bjensen"`, "bjensen"}, // attribute names and operators are case-insensitive
			{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jsmith"`, "jsmith"},
			{`userName ne "bjensen"`, "Alice,jsmith"},
			{`userName co "smi"`, "jsmith"},
			{`userName sw "a"`, "Alice"},
			{`userName ew "SEN"`, "bjensen"},
			{`externalId eq "ext-B"`, "bjensen"},
			{`externalId eq "EXT-B"`, ""}, // externalId is caseExact
			{`title pr`, "bjensen"},
			{`not (title pr)`, "Alice,jsmith"},
			{`userName gt "b"`, "bjensen,jsmith"},
			{`userName ge "bjensen"`, "bjensen,jsmith"},
			{`userName lt "bjensen"`, "Alice"},
			{`userName le "bjensen"`, "Alice,bjensen"},
			{`active eq true`, "Alice,bjensen"},
			{`active eq False`, "jsmith"},
			{`title pr and userType eq "Employee"`, "bjensen"},
			{`title pr or userType eq "Contractor"`, "bjensen,jsmith"},
			// and binds tighter than or.
			{`userName eq "Alice" or userName eq "bjensen" and active eq false`, "Alice"},
			{`(userName eq "Alice" or userName eq "bjensen") and active eq true`, "Alice,bjensen"},
			{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, "bjensen"},
			{`emails co "example.com"`, "Alice,bjensen"},
			{`emails.type eq "work"`, "bjensen,jsmith"},
			{`emails[type eq "work" and value co "@example.com"]`, "bjensen"},
			{`emails[type eq "home"]`, "Alice,bjensen"},
			{`emails[not (type eq "work")]`, "Alice,bjensen"},
			{`name.familyName co "O'Malley"`, "jsmith"},
			{`displayName eq "Quote \"Q\" Smith"`, "jsmith"},
			{`displayName eq "Quote \u0022Q\u0022 Smith"`, "jsmith"},
			{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, "bjensen"},
			{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "tour"`, "bjensen"},
			{`meta.resourceType eq "User"`, "Alice,bjensen,jsmith"},
			{`meta.created gt "2000-01-01T00:00:00Z"`, "Alice,bjensen,jsmith"},
			{`meta.lastModified lt "2000-01-01T00:00:00Z"`, ""},
			{`nickName eq null`, "Alice,bjensen,jsmith"},
			{`noSuchAttribute eq "x"`, ""},
		}
		for _, c := range cases {
			got := strings.Join(r.names(r.do("GET", "/Users?filter="+url.QueryEscape(c.filter), nil)), ",")
			if got != c.want {
				t.Errorf("filter %s: got [%s], want [%s]", c.filter, got, c.want)
			}
		}
		bad := []string{
			`userName eq`, `userName xx "a"`, `(userName eq "a"`, `userName eq "a")`, `userName eq "a" and`,
			`userName co true`, `emails[type eq "work"`, `userName eq "unterminated`, `userName eq "a" bogus`,
			`not userName eq "a"`, `eq "a"`, `userName eq bareword`, `active gt true`, `"userName" eq "a"`,
			`userName eq "\x"`, `emails[type eq "work"]]`, `and`, `userName pr pr`,
		}
		for _, f := range bad {
			r.mustError(400, "invalidFilter", r.do("GET", "/Users?filter="+url.QueryEscape(f), nil))
			r.mustError(400, "invalidFilter", r.do("POST", "/Users/.search", map[string]any{"schemas": []string{scim.MsgSearch}, "filter": f}))
		}
	})
}

// TestPaginationAndSorting checks startIndex, count, totalResults and
// itemsPerPage (RFC 7644 §3.4.2.4) and sortBy/sortOrder (§3.4.2.3), which
// ServiceProviderConfig advertises.
func TestPaginationAndSorting(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		seedUsers(r)
		page := func(q string) (total, start, per float64, names []string) {
			resp := r.do("GET", "/Users?"+q, nil)
			for _, u := range r.resources(resp) {
				names = append(names, u["userName"].(string))
			}
			return resp.Body["totalResults"].(float64), resp.Body["startIndex"].(float64), resp.Body["itemsPerPage"].(float64), names
		}
		total, start, per, names := page("sortBy=userName&startIndex=1&count=2")
		if total != 3 || start != 1 || per != 2 || !slices.Equal(names, []string{"Alice", "bjensen"}) {
			t.Errorf("page 1: total %v start %v per %v %v", total, start, per, names)
		}
		total, start, per, names = page("sortBy=userName&startIndex=3&count=2")
		if total != 3 || start != 3 || per != 1 || !slices.Equal(names, []string{"jsmith"}) {
			t.Errorf("page 2: total %v start %v per %v %v", total, start, per, names)
		}
		// Past the end: no resources; count=0: only the total; startIndex < 1 is 1.
		if total, _, per, names = page("startIndex=10"); total != 3 || per != 0 || len(names) != 0 {
			t.Errorf("past the end: total %v per %v %v", total, per, names)
		}
		if total, _, per, names = page("count=0"); total != 3 || per != 0 || len(names) != 0 {
			t.Errorf("count=0: total %v per %v %v", total, per, names)
		}
		if _, start, _, _ = page("startIndex=0&count=1"); start != 1 {
			t.Errorf("startIndex=0 answered start %v, want 1", start)
		}
		if _, _, _, names = page("sortBy=userName&sortOrder=descending"); !slices.Equal(names, []string{"jsmith", "bjensen", "Alice"}) {
			t.Errorf("descending: %v", names)
		}
		// Users without a title sort last ascending.
		if _, _, _, names = page("sortBy=title"); names[0] != "bjensen" {
			t.Errorf("sortBy=title: %v", names)
		}
		if _, _, _, names = page("filter=" + url.QueryEscape(`active eq true`) + "&sortBy=name.givenName"); !slices.Equal(names, []string{"bjensen", "Alice"}) {
			t.Errorf("sortBy sub-attribute: %v", names)
		}
		r.mustError(400, "invalidValue", r.do("GET", "/Users?sortBy=userName&sortOrder=sideways", nil))
		r.mustError(400, "invalidValue", r.do("GET", "/Users?count=many", nil))
		// attributes and excludedAttributes (§3.4.2.5): id always returned.
		one := r.resources(r.do("GET", "/Users?attributes=userName,name.familyName&filter="+url.QueryEscape(`userName eq "bjensen"`), nil))[0]
		if one["id"] == nil || one["userName"] != "bjensen" || one["emails"] != nil || one["name"].(map[string]any)["givenName"] != nil ||
			one["name"].(map[string]any)["familyName"] != "Jensen" {
			t.Errorf("attributes projection: %v", one)
		}
		ex := r.resources(r.do("GET", "/Users?excludedAttributes=emails,id&filter="+url.QueryEscape(`userName eq "bjensen"`), nil))[0]
		if ex["emails"] != nil || ex["id"] == nil || ex["userName"] != "bjensen" {
			t.Errorf("excludedAttributes: %v", ex)
		}
	})
}

// TestSearchEndpoints checks POST /.search at the root and per resource
// type (RFC 7644 §3.4.3): a SearchRequest with filter, attributes, sort and
// paging, answered as a ListResponse.
func TestSearchEndpoints(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		seedUsers(r)
		r.must(201, r.do("POST", "/Groups", map[string]any{"schemas": []string{scim.SchemaGroup}, "displayName": "Tour Guides"}))
		got := r.resources(r.do("POST", "/Users/.search", map[string]any{
			"schemas": []string{scim.MsgSearch}, "filter": `emails[type eq "work"]`, "attributes": []string{"userName"},
			"sortBy": "userName", "sortOrder": "descending", "startIndex": 1, "count": 10,
		}))
		if len(got) != 2 || got[0]["userName"] != "jsmith" || got[1]["userName"] != "bjensen" || got[0]["emails"] != nil {
			t.Errorf("/Users/.search: %v", got)
		}
		// Root search spans resource types; displayName is an attribute of both.
		all := r.resources(r.do("POST", "/.search", map[string]any{"schemas": []string{scim.MsgSearch}, "filter": `displayName sw "T"`}))
		if len(all) != 1 || all[0]["displayName"] != "Tour Guides" {
			t.Errorf("/.search: %v", all)
		}
		every := r.do("POST", "/.search", map[string]any{"schemas": []string{scim.MsgSearch}})
		if r.resources(every); every.Body["totalResults"].(float64) != 4 {
			t.Errorf("/.search without filter: %s", every.Raw)
		}
		r.mustError(400, "invalidValue", r.do("POST", "/Users/.search", map[string]any{"filter": `userName pr`}))
		r.mustError(400, "invalidSyntax", r.do("POST", "/.search", "{not json"))
	})
}

// TestPatchOperations checks PATCH (RFC 7644 §3.5.2): add, replace and
// remove with and without a path, value filters, sub-attributes,
// extension paths, read-only attributes, and the errors the RFC names.
func TestPatchOperations(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ids := seedUsers(r)
		b := "/Users/" + ids["bjensen"]
		emails := func(resp response) []string {
			var out []string
			list, _ := resp.Body["emails"].([]any)
			for _, e := range list {
				m := e.(map[string]any)
				out = append(out, m["type"].(string)+"="+m["value"].(string))
			}
			sort.Strings(out)
			return out
		}
		// add without path: attributes merged, multi-valued ones appended.
		resp := r.must(200, r.do("PATCH", b, patch(op("add", "", map[string]any{
			"nickName": "Babs", "emails": []any{map[string]any{"type": "other", "value": "b@other.example"}},
		}))))
		if resp.Body["nickName"] != "Babs" || len(emails(resp)) != 3 {
			t.Fatalf("add without path: %s", resp.Raw)
		}
		// add with a path to a multi-valued attribute; a value already there is not doubled.
		resp = r.must(200, r.do("PATCH", b, patch(op("add", "emails", []any{map[string]any{"type": "other", "value": "b@other.example"}}))))
		if len(emails(resp)) != 3 {
			t.Errorf("add of an existing value doubled it: %v", emails(resp))
		}
		// replace through a value filter and sub-attribute.
		resp = r.must(200, r.do("PATCH", b, patch(op("replace", `emails[type eq "work"].value`, "babs@example.com"))))
		if e := emails(resp); !slices.Contains(e, "work=babs@example.com") || slices.Contains(e, "work=bjensen@example.com") {
			t.Errorf("replace through a filter: %v", e)
		}
		// remove through a value filter.
		resp = r.must(200, r.do("PATCH", b, patch(op("remove", `emails[type eq "other"]`, nil))))
		if e := emails(resp); len(e) != 2 || slices.Contains(e, "other=b@other.example") {
			t.Errorf("remove through a filter: %v", e)
		}
		// replace without path; a sub-attribute path; an extension path.
		resp = r.must(200, r.do("PATCH", b, patch(
			op("replace", "", map[string]any{"displayName": "Barbara J.", "name": map[string]any{"givenName": "Barb"}}),
			op("replace", "name.familyName", "Jensen-Smith"),
			op("replace", scim.SchemaEnterprise+":department", "Guides"),
		)))
		name := resp.Body["name"].(map[string]any)
		ext := resp.Body[scim.SchemaEnterprise].(map[string]any)
		if resp.Body["displayName"] != "Barbara J." || name["givenName"] != "Barb" || name["familyName"] != "Jensen-Smith" || ext["department"] != "Guides" || ext["employeeNumber"] != "701984" {
			t.Errorf("replace: %s", resp.Raw)
		}
		// remove a single attribute, a sub-attribute, an extension attribute.
		resp = r.must(200, r.do("PATCH", b, patch(op("remove", "nickName", nil), op("remove", "name.givenName", nil), op("Remove", scim.SchemaEnterprise+":department", nil))))
		if resp.Body["nickName"] != nil || resp.Body["name"].(map[string]any)["givenName"] != nil || resp.Body[scim.SchemaEnterprise].(map[string]any)["department"] != nil {
			t.Errorf("remove: %s", resp.Raw)
		}
		if s := r.staffOf(ids["bjensen"]); s.DisplayName != "Barbara J." {
			t.Errorf("staff display name %q after the patch", s.DisplayName)
		}
		// active as a boolean and as the strings Entra ID sends.
		for _, v := range []any{false, "True", "False", true} {
			resp = r.must(200, r.do("PATCH", b, patch(op("replace", "active", v))))
			want := v == true || v == "True"
			if resp.Body["active"] != want {
				t.Errorf("active %v answered %v", v, resp.Body["active"])
			}
			if s := r.staffOf(ids["bjensen"]); (s.Status == coupole.StaffActive) != want {
				t.Errorf("active %v: staff status %s", v, s.Status)
			}
		}
		// Errors named by RFC 7644 §3.5.2.
		r.mustError(400, "noTarget", r.do("PATCH", b, patch(op("remove", "", nil))))
		r.mustError(400, "noTarget", r.do("PATCH", b, patch(op("replace", `emails[type eq "fax"].value`, "x"))))
		r.mustError(400, "invalidPath", r.do("PATCH", b, patch(op("replace", `emails[type eq "work"`, "x"))))
		r.mustError(400, "invalidPath", r.do("PATCH", b, patch(op("replace", `urn:example:unknown:1.0:User:thing`, "x"))))
		r.mustError(400, "mutability", r.do("PATCH", b, patch(op("replace", "id", "other"))))
		r.mustError(400, "mutability", r.do("PATCH", b, patch(op("remove", "userName", nil))))
		r.mustError(400, "invalidValue", r.do("PATCH", b, patch(op("jump", "nickName", "x"))))
		r.mustError(400, "invalidValue", r.do("PATCH", b, map[string]any{"Operations": []any{op("add", "nickName", "x")}}))
		r.mustError(400, "invalidValue", r.do("PATCH", b, patch(op("replace", "active", "maybe"))))
		r.mustError(404, "", r.do("PATCH", "/Users/nobody", patch(op("add", "nickName", "x"))))
		// A failed PATCH changes nothing (all operations or none).
		before := r.must(200, r.do("GET", b, nil))
		r.mustError(400, "mutability", r.do("PATCH", b, patch(op("add", "nickName", "half"), op("replace", "id", "x"))))
		after := r.must(200, r.do("GET", b, nil))
		if after.Body["nickName"] != nil || after.Header.Get("ETag") != before.Header.Get("ETag") {
			t.Errorf("a refused PATCH changed the user: %s", after.Raw)
		}
	})
}

// TestGroupMembersPatch checks member changes (RFC 7644 §3.5.2.2 and
// §3.5.2.3): add, removal by valuePath members[value eq "id"], replace of
// the whole list, and removal of all members; roles follow each change.
func TestGroupMembersPatch(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ids := seedUsers(r)
		a, b := ids["Alice"], ids["bjensen"]
		g := r.must(201, r.do("POST", "/Groups", map[string]any{"schemas": []string{scim.SchemaGroup}, "displayName": "Coupole Advisors"}))
		path := "/Groups/" + g.Body["id"].(string)
		roles := func(id string) []coupole.Role { return r.staffOf(id).Roles }
		members := func(resp response) []string {
			var out []string
			list, _ := resp.Body["members"].([]any)
			for _, e := range list {
				out = append(out, e.(map[string]any)["value"].(string))
			}
			sort.Strings(out)
			return out
		}
		resp := r.must(200, r.do("PATCH", path, patch(op("add", "members", []any{map[string]any{"value": a}, map[string]any{"value": b}}))))
		if len(members(resp)) != 2 || len(roles(a)) != 1 || len(roles(b)) != 1 {
			t.Fatalf("after add: members %v, roles %v %v", members(resp), roles(a), roles(b))
		}
		resp = r.must(200, r.do("PATCH", path, patch(op("remove", `members[value eq "`+a+`"]`, nil))))
		if m := members(resp); len(m) != 1 || m[0] != b || len(roles(a)) != 0 || len(roles(b)) != 1 {
			t.Fatalf("after valuePath removal: members %v, roles %v %v", m, roles(a), roles(b))
		}
		resp = r.must(200, r.do("PATCH", path, patch(op("replace", "members", []any{map[string]any{"value": a}}))))
		if m := members(resp); len(m) != 1 || m[0] != a || len(roles(a)) != 1 || len(roles(b)) != 0 {
			t.Fatalf("after replace: members %v, roles %v %v", m, roles(a), roles(b))
		}
		resp = r.must(200, r.do("PATCH", path, patch(op("replace", "displayName", "Coupole Leads"))))
		if resp.Body["displayName"] != "Coupole Leads" || !slices.Equal(roles(a), []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}) {
			t.Errorf("rename to a group mapped to more roles: %v %v", resp.Body["displayName"], roles(a))
		}
		resp = r.must(200, r.do("PATCH", path, patch(op("remove", "members", nil))))
		if len(members(resp)) != 0 || len(roles(a)) != 0 {
			t.Errorf("after removing all: members %v, roles %v", members(resp), roles(a))
		}
		r.mustError(400, "invalidValue", r.do("PATCH", path, patch(op("add", "members", []any{map[string]any{"value": "no-such-user"}}))))
		// An incompatible pair (auditor with advisor, S7) is refused: 403, nothing changed.
		aud := r.must(201, r.do("POST", "/Groups", map[string]any{"schemas": []string{scim.SchemaGroup}, "displayName": "Coupole Auditors",
			"members": []any{map[string]any{"value": b}}}))
		resp = r.do("PATCH", path, patch(op("add", "members", []any{map[string]any{"value": b}})))
		r.mustError(403, "", resp)
		if !slices.Equal(roles(b), []coupole.Role{coupole.RoleAuditor}) {
			t.Errorf("refused group change left roles %v", roles(b))
		}
		r.must(204, r.do("DELETE", "/Groups/"+aud.Body["id"].(string), nil))
		if len(roles(b)) != 0 {
			t.Errorf("roles after the group's deletion: %v", roles(b))
		}
	})
}

// TestETags checks versioning (RFC 7644 §3.14): a weak ETag header equal
// to meta.version, If-None-Match answered 304, If-Match answered 412 when
// it names another version, for PUT, PATCH and DELETE alike.
func TestETags(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ids := seedUsers(r)
		p := "/Users/" + ids["jsmith"]
		got := r.must(200, r.do("GET", p, nil))
		tag := got.Header.Get("ETag")
		if !strings.HasPrefix(tag, `W/"`) || got.Body["meta"].(map[string]any)["version"] != tag {
			t.Fatalf("ETag %q, meta.version %v", tag, got.Body["meta"])
		}
		if resp := r.do("GET", p, nil, "If-None-Match", tag); resp.Status != 304 {
			t.Errorf("If-None-Match with the current tag: %d", resp.Status)
		}
		stale := `W/"999"`
		r.mustError(412, "", r.do("PATCH", p, patch(op("add", "nickName", "x")), "If-Match", stale))
		body := map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "jsmith", "active": false}
		r.mustError(412, "", r.do("PUT", p, body, "If-Match", stale))
		r.mustError(412, "", r.do("DELETE", p, nil, "If-Match", stale))
		// The current tag, weak or as its strong spelling, and *, are accepted.
		next := r.must(200, r.do("PATCH", p, patch(op("add", "nickName", "x")), "If-Match", tag))
		tag2 := next.Header.Get("ETag")
		if tag2 == tag {
			t.Fatalf("ETag unchanged after a change: %s", tag2)
		}
		r.mustError(412, "", r.do("PUT", p, body, "If-Match", tag)) // the old one is stale now
		put := r.must(200, r.do("PUT", p, body, "If-Match", strings.TrimPrefix(tag2, "W/")))
		if put.Body["nickName"] != nil || put.Body["userName"] != "jsmith" {
			t.Errorf("PUT replaces the whole resource: %s", put.Raw)
		}
		r.must(204, r.do("DELETE", p, nil, "If-Match", "*"))
	})
}

// TestDiscovery checks the shapes of ServiceProviderConfig, ResourceTypes
// and Schemas (RFC 7643 §5–7, RFC 7644 §4), by list and by id.
func TestDiscovery(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		spc := r.must(200, r.do("GET", "/ServiceProviderConfig", nil)).Body
		if s := spc["schemas"].([]any); len(s) != 1 || s[0] != scim.SchemaSPC {
			t.Errorf("ServiceProviderConfig schemas %v", s)
		}
		for _, k := range []string{"patch", "bulk", "filter", "changePassword", "sort", "etag"} {
			m, ok := spc[k].(map[string]any)
			if !ok {
				t.Errorf("ServiceProviderConfig.%s missing", k)
				continue
			}
			if _, ok := m["supported"].(bool); !ok {
				t.Errorf("ServiceProviderConfig.%s.supported not a boolean", k)
			}
		}
		if f := spc["filter"].(map[string]any); f["maxResults"] == nil {
			t.Error("filter.maxResults missing")
		}
		if b := spc["bulk"].(map[string]any); b["maxOperations"] == nil || b["maxPayloadSize"] == nil {
			t.Error("bulk.maxOperations or maxPayloadSize missing")
		}
		auth, _ := spc["authenticationSchemes"].([]any)
		if len(auth) == 0 {
			t.Fatal("no authenticationSchemes")
		}
		for _, k := range []string{"type", "name", "description"} {
			if _, ok := auth[0].(map[string]any)[k].(string); !ok {
				t.Errorf("authenticationSchemes[0].%s missing", k)
			}
		}

		rts := r.resources(r.do("GET", "/ResourceTypes", nil))
		if len(rts) != 2 {
			t.Fatalf("ResourceTypes: %v", rts)
		}
		for _, rt := range rts {
			for _, k := range []string{"id", "name", "endpoint", "schema"} {
				if _, ok := rt[k].(string); !ok {
					t.Errorf("ResourceType %v: %s missing", rt["name"], k)
				}
			}
			if s := rt["schemas"].([]any); len(s) != 1 || s[0] != scim.SchemaRT {
				t.Errorf("ResourceType schemas %v", s)
			}
			one := r.must(200, r.do("GET", "/ResourceTypes/"+rt["id"].(string), nil)).Body
			if one["endpoint"] != rt["endpoint"] || one["schema"] != rt["schema"] {
				t.Errorf("ResourceType by id: %v", one)
			}
		}
		user := r.must(200, r.do("GET", "/ResourceTypes/User", nil)).Body
		ext, _ := user["schemaExtensions"].([]any)
		if len(ext) != 1 || ext[0].(map[string]any)["schema"] != scim.SchemaEnterprise || ext[0].(map[string]any)["required"] != false {
			t.Errorf("User schemaExtensions %v", user["schemaExtensions"])
		}

		schemas := r.resources(r.do("GET", "/Schemas", nil))
		var ids []string
		for _, s := range schemas {
			ids = append(ids, s["id"].(string))
			checkAttributes(t, s["id"].(string), s["attributes"])
			one := r.must(200, r.do("GET", "/Schemas/"+s["id"].(string), nil)).Body
			if one["id"] != s["id"] {
				t.Errorf("schema by id %s: %v", s["id"], one["id"])
			}
			if m, _ := one["meta"].(map[string]any); m["resourceType"] != "Schema" {
				t.Errorf("schema %s meta %v", s["id"], one["meta"])
			}
		}
		sort.Strings(ids)
		if want := []string{scim.SchemaGroup, scim.SchemaUser, scim.SchemaEnterprise}; !slices.Equal(ids, want) {
			t.Errorf("schemas %v, want %v", ids, want)
		}
		r.mustError(404, "", r.do("GET", "/Schemas/urn:example:none", nil))
		r.mustError(404, "", r.do("GET", "/ResourceTypes/Printer", nil))
		// A filter on a discovery endpoint is refused (RFC 7644 §4).
		r.mustError(403, "", r.do("GET", "/Schemas?filter="+url.QueryEscape(`id pr`), nil))
	})
}

// checkAttributes checks one schema's attribute definitions (RFC 7643 §7).
func checkAttributes(t *testing.T, schema string, v any) {
	t.Helper()
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		t.Errorf("schema %s: no attributes", schema)
		return
	}
	for _, e := range list {
		a := e.(map[string]any)
		for _, k := range []string{"name", "type", "mutability", "returned", "uniqueness", "description"} {
			if _, ok := a[k].(string); !ok {
				t.Errorf("schema %s attribute %v: %s missing", schema, a["name"], k)
			}
		}
		for _, k := range []string{"multiValued", "required", "caseExact"} {
			if _, ok := a[k].(bool); !ok {
				t.Errorf("schema %s attribute %v: %s missing", schema, a["name"], k)
			}
		}
		if !slices.Contains([]string{"string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"}, a["type"].(string)) {
			t.Errorf("schema %s attribute %v: type %v", schema, a["name"], a["type"])
		}
		if a["type"] == "complex" {
			checkAttributes(t, schema+"."+a["name"].(string), a["subAttributes"])
		}
		if a["type"] == "reference" && a["referenceTypes"] == nil {
			t.Errorf("schema %s attribute %v: referenceTypes missing", schema, a["name"])
		}
	}
}

// TestErrorsAndAuthentication checks the error schema (RFC 7644 §3.12:
// status as a string), 401 with WWW-Authenticate (RFC 6750 §3), the media
// type of every answer, and the statuses of common mistakes.
func TestErrorsAndAuthentication(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		for _, auth := range []string{"", "Bearer", "Bearer wrong-secret", "Basic dXNlcjpwYXNz"} {
			resp := r.do("GET", "/Users", nil, "Authorization", auth)
			r.mustError(401, "", resp)
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", resp.Header.Get("WWW-Authenticate"))
			}
		}
		r.mustError(404, "", r.do("GET", "/Users/does-not-exist", nil))
		r.mustError(404, "", r.do("GET", "/Printers", nil))
		r.mustError(400, "invalidSyntax", r.do("POST", "/Users", "{"))
		r.mustError(400, "invalidValue", r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}}))
		r.mustError(400, "invalidValue", r.do("POST", "/Users", map[string]any{"userName": "noschema"}))
		r.mustError(400, "invalidValue", r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "x", "active": "perhaps"}))
		r.must(201, r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "dup"}))
		r.mustError(409, "uniqueness", r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "DUP"}))
		r.mustError(501, "", r.do("POST", "/Bulk", map[string]any{}))
		// A known endpoint with a method it does not take: 405 in the error schema.
		for _, c := range [][2]string{{"PATCH", "/ServiceProviderConfig"}, {"DELETE", "/Users"}, {"POST", "/Schemas"}, {"GET", "/.search"}} {
			resp := r.do(c[0], c[1], nil)
			r.mustError(405, "", resp)
			if resp.Header.Get("Allow") == "" {
				t.Errorf("%s %s: 405 without Allow", c[0], c[1])
			}
		}
		// Plain application/json is accepted too (RFC 7644 §3.1), the answer is scim+json.
		resp := r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "json-client"}, "Content-Type", "application/json")
		r.must(201, resp)
		// Read-only attributes given in a POST are ignored (RFC 7643 §2.2).
		resp = r.must(201, r.do("POST", "/Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "ro", "id": "chosen",
			"meta": map[string]any{"version": `W/"77"`}, "password": "s3cret"}))
		if resp.Body["id"] == "chosen" || resp.Body["password"] != nil || resp.Body["meta"].(map[string]any)["version"] != `W/"1"` {
			t.Errorf("read-only or never-returned values kept: %s", resp.Raw)
		}
	})
}
