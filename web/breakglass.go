package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Break-glass grants (S3): a privacy officer asks to read one customer's
// data for a while, another approves; requests, approvals and refusals are
// traced first, and auditors list every grant.

func (a *StaffAccess) grantResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	var f coupole.AccessFacts
	g, err := a.Store.Grant(r.Context(), id)
	if err == nil {
		f.TargetIsSelf = g.StaffID == p.Staff.ID
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return "", "", f, err
	}
	return "Grant", id, f, nil
}

type grantJSON struct {
	ID          string     `json:"id"`
	StaffID     string     `json:"staff_id"`
	CustomerID  string     `json:"customer_id"`
	Reason      string     `json:"reason"`
	RequestedAt time.Time  `json:"requested_at"`
	Minutes     int        `json:"minutes"`
	ApprovedBy  string     `json:"approved_by,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	Active      bool       `json:"active"`
	Status      string     `json:"status"` // pending, active, rejected, withdrawn, expired, revoked
	RejectedBy  string     `json:"rejected_by,omitempty"`
}

func (a *StaffAccess) grantJSON(g coupole.BreakGlassGrant) grantJSON {
	j := grantJSON{ID: g.ID, StaffID: g.StaffID, CustomerID: g.CustomerID, Reason: g.Reason, RequestedAt: g.RequestedAt,
		Minutes: int(g.Duration / time.Minute), ApprovedBy: g.ApprovedBy, Active: g.Active(a.Clock.Now()), Status: grantStatus(g, a.Clock.Now()),
		RejectedBy: g.RejectedBy}
	if !g.ExpiresAt.IsZero() {
		t := g.ExpiresAt
		j.ExpiresAt = &t
	}
	return j
}

// grantStatus names where a grant stands at now.
func grantStatus(g coupole.BreakGlassGrant, now time.Time) string {
	switch {
	case g.EndReason != "":
		return g.EndReason
	case !g.RevokedAt.IsZero():
		return "revoked"
	case g.ApprovedBy == "":
		return "pending"
	case g.Active(now):
		return "active"
	}
	return "expired"
}

// handleListGrants shows every break-glass grant (to auditors and privacy
// officers).
func (a *StaffAccess) handleListGrants(w http.ResponseWriter, r *http.Request, p *Principal) {
	list, err := a.Store.ListGrants(r.Context())
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	out := []grantJSON{}
	for _, g := range list {
		out = append(out, a.grantJSON(g))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *StaffAccess) handleRequestGrant(w http.ResponseWriter, r *http.Request, p *Principal) {
	var body struct {
		CustomerID string `json:"customer_id"`
		Reason     string `json:"reason"`
		Minutes    int    `json:"minutes"`
	}
	if err := decodeJSON(r, &body); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if max := a.Privileged.BreakGlassLimit(); body.Minutes <= 0 || time.Duration(body.Minutes)*time.Minute > max {
		a.Server.Error(w, r, coupole.Errorf(coupole.EINVALID, "minutes: must be between 1 and %d", int(max/time.Minute)))
		return
	}
	customerID := strings.TrimSpace(body.CustomerID)
	if err := a.grantableCustomer(r, p, customerID); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	// Issue 12: the privileged-access path — traced first, bounded by
	// --break-glass-max, approved or rejected by somebody else.
	g, err := a.Privileged.RequestBreakGlass(r.Context(), p.Staff.ID, customerID, body.Reason, time.Duration(body.Minutes)*time.Minute)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a.grantJSON(g))
}

// grantableCustomer refuses a break-glass request for a customer who does
// not exist (issue 10, item 9): a grant must name someone to be read. The
// answer does tell the requester whether a customer id exists; that is
// acceptable because only privacy officers may request a grant (the staff
// policy), the id is the operator's own reference, not a name, and every
// such refusal is traced with the id asked for, so probing for ids shows in
// the audit trail. A refusal that cannot be traced is answered 503.
func (a *StaffAccess) grantableCustomer(r *http.Request, p *Principal, id string) error {
	if id == "" {
		return coupole.Errorf(coupole.EINVALID, "customer_id: required")
	}
	_, err := a.Customers.Customer(r.Context(), id)
	if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return err
	}
	if err := a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventGrantRequested, Actor: p.Staff.ID, Outcome: "refused", Reason: "unknown_customer",
		Details: map[string]string{"customer": id, "client": clientAddrFrom(r.Context())}}); err != nil {
		return err
	}
	return coupole.Errorf(coupole.EINVALID, "customer_id: no customer has this id")
}

func (a *StaffAccess) handleApproveGrant(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.decideGrant(w, r, p, true)
}

func (a *StaffAccess) handleRejectGrant(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.decideGrant(w, r, p, false)
}

// decideGrant approves or rejects a pending grant through the
// privileged-access path; the body may carry {"why": "…"}.
func (a *StaffAccess) decideGrant(w http.ResponseWriter, r *http.Request, p *Principal, approve bool) {
	why, err := optionalWhy(r)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	g, err := a.Privileged.DecideBreakGlass(r.Context(), p.Staff.ID, r.PathValue("id"), approve, why)
	if err != nil {
		a.Server.Error(w, r, translateRefusal(err, RequestLanguage(r)))
		return
	}
	writeJSON(w, http.StatusOK, a.grantJSON(g))
}

// handleWithdrawGrant ends a grant early (or cancels a pending request):
// its holder, or an approver.
func (a *StaffAccess) handleWithdrawGrant(w http.ResponseWriter, r *http.Request, p *Principal) {
	why, err := optionalWhy(r)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if err := a.Privileged.WithdrawBreakGlass(r.Context(), p.Staff.ID, r.PathValue("id"), why); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	g, err := a.Store.Grant(r.Context(), r.PathValue("id"))
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.grantJSON(g))
}

// optionalWhy reads an optional {"why": "…"} body.
func optionalWhy(r *http.Request) (string, error) {
	if r.ContentLength == 0 {
		return "", nil
	}
	var body struct {
		Why string `json:"why"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return "", err
	}
	return body.Why, nil
}
