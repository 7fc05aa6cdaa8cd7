package scim

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// render returns the representation of a resource: its stored document
// with id, schemas and meta, and for Users the groups it belongs to.
func (h *Handler) render(r *http.Request, s *resourceSchema, res Resource, groups map[string][]any) map[string]any {
	doc := stored(res)
	doc["id"] = res.ID
	if res.ExternalID != "" {
		doc["externalId"] = res.ExternalID
	}
	schemas := []any{s.Core}
	for u := range s.Extensions {
		if _, ok := doc[u]; ok {
			schemas = append(schemas, u)
		}
	}
	doc["schemas"] = schemas
	doc["meta"] = map[string]any{
		"resourceType": s.Name,
		"created":      res.Created.UTC().Format(time.RFC3339Nano),
		"lastModified": res.Modified.UTC().Format(time.RFC3339Nano),
		"location":     h.base(r) + s.Endpoint + "/" + res.ID,
		"version":      etag(res.Version),
	}
	base := h.base(r)
	if s == userSchema {
		if g := groups[res.ID]; len(g) > 0 {
			doc["groups"] = g
		}
		if ext, ok := doc[SchemaEnterprise].(map[string]any); ok {
			if m, ok := ext["manager"].(map[string]any); ok {
				if v, ok := m["value"].(string); ok && v != "" {
					m["$ref"] = base + "/Users/" + v
				}
			}
		}
	} else {
		if list, ok := doc["members"].([]any); ok {
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					if v, ok := m["value"].(string); ok {
						m["$ref"] = base + "/Users/" + v
						m["type"] = "User"
					}
				}
			}
		}
	}
	return doc
}

// memberships maps each user id to the groups it is a direct member of,
// as the User's read-only "groups" attribute.
func (h *Handler) memberships(ctx context.Context, r *http.Request) (map[string][]any, error) {
	groups, err := h.Store.Resources(ctx, "Group")
	if err != nil {
		return nil, err
	}
	out := map[string][]any{}
	for _, g := range groups {
		doc := stored(g)
		name, _ := doc["displayName"].(string)
		for _, id := range memberIDs(doc) {
			out[id] = append(out[id], map[string]any{"value": g.ID, "display": name, "$ref": h.base(r) + "/Groups/" + g.ID, "type": "direct"})
		}
	}
	return out, nil
}

func memberIDs(doc map[string]any) []string {
	var ids []string
	list, _ := doc["members"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if v, ok := m["value"].(string); ok && v != "" {
				ids = append(ids, v)
			}
		}
	}
	return ids
}

// query is a list or search request (RFC 7644 §3.4.2, §3.4.3).
type query struct {
	Filter                         string
	Attributes, ExcludedAttributes string
	SortBy, SortOrder              string
	StartIndex, Count              int
}

// maxResults is the most resources one page holds.
const maxResults = 200

func queryOf(r *http.Request) (query, error) {
	v := r.URL.Query()
	q := query{Filter: v.Get("filter"), Attributes: v.Get("attributes"), ExcludedAttributes: v.Get("excludedAttributes"),
		SortBy: v.Get("sortBy"), SortOrder: v.Get("sortOrder"), StartIndex: 1, Count: maxResults}
	if s := v.Get("startIndex"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, badRequest("invalidValue", "startIndex must be an integer")
		}
		q.StartIndex = n
	}
	if s := v.Get("count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, badRequest("invalidValue", "count must be an integer")
		}
		q.Count = n
	}
	return q, nil
}

func searchQuery(r *http.Request) (query, error) {
	body, err := decodeBody(r)
	if err != nil {
		return query{}, err
	}
	if !hasSchema(body, MsgSearch) {
		return query{}, badRequest("invalidValue", "a search request must list the schema "+MsgSearch)
	}
	q := query{StartIndex: 1, Count: maxResults}
	strOf := func(k string) (string, error) {
		v, _, ok := getKey(body, k)
		if !ok || v == nil {
			return "", nil
		}
		switch x := v.(type) {
		case string:
			return x, nil
		case []any:
			var parts []string
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return "", badRequest("invalidValue", k+" must list strings")
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, ","), nil
		}
		return "", badRequest("invalidValue", k+" must be a string")
	}
	intOf := func(k string, def int) (int, error) {
		v, _, ok := getKey(body, k)
		if !ok || v == nil {
			return def, nil
		}
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			return 0, badRequest("invalidValue", k+" must be an integer")
		}
		return int(f), nil
	}
	for _, f := range []struct {
		k string
		p *string
	}{{"filter", &q.Filter}, {"attributes", &q.Attributes}, {"excludedAttributes", &q.ExcludedAttributes}, {"sortBy", &q.SortBy}, {"sortOrder", &q.SortOrder}} {
		if *f.p, err = strOf(f.k); err != nil {
			return q, err
		}
	}
	if q.StartIndex, err = intOf("startIndex", 1); err != nil {
		return q, err
	}
	if q.Count, err = intOf("count", maxResults); err != nil {
		return q, err
	}
	return q, nil
}

