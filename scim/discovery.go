package scim

import (
	"net/http"
	"strings"
)

// The discovery endpoints (RFC 7644 §4): what this service provider
// supports, claimed only where it works.

// refuseFilter answers 403 to a filter on a discovery endpoint: RFC 7644
// §4 says so, so that a client never believes a filter held.
func refuseFilter(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Query().Get("filter") == "" {
		return false
	}
	writeError(w, &scimError{Status: http.StatusForbidden, Detail: "discovery endpoints take no filter"})
	return true
}

func (h *Handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	if refuseFilter(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{SchemaSPC},
		"documentationUri": "https://github.com/coupole/coupole/blob/main/docs/scim.md",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": maxResults},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A bearer token created with `coupole scim token create`.",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": h.base(r) + "/ServiceProviderConfig"},
	})
}

func (h *Handler) resourceTypeRep(r *http.Request, s *resourceSchema) map[string]any {
	ext := []any{}
	for u := range s.Extensions {
		ext = append(ext, map[string]any{"schema": u, "required": false})
	}
	rep := map[string]any{
		"schemas": []string{SchemaRT}, "id": s.Name, "name": s.Name, "endpoint": s.Endpoint,
		"description": s.Name, "schema": s.Core,
		"meta": map[string]any{"resourceType": "ResourceType", "location": h.base(r) + "/ResourceTypes/" + s.Name},
	}
	if len(ext) > 0 {
		rep["schemaExtensions"] = ext
	}
	return rep
}

func listOf(items []any) map[string]any {
	return map[string]any{"schemas": []string{MsgList}, "totalResults": len(items), "startIndex": 1, "itemsPerPage": len(items), "Resources": items}
}

func (h *Handler) resourceTypes(w http.ResponseWriter, r *http.Request) {
	if refuseFilter(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, listOf([]any{h.resourceTypeRep(r, userSchema), h.resourceTypeRep(r, groupSchema)}))
}

func (h *Handler) resourceType(w http.ResponseWriter, r *http.Request) {
	if refuseFilter(w, r) {
		return
	}
	for _, s := range []*resourceSchema{userSchema, groupSchema} {
		if strings.EqualFold(s.Name, r.PathValue("name")) {
			writeJSON(w, http.StatusOK, h.resourceTypeRep(r, s))
			return
		}
	}
	writeError(w, &scimError{Status: http.StatusNotFound, Detail: "no such resource type"})
}

func attrRep(a *Attribute) map[string]any {
	rep := map[string]any{
		"name": a.Name, "type": a.Type, "multiValued": a.MultiValued, "description": a.Name,
		"required": a.Required, "caseExact": a.CaseExact,
		"mutability": or(a.Mutability, "readWrite"), "returned": or(a.Returned, "default"),
		"uniqueness": or(a.Uniqueness, "none"),
	}
	if a.Type == "reference" {
		rep["referenceTypes"] = []string{"external", "uri"}
		if a.Name == "$ref" {
			rep["referenceTypes"] = []string{"User", "Group"}
		}
	}
	if len(a.Sub) > 0 {
		var sub []any
		for _, s := range a.Sub {
			sub = append(sub, attrRep(s))
		}
		rep["subAttributes"] = sub
	}
	return rep
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (h *Handler) schemaReps(r *http.Request) []any {
	one := func(id, name string, attrs []*Attribute) any {
		var list []any
		for _, a := range attrs {
			list = append(list, attrRep(a))
		}
		return map[string]any{"schemas": []string{SchemaSchema}, "id": id, "name": name, "description": name, "attributes": list,
			"meta": map[string]any{"resourceType": "Schema", "location": h.base(r) + "/Schemas/" + id}}
	}
	out := []any{
		one(SchemaUser, "User", userAttrs),
		one(SchemaEnterprise, "EnterpriseUser", enterpriseAttrs),
		one(SchemaGroup, "Group", groupAttrs),
	}
	return out
}

func (h *Handler) schemas(w http.ResponseWriter, r *http.Request) {
	if refuseFilter(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, listOf(h.schemaReps(r)))
}

func (h *Handler) schema(w http.ResponseWriter, r *http.Request) {
	if refuseFilter(w, r) {
		return
	}
	for _, s := range h.schemaReps(r) {
		if m := s.(map[string]any); strings.EqualFold(m["id"].(string), r.PathValue("id")) {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, &scimError{Status: http.StatusNotFound, Detail: "no such schema"})
}
