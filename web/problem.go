package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/coupole/coupole"
)

// The one error writer (issue 10, item 9). Every error answered under the
// machine-facing paths — the JSON API, the audit proofs, SCIM — is an RFC 9457
// problem detail, application/problem+json, whoever detects it: a handler, the
// staff middleware (session, CSRF, network, policy) or the mux itself (no such
// route, no such method). Pages answer in HTML (pageError, refuse); the
// probes in plain text. The status comes from Status; the detail is the
// user-safe message of the coupole.Error, never a Go type nor a value sent.

// Problem is an RFC 9457 problem detail. Code is the stable error code.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}

// ProblemMethodNotAllowed is the code of a 405: the path exists, not with
// this method (the Allow header lists those it has). It is a protocol
// refusal, not a domain error, hence not one of coupole's codes.
const ProblemMethodNotAllowed = "method_not_allowed"

// ProblemType is the type URI of a problem with the given code.
func ProblemType(code string) string { return "urn:coupole:problem:" + code }

// problemPath says whether errors under path are problem details: the paths
// machines call.
func problemPath(path string) bool {
	for _, prefix := range []string{"/api/", "/audit/", "/scim/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// writeError answers err with the status its code maps to, and logs
// internal errors: a problem detail under problemPath, plain text elsewhere.
func writeError(logger *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	code := coupole.ErrorCode(err)
	status := Status(code)
	if status >= 500 {
		logger.Error("request failed", "method", r.Method, "route", r.Pattern, "code", code, "err", err)
	}
	if problemPath(r.URL.Path) {
		writeProblemStatus(w, status, code, coupole.ErrorMessage(err))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(coupole.ErrorMessage(err) + "\n"))
}

func writeProblemStatus(w http.ResponseWriter, status int, code, detail string) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{Type: ProblemType(code), Title: http.StatusText(status), Status: status, Detail: detail, Code: code})
}

// problemCode names the stable code of a refusal by the middleware.
func problemCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return coupole.EUNAUTHORIZED
	case http.StatusForbidden:
		return coupole.EFORBIDDEN
	case http.StatusNotFound:
		return coupole.ENOTFOUND
	}
	return coupole.EINTERNAL
}

// unmatchedProblems returns the writer mux should answer r on: w itself,
// unless mux has no route for r under a problem path, in which case the
// mux's own 404 or 405 becomes a problem.
func unmatchedProblems(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) http.ResponseWriter {
	if !problemPath(r.URL.Path) {
		return w
	}
	if _, pattern := mux.Handler(r); pattern != "" {
		return w
	}
	return &muxProblemWriter{ResponseWriter: w}
}

// muxProblemWriter replaces the plain-text body of the mux's 404 and 405
// (http.Error) with a problem; the Allow header the mux sets on a 405 stays.
// Anything else (a redirect to the clean path) goes through untouched.
type muxProblemWriter struct {
	http.ResponseWriter
	replaced bool
}

func (m *muxProblemWriter) WriteHeader(status int) {
	switch status {
	case http.StatusNotFound:
		m.replaced = true
		writeProblemStatus(m.ResponseWriter, status, coupole.ENOTFOUND, "There is no such route: see /api/v1/openapi.json.")
	case http.StatusMethodNotAllowed:
		m.replaced = true
		writeProblemStatus(m.ResponseWriter, status, ProblemMethodNotAllowed, "This route does not take this method: the Allow header lists those it takes.")
	default:
		m.ResponseWriter.WriteHeader(status)
	}
}

func (m *muxProblemWriter) Write(b []byte) (int, error) {
	if m.replaced {
		return len(b), nil // the mux's plain-text body
	}
	return m.ResponseWriter.Write(b)
}
