package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// AuditReader is what the audit endpoints read: *audit.Reader (or *audit.Log).
type AuditReader interface {
	LatestCheckpoint(ctx context.Context) (audit.StoredCheckpoint, error)
	InclusionProof(ctx context.Context, index, size uint64) (audit.InclusionProof, error)
	ConsistencyProof(ctx context.Context, size1, size2 uint64) (audit.ConsistencyProof, error)
}

// AuditHandler serves the audit log's public side (T2): the latest signed
// checkpoint and inclusion and consistency proofs. None of it is personal
// data (hashes and sizes only). Errors are problem details (web/problem.go).
// Mount it with
//
//	srv.Handle("GET /audit/", web.AuditHandler(logger, audit.NewReader(store)))
//
// Routes:
//
//	GET /audit/checkpoint                               signed note, text/plain
//	GET /audit/proof/inclusion?index=I[&size=N]         JSON; N defaults to the latest checkpoint
//	GET /audit/proof/consistency?from=M[&to=N]          JSON; N defaults to the latest checkpoint
func AuditHandler(logger *slog.Logger, r AuditReader) http.Handler {
	h := &auditHandler{logger: logger, r: r}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /audit/checkpoint", h.checkpoint)
	mux.HandleFunc("GET /audit/proof/inclusion", h.inclusion)
	mux.HandleFunc("GET /audit/proof/consistency", h.consistency)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(unmatchedProblems(w, r, mux), r)
	})
}

type auditHandler struct {
	logger *slog.Logger
	r      AuditReader
}

func (h *auditHandler) error(w http.ResponseWriter, r *http.Request, err error) {
	writeError(h.logger, w, r, err)
}

func (h *auditHandler) checkpoint(w http.ResponseWriter, r *http.Request) {
	c, err := h.r.LatestCheckpoint(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(c.Note)
}

// param reads a non-negative integer query parameter; ok says it was given.
func (h *auditHandler) param(r *http.Request, name string, required bool) (uint64, bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		if required {
			return 0, false, coupole.Errorf(coupole.EINVALID, "parameter %s is required", name)
		}
		return 0, false, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, coupole.Errorf(coupole.EINVALID, "parameter %s must be a non-negative integer", name)
	}
	return n, true, nil
}

func (h *auditHandler) sizeOrLatest(r *http.Request, name string) (uint64, error) {
	n, ok, err := h.param(r, name, false)
	if err != nil || ok {
		return n, err
	}
	c, err := h.r.LatestCheckpoint(r.Context())
	return c.Size, err
}

func (h *auditHandler) inclusion(w http.ResponseWriter, r *http.Request) {
	index, _, err := h.param(r, "index", true)
	if err != nil {
		h.error(w, r, err)
		return
	}
	size, err := h.sizeOrLatest(r, "size")
	if err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.r.InclusionProof(r.Context(), index, size)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.json(w, p)
}

func (h *auditHandler) consistency(w http.ResponseWriter, r *http.Request) {
	from, _, err := h.param(r, "from", true)
	if err != nil {
		h.error(w, r, err)
		return
	}
	to, err := h.sizeOrLatest(r, "to")
	if err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.r.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.json(w, p)
}

func (h *auditHandler) json(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
