package scim

import (
	"context"
	"net/http"
	"strings"

	"github.com/coupole/coupole"
)

// userFacts is what Coupole takes from a User representation.
type userFacts struct {
	Profile    coupole.StaffProfile
	Active     bool
	ManagerRef string // the manager's SCIM id, resolved to Profile.Manager
}

func stringAt(m map[string]any, key string) string {
	v, _, _ := getKey(m, key)
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// factsOf reads a canonical User document; a value of the wrong type is a
// 400 invalidValue naming the attribute (never its value).
func factsOf(doc map[string]any) (userFacts, error) {
	var f userFacts
	for _, k := range []string{"userName", "displayName", "preferredLanguage", "locale", "externalId"} {
		if v, ok := doc[k]; ok && v != nil {
			if _, isStr := v.(string); !isStr {
				return f, badRequest("invalidValue", k+" must be a string")
			}
		}
	}
	f.Profile.Login = stringAt(doc, "userName")
	if f.Profile.Login == "" {
		return f, badRequest("invalidValue", "userName is required")
	}
	f.Profile.DisplayName = stringAt(doc, "displayName")
	if name, ok := doc["name"].(map[string]any); ok && f.Profile.DisplayName == "" {
		f.Profile.DisplayName = stringAt(name, "formatted")
		if f.Profile.DisplayName == "" {
			f.Profile.DisplayName = strings.TrimSpace(stringAt(name, "givenName") + " " + stringAt(name, "familyName"))
		}
	}
	if f.Profile.DisplayName == "" {
		f.Profile.DisplayName = f.Profile.Login
	}
	for _, k := range []string{"preferredLanguage", "locale"} {
		if lang := languageOf(stringAt(doc, k)); lang != "" {
			f.Profile.Language = lang
			break
		}
	}
	f.Active = true
	if v, ok := doc["active"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			return f, badRequest("invalidValue", "active must be a boolean")
		}
		f.Active = b
	}
	if ext, ok := doc[SchemaEnterprise].(map[string]any); ok {
		f.Profile.EmployeeNumber = stringAt(ext, "employeeNumber")
		f.Profile.Department = stringAt(ext, "department")
		if m, ok := ext["manager"].(map[string]any); ok {
			f.ManagerRef = stringAt(m, "value")
		}
	}
	return f, nil
}

// languageOf reads a language tag (fr, fr-BE, nl_BE…) as one of Coupole's
// four languages, or "" for any other.
func languageOf(tag string) coupole.Language {
	tag = strings.ToLower(tag)
	if len(tag) < 2 {
		return ""
	}
	lang, err := coupole.ParseLanguage(tag[:2])
	if err != nil || (len(tag) > 2 && tag[2] != '-' && tag[2] != '_') {
		return ""
	}
	return lang
}

// resolveManager turns the manager's SCIM id into a staff id. A manager not
// provisioned (yet) is left empty: identity systems send users in any order.
func (h *Handler) resolveManager(ctx context.Context, f *userFacts) error {
	if f.ManagerRef == "" {
		return nil
	}
	m, err := h.Store.Resource(ctx, "User", f.ManagerRef)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	f.Profile.Manager = m.StaffID
	return nil
}

// userDoc validates and canonicalises a User body of a POST or PUT.
func userDoc(body map[string]any) (map[string]any, userFacts, error) {
	if !hasSchema(body, SchemaUser) {
		return nil, userFacts{}, badRequest("invalidValue", "schemas must list "+SchemaUser)
	}
	doc := userSchema.canonical(body)
	stripReadOnly(doc, userSchema)
	delete(doc, "schemas")
	f, err := factsOf(doc)
	return doc, f, err
}

// nameTaken reports a 409 when another User has the same userName
// (compared case-insensitively: userName is not caseExact).
func (h *Handler) nameTaken(ctx context.Context, typ, key, self string) error {
	list, err := h.Store.Resources(ctx, typ)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.NameKey == key && r.ID != self {
			return &scimError{Status: http.StatusConflict, ScimType: "uniqueness", Detail: typ + " name is already taken"}
		}
	}
	return nil
}

func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// externalIDOf takes externalId out of the document into its column.
func externalIDOf(doc map[string]any) string {
	s, _ := doc["externalId"].(string)
	delete(doc, "externalId")
	return s
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := decodeBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	doc, f, err := userDoc(body)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	key := nameKey(f.Profile.Login)
	if err := h.nameTaken(ctx, "User", key, ""); err != nil {
		writeError(w, err)
		return
	}
	if err := h.resolveManager(ctx, &f); err != nil {
		writeError(w, err)
		return
	}
	actor := actorOf(ctx)
	staff, err := h.Lifecycle.Join(ctx, actor, f.Profile, nil)
	if err != nil {
		writeError(w, err)
		return
	}
	if !f.Active {
		if err := h.Lifecycle.Leave(ctx, actor, staff.ID, "scim: provisioned inactive"); err != nil {
			writeError(w, err)
			return
		}
	}
	now := h.Clock.Now()
	res := Resource{Type: "User", ID: h.newID(), StaffID: staff.ID, NameKey: key, ExternalID: externalIDOf(doc), Version: 1, Created: now, Modified: now}
	res.Doc = encodeDoc(doc)
	if err := h.Store.CreateResource(ctx, res); err != nil {
		writeError(w, err)
		return
	}
	h.writeResource(w, r, http.StatusCreated, userSchema, h.render(r, userSchema, res, nil), res)
}

