// Package apitest holds Coupole's JSON API to its OpenAPI document in tests
// (issue 10, item 9): Lint checks the document with a real OpenAPI
// validator, and Transport checks every request a test sends under /api/ and
// every answer it gets against the document, so that the code and the
// document cannot drift apart. Only tests import it: the server binary does
// not carry the validator (docs/dependencies.md).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Lint loads an OpenAPI document and validates it against the OpenAPI
// specification (3.0 or 3.1, as the document says).
func Lint(document []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document does not load: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	return doc, nil
}

// Validator checks HTTP exchanges against an OpenAPI document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewValidator lints document and returns a validator of its operations.
func NewValidator(document []byte) (*Validator, error) {
	doc, err := Lint(document)
	if err != nil {
		return nil, err
	}
	// The document's server is relative ("/"); routing ignores the host
	// of the test server.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("OpenAPI router: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Transport returns a RoundTripper for the tests' HTTP clients: it sends
// requests through next (http.DefaultTransport when nil) and turns an
// exchange under prefix that does not match document into an error, which
// the client returns and the test fails on. The rules:
//
//   - a request the document allows must get an answer the document
//     describes: a documented status, content type and body;
//   - a request the document does not allow (a missing field, a wrong type,
//     no session cookie…) must be refused with a 4xx problem the document
//     describes;
//   - a path or method the document does not know must be answered 404 or
//     405 with a problem, and 405 with an Allow header;
//   - every error is a problem detail matching the Problem schema.
//
// The document is linted on first use; an invalid one fails every request
// under prefix.
func Transport(document []byte, prefix string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{document: document, prefix: prefix, next: next}
}

type transport struct {
	document []byte
	prefix   string
	next     http.RoundTripper

	once sync.Once
	v    *Validator
	err  error
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, t.prefix) {
		return t.next.RoundTrip(req)
	}
	t.once.Do(func() { t.v, t.err = NewValidator(t.document) })
	if t.err != nil {
		return nil, t.err
	}
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if err := t.v.Check(req, reqBody, resp.StatusCode, resp.Header, respBody); err != nil {
		return nil, fmt.Errorf("OpenAPI (web/openapi.json): %s %s → %d: %w", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	return resp, nil
}

// Check validates one exchange; see Transport for the rules.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	ctx := context.Background()
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, pathParams, err := v.router.FindRoute(r)
	if err != nil {
		return v.checkUnknownRoute(r, err, status, header, respBody)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            false,
		AuthenticationFunc:    sessionCookie,
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && (status < 400 || status >= 500) {
		return fmt.Errorf("the document refuses this request (%v), the server answered %d", reqErr, status)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("the answer does not match the document: %w", err)
	}
	if status >= 400 {
		return v.checkProblem(status, header, respBody)
	}
	return nil
}

// sessionCookie: a security scheme of the document is met when its cookie
// is sent (whether the session is valid is the server's business: a request
// without any is one the document does not allow).
func sessionCookie(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" || s.In != "cookie" {
		return in.NewError(fmt.Errorf("security scheme %q: only session cookies are known to the tests", in.SecuritySchemeName))
	}
	if _, err := in.RequestValidationInput.Request.Cookie(s.Name); err != nil {
		return in.NewError(fmt.Errorf("no %s cookie", s.Name))
	}
	return nil
}

func (v *Validator) checkUnknownRoute(req *http.Request, routeErr error, status int, header http.Header, body []byte) error {
	op := req.Method + " " + req.URL.Path
	switch {
	case errors.Is(routeErr, routers.ErrMethodNotAllowed):
		if status != http.StatusMethodNotAllowed {
			return fmt.Errorf("the document has no operation %s (add it if the route is new), yet the server answered %d, not 405", op, status)
		}
		if header.Get("Allow") == "" {
			return fmt.Errorf("405 without an Allow header")
		}
	case errors.Is(routeErr, routers.ErrPathNotFound):
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("the document has no path for %s (add it if the route is new), yet the server answered %d, not 404", op, status)
		}
	default:
		return fmt.Errorf("routing: %w", routeErr)
	}
	return v.checkProblem(status, header, body)
}

// checkProblem: every error answer is an RFC 9457 problem as the document's
// Problem schema describes it, whose status is the HTTP status.
func (v *Validator) checkProblem(status int, header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("an error answered with Content-Type %q, not application/problem+json", ct)
	}
	ref := v.doc.Components.Schemas["Problem"]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("the document has no Problem schema")
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("problem body is not JSON: %v", err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("problem body does not match the Problem schema: %v", err)
	}
	if m, _ := value.(map[string]any); m["status"] != float64(status) {
		return fmt.Errorf("problem status %v is not the HTTP status %d", m["status"], status)
	}
	return nil
}
