package web

import (
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// The interaction API, /api/v1 (issue 6). Every route goes through
// StaffAccess.handle: session, CSRF, network, then the staff policy with the
// facts derived by the server. Personal data travels in POST bodies only,
// never in a URL that a proxy or an access log would keep: identifiers in
// paths are interaction ids. Errors are RFC 9457 problem details with the
// stable codes of coupole.Error.

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI 3.1 description of /api/v1.
func OpenAPIDocument() []byte { return openAPIDocument }

// registerInteractionAPI adds the interaction routes; EnableStaffAccess calls
// it when an interaction service is configured.
func (a *StaffAccess) registerInteractionAPI() {
	a.public("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPIDocument)
	})
	a.handle("POST /api/v1/interactions", coupole.ActionOpenInteraction, nil, a.apiOpen)
	a.handle("POST /api/v1/cpas-line/interactions", coupole.ActionOpenCPASLine, nil, a.apiOpenCPASLine)
	a.handle("GET /api/v1/call-reasons", coupole.ActionOpenInteraction, nil, a.apiCallReasons)
	a.handle("GET /api/v1/interactions/{id}", coupole.ActionWorkInteraction, a.interactionResource, a.apiGet)
	a.handle("POST /api/v1/interactions/{id}/identify", coupole.ActionWorkInteraction, a.interactionResource, a.apiIdentify)
	a.handle("POST /api/v1/interactions/{id}/select", coupole.ActionWorkInteraction, a.interactionResource, a.apiSelect)
	a.handle("POST /api/v1/interactions/{id}/verify", coupole.ActionWorkInteraction, a.interactionResource, a.apiVerify)
	a.handle("POST /api/v1/interactions/{id}/decide", coupole.ActionWorkInteraction, a.interactionResource, a.apiDecide)
	a.handle("POST /api/v1/interactions/{id}/deliveries", coupole.ActionWorkInteraction, a.interactionResource, a.apiExecute)
	a.handle("POST /api/v1/interactions/{id}/readings", coupole.ActionWorkInteraction, a.interactionResource, a.apiReading)
	a.handle("POST /api/v1/interactions/{id}/close", coupole.ActionWorkInteraction, a.interactionResource, a.apiClose)
	a.handle("POST /api/v1/public-info", coupole.ActionReadPublicInfo, nil, a.apiPublicInfo)
	a.handle("GET /api/v1/alerts", coupole.ActionListAlerts, nil, a.apiAlerts)
}

// registerAuditAPI mounts the audit log's checkpoint and proofs behind the
// staff policy (auditors, T2).
func (a *StaffAccess) registerAuditAPI() {
	h := AuditHandler(a.Logger, a.AuditProofs)
	serve := func(w http.ResponseWriter, r *http.Request, p *Principal) { h.ServeHTTP(w, r) }
	a.handle("GET /audit/checkpoint", coupole.ActionReadAuditProofs, nil, serve)
	a.handle("GET /audit/proof/inclusion", coupole.ActionReadAuditProofs, nil, serve)
	a.handle("GET /audit/proof/consistency", coupole.ActionReadAuditProofs, nil, serve)
}

// interactionResource: the need-to-know fact for an interaction is that the
// principal handles it and it is open (C1). An unknown id is simply not
// handled.
func (a *StaffAccess) interactionResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	ok, err := a.Interactions.Handles(r.Context(), p.Staff.ID, id)
	return "Interaction", id, coupole.AccessFacts{HandlesInteraction: ok}, err
}

func actor(r *http.Request, p *Principal) interaction.Actor {
	return interaction.Actor{StaffID: p.Staff.ID, Client: clientAddrFrom(r.Context()), Lang: string(RequestLanguage(r))}
}

// Problem is an RFC 9457 problem detail. Code is the stable error code.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}

// ProblemType is the type URI of a problem with the given code.
func ProblemType(code string) string { return "urn:coupole:problem:" + code }

// writeProblem answers err as application/problem+json; the status comes
// from Status, the detail is the user-safe message.
func (a *StaffAccess) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	code := coupole.ErrorCode(err)
	status := Status(code)
	if status >= 500 {
		a.Logger.Error("request failed", "method", r.Method, "route", r.Pattern, "code", code, "err", err)
	}
	writeProblemStatus(w, status, code, coupole.ErrorMessage(err))
}