// matching returns the representations of the resources of s that match
// the query's filter, sorted as asked.
func (h *Handler) matching(r *http.Request, s *resourceSchema, q query, f expr) ([]map[string]any, error) {
	ctx := r.Context()
	list, err := h.Store.Resources(ctx, s.Name)
	if err != nil {
		return nil, err
	}
	var groups map[string][]any
	if s == userSchema {
		if groups, err = h.memberships(ctx, r); err != nil {
			return nil, err
		}
	}
	ev := evaluator{schema: s}
	var out []map[string]any
	for _, res := range list {
		rep := h.render(r, s, res, groups)
		if f == nil || ev.match(f, rep) {
			out = append(out, rep)
		}
	}
	return out, nil
}

func sortReps(s *resourceSchema, reps []map[string]any, q query) error {
	if q.SortBy == "" {
		return nil
	}
	p, err := parseAttrPath(q.SortBy)
	if err != nil {
		return badRequest("invalidValue", "sortBy: "+err.Error())
	}
	desc := strings.EqualFold(q.SortOrder, "descending")
	if q.SortOrder != "" && !desc && !strings.EqualFold(q.SortOrder, "ascending") {
		return badRequest("invalidValue", "sortOrder must be ascending or descending")
	}
	ev := evaluator{schema: s}
	key := func(rep map[string]any) (string, bool) {
		vals, def := ev.values(rep, p)
		if len(vals) == 0 {
			return "", false
		}
		v := vals[0]
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		str, _ := v.(string)
		if b, ok := v.(bool); ok {
			str = strconv.FormatBool(b)
		}
		if f, ok := v.(float64); ok {
			str = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if def == nil || !def.CaseExact {
			str = strings.ToLower(str)
		}
		return str, true
	}
	// RFC 7644 §3.4.2.3: resources without a value sort last ascending,
	// first descending.
	sort.SliceStable(reps, func(i, j int) bool {
		a, aok := key(reps[i])
		b, bok := key(reps[j])
		if aok != bok {
			return aok != desc
		}
		if desc {
			return a > b
		}
		return a < b
	})
	return nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, s *resourceSchema) {
	q, err := queryOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.respondList(w, r, []*resourceSchema{s}, q)
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request, s *resourceSchema) {
	q, err := searchQuery(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.respondList(w, r, []*resourceSchema{s}, q)
}

// searchAll is POST /.search over every resource type (RFC 7644 §3.4.3).
func (h *Handler) searchAll(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.respondList(w, r, []*resourceSchema{userSchema, groupSchema}, q)
}

func (h *Handler) respondList(w http.ResponseWriter, r *http.Request, types []*resourceSchema, q query) {
	var f expr
	if q.Filter != "" {
		var err error
		if f, err = parseFilter(q.Filter); err != nil {
			writeError(w, err)
			return
		}
	}
	type item struct {
		s   *resourceSchema
		rep map[string]any
	}
	var all []item
	for _, s := range types {
		reps, err := h.matching(r, s, q, f)
		if err != nil {
			writeError(w, err)
			return
		}
		if err := sortReps(s, reps, q); err != nil {
			writeError(w, err)
			return
		}
		for _, rep := range reps {
			all = append(all, item{s, rep})
		}
	}
	start, count := q.StartIndex, q.Count
	if start < 1 {
		start = 1
	}
	if count < 0 {
		count = 0
	}
	if count > maxResults {
		count = maxResults
	}
	page := []any{}
	for i := start - 1; i < len(all) && len(page) < count; i++ {
		out, err := project(all[i].s, all[i].rep, q.Attributes, q.ExcludedAttributes)
		if err != nil {
			writeError(w, err)
			return
		}
		page = append(page, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{MsgList},
		"totalResults": len(all),
		"startIndex":   start,
		"itemsPerPage": len(page),
		"Resources":    page,
	})
}

// project keeps the attributes asked for, or drops those excluded (RFC
// 7644 §3.4.2.5); id and schemas are always returned.
func project(s *resourceSchema, rep map[string]any, attributes, excluded string) (map[string]any, error) {
	if attributes == "" && excluded == "" {
		return rep, nil
	}
	paths := func(list string) ([]attrPath, error) {
		var out []attrPath
		for _, p := range strings.Split(list, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if u, ok := s.extensionURN(p); ok {
				out = append(out, attrPath{URN: u})
				continue
			}
			ap, err := parseAttrPath(p)
			if err != nil {
				return nil, badRequest("invalidValue", "attributes: "+err.Error())
			}
			out = append(out, ap)
		}
		return out, nil
	}
	if attributes != "" {
		ps, err := paths(attributes)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"id": rep["id"], "schemas": rep["schemas"]}
		for _, p := range ps {
			copyPath(s, rep, out, p)
		}
		return out, nil
	}
	ps, err := paths(excluded)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range rep {
		out[k] = v
	}
	for _, p := range ps {
		removePath(s, out, p)
	}
	return out, nil
}

// locate returns the map holding p's attribute in doc (the document or its
// extension object) and the key of the extension, if any.
func locate(s *resourceSchema, doc map[string]any, p attrPath) (map[string]any, string) {
	if p.URN == "" || strings.EqualFold(p.URN, s.Core) {
		return doc, ""
	}
	u, ok := s.extensionURN(p.URN)
	if !ok {
		return nil, ""
	}
	m, _ := doc[u].(map[string]any)
	return m, u
}

func copyPath(s *resourceSchema, from, to map[string]any, p attrPath) {
	src, ext := locate(s, from, p)
	if src == nil {
		return
	}
	dst := to
	if ext != "" {
		if p.Name == "" {
			to[ext] = src
			return
		}
		m, _ := to[ext].(map[string]any)
		if m == nil {
			m = map[string]any{}
			to[ext] = m
		}
		dst = m
	}
	v, key, ok := getKey(src, p.Name)
	if !ok {
		return
	}
	if p.Sub == "" {
		dst[key] = v
		return
	}
	switch x := v.(type) {
	case map[string]any:
		m, _ := dst[key].(map[string]any)
		if m == nil {
			m = map[string]any{}
			dst[key] = m
		}
		if sv, sk, ok := getKey(x, p.Sub); ok {
			m[sk] = sv
		}
	case []any:
		var out []any
		for _, e := range x {
			if em, ok := e.(map[string]any); ok {
				if sv, sk, ok := getKey(em, p.Sub); ok {
					out = append(out, map[string]any{sk: sv})
				}
			}
		}
		dst[key] = out
	}
}

func removePath(s *resourceSchema, doc map[string]any, p attrPath) {
	if p.URN == "" && (strings.EqualFold(p.Name, "id") || strings.EqualFold(p.Name, "schemas")) {
		return
	}
	c, ext := locate(s, doc, p)
	if c == nil {
		return
	}
	if ext != "" && p.Name == "" {
		delete(doc, ext)
		return
	}
	if ext != "" {
		cp := map[string]any{}
		for k, v := range c {
			cp[k] = v
		}
		doc[ext] = cp
		c = cp
	}
	if p.Sub == "" {
		delKey(c, p.Name)
		return
	}
	v, key, ok := getKey(c, p.Name)
	if !ok {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		cp := map[string]any{}
		for k, v := range x {
			cp[k] = v
		}
		delKey(cp, p.Sub)
		c[key] = cp
	case []any:
		var out []any
		for _, e := range x {
			if em, ok := e.(map[string]any); ok {
				cp := map[string]any{}
				for k, v := range em {
					cp[k] = v
				}
				delKey(cp, p.Sub)
				out = append(out, cp)
			}
		}
		c[key] = out
	}
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, s *resourceSchema) {
	res, err := h.Store.Resource(r.Context(), s.Name, r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag(res.Version)) {
		w.Header().Set("ETag", etag(res.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var groups map[string][]any
	if s == userSchema {
		if groups, err = h.memberships(r.Context(), r); err != nil {
			writeError(w, err)
			return
		}
	}
	h.writeResource(w, r, http.StatusOK, s, h.render(r, s, res, groups), res)
}
