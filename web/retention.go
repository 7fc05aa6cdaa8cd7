package web

import (
	"net/http"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
)

// The privacy officer's retention door on the web (issue 13 items 2 and 5):
// the JSON API under /api/v1/retention and the screens under /retention.
// The middleware asks the staff policy first (91-retention.cedar) and
// traces its refusals; every act then goes through retention.Officer, which
// asks again, traces first, and holds S7's second person.

// RetentionPages configures the retention routes.
type RetentionPages struct {
	Officer *retention.Officer
	Store   retention.ScreenStore
}

// EnableRetention registers the retention API and screens.
func (a *StaffAccess) EnableRetention(c RetentionPages) {
	h := &retentionHandlers{a: a, c: c}
	a.retention = true
	a.handle("GET /api/v1/retention/holds", coupole.ActionViewRetention, nil, h.apiHolds)
	a.handle("POST /api/v1/retention/holds", coupole.ActionPlaceHold, nil, h.apiPlace)
	a.handle("POST /api/v1/retention/holds/{id}/lift-request", coupole.ActionRequestHoldLift, h.holdResource, h.apiLiftRequest)
	a.handle("POST /api/v1/retention/holds/{id}/lift", coupole.ActionLiftHold, h.holdResource, h.apiLift)
	a.handle("POST /api/v1/retention/items/{id}/class", coupole.ActionSetRetentionClass, h.itemResource, h.apiSetClass)

	a.handle("GET /retention", coupole.ActionViewRetention, nil, h.overview)
	a.handle("GET /retention/holds", coupole.ActionViewRetention, nil, h.holds)
	a.handle("POST /retention/holds", coupole.ActionPlaceHold, nil, h.place)
	a.handle("POST /retention/holds/{id}/lift-request", coupole.ActionRequestHoldLift, h.holdResource, h.liftRequest)
	a.handle("POST /retention/holds/{id}/lift", coupole.ActionLiftHold, h.holdResource, h.lift)
	a.handle("GET /retention/items", coupole.ActionViewRetention, nil, h.items)
	a.handle("POST /retention/items/class", coupole.ActionSetRetentionClass, h.itemResource, h.setClass)
	a.handle("GET /retention/reports", coupole.ActionViewRetention, nil, h.report)
}

type retentionHandlers struct {
	a *StaffAccess
	c RetentionPages
}

// holdResource derives S7's fact: the principal asked for this hold's lift.
// An unknown hold is nobody's: the handler answers 404 after the policy.
func (h *retentionHandlers) holdResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	hold, err := h.c.Officer.Service.Store.Hold(r.Context(), id)
	if err != nil && coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return "", "", coupole.AccessFacts{}, err
	}
	return "Page", "hold:" + id, coupole.AccessFacts{TargetIsSelf: err == nil && hold.LiftRequestedBy == p.Staff.ID}, nil
}

// itemResource names the item whose class a request changes (in the path,
// or in the form of the items screen), so that a refusal is traced with it.
func (h *retentionHandlers) itemResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	id := r.PathValue("id")
	if id == "" {
		id = r.PostFormValue("item")
	}
	return "Page", "item:" + id, coupole.AccessFacts{}, nil
}

// --- JSON API ---

type holdJSON struct {
	ID              string     `json:"id"`
	Scope           string     `json:"scope"`
	Target          string     `json:"target,omitempty"`
	From            *time.Time `json:"from,omitempty"`
	To              *time.Time `json:"to,omitempty"`
	Reason          string     `json:"reason"`
	Reference       string     `json:"reference"`
	PlacedBy        string     `json:"placed_by"`
	PlacedAt        time.Time  `json:"placed_at"`
	LiftRequestedBy string     `json:"lift_requested_by,omitempty"`
	LiftRequestedAt *time.Time `json:"lift_requested_at,omitempty"`
	LiftReason      string     `json:"lift_reason,omitempty"`
	LiftedBy        string     `json:"lifted_by,omitempty"`
	LiftedAt        *time.Time `json:"lifted_at,omitempty"`
	Active          bool       `json:"active"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func newHoldJSON(h retention.Hold) holdJSON {
	return holdJSON{ID: h.ID, Scope: h.Scope, Target: h.Target, From: optTime(h.From), To: optTime(h.To), Reason: h.Reason, Reference: h.Reference,
		PlacedBy: h.PlacedBy, PlacedAt: h.PlacedAt.UTC(), LiftRequestedBy: h.LiftRequestedBy, LiftRequestedAt: optTime(h.LiftRequestedAt),
		LiftReason: h.LiftReason, LiftedBy: h.LiftedBy, LiftedAt: optTime(h.LiftedAt), Active: h.Active()}
}

type holdRequest struct {
	Scope     string    `json:"scope"`
	Target    string    `json:"target"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Reason    string    `json:"reason"`
	Reference string    `json:"reference"`
}

type liftRequest struct {
	Reason string `json:"reason"`
}

type classRequest struct {
	Class         string `json:"class"`
	Justification string `json:"justification"`
}

