package scim

import (
	"context"
	"net/http"
	"slices"

	"github.com/coupole/coupole"
)

// groupDoc validates and canonicalises a Group document.
func (h *Handler) groupDoc(ctx context.Context, doc map[string]any) (map[string]any, string, error) {
	doc = groupSchema.canonical(doc)
	stripReadOnly(doc, groupSchema)
	delete(doc, "schemas")
	name, ok := doc["displayName"].(string)
	if !ok || nameKey(name) == "" {
		return nil, "", badRequest("invalidValue", "displayName is required")
	}
	if v, ok := doc["members"]; ok && v != nil {
		list, ok := v.([]any)
		if !ok {
			return nil, "", badRequest("invalidValue", "members must be a list")
		}
		var clean []any
		seen := map[string]bool{}
		for _, e := range list {
			m, ok := e.(map[string]any)
			id, _ := m["value"].(string)
			if !ok || id == "" {
				return nil, "", badRequest("invalidValue", "each member needs a value (the id of a User)")
			}
			if _, err := h.Store.Resource(ctx, "User", id); coupole.ErrorCode(err) == coupole.ENOTFOUND {
				return nil, "", badRequest("invalidValue", "a member is not a provisioned User")
			} else if err != nil {
				return nil, "", err
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			// $ref and type are derived on output.
			delete(m, "$ref")
			delete(m, "type")
			clean = append(clean, m)
		}
		doc["members"] = clean
		if len(clean) == 0 {
			delete(doc, "members")
		}
	}
	return doc, nameKey(name), nil
}

// mappedRoles returns, for each User in any of the groups, the roles its
// groups grant; groups is the set of group documents by id.
func (h *Handler) mappedRoles(groups map[string]map[string]any) map[string][]coupole.Role {
	names := map[string][]string{}
	for _, doc := range groups {
		name, _ := doc["displayName"].(string)
		for _, id := range memberIDs(doc) {
			names[id] = append(names[id], name)
		}
	}
	out := map[string][]coupole.Role{}
	for id, ns := range names {
		out[id] = h.Roles.rolesOf(ns)
	}
	return out
}

// groupDocs loads every Group document by id.
func (h *Handler) groupDocs(ctx context.Context) (map[string]map[string]any, error) {
	list, err := h.Store.Resources(ctx, "Group")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, g := range list {
		out[g.ID] = stored(g)
	}
	return out, nil
}

// moveRoles is the mover step of a group change: each User whose mapped
// roles differ between before and after gets its new roles through the
// lifecycle (segregation of duties, validation). If one is refused, those
// already moved are moved back and the error is returned: the group
// change does not happen.
func (h *Handler) moveRoles(ctx context.Context, before, after map[string]map[string]any) error {
	old, now := h.mappedRoles(before), h.mappedRoles(after)
	users := map[string]bool{}
	for id := range old {
		users[id] = true
	}
	for id := range now {
		users[id] = true
	}
	ids := make([]string, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	actor := actorOf(ctx)
	var done []string
	staffOf := map[string]string{}
	for _, id := range ids {
		if slices.Equal(old[id], now[id]) {
			continue
		}
		u, err := h.Store.Resource(ctx, "User", id)
		if coupole.ErrorCode(err) == coupole.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		staffOf[id] = u.StaffID
		if err := h.Lifecycle.SetRoles(ctx, actor, u.StaffID, now[id], "scim"); err != nil {
			for _, d := range done {
				if rerr := h.Lifecycle.SetRoles(ctx, actor, staffOf[d], old[d], "scim"); rerr != nil && h.Logger != nil {
					h.Logger.Error("scim: moving roles back after a refused group change failed", "staff", staffOf[d], "err", rerr)
				}
			}
			return err
		}
		done = append(done, id)
	}
	return nil
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := decodeBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if !hasSchema(body, SchemaGroup) {
		writeError(w, badRequest("invalidValue", "schemas must list "+SchemaGroup))
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	doc, key, err := h.groupDoc(ctx, body)
	if err == nil {
		err = h.nameTaken(ctx, "Group", key, "")
	}
	if err != nil {
		writeError(w, err)
		return
	}
	now := h.Clock.Now()
	res := Resource{Type: "Group", ID: h.newID(), NameKey: key, ExternalID: externalIDOf(doc), Version: 1, Created: now, Modified: now}
	res.Doc = encodeDoc(doc)
	before, err := h.groupDocs(ctx)
	if err != nil {
		writeError(w, err)
		return
	}
	after := cloneGroups(before)
	after[res.ID] = doc
	if err := h.moveRoles(ctx, before, after); err != nil {
		writeError(w, err)
		return
	}
	if err := h.Store.CreateResource(ctx, res); err != nil {
		h.moveRoles(ctx, after, before)
		writeError(w, err)
		return
	}
	h.writeResource(w, r, http.StatusCreated, groupSchema, h.render(r, groupSchema, res, nil), res)
}

func cloneGroups(m map[string]map[string]any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// updateGroup stores doc as the new state of res, moving roles first.
func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request, res Resource, doc map[string]any) {
	ctx := r.Context()
	doc, key, err := h.groupDoc(ctx, doc)
	if err == nil {
		err = h.nameTaken(ctx, "Group", key, res.ID)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	before, err := h.groupDocs(ctx)
	if err != nil {
		writeError(w, err)
		return
	}
	after := cloneGroups(before)
	after[res.ID] = doc
	if err := h.moveRoles(ctx, before, after); err != nil {
		writeError(w, err)
		return
	}
	res.NameKey, res.ExternalID = key, externalIDOf(doc)
	res.Doc = encodeDoc(doc)
	res.Version++
	res.Modified = h.Clock.Now()
	if err := h.Store.UpdateResource(ctx, res); err != nil {
		h.moveRoles(ctx, after, before)
		writeError(w, err)
		return
	}
	h.writeResource(w, r, http.StatusOK, groupSchema, h.render(r, groupSchema, res, nil), res)
}

func (h *Handler) loadForChange(w http.ResponseWriter, r *http.Request, typ string) (Resource, bool) {
	res, err := h.Store.Resource(r.Context(), typ, r.PathValue("id"))
	if err == nil {
		err = checkIfMatch(r, res)
	}
	if err != nil {
		writeError(w, err)
		return Resource{}, false
	}
	return res, true
}

func (h *Handler) replaceGroup(w http.ResponseWriter, r *http.Request) {
	body, err := decodeBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if !hasSchema(body, SchemaGroup) {
		writeError(w, badRequest("invalidValue", "schemas must list "+SchemaGroup))
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	res, ok := h.loadForChange(w, r, "Group")
	if !ok {
		return
	}
	h.updateGroup(w, r, res, body)
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request) {
	ops, err := patchOps(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	res, ok := h.loadForChange(w, r, "Group")
	if !ok {
		return
	}
	doc := withExternalID(stored(res), res.ExternalID)
	if err := applyPatch(groupSchema, doc, ops); err != nil {
		writeError(w, err)
		return
	}
	h.updateGroup(w, r, res, doc)
}

// deleteGroup removes a group; its members lose the roles it granted.
func (h *Handler) deleteGroup(ctx context.Context, res Resource) error {
	before, err := h.groupDocs(ctx)
	if err != nil {
		return err
	}
	after := cloneGroups(before)
	delete(after, res.ID)
	if err := h.moveRoles(ctx, before, after); err != nil {
		return err
	}
	if err := h.Store.DeleteResource(ctx, "Group", res.ID); err != nil {
		h.moveRoles(ctx, after, before)
		return err
	}
	return nil
}
