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
}

func (a *StaffAccess) grantJSON(g coupole.BreakGlassGrant) grantJSON {
	j := grantJSON{ID: g.ID, StaffID: g.StaffID, CustomerID: g.CustomerID, Reason: g.Reason, RequestedAt: g.RequestedAt,
		Minutes: int(g.Duration / time.Minute), ApprovedBy: g.ApprovedBy, Active: g.Active(a.Clock.Now())}
	if !g.ExpiresAt.IsZero() {
		t := g.ExpiresAt
		j.ExpiresAt = &t
	}
	return j
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
	if body.Minutes <= 0 || time.Duration(body.Minutes)*time.Minute > coupole.MaxBreakGlass {
		a.Server.Error(w, r, coupole.Errorf(coupole.EINVALID, "minutes: must be between 1 and %d", int(coupole.MaxBreakGlass/time.Minute)))
		return
	}
	customerID := strings.TrimSpace(body.CustomerID)
	if err := a.grantableCustomer(r, p, customerID); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	g := coupole.BreakGlassGrant{ID: "bg-" + newSecret()[:16], StaffID: p.Staff.ID, CustomerID: customerID,
		Reason: strings.TrimSpace(body.Reason), RequestedAt: a.Clock.Now(), Duration: time.Duration(body.Minutes) * time.Minute}
	ev := coupole.StaffEvent{Type: coupole.StaffEventGrantRequested, Actor: p.Staff.ID, Subject: g.ID, Outcome: "ok", Reason: g.Reason,
		Details: map[string]string{"customer": g.CustomerID, "minutes": itoa(body.Minutes)}}
	if err := a.trace(r.Context(), ev); err != nil { // trace first
		a.Server.Error(w, r, err)
		return
	}
	if err := a.Store.CreateGrant(r.Context(), g); err != nil {
		a.traceFailure(r.Context(), ev, err)
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
	id := r.PathValue("id")
	refused := func(err error) {
		a.trace(r.Context(), coupole.StaffEvent{Type: coupole.StaffEventGrantRefused, Actor: p.Staff.ID, Subject: id, Outcome: "refused", Reason: coupole.ErrorCode(err)})
		a.Server.Error(w, r, err)
	}
	// Trace first: the approval is traced before it is made, so the grant
	// is read and checked here; the store checks again as it approves.
	now := a.Clock.Now()
	g, err := a.Store.Grant(r.Context(), id)
	if err == nil {
		err = g.ApprovableBy(p.Staff.ID)
	}
	if err != nil {
		refused(err)
		return
	}
	ev := coupole.StaffEvent{Type: coupole.StaffEventGrantApproved, Actor: p.Staff.ID, Subject: g.ID, Outcome: "ok", Reason: g.Reason,
		Details: map[string]string{"holder": g.StaffID, "customer": g.CustomerID, "expires_at": now.Add(g.Duration).Format(time.RFC3339)}}
	if err := a.trace(r.Context(), ev); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if g, err = a.Store.ApproveGrant(r.Context(), id, p.Staff.ID, now); err != nil {
		refused(err)
		return
	}
	writeJSON(w, http.StatusOK, a.grantJSON(g))
}
