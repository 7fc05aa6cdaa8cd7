package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/scim"
)

// The IT administrator's page and the approvals inbox (issue 12, item 7):
// every change they make goes through the same services as the API, the
// CLI, SCIM and the HR file — governance.Lifecycle for accounts and roles,
// governance.Privileged for elevated roles and break-glass grants,
// scim.Tokens for the identity system's tokens — so the staff policy,
// segregation of duties and the trace hold the same way. A refusal is shown
// on the page with its rule, in the staff member's language.

func (a *StaffAccess) enableGovernancePages() {
	a.handle("GET /governance/admin", coupole.ActionSetRoles, nil, a.handleAdminPage)
	a.handle("POST /governance/admin/staff/{id}/roles", coupole.ActionSetRoles, a.staffResource, a.handleAdminRoles)
	a.handle("POST /governance/admin/staff/{id}/revoke", coupole.ActionRevokeStaff, a.staffResource, a.handleAdminRevoke)
	a.handle("POST /governance/admin/tokens", coupole.ActionSetRoles, nil, a.handleAdminTokenCreate)
	a.handle("POST /governance/admin/tokens/{id}/{verb}", coupole.ActionSetRoles, nil, a.handleAdminTokenChange)
	a.handle("GET /governance/approvals", coupole.ActionApprovePrivileged, nil, a.handleApprovalsPage)
	a.handle("POST /governance/approvals/privileged/{id}/{verb}", coupole.ActionApprovePrivileged, a.privilegedResource, a.handlePrivilegedDecision)
	a.handle("POST /governance/approvals/breakglass/{id}/{verb}", coupole.ActionApproveBreakGlass, a.grantResource, a.handleBreakGlassDecision)
}

// privilegedResource names a privileged-access request for the staff
// policy; deciding one's own request is refused there (S7).
func (a *StaffAccess) privilegedResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	var f coupole.AccessFacts
	if a.Privileged != nil {
		req, err := a.Privileged.Store.PrivilegedRequest(r.Context(), id)
		if err == nil {
			f.TargetIsSelf = req.StaffID == p.Staff.ID
		} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
			return "", "", f, err
		}
	}
	return "Grant", id, f, nil
}

type adminAccount struct {
	coupole.Staff
	EmployeeNumber string
	Self           bool
	RoleSet        map[coupole.Role]bool // the roles form's ticked boxes
}

type adminGrant struct {
	coupole.BreakGlassGrant
	Status string
}

type adminData struct {
	Accounts   []adminAccount
	Tokens     []scim.Token
	TokensOn   bool // SCIM tokens are managed here
	NewSecret  string
	NewTokenID string
	Privileged []coupole.PrivilegedRequest
	Grants     []adminGrant
	Roles      []coupole.Role
	Names      map[string]string
}

// refusalFlash is an error shown on the page: a refusal with its rule and
// why, in lang; other errors by their generic message.
func refusalFlash(err error, lang coupole.Language) *flash {
	err = translateRefusal(err, lang)
	switch coupole.ErrorCode(err) {
	case coupole.EFORBIDDEN, coupole.EINVALID, coupole.ECONFLICT:
		return &flash{Kind: "error", Text: coupole.ErrorMessage(err)}
	}
	return &flash{Kind: "error", Text: Message(lang, problemKey(err))}
}

func (a *StaffAccess) adminPage(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash, secret, tokenID string) {
	ctx := r.Context()
	list, err := a.Store.ListStaff(ctx)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d := adminData{Roles: coupole.Roles, Names: map[string]string{}, NewSecret: secret, NewTokenID: tokenID}
	for _, st := range list {
		d.Names[st.ID] = st.DisplayName
		acc := adminAccount{Staff: st, Self: st.ID == p.Staff.ID, RoleSet: map[coupole.Role]bool{}}
		for _, role := range st.Roles {
			acc.RoleSet[role] = true
		}
		if a.Lifecycle != nil {
			if prof, err := a.Lifecycle.Store.StaffProfile(ctx, st.ID); err == nil {
				acc.EmployeeNumber = prof.EmployeeNumber
			}
		}
		d.Accounts = append(d.Accounts, acc)
	}
	if a.SCIMTokens != nil {
		d.TokensOn = true
		if d.Tokens, err = a.SCIMTokens.Store.Tokens(ctx); err != nil {
			a.pageError(w, r, p, err)
			return
		}
	}
	if a.Privileged != nil {
		if d.Privileged, err = a.Privileged.Store.ListPrivilegedRequests(ctx); err != nil {
			a.pageError(w, r, p, err)
			return
		}
	}
	grants, err := a.Store.ListGrants(ctx)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	for _, g := range grants {
		d.Grants = append(d.Grants, adminGrant{g, grantStatus(g, a.Clock.Now())})
	}
	a.renderPage(w, r, status, "governance_admin", view{Lang: RequestLanguage(r), Title: "gov.admin.title", Principal: p, Active: "nav.gov_admin", Flash: fl, Data: d})
}