func writeProblemStatus(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
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
	}
	return coupole.EINTERNAL
}

// decodeBody reads a JSON body into v, refusing unknown fields and data
// after the object, with the problem named in JSON's words (never a Go
// type). An empty body is an empty object.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, after := dec.Token(); after != io.EOF {
			return coupole.Errorf(coupole.EINVALID, "request body: data after the JSON object")
		}
		return nil
	}
	if err != io.EOF {
		msg := err.Error()
		// encoding/json quotes the offending value for a type error; keep
		// only the field, as values may be personal data.
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok && te.Field == "" {
			msg = "must be a JSON object"
		} else if ok {
			msg = "field " + te.Field + ": wrong type (want " + jsonKind(te.Type) + ")"
		} else if name, found := strings.CutPrefix(msg, "json: unknown field "); found {
			msg = "unknown field " + name // quoted by encoding/json
		} else {
			msg = "not valid JSON"
		}
		return coupole.Errorf(coupole.EINVALID, "request body: %s", msg)
	}
	return nil
}

// jsonKind names a Go type the way a JSON document would.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// serve decodes the body into req (when not nil), calls fn and writes its
// result with status, or the problem.
func serveJSON[Req, Res any](a *StaffAccess, w http.ResponseWriter, r *http.Request, status int, fn func(Req) (Res, error)) {
	var req Req
	if r.Method == http.MethodPost {
		if err := decodeBody(r, &req); err != nil {
			a.writeProblem(w, r, err)
			return
		}
	}
	res, err := fn(req)
	if err != nil {
		a.writeProblem(w, r, err)
		return
	}
	writeJSON(w, status, res)
}

func (a *StaffAccess) apiOpen(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusCreated, func(req interaction.OpenRequest) (interaction.View, error) {
		return a.Interactions.Open(r.Context(), actor(r, p), req)
	})
}

func (a *StaffAccess) apiOpenCPASLine(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusCreated, func(req interaction.CPASOpenRequest) (interaction.View, error) {
		return a.Interactions.OpenCPASLine(r.Context(), actor(r, p), req)
	})
}

func (a *StaffAccess) apiCallReasons(w http.ResponseWriter, r *http.Request, p *Principal) {
	writeJSON(w, http.StatusOK, a.Interactions.CallReasons())
}

func (a *StaffAccess) apiGet(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) (interaction.View, error) {
		return a.Interactions.Get(r.Context(), actor(r, p), r.PathValue("id"))
	})
}

func (a *StaffAccess) apiIdentify(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.IdentifyRequest) (interaction.Identification, error) {
		return a.Interactions.Identify(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiSelect(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req struct {
		Ref string `json:"ref"`
	}) (interaction.View, error) {
		return a.Interactions.Select(r.Context(), actor(r, p), r.PathValue("id"), req.Ref)
	})
}

func (a *StaffAccess) apiVerify(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.VerifyRequest) (interaction.Verification, error) {
		return a.Interactions.Verify(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiDecide(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.DecideRequest) (interaction.DecisionView, error) {
		return a.Interactions.Decide(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiExecute(w http.ResponseWriter, r *http.Request, p *Principal) {
	var req interaction.ExecuteRequest
	if err := decodeBody(r, &req); err != nil {
		a.writeProblem(w, r, err)
		return
	}
	req.IdempotencyKey = r.Header.Get("Idempotency-Key")
	d, err := a.Interactions.Execute(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.writeProblem(w, r, err)
		return
	}
	status := http.StatusCreated
	if d.Replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, d)
}

func (a *StaffAccess) apiReading(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusCreated, func(req interaction.ReadingRequest) (interaction.ReadingResult, error) {
		return a.Interactions.SubmitReading(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiClose(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.CloseRequest) (interaction.View, error) {
		return a.Interactions.Close(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiPublicInfo(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.PublicInfoRequest) (interaction.PublicInfo, error) {
		return a.Interactions.PublicInfo(r.Context(), actor(r, p), req)
	})
}

func (a *StaffAccess) apiAlerts(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) ([]interaction.AlertView, error) {
		return a.Interactions.Alerts(r.Context(), actor(r, p))
	})
}
