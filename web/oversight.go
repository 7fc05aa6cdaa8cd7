package web

import (
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/oversight"
)

// Oversight (issue 16; issue 15 item 8): the alerts of every kind with
// their acknowledgement, the team lead's open interactions and an
// interaction's metadata opened from an alert, the supervisor dashboard,
// and redaction. Registered by EnableOversight.

// EnableOversight registers the oversight pages and API on the routes of a,
// which EnableStaffAccess must have set up; the alerts page (registered
// with the interaction pages) then lists every kind and offers the
// acknowledgement.
func (a *StaffAccess) EnableOversight(svc *oversight.Service, dash *oversight.Dashboard) {
	a.oversight, a.dashboard = svc, dash
	a.handle("POST /api/v1/alerts/{id}/acknowledge", coupole.ActionAcknowledgeAlert, a.oversightAlertResource, a.apiAcknowledgeAlert)
	a.handle("POST /api/v1/redact", coupole.ActionRedactText, nil, a.apiRedact)
	a.handle("POST /alerts/{id}/acknowledge", coupole.ActionAcknowledgeAlert, a.oversightAlertResource, a.handleAlertAcknowledge)
	a.handle("GET /team", coupole.ActionReadInteractionMeta, nil, a.handleTeam)
	a.handle("GET /team/interactions/{id}", coupole.ActionReadInteractionMetadata, metadataResource, a.handleTeamInteraction)
	if dash != nil {
		a.handle("GET /dashboard", coupole.ActionViewDashboard, nil, a.handleDashboard)
		a.handle("GET /dashboard.csv", coupole.ActionViewDashboard, nil, a.handleDashboardCSV)
	}
}

// metadataResource: the interaction whose metadata is read, so that a
// refusal is traced with it.
func metadataResource(r *http.Request, _ *Principal) (string, string, coupole.AccessFacts, error) {
	return "Interaction", r.PathValue("id"), coupole.AccessFacts{}, nil
}

// oversightAlertResource: the alert, and whether it is about the principal
// (S7: nobody acknowledges an alert about themselves).
func (a *StaffAccess) oversightAlertResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	var f coupole.AccessFacts
	al, err := a.oversight.Store.Alert(r.Context(), id)
	if err == nil {
		f.TargetIsSelf = al.StaffID == p.Staff.ID || al.Target == "staff:"+p.Staff.ID
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return "", "", f, err
	}
	return "Alert", id, f, nil
}

func (a *StaffAccess) apiAcknowledgeAlert(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req oversight.AckRequest) (interaction.AlertView, error) {
		return a.oversight.Acknowledge(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiRedact(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req oversight.RedactRequest) (any, error) {
		return a.oversight.Redact(r.Context(), actor(r, p), req)
	})
}

// alertsPage renders the alerts of the last 30 days, every kind, with the
// unlock and acknowledgement forms.
func (a *StaffAccess) alertsPage(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	list, err := a.oversight.Alerts(r.Context(), actor(r, p), 30, r.URL.Query().Get("open") == "1")
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	lang := RequestLanguage(r)
	if fl == nil && r.URL.Query().Get("done") == "ack" {
		fl = &flash{"ok", Message(lang, "oversight.ack_done")}
	}
	a.renderPage(w, r, status, "alerts", view{Lang: lang, Title: "alerts.title", Principal: p, Active: "nav.alerts", Flash: fl,
		Data: alertsData{Alerts: list, Self: p.Staff.ID, Acknowledges: true}})
}

// alertsData is the alerts page: Self is the reviewer, who cannot
// acknowledge the alerts about themselves.
type alertsData struct {
	Alerts       []interaction.AlertView
	Self         string
	Acknowledges bool
}

// handleAlertAcknowledge is the alerts page's acknowledgement form: then
// back to the alerts (POST-redirect-GET), or the page with the error next
// to the form.
func (a *StaffAccess) handleAlertAcknowledge(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	_, err := a.oversight.Acknowledge(r.Context(), actor(r, p), r.PathValue("id"), oversight.AckRequest{Note: r.PostFormValue("note")})
	switch coupole.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/alerts?done=ack#alerts", http.StatusSeeOther)
	case coupole.EINVALID:
		a.alertsPage(w, r, p, http.StatusBadRequest, &flash{"bad", Message(lang, "oversight.ack_note_required")})
	case coupole.ECONFLICT:
		a.alertsPage(w, r, p, http.StatusConflict, &flash{"bad", Message(lang, "oversight.ack_conflict")})
	default:
		a.pageError(w, r, p, err)
	}
}

// handleTeam lists the open interactions for team leads: advisor, channel,
// requester type and age (issue 15 item 8), metadata only.
func (a *StaffAccess) handleTeam(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := a.oversight.OpenInteractions(r.Context(), actor(r, p))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	lang := RequestLanguage(r)
	a.renderPage(w, r, http.StatusOK, "team", view{Lang: lang, Title: "team.title", Principal: p, Active: "nav.team", Data: list})
}

// handleTeamInteraction shows one interaction's metadata, opened from an
// alert or the open list.
func (a *StaffAccess) handleTeamInteraction(w http.ResponseWriter, r *http.Request, p *Principal) {
	v, err := a.oversight.InteractionMetadata(r.Context(), actor(r, p), r.PathValue("id"))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	lang := RequestLanguage(r)
	a.renderPage(w, r, http.StatusOK, "team_interaction", view{Lang: lang, Title: "team.interaction_title", Principal: p, Active: "nav.team", Data: v})
}

// oversightNav adds the team lead's and the dashboard's links.
func (a *StaffAccess) oversightNav(p *Principal, add func(key, href string)) {
	if a.oversight == nil {
		return
	}
	if p.Staff.HasRole(coupole.RoleTeamLead) || p.Staff.HasRole(coupole.RoleSupervisor) {
		add("nav.team", "/team")
	}
	if a.dashboard != nil && (p.Staff.HasRole(coupole.RoleTeamLead) || p.Staff.HasRole(coupole.RoleSupervisor) ||
		p.Staff.HasRole(coupole.RoleServiceDeliveryManager) || p.Staff.HasRole(coupole.RolePrivacyOfficer)) {
		add("nav.dashboard", "/dashboard")
	}
}
