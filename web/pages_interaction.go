package web

import (
	"net/http"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
)

// The advisor's screens (issue 7) are a thin layer over interaction.Service:
// every read, decision and disclosure goes through it, with its checks and
// traces. Each POST renders the interaction page with the result of what was
// just done (a search's candidates or a decision are not kept anywhere
// else); interaction pages are addressed by their id only, never by an EAN
// or a name (personal data stays out of URLs).

func (a *StaffAccess) service(w http.ResponseWriter, r *http.Request) *interaction.Service {
	if a.Interactions == nil {
		a.Server.Error(w, r, coupole.Errorf(coupole.EUNAVAILABLE, "the interaction service is not configured"))
	}
	return a.Interactions
}

// --- home: the advisor workspace ---

type workspace struct {
	Channels   []policy.Channel
	Requesters []policy.Requester
	Open       []coupole.InteractionMeta
}

func (a *StaffAccess) workspaceData(r *http.Request, p *Principal) *workspace {
	svc := a.Interactions
	if svc == nil {
		return nil
	}
	ws := &workspace{Requesters: policy.Requesters}
	for _, c := range policy.Channels {
		if c != policy.ChannelCPASLine {
			ws.Channels = append(ws.Channels, c)
		}
	}
	all, err := svc.OpenInteractions(r.Context())
	if err != nil {
		a.Logger.Error("list open interactions", "err", err)
		return ws
	}
	for _, m := range all {
		if m.StaffID == p.Staff.ID {
			ws.Open = append(ws.Open, m)
		}
	}
	return ws
}

// handleOpenInteraction opens an interaction and goes to its page.
func (a *StaffAccess) handleOpenInteraction(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	v, err := svc.Open(r.Context(), actor(r, p), interaction.OpenRequest{
		Channel: r.PostFormValue("channel"), Requester: r.PostFormValue("requester"),
		CallerNumber: strings.TrimSpace(r.PostFormValue("caller_number")), MandataryName: strings.TrimSpace(r.PostFormValue("mandatary_name")),
	})
	if err != nil {
		lang := RequestLanguage(r)
		vw := view{Lang: lang, Title: "home.title", Principal: p, Active: "nav.home", Data: a.homeData(r, p),
			Flash: &flash{"bad", Message(lang, problemKey(err))}}
		a.renderPage(w, r, Status(coupole.ErrorCode(err)), "home", vw)
		return
	}
	a.opened(w, r, p, v.ID)
}

// opened starts the timeline of a new interaction and goes to its page.
func (a *StaffAccess) opened(w http.ResponseWriter, r *http.Request, p *Principal, id string) {
	now := a.Clock.Now()
	if err := a.desk.update(r.Context(), id, p.Staff.ID, now, func(s *deskState) {
		s.Timeline = append(s.Timeline, timelineEntry{At: now, Kind: "opened"})
		s.Focus = "by-ean"
	}); err != nil {
		// Opened all the same: the page shows it, without "opened" in
		// its timeline.
		a.Logger.Warn("desk state of a new interaction not written", "err", err)
	}
	http.Redirect(w, r, "/interactions/"+id, http.StatusSeeOther)
}

// --- CPAS line (D6) ---

func (a *StaffAccess) handleCPASPage(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	a.renderPage(w, r, http.StatusOK, "cpas", view{Lang: lang, Title: "cpas.title", Principal: p, Active: "nav.cpas",
		DemoCallers: a.demoCallers(func(c demo.Caller) bool { return c.Scenario == demo.ScenarioCPAS })})
}

func (a *StaffAccess) handleCPASOpen(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	v, err := svc.OpenCPASLine(r.Context(), actor(r, p), interaction.CPASOpenRequest{CPASID: strings.TrimSpace(r.PostFormValue("cpas_id")),
		CallerNumber: strings.TrimSpace(r.PostFormValue("caller_number"))})
	if err != nil {
		lang := RequestLanguage(r)
		a.renderPage(w, r, Status(coupole.ErrorCode(err)), "cpas", view{Lang: lang, Title: "cpas.title", Principal: p, Active: "nav.cpas",
			Flash: &flash{"bad", Message(lang, problemKey(err))}})
		return
	}
	a.opened(w, r, p, v.ID)
}

// --- team leads' alerts (C2) ---

func (a *StaffAccess) handleAlerts(w http.ResponseWriter, r *http.Request, p *Principal) {
	if a.oversight != nil { // every kind, with acknowledgement (issue 16)
		a.alertsPage(w, r, p, http.StatusOK, nil)
		return
	}
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	list, err := svc.Alerts(r.Context(), actor(r, p))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	lang := RequestLanguage(r)
	a.renderPage(w, r, http.StatusOK, "alerts", view{Lang: lang, Title: "alerts.title", Principal: p, Active: "nav.alerts", Data: alertsData{Alerts: list}})
}
