package scim

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/coupole/coupole"
)

// Prefix is where the service provider is mounted.
const Prefix = "/scim/v2"

// maxBody bounds a request body (ServiceProviderConfig says so too).
const maxBody = 1 << 20

// Handler serves /scim/v2.
type Handler struct {
	Store     Store
	Lifecycle Lifecycle
	Roles     RoleMap
	Clock     coupole.Clock
	Logger    *slog.Logger
	// BaseURL is the public URL of /scim/v2 used in meta.location and
	// $ref; empty: derived from each request's Host.
	BaseURL string

	// writes serialises changes: uniqueness checks and the roles members
	// get from groups are computed over the whole set of resources. Across
	// nodes the store's unique index and version checks are the guard.
	writes sync.Mutex
	once   sync.Once
	mux    *http.ServeMux
}

type ctxKey struct{}

// actorOf is "scim:<token id>", the actor of every change a request makes.
func actorOf(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return "scim:" + id
}

type baseKey struct{}

func (h *Handler) base(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimSuffix(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /ServiceProviderConfig", h.serviceProviderConfig)
	m.HandleFunc("GET /ResourceTypes", h.resourceTypes)
	m.HandleFunc("GET /ResourceTypes/{name}", h.resourceType)
	m.HandleFunc("GET /Schemas", h.schemas)
	m.HandleFunc("GET /Schemas/{id}", h.schema)
	m.HandleFunc("POST /.search", h.searchAll)
	for _, s := range []*resourceSchema{userSchema, groupSchema} {
		s := s
		m.HandleFunc("GET "+s.Endpoint, func(w http.ResponseWriter, r *http.Request) { h.list(w, r, s) })
		m.HandleFunc("POST "+s.Endpoint+"/.search", func(w http.ResponseWriter, r *http.Request) { h.search(w, r, s) })
		m.HandleFunc("GET "+s.Endpoint+"/{id}", func(w http.ResponseWriter, r *http.Request) { h.get(w, r, s) })
		m.HandleFunc("DELETE "+s.Endpoint+"/{id}", func(w http.ResponseWriter, r *http.Request) { h.delete(w, r, s) })
	}
	m.HandleFunc("POST /Users", h.createUser)
	m.HandleFunc("PUT /Users/{id}", h.replaceUser)
	m.HandleFunc("PATCH /Users/{id}", h.patchUser)
	m.HandleFunc("POST /Groups", h.createGroup)
	m.HandleFunc("PUT /Groups/{id}", h.replaceGroup)
	m.HandleFunc("PATCH /Groups/{id}", h.patchGroup)
	m.HandleFunc("/Bulk", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &scimError{Status: http.StatusNotImplemented, Detail: "bulk operations are not supported"})
	})
	m.HandleFunc("/Me", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &scimError{Status: http.StatusNotImplemented, Detail: "/Me is not supported"})
	})
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(m, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, &scimError{Status: http.StatusMethodNotAllowed, Detail: "this endpoint does not take " + r.Method})
			return
		}
		writeError(w, &scimError{Status: http.StatusNotFound, Detail: "no such SCIM endpoint"})
	})
	h.mux = m
}

// allowed lists the methods another route of m takes on r's path: the
// catch-all route answers 405 for them instead of 404, in the error schema.
func allowed(m *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = method
		if _, pattern := m.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, method)
		}
	}
	return out
}

// ServeHTTP authenticates the bearer token and routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.routes)
	tok, err := authenticate(r.Context(), h.Store, r)
	if err != nil {
		writeError(w, err)
		return
	}
	r2 := r.WithContext(context.WithValue(r.Context(), ctxKey{}, tok.ID))
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, Prefix)
	if r2.URL.Path == "" {
		r2.URL.Path = "/"
	}
	r2.URL.RawPath = ""
	r2.Body = http.MaxBytesReader(w, r.Body, maxBody)
	h.mux.ServeHTTP(w, r2)
}

// decodeBody reads a JSON object body. SCIM bodies carry extensions and
// attributes of any case, so they are read into a map, not a struct.
func decodeBody(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, &scimError{Status: http.StatusRequestEntityTooLarge, Detail: "request body too large or unreadable"}
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, badRequest("invalidSyntax", "the body is not a JSON object")
	}
	return doc, nil
}

// hasSchema reports whether doc's schemas list urn.
func hasSchema(doc map[string]any, urn string) bool {
	v, _, _ := getKey(doc, "schemas")
	for _, s := range flatten(v) {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			return true
		}
	}
	return false
}

// etag is the weak entity tag of a resource version.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// checkIfMatch answers 412 when If-Match names another version.
func checkIfMatch(r *http.Request, res Resource) error {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" || im == "*" {
		return nil
	}
	want := etag(res.Version)
	for _, t := range strings.Split(im, ",") {
		t = strings.TrimSpace(t)
		if t == want || "W/"+t == want {
			return nil
		}
	}
	return &scimError{Status: http.StatusPreconditionFailed, Detail: "the resource changed: If-Match does not name its current version"}
}

func (h *Handler) newID() string { return randomText(12) }

// stored decodes a resource's stored document.
func stored(res Resource) map[string]any {
	var doc map[string]any
	json.Unmarshal([]byte(res.Doc), &doc)
	if doc == nil {
		doc = map[string]any{}
	}
	return doc
}

func encodeDoc(doc map[string]any) string {
	b, _ := json.Marshal(doc)
	return string(b)
}

// stripReadOnly removes what a client may not set (RFC 7643 §2.2: readOnly
// values given in a POST or PUT are ignored).
func stripReadOnly(doc map[string]any, s *resourceSchema) {
	for _, k := range []string{"id", "meta", "groups"} {
		if k == "groups" && s != userSchema {
			continue
		}
		delKey(doc, k)
	}
}

func (h *Handler) writeResource(w http.ResponseWriter, r *http.Request, status int, s *resourceSchema, rep map[string]any, res Resource) {
	w.Header().Set("ETag", etag(res.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", h.base(r)+s.Endpoint+"/"+res.ID)
	}
	out, err := project(s, rep, r.URL.Query().Get("attributes"), r.URL.Query().Get("excludedAttributes"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, out)
}
