package web

import (
	"net/http"

	"github.com/coupole/coupole/interaction"
)

// The back office's list of deliveries the worker could not send (issue
// 11): dead first, then failed with a retry scheduled; recipients masked.
// Who may see it is the staff policy's (delivery.list_failed).
func (a *StaffAccess) apiFailedDeliveries(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) ([]interaction.FailedDelivery, error) {
		return a.Interactions.FailedDeliveries(r.Context(), actor(r, p))
	})
}
