package web

import (
	"net/http"

	"github.com/coupole/coupole/interaction"
)

// apiContact changes the current customer's contact details (D7). The
// values are in the body, never in the URL: URLs end up in logs.
func (a *StaffAccess) apiContact(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.ContactRequest) (interaction.ContactResult, error) {
		return a.Interactions.ChangeContact(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}
