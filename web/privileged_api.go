package web

import (
	"net/http"
	"time"

	"github.com/coupole/coupole"
)

// The JSON API of elevated-role requests (S3, issue 12 item 4): the same
// steps as `coupole staff privileged` and the approvals screen, through
// governance.Privileged — traced first, bounded by --privileged-max,
// decided by somebody else (the staff policy's no-self-approval refuses it
// in the middleware, the SoD set again in the service).

// enablePrivilegedAPI registers the routes. Any staff member with a role
// asks and lists their own requests; approvers list the pending ones and
// decide. Withdrawing is for the holder or an approver: the route lets any
// requester in and the service checks the approver's right when the
// request is somebody else's (refused and traced with the request as target).
func (a *StaffAccess) enablePrivilegedAPI() {
	a.handle("GET /api/v1/privileged", coupole.ActionRequestPrivileged, nil, a.handleListOwnPrivileged)
	a.handle("POST /api/v1/privileged", coupole.ActionRequestPrivileged, nil, a.handleRequestPrivileged)
	a.handle("GET /api/v1/privileged/pending", coupole.ActionApprovePrivileged, nil, a.handleListPendingPrivileged)
	a.handle("POST /api/v1/privileged/{id}/approve", coupole.ActionApprovePrivileged, a.privilegedResource, a.handleApprovePrivileged)
	a.handle("POST /api/v1/privileged/{id}/reject", coupole.ActionApprovePrivileged, a.privilegedResource, a.handleRejectPrivileged)
	a.handle("POST /api/v1/privileged/{id}/withdraw", coupole.ActionRequestPrivileged, nil, a.handleWithdrawPrivileged)
}

type privilegedJSON struct {
	ID            string     `json:"id"`
	StaffID       string     `json:"staff_id"`
	Role          string     `json:"role"`
	Justification string     `json:"justification"`
	Minutes       int        `json:"minutes"`
	RequestedAt   time.Time  `json:"requested_at"`
	Status        string     `json:"status"` // pending, approved, rejected, withdrawn, expired
	Active        bool       `json:"active"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	EndsAt        *time.Time `json:"ends_at,omitempty"`
	EndedAt       *time.Time `json:"ended_at,omitempty"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// privilegedJSON says where q stands at now: an approved request past its
// end is expired even before the sweeper recorded it.
func (a *StaffAccess) privilegedJSON(q coupole.PrivilegedRequest) privilegedJSON {
	now := a.Clock.Now()
	st := q.Status
	if st == coupole.PrivilegedApproved && !q.Active(now) {
		st = coupole.PrivilegedExpired
	}
	return privilegedJSON{ID: q.ID, StaffID: q.StaffID, Role: string(q.Role), Justification: q.Justification,
		Minutes: int(q.Duration / time.Minute), RequestedAt: q.RequestedAt, Status: string(st), Active: q.Active(now),
		DecidedBy: q.DecidedBy, DecidedAt: timeOrNil(q.DecidedAt), EndsAt: timeOrNil(q.EndsAt), EndedAt: timeOrNil(q.EndedAt)}
}

// writePrivilegedList answers the requests keep selects, oldest first as
// the store lists them; always an array.
func (a *StaffAccess) writePrivilegedList(w http.ResponseWriter, r *http.Request, keep func(coupole.PrivilegedRequest) bool) {
	list, err := a.Privileged.Store.ListPrivilegedRequests(r.Context())
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	out := []privilegedJSON{}
	for _, q := range list {
		if keep(q) {
			out = append(out, a.privilegedJSON(q))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *StaffAccess) handleListOwnPrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.writePrivilegedList(w, r, func(q coupole.PrivilegedRequest) bool { return q.StaffID == p.Staff.ID })
}

func (a *StaffAccess) handleListPendingPrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.writePrivilegedList(w, r, func(q coupole.PrivilegedRequest) bool { return q.Status == coupole.PrivilegedPending })
}

func (a *StaffAccess) handleRequestPrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	var body struct {
		Role          string `json:"role"`
		Minutes       int    `json:"minutes"`
		Justification string `json:"justification"`
	}
	if err := decodeJSON(r, &body); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	role, err := coupole.ParseRole(body.Role)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	if max := a.Privileged.Limit(); body.Minutes <= 0 || time.Duration(body.Minutes) > max/time.Minute {
		a.Server.Error(w, r, coupole.Errorf(coupole.EINVALID, "minutes: must be between 1 and %d", int(max/time.Minute)))
		return
	}
	q, err := a.Privileged.Request(r.Context(), p.Staff.ID, role, body.Justification, time.Duration(body.Minutes)*time.Minute)
	if err != nil {
		a.Server.Error(w, r, translateRefusal(err, RequestLanguage(r)))
		return
	}
	writeJSON(w, http.StatusCreated, a.privilegedJSON(q))
}

func (a *StaffAccess) handleApprovePrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.decidePrivileged(w, r, p, true)
}

func (a *StaffAccess) handleRejectPrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.decidePrivileged(w, r, p, false)
}

// decidePrivileged approves or rejects a pending request; the body may
// carry {"why": "…"}, traced with the decision.
func (a *StaffAccess) decidePrivileged(w http.ResponseWriter, r *http.Request, p *Principal, approve bool) {
	why, err := optionalWhy(r)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	q, err := a.Privileged.Decide(r.Context(), p.Staff.ID, r.PathValue("id"), approve, why)
	if err != nil {
		a.Server.Error(w, r, translateRefusal(err, RequestLanguage(r)))
		return
	}
	writeJSON(w, http.StatusOK, a.privilegedJSON(q))
}

// handleWithdrawPrivileged ends an approved request early: its holder, or
// an approver.
func (a *StaffAccess) handleWithdrawPrivileged(w http.ResponseWriter, r *http.Request, p *Principal) {
	why, err := optionalWhy(r)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := a.Privileged.Withdraw(r.Context(), p.Staff.ID, id, why); err != nil {
		a.Server.Error(w, r, translateRefusal(err, RequestLanguage(r)))
		return
	}
	q, err := a.Privileged.Store.PrivilegedRequest(r.Context(), id)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.privilegedJSON(q))
}
