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

// handleAlertUnlock is the alerts page's unlock form (team leads): the same
// service call as the API, then the alerts page with what happened.
func (a *StaffAccess) handleAlertUnlock(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	_, err := svc.UnlockVerification(r.Context(), actor(r, p), r.PathValue("id"), interaction.UnlockRequest{Reason: r.PostFormValue("reason")})
	status, fl := http.StatusOK, &flash{"ok", Message(lang, "alerts.unlock_done")}
	switch coupole.ErrorCode(err) {
	case "":
	case coupole.EINVALID:
		status, fl = http.StatusBadRequest, &flash{"bad", Message(lang, "alerts.unlock_reason_required")}
	case coupole.ECONFLICT:
		status, fl = http.StatusConflict, &flash{"bad", Message(lang, "alerts.unlock_conflict")}
	default:
		a.pageError(w, r, p, err)
		return
	}
	if a.oversight != nil {
		a.alertsPage(w, r, p, status, fl)
		return
	}
	list, err := svc.Alerts(r.Context(), actor(r, p))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderPage(w, r, status, "alerts", view{Lang: lang, Title: "alerts.title", Principal: p, Active: "nav.alerts", Data: alertsData{Alerts: list}, Flash: fl})
}
