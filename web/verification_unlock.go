package web

import (
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// Unlocking an access point whose verification budget is spent (C2, issue
// 10): POST /api/v1/alerts/{id}/unlock {"reason": "…"}. The alert names the
// access point, so no EAN travels in the URL or the body.

// alertResource: the alert, and whether it was raised in the principal's own
// interaction (S7: nobody unlocks their own). An unknown alert is not self.
func (a *StaffAccess) alertResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	var f coupole.AccessFacts
	al, err := a.Interactions.Store.Alert(r.Context(), id)
	if err == nil {
		f.TargetIsSelf = al.StaffID == p.Staff.ID
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return "", "", f, err
	}
	return "Alert", id, f, nil
}

func (a *StaffAccess) apiUnlockVerification(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req interaction.UnlockRequest) (interaction.AlertView, error) {
		return a.Interactions.UnlockVerification(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}
