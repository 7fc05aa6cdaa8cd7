package web

import (
	_ "embed"
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// The interaction API, /api/v1 (issue 6). Every route goes through
// StaffAccess.handle: session, CSRF, network, then the staff policy with the
// facts derived by the server. Personal data travels in POST bodies only,
// never in a URL that a proxy or an access log would keep: identifiers in
// paths are interaction ids. Errors are RFC 9457 problem details with the
// stable codes of coupole.Error (web/problem.go). web/openapi.json describes
// every route; the tests hold the code to it (web/apitest).

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
	a.handle("POST /api/v1/interactions/{id}/contact", coupole.ActionWorkInteraction, a.interactionResource, a.apiContact)
	a.handle("POST /api/v1/interactions/{id}/close", coupole.ActionWorkInteraction, a.interactionResource, a.apiClose)
	a.handle("POST /api/v1/public-info", coupole.ActionReadPublicInfo, nil, a.apiPublicInfo)
	a.handle("GET /api/v1/alerts", coupole.ActionListAlerts, nil, a.apiAlerts)
	a.handle("GET /api/v1/deliveries/failed", coupole.ActionListFailedDeliveries, nil, a.apiFailedDeliveries)
	a.handle("POST /api/v1/alerts/{id}/unlock", coupole.ActionUnlockVerification, a.alertResource, a.apiUnlockVerification)
	a.registerMessageAPI() // issue 13: e-mail and chat bodies
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

// serveJSON decodes a POST body into req (strictly: decodeJSON), calls fn
// and writes its result with status, or the problem.
func serveJSON[Req, Res any](a *StaffAccess, w http.ResponseWriter, r *http.Request, status int, fn func(Req) (Res, error)) {
	var req Req
	if r.Method == http.MethodPost {
		if err := decodeJSON(r, &req); err != nil {
			a.Server.Error(w, r, err)
			return
		}
	}
	res, err := fn(req)
	if err != nil {
		a.Server.Error(w, r, err)
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
	if err := decodeJSON(r, &req); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	req.IdempotencyKey = r.Header.Get("Idempotency-Key")
	d, err := a.Interactions.Execute(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.Server.Error(w, r, err)
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