type itemClassJSON struct {
	ID    string    `json:"id"`
	Kind  string    `json:"kind"`
	Class string    `json:"class"`
	Due   time.Time `json:"due"`
	State string    `json:"state"`
}

func (h *retentionHandlers) apiHolds(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(h.a, w, r, http.StatusOK, func(struct{}) ([]holdJSON, error) {
		hs, err := h.c.Officer.Holds(r.Context(), p.Staff, r.URL.Query().Get("all") != "true")
		out := make([]holdJSON, 0, len(hs))
		for _, x := range hs {
			out = append(out, newHoldJSON(x))
		}
		return out, err
	})
}

func (h *retentionHandlers) apiPlace(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(h.a, w, r, http.StatusCreated, func(req holdRequest) (holdJSON, error) {
		x, err := h.c.Officer.PlaceHold(r.Context(), p.Staff, retention.Hold{Scope: req.Scope, Target: req.Target, From: req.From, To: req.To, Reason: req.Reason, Reference: req.Reference})
		return newHoldJSON(x), err
	})
}

func (h *retentionHandlers) apiLiftRequest(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(h.a, w, r, http.StatusOK, func(req liftRequest) (holdJSON, error) {
		x, err := h.c.Officer.RequestLift(r.Context(), p.Staff, r.PathValue("id"), req.Reason)
		return newHoldJSON(x), err
	})
}

func (h *retentionHandlers) apiLift(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(h.a, w, r, http.StatusOK, func(struct{}) (holdJSON, error) {
		x, err := h.c.Officer.ApproveLift(r.Context(), p.Staff, r.PathValue("id"))
		return newHoldJSON(x), err
	})
}

func (h *retentionHandlers) apiSetClass(w http.ResponseWriter, r *http.Request, p *Principal) {
	serveJSON(h.a, w, r, http.StatusOK, func(req classRequest) (itemClassJSON, error) {
		it, err := h.c.Officer.SetClass(r.Context(), p.Staff, r.PathValue("id"), req.Class, req.Justification)
		return itemClassJSON{ID: it.ID, Kind: it.Kind, Class: it.Class, Due: it.Due.UTC(), State: it.State}, err
	})
}

// --- screens ---

func (h *retentionHandlers) page(w http.ResponseWriter, r *http.Request, p *Principal, status int, name, title string, data any, fl *flash) {
	h.a.renderPage(w, r, status, name, view{Lang: RequestLanguage(r), Title: title, Principal: p, Active: "nav.retention", Data: data, Flash: fl})
}

// retentionFlash is the outcome of an act, in the page's language: the
// service's own message is English, for logs and API clients.
func retentionFlash(r *http.Request, err error) *flash {
	l := RequestLanguage(r)
	if err == nil {
		switch r.URL.Query().Get("done") {
		case "placed", "asked", "lifted", "reclassified":
			return &flash{"ok", Message(l, "ret.done."+r.URL.Query().Get("done"))}
		}
		return nil
	}
	switch coupole.ErrorCode(err) {
	case coupole.EINVALID:
		return &flash{"bad", Message(l, "ret.err.invalid")}
	case coupole.ECONFLICT:
		return &flash{"bad", Message(l, "ret.err.conflict")}
	case coupole.EFORBIDDEN:
		return &flash{"bad", Message(l, "ret.err.forbidden")}
	case coupole.ENOTFOUND:
		return &flash{"bad", Message(l, "ret.err.not_found")}
	}
	return nil
}

func errStatus(err error) int {
	if s := Status(coupole.ErrorCode(err)); s < 500 {
		return s
	}
	return http.StatusInternalServerError
}

type retentionOverview struct {
	Year    int
	Counts  retention.Counts
	Classes []retention.Class
	Default string
	Own     map[string]string
	Holds   int
}

func (h *retentionHandlers) overview(w http.ResponseWriter, r *http.Request, p *Principal) {
	if err := h.c.Officer.View(r.Context(), p.Staff, "overview"); err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	now := h.c.Officer.Service.Clock.Now().UTC()
	from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := h.c.Store.RetentionCounts(r.Context(), from, from.AddDate(1, 0, 0))
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	// "Due" is due now, not by the end of the year: what the purge has left.
	dueNow, err := h.c.Store.RetentionCounts(r.Context(), time.Unix(0, 0), now.Add(time.Second))
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	c.Due = dueNow.Due
	holds, err := h.c.Officer.Service.Store.Holds(r.Context(), true)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	cfg := h.c.Officer.Service.Config
	h.page(w, r, p, http.StatusOK, "retention", "ret.title", retentionOverview{Year: now.Year(), Counts: c, Classes: cfg.Classes, Default: cfg.Default, Own: cfg.Own, Holds: len(holds)}, nil)
}

type retentionHolds struct {
	Holds  []retention.Hold
	Me     string
	Scopes []string
	Form   holdForm
}

type holdForm struct{ Scope, Target, From, To, Reason, Reference string }

