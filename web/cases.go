package web

import (
	"net/http"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/casework"
	"github.com/coupole/coupole/interaction"
)

// Back-office cases (D4, issue 11): the queue's API under /api/v1/cases and
// its pages under /cases, plus POST /api/v1/interactions/{id}/cases for an
// advisor to open a research case or a CPAS follow-up. The queue holds no
// customer data (case.list); a case's data is read, answered and closed only
// by the back-office member who took it: the staff policy decides on the
// HandlesCase fact, derived here from the case, never sent by the client.

// registerCaseAPI adds the case routes; EnableStaffAccess calls it when a
// case service is configured.
func (a *StaffAccess) registerCaseAPI() {
	a.handle("GET /api/v1/cases", coupole.ActionListCases, nil, a.apiCases)
	a.handle("GET /api/v1/cases/{id}", coupole.ActionReadCase, a.caseResource, a.apiCase)
	a.handle("POST /api/v1/cases/{id}/take", coupole.ActionTakeCase, a.caseResource, a.apiTakeCase)
	a.handle("POST /api/v1/cases/{id}/answer", coupole.ActionAnswerCase, a.caseResource, a.apiAnswerCase)
	a.handle("POST /api/v1/cases/{id}/close", coupole.ActionCloseCase, a.caseResource, a.apiCloseCase)
	if a.Interactions != nil {
		a.handle("POST /api/v1/interactions/{id}/cases", coupole.ActionWorkInteraction, a.interactionResource, a.apiOpenCase)
	}
}

// caseResource: the need-to-know fact for a case is that the principal took
// it and it is not closed (C1). An unknown case is simply not handled.
func (a *StaffAccess) caseResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	ok, err := a.Cases.HandlesCase(r.Context(), p.Staff.ID, id)
	return "Case", id, coupole.AccessFacts{HandlesCase: ok}, err
}

func (a *StaffAccess) apiCases(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) ([]casework.QueueItem, error) {
		return a.Cases.List(r.Context(), actor(r, p), r.URL.Query().Get("status"))
	})
}

func (a *StaffAccess) apiCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) (casework.CaseView, error) {
		return a.Cases.Read(r.Context(), actor(r, p), r.PathValue("id"))
	})
}

func (a *StaffAccess) apiTakeCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) (casework.QueueItem, error) {
		return a.Cases.Take(r.Context(), actor(r, p), r.PathValue("id"))
	})
}

func (a *StaffAccess) apiAnswerCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(req casework.AnswerRequest) (casework.CaseView, error) {
		return a.Cases.Answer(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

func (a *StaffAccess) apiCloseCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusOK, func(struct{}) (casework.QueueItem, error) {
		return a.Cases.Close(r.Context(), actor(r, p), r.PathValue("id"))
	})
}

func (a *StaffAccess) apiOpenCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(a, w, r, http.StatusCreated, func(req interaction.CaseRequest) (interaction.CaseOpened, error) {
		return a.Interactions.OpenCase(r.Context(), actor(r, p), r.PathValue("id"), req)
	})
}

// --- pages: plain forms, no JavaScript ---

// enableCasePages registers the back office's pages; EnablePages calls it
// when a case service is configured.
func (a *StaffAccess) enableCasePages() {
	a.handle("GET /cases", coupole.ActionListCases, nil, a.handleCases)
	a.handle("GET /cases/{id}", coupole.ActionReadCase, a.caseResource, a.handleCase)
	a.handle("POST /cases/{id}/take", coupole.ActionTakeCase, a.caseResource, a.handleTakeCase)
	a.handle("POST /cases/{id}/answer", coupole.ActionAnswerCase, a.caseResource, a.handleAnswerCase)
	a.handle("POST /cases/{id}/close", coupole.ActionCloseCase, a.caseResource, a.handleCloseCase)
}

type casesPage struct {
	Status   string
	Statuses []string
	Cases    []casework.QueueItem
}

func (a *StaffAccess) renderCases(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	lang := RequestLanguage(r)
	filter := r.URL.Query().Get("status")
	if filter == "" && r.Method == http.MethodGet {
		filter = coupole.CaseOpen
	}
	if filter == "all" {
		filter = ""
	}
	list, err := a.Cases.List(r.Context(), actor(r, p), filter)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderPage(w, r, status, "cases", view{Lang: lang, Title: "cases.title", Principal: p, Active: "nav.cases", Flash: fl,
		Data: casesPage{Status: filter, Statuses: coupole.CaseStatuses, Cases: list}})
}

func (a *StaffAccess) handleCases(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.renderCases(w, r, p, http.StatusOK, nil)
}

func (a *StaffAccess) renderCase(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	lang := RequestLanguage(r)
	v, err := a.Cases.Read(r.Context(), actor(r, p), r.PathValue("id"))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderPage(w, r, status, "case", view{Lang: lang, Title: "case.title", Principal: p, Active: "nav.cases", Flash: fl, Data: v})
}

func (a *StaffAccess) handleCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.renderCase(w, r, p, http.StatusOK, nil)
}

// handleTakeCase takes the case and opens it; a case somebody took first
// sends back to the queue with that said.
func (a *StaffAccess) handleTakeCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	id := r.PathValue("id")
	_, err := a.Cases.Take(r.Context(), actor(r, p), id)
	switch coupole.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/cases/"+id, http.StatusSeeOther)
	case coupole.ECONFLICT:
		a.renderCases(w, r, p, http.StatusConflict, &flash{"bad", Message(RequestLanguage(r), "cases.take_conflict")})
	default:
		a.pageError(w, r, p, err)
	}
}

func (a *StaffAccess) handleAnswerCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	_, err := a.Cases.Answer(r.Context(), actor(r, p), r.PathValue("id"), casework.AnswerRequest{By: r.PostFormValue("by"), Text: r.PostFormValue("text")})
	status, fl := http.StatusOK, &flash{"ok", Message(lang, "case.answer_done")}
	switch coupole.ErrorCode(err) {
	case "":
	case coupole.EINVALID:
		status, fl = http.StatusBadRequest, &flash{"bad", Message(lang, "case.answer_invalid")}
	case coupole.ECONFLICT:
		status, fl = http.StatusConflict, &flash{"bad", Message(lang, "case.answer_conflict")}
	default:
		a.pageError(w, r, p, err)
		return
	}
	a.renderCase(w, r, p, status, fl)
}

func (a *StaffAccess) handleCloseCase(w http.ResponseWriter, r *http.Request, p *Principal) {
	if _, err := a.Cases.Close(r.Context(), actor(r, p), r.PathValue("id")); err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderCases(w, r, p, http.StatusOK, &flash{"ok", Message(RequestLanguage(r), "cases.closed_done")})
}
