package web

import (
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/retention"
)

// E-mail and chat bodies of an interaction (issue 13, R1 (c)): the handler
// of the open interaction attaches them, lists them and reads one; the
// interaction service checks need-to-know and traces the read first. Bodies
// travel in request and response bodies only, never in a URL.

// maxMessageRequestBytes bounds the request that carries a body: the body
// itself is at most retention.MaxBodyBytes once decoded, and JSON escaping
// may make it up to six times longer on the wire for control characters;
// four times is plenty for text.
const maxMessageRequestBytes = 4*retention.MaxBodyBytes + 4<<10

func (a *StaffAccess) registerMessageAPI() {
	a.handle("POST /api/v1/interactions/{id}/messages", coupole.ActionWorkInteraction, a.interactionResource, a.apiAttachMessage)
	a.handle("GET /api/v1/interactions/{id}/messages", coupole.ActionWorkInteraction, a.interactionResource, a.apiListMessages)
	a.handle("GET /api/v1/interactions/{id}/messages/{message}", coupole.ActionWorkInteraction, a.interactionResource, a.apiReadMessage)
}

func (a *StaffAccess) apiAttachMessage(w http.ResponseWriter, r *http.Request, p *Principal) {
	var req interaction.MessageRequest
	if err := decodeJSONMax(r, &req, maxMessageRequestBytes); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	v, err := a.Interactions.AttachMessage(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (a *StaffAccess) apiListMessages(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) ([]interaction.MessageView, error) {
		return a.Interactions.ListMessages(r.Context(), actor(r, p), r.PathValue("id"))
	})
}

func (a *StaffAccess) apiReadMessage(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) (interaction.MessageBody, error) {
		return a.Interactions.ReadMessage(r.Context(), actor(r, p), r.PathValue("id"), r.PathValue("message"))
	})
}