func (a *StaffAccess) handleAdminPage(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.adminPage(w, r, p, http.StatusOK, nil, "", "")
}

// handleAdminRoles replaces an account's roles with the boxes ticked.
func (a *StaffAccess) handleAdminRoles(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	r.ParseForm()
	var roles []coupole.Role
	for _, v := range r.PostForm["role"] {
		role, err := coupole.ParseRole(v)
		if err != nil {
			a.adminPage(w, r, p, http.StatusBadRequest, refusalFlash(err, lang), "", "")
			return
		}
		roles = append(roles, role)
	}
	defer a.sessions.reset()
	if err := a.Lifecycle.SetRoles(r.Context(), p.Staff.ID, r.PathValue("id"), roles, coupole.SourceScreen); err != nil {
		a.adminPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang), "", "")
		return
	}
	a.adminPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.admin.roles_saved")}, "", "")
}

// handleAdminRevoke is a leaver from the screen: the emergency path.
func (a *StaffAccess) handleAdminRevoke(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	defer a.sessions.reset()
	if err := a.Lifecycle.Leave(r.Context(), p.Staff.ID, r.PathValue("id"), reason); err != nil {
		a.adminPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang), "", "")
		return
	}
	a.adminPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.admin.revoked")}, "", "")
}

func (a *StaffAccess) handleAdminTokenCreate(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	if a.SCIMTokens == nil {
		a.pageError(w, r, p, coupole.Errorf(coupole.ENOTFOUND, "SCIM is not enabled"))
		return
	}
	tok, secret, err := a.SCIMTokens.Create(r.Context(), p.Staff.ID, r.PostFormValue("label"))
	if err != nil {
		a.adminPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang), "", "")
		return
	}
	// The secret is shown once, on this answer only, and never stored.
	w.Header().Set("Cache-Control", "no-store")
	a.adminPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.admin.token_created")}, secret, tok.ID)
}

func (a *StaffAccess) handleAdminTokenChange(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	if a.SCIMTokens == nil {
		a.pageError(w, r, p, coupole.Errorf(coupole.ENOTFOUND, "SCIM is not enabled"))
		return
	}
	id := r.PathValue("id")
	switch r.PathValue("verb") {
	case "rotate":
		tok, secret, err := a.SCIMTokens.Rotate(r.Context(), p.Staff.ID, id)
		if err != nil {
			a.adminPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang), "", "")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		a.adminPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.admin.token_rotated")}, secret, tok.ID)
	case "revoke":
		if err := a.SCIMTokens.Revoke(r.Context(), p.Staff.ID, id); err != nil {
			a.adminPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang), "", "")
			return
		}
		a.adminPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.admin.token_revoked")}, "", "")
	default:
		a.pageError(w, r, p, coupole.Errorf(coupole.ENOTFOUND, "no such token action"))
	}
}

// approvalItem is one line of the inbox: an elevated-role request or a
// break-glass grant.
type approvalItem struct {
	Kind          string // "privileged" or "breakglass"
	ID            string
	StaffID       string
	StaffName     string
	What          string // the role, or the customer id
	Justification string
	Minutes       int
	RequestedAt   time.Time
	Status        string
	EndsAt        time.Time
	Own           bool // the viewer's own request: they may not decide it
	L             coupole.Language
}

type approvalsData struct {
	Pending []approvalItem
	Active  []approvalItem
	Done    []approvalItem
}