func (h *retentionHandlers) holds(w http.ResponseWriter, r *http.Request, p *Principal) {
	h.renderHolds(w, r, p, http.StatusOK, holdForm{Scope: retention.ScopeItem}, retentionFlash(r, nil))
}

func (h *retentionHandlers) renderHolds(w http.ResponseWriter, r *http.Request, p *Principal, status int, f holdForm, fl *flash) {
	hs, err := h.c.Officer.Holds(r.Context(), p.Staff, false)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, status, "retention_holds", "ret.holds.title", retentionHolds{Holds: hs, Me: p.Staff.ID,
		Scopes: []string{retention.ScopeItem, retention.ScopeInteraction, retention.ScopeCustomer, retention.ScopePeriod}, Form: f}, fl)
}

func (h *retentionHandlers) place(w http.ResponseWriter, r *http.Request, p *Principal) {
	f := holdForm{Scope: r.PostFormValue("scope"), Target: r.PostFormValue("target"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Reason: r.PostFormValue("reason"), Reference: r.PostFormValue("reference")}
	hold := retention.Hold{Scope: f.Scope, Target: f.Target, Reason: f.Reason, Reference: f.Reference}
	var err error
	if f.Scope == retention.ScopePeriod {
		hold.Target = ""
		hold.From, _ = time.Parse(time.DateOnly, f.From)
		hold.To, _ = time.Parse(time.DateOnly, f.To)
	}
	if _, err = h.c.Officer.PlaceHold(r.Context(), p.Staff, hold); err != nil {
		h.renderHolds(w, r, p, errStatus(err), f, retentionFlash(r, err))
		return
	}
	http.Redirect(w, r, "/retention/holds?done=placed", http.StatusSeeOther)
}

func (h *retentionHandlers) liftRequest(w http.ResponseWriter, r *http.Request, p *Principal) {
	if _, err := h.c.Officer.RequestLift(r.Context(), p.Staff, r.PathValue("id"), r.PostFormValue("reason")); err != nil {
		h.renderHolds(w, r, p, errStatus(err), holdForm{Scope: retention.ScopeItem}, retentionFlash(r, err))
		return
	}
	http.Redirect(w, r, "/retention/holds?done=asked", http.StatusSeeOther)
}

func (h *retentionHandlers) lift(w http.ResponseWriter, r *http.Request, p *Principal) {
	if _, err := h.c.Officer.ApproveLift(r.Context(), p.Staff, r.PathValue("id")); err != nil {
		h.renderHolds(w, r, p, errStatus(err), holdForm{Scope: retention.ScopeItem}, retentionFlash(r, err))
		return
	}
	http.Redirect(w, r, "/retention/holds?done=lifted", http.StatusSeeOther)
}

type retentionItems struct {
	Now     time.Time
	Days    int
	Items   []retention.Listed
	Classes []retention.Class
	Item    string
}

// itemsHorizon is how far ahead the due list looks.
const itemsHorizon = 30

func (h *retentionHandlers) items(w http.ResponseWriter, r *http.Request, p *Principal) {
	h.renderItems(w, r, p, http.StatusOK, r.URL.Query().Get("item"), retentionFlash(r, nil))
}

func (h *retentionHandlers) renderItems(w http.ResponseWriter, r *http.Request, p *Principal, status int, item string, fl *flash) {
	if err := h.c.Officer.View(r.Context(), p.Staff, "items"); err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	now := h.c.Officer.Service.Clock.Now()
	its, err := h.c.Store.KeptItems(r.Context(), now.AddDate(0, 0, itemsHorizon), 500)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, status, "retention_items", "ret.items.title", retentionItems{Now: now, Days: itemsHorizon, Items: its, Classes: h.c.Officer.Service.Config.Classes, Item: item}, fl)
}

func (h *retentionHandlers) setClass(w http.ResponseWriter, r *http.Request, p *Principal) {
	item := r.PostFormValue("item")
	if _, err := h.c.Officer.SetClass(r.Context(), p.Staff, item, r.PostFormValue("class"), r.PostFormValue("justification")); err != nil {
		h.renderItems(w, r, p, errStatus(err), item, retentionFlash(r, err))
		return
	}
	http.Redirect(w, r, "/retention/items?done=reclassified", http.StatusSeeOther)
}

type retentionReport struct {
	Month      string
	Prev, Next string
	Report     retention.Report
}

func (h *retentionHandlers) report(w http.ResponseWriter, r *http.Request, p *Principal) {
	now := h.c.Officer.Service.Clock.Now().UTC()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			h.a.pageError(w, r, p, coupole.Errorf(coupole.EINVALID, "month: want YYYY-MM"))
			return
		}
		from = t
	}
	if err := h.c.Officer.View(r.Context(), p.Staff, "report:"+from.Format("2006-01")); err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	rep, err := retention.MonthlyReport(r.Context(), h.c.Store, from)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, http.StatusOK, "retention_report", "ret.report.title", retentionReport{Month: from.Format("2006-01"),
		Prev: from.AddDate(0, -1, 0).Format("2006-01"), Next: from.AddDate(0, 1, 0).Format("2006-01"), Report: rep}, nil)
}