// applyUser carries a changed User over to the staff account: the
// profile, then leaving or coming back.
func (h *Handler) applyUser(ctx context.Context, res Resource, before, after userFacts) error {
	actor := actorOf(ctx)
	if after.Profile != before.Profile {
		if err := h.Lifecycle.UpdateProfile(ctx, actor, res.StaffID, after.Profile); err != nil {
			return err
		}
	}
	switch {
	case before.Active && !after.Active:
		return h.Lifecycle.Leave(ctx, actor, res.StaffID, "scim: active set to false")
	case !before.Active && after.Active:
		return h.Lifecycle.Reactivate(ctx, actor, res.StaffID)
	}
	return nil
}

// updateUser stores the new document of res and applies it.
func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, res Resource, doc map[string]any, f userFacts) {
	ctx := r.Context()
	key := nameKey(f.Profile.Login)
	if err := h.nameTaken(ctx, "User", key, res.ID); err != nil {
		writeError(w, err)
		return
	}
	if err := h.resolveManager(ctx, &f); err != nil {
		writeError(w, err)
		return
	}
	before, _ := factsOf(withExternalID(stored(res), res.ExternalID))
	if err := h.resolveManager(ctx, &before); err != nil {
		writeError(w, err)
		return
	}
	if err := h.applyUser(ctx, res, before, f); err != nil {
		writeError(w, err)
		return
	}
	res.NameKey, res.ExternalID = key, externalIDOf(doc)
	res.Doc = encodeDoc(doc)
	res.Version++
	res.Modified = h.Clock.Now()
	if err := h.Store.UpdateResource(ctx, res); err != nil {
		writeError(w, err)
		return
	}
	groups, err := h.memberships(ctx, r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeResource(w, r, http.StatusOK, userSchema, h.render(r, userSchema, res, groups), res)
}

func withExternalID(doc map[string]any, ext string) map[string]any {
	if ext != "" {
		doc["externalId"] = ext
	}
	return doc
}

func (h *Handler) replaceUser(w http.ResponseWriter, r *http.Request) {
	body, err := decodeBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	doc, f, err := userDoc(body)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	res, err := h.userToChange(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.updateUser(w, r, res, doc, f)
}

// userToChange reads the user a PUT or PATCH names and checks its
// If-Match precondition (RFC 7644 §3.14). The caller holds h.writes.
func (h *Handler) userToChange(r *http.Request) (Resource, error) {
	res, err := h.Store.Resource(r.Context(), "User", r.PathValue("id"))
	if err == nil {
		err = checkIfMatch(r, res)
	}
	return res, err
}

// patchOps reads a PatchOp body (RFC 7644 §3.5.2).
func patchOps(r *http.Request) ([]patchOp, error) {
	body, err := decodeBody(r)
	if err != nil {
		return nil, err
	}
	if !hasSchema(body, MsgPatch) {
		return nil, badRequest("invalidValue", "schemas must list "+MsgPatch)
	}
	raw, _, _ := getKey(body, "Operations")
	list, ok := raw.([]any)
	if !ok {
		return nil, badRequest("invalidValue", "Operations must be a list")
	}
	var ops []patchOp
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, badRequest("invalidValue", "each operation must be an object")
		}
		op, _ := getKeyString(m, "op")
		path, _ := getKeyString(m, "path")
		v, _, _ := getKey(m, "value")
		ops = append(ops, patchOp{Op: op, Path: path, Value: v})
	}
	return ops, nil
}

func getKeyString(m map[string]any, k string) (string, bool) {
	v, _, ok := getKey(m, k)
	s, _ := v.(string)
	return s, ok
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	ops, err := patchOps(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	res, err := h.userToChange(r)
	if err != nil {
		writeError(w, err)
		return
	}
	doc := withExternalID(stored(res), res.ExternalID)
	if err := applyPatch(userSchema, doc, ops); err != nil {
		writeError(w, err)
		return
	}
	doc = userSchema.canonical(doc)
	delete(doc, "schemas")
	f, err := factsOf(doc)
	if err != nil {
		writeError(w, err)
		return
	}
	h.updateUser(w, r, res, doc, f)
}

// deleteUser is a leaver: the account is revoked (unless it already is),
// removed from every group, and its SCIM resource deleted. The staff
// account stays, revoked, for the audit trail.
func (h *Handler) deleteUser(ctx context.Context, res Resource) error {
	f, _ := factsOf(stored(res))
	if f.Active {
		if err := h.Lifecycle.Leave(ctx, actorOf(ctx), res.StaffID, "scim: user deleted"); err != nil {
			return err
		}
	}
	groups, err := h.Store.Resources(ctx, "Group")
	if err != nil {
		return err
	}
	for _, g := range groups {
		doc := stored(g)
		ids := memberIDs(doc)
		found := false
		for _, id := range ids {
			found = found || id == res.ID
		}
		if !found {
			continue
		}
		list, _ := doc["members"].([]any)
		var keep []any
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && m["value"] == res.ID {
				continue
			}
			keep = append(keep, e)
		}
		doc["members"] = keep
		g.Doc, g.Version, g.Modified = encodeDoc(doc), g.Version+1, h.Clock.Now()
		if err := h.Store.UpdateResource(ctx, g); err != nil {
			return err
		}
	}
	return h.Store.DeleteResource(ctx, "User", res.ID)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, s *resourceSchema) {
	h.writes.Lock()
	defer h.writes.Unlock()
	ctx := r.Context()
	res, err := h.Store.Resource(ctx, s.Name, r.PathValue("id"))
	if err == nil {
		err = checkIfMatch(r, res)
	}
	if err == nil {
		if s == userSchema {
			err = h.deleteUser(ctx, res)
		} else {
			err = h.deleteGroup(ctx, res)
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