func (a *StaffAccess) approvalsPage(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	ctx := r.Context()
	now := a.Clock.Now()
	names := map[string]string{}
	if list, err := a.Store.ListStaff(ctx); err == nil {
		for _, st := range list {
			names[st.ID] = st.DisplayName
		}
	}
	var d approvalsData
	lang := RequestLanguage(r)
	place := func(it approvalItem) {
		it.L = lang
		switch it.Status {
		case "pending":
			d.Pending = append(d.Pending, it)
		case "active", "approved":
			d.Active = append(d.Active, it)
		default:
			d.Done = append(d.Done, it)
		}
	}
	if a.Privileged != nil {
		reqs, err := a.Privileged.Store.ListPrivilegedRequests(ctx)
		if err != nil {
			a.pageError(w, r, p, err)
			return
		}
		for _, q := range reqs {
			st := string(q.Status)
			if q.Status == coupole.PrivilegedApproved && !q.Active(now) {
				st = string(coupole.PrivilegedExpired)
			}
			place(approvalItem{Kind: "privileged", ID: q.ID, StaffID: q.StaffID, StaffName: names[q.StaffID], What: string(q.Role),
				Justification: q.Justification, Minutes: int(q.Duration / time.Minute), RequestedAt: q.RequestedAt, Status: st, EndsAt: q.EndsAt,
				Own: q.StaffID == p.Staff.ID})
		}
	}
	grants, err := a.Store.ListGrants(ctx)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	for _, g := range grants {
		place(approvalItem{Kind: "breakglass", ID: g.ID, StaffID: g.StaffID, StaffName: names[g.StaffID], What: g.CustomerID,
			Justification: g.Reason, Minutes: int(g.Duration / time.Minute), RequestedAt: g.RequestedAt, Status: grantStatus(g, now), EndsAt: g.ExpiresAt,
			Own: g.StaffID == p.Staff.ID})
	}
	// Newest first in each part.
	for _, part := range [][]approvalItem{d.Pending, d.Active, d.Done} {
		slices.SortStableFunc(part, func(x, y approvalItem) int { return y.RequestedAt.Compare(x.RequestedAt) })
	}
	a.renderPage(w, r, status, "governance_approvals", view{Lang: RequestLanguage(r), Title: "gov.appr.title", Principal: p, Active: "nav.gov_approvals", Flash: fl, Data: d})
}

func (a *StaffAccess) handleApprovalsPage(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.approvalsPage(w, r, p, http.StatusOK, nil)
}

func (a *StaffAccess) decided(w http.ResponseWriter, r *http.Request, p *Principal, verb string, err error) {
	lang := RequestLanguage(r)
	if err != nil {
		a.approvalsPage(w, r, p, Status(coupole.ErrorCode(err)), refusalFlash(err, lang))
		return
	}
	a.approvalsPage(w, r, p, http.StatusOK, &flash{Kind: "ok", Text: Message(lang, "gov.appr.done_"+verb)})
}

func (a *StaffAccess) handlePrivilegedDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	id, verb, why := r.PathValue("id"), r.PathValue("verb"), r.PostFormValue("why")
	var err error
	switch verb {
	case "approve", "reject":
		_, err = a.Privileged.Decide(r.Context(), p.Staff.ID, id, verb == "approve", why)
	case "withdraw":
		err = a.Privileged.Withdraw(r.Context(), p.Staff.ID, id, why)
	default:
		a.pageError(w, r, p, coupole.Errorf(coupole.ENOTFOUND, "no such decision"))
		return
	}
	a.decided(w, r, p, verb, err)
}

func (a *StaffAccess) handleBreakGlassDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	id, verb, why := r.PathValue("id"), r.PathValue("verb"), r.PostFormValue("why")
	var err error
	switch verb {
	case "approve", "reject":
		_, err = a.Privileged.DecideBreakGlass(r.Context(), p.Staff.ID, id, verb == "approve", why)
	case "withdraw":
		err = a.Privileged.WithdrawBreakGlass(r.Context(), p.Staff.ID, id, why)
	default:
		a.pageError(w, r, p, coupole.Errorf(coupole.ENOTFOUND, "no such decision"))
		return
	}
	a.decided(w, r, p, verb, err)
}
