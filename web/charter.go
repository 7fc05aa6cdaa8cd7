package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
)

// The confidentiality charter's gate and pages (issue 12, item 6: S1).
// Nobody opens customer data — the actions of coupole.CharterActions —
// before acknowledging the current charter within the last year. Pages
// send the staff member to /charter; the JSON API answers 403 with the
// problem code charter_required.

// ProblemCharterRequired is the problem code of a request refused until the
// charter is acknowledged.
const ProblemCharterRequired = "charter_required"

// charterCache keeps, per staff member, whether they were cleared at a
// recent read: at most SessionStaleness old, like the session itself, and
// dropped at once by an acknowledgement or a publication made here.
type charterCache struct {
	mu sync.Mutex
	m  map[string]charterEntry
}

type charterEntry struct {
	cleared bool
	readAt  time.Time
}

func (c *charterCache) get(staffID string, now time.Time) (bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[staffID]
	if !ok || now.Sub(e.readAt) < 0 || now.Sub(e.readAt) >= SessionStaleness {
		return false, false
	}
	return e.cleared, true
}

func (c *charterCache) put(staffID string, cleared bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= sessionCacheMax {
		c.m = map[string]charterEntry{}
	}
	c.m[staffID] = charterEntry{cleared, now}
}

func (c *charterCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// charterCleared says whether the principal may do a charter action now.
func (a *StaffAccess) charterCleared(ctx context.Context, p *Principal) (bool, error) {
	if a.charters == nil {
		return true, nil
	}
	now := a.Clock.Now()
	if ok, cached := a.charterMemo.get(p.Staff.ID, now); cached {
		return ok, nil
	}
	s, err := a.charters.StatusOf(ctx, p.Staff.ID, now)
	if err != nil {
		return false, err
	}
	a.charterMemo.put(p.Staff.ID, s.Cleared, now)
	return s.Cleared, nil
}

// charterGate stops a charter action of a principal who has not
// acknowledged the current charter; it reports whether the request may go
// on. The refusal is traced with its target.
func (a *StaffAccess) charterGate(w http.ResponseWriter, r *http.Request, p *Principal, rt *Route, req coupole.AccessRequest) bool {
	if !coupole.IsCharterAction(rt.Action) {
		return true
	}
	ok, err := a.charterCleared(r.Context(), p)
	if err != nil {
		a.Server.Error(w, r, err)
		return false
	}
	if ok {
		return true
	}
	a.traceRefusal(r, p.Staff.ID, rt, req, ProblemCharterRequired, nil)
	if problemPath(r.URL.Path) {
		writeProblemStatus(w, http.StatusForbidden, ProblemCharterRequired, Message(RequestLanguage(r), "charter.required"))
		return false
	}
	back := "/"
	if r.Method == http.MethodGet {
		back = r.URL.RequestURI()
	}
	http.Redirect(w, r, "/charter?back="+url.QueryEscape(back), http.StatusSeeOther)
	return false
}

// enableCharter builds the charter service and registers its pages, when
// the store keeps charters.
func (a *StaffAccess) enableCharter() {
	cs, ok := a.Store.(governance.CharterStore)
	if !ok {
		return
	}
	a.charters = &governance.Charters{Lifecycle: a.Lifecycle, Store: cs}
	a.handle("GET /charter", coupole.ActionAcknowledgeCharter, nil, a.handleCharter)
	a.handle("POST /charter/acknowledge", coupole.ActionAcknowledgeCharter, nil, a.handleAcknowledgeCharter)
	a.handle("GET /governance/charter", coupole.ActionViewAwareness, nil, a.handleAwareness)
	// The same action as `coupole charter awareness add`: the privacy officer.
	a.handle("POST /governance/charter/awareness", coupole.ActionPublishCharter, nil, a.handleRecordAwareness)
}

type charterData struct {
	Status governance.Status
	Text   string
	Back   string
	Done   bool // just acknowledged
}

func (a *StaffAccess) handleCharter(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.renderCharter(w, r, p, http.StatusOK, localPath(r.URL.Query().Get("back")), false)
}

func (a *StaffAccess) renderCharter(w http.ResponseWriter, r *http.Request, p *Principal, status int, back string, done bool) {
	lang := RequestLanguage(r)
	s, err := a.charters.StatusOf(r.Context(), p.Staff.ID, a.Clock.Now())
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d := charterData{Status: s, Back: back, Done: done}
	if s.Published {
		d.Text = s.Charter.In(lang)
	}
	var fl *flash
	if done {
		fl = &flash{"ok", Message(lang, "charter.done")}
	}
	a.renderPage(w, r, status, "charter", view{Lang: lang, Title: "charter.title", Principal: p, Active: "nav.charter", Flash: fl, Data: d})
}

func (a *StaffAccess) handleAcknowledgeCharter(w http.ResponseWriter, r *http.Request, p *Principal) {
	version := strings.TrimSpace(r.PostFormValue("version"))
	back := localPath(r.PostFormValue("back"))
	if r.PostFormValue("read") != "yes" {
		a.pageError(w, r, p, coupole.Errorf(coupole.EINVALID, "charter: tick the box to say you read it"))
		return
	}
	if err := a.charters.Acknowledge(r.Context(), p.Staff.ID, version); err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.charterMemo.reset()
	if back != "/" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	a.renderCharter(w, r, p, http.StatusOK, back, true)
}

type awarenessData struct {
	Charters  []coupole.Charter
	Campaigns []coupole.AwarenessCampaign
	Cleared   int
	Active    int
	Rate      int
	CanRecord bool          // the privacy officer sees the form
	Form      awarenessForm // kept when the form is refused
}

// awarenessForm is the campaign form as typed.
type awarenessForm struct{ Title, Date, Audience, Attendees string }

func (a *StaffAccess) handleAwareness(w http.ResponseWriter, r *http.Request, p *Principal) {
	var fl *flash
	if r.URL.Query().Get("done") == "awareness" {
		fl = &flash{Kind: "ok", Text: Message(RequestLanguage(r), "gov.charter.aw_done")}
	}
	a.renderAwareness(w, r, p, http.StatusOK, awarenessForm{}, fl)
}

// handleRecordAwareness records a campaign and who attended through the
// service the CLI uses (governance.Charters.RecordAwareness: staff policy,
// traced first), then sends the browser back to the page (POST-redirect-GET).
func (a *StaffAccess) handleRecordAwareness(w http.ResponseWriter, r *http.Request, p *Principal) {
	f := awarenessForm{Title: r.PostFormValue("title"), Date: strings.TrimSpace(r.PostFormValue("date")),
		Audience: r.PostFormValue("audience"), Attendees: r.PostFormValue("attendees")}
	lang := RequestLanguage(r)
	day, err := time.Parse(time.DateOnly, f.Date)
	if err != nil {
		a.renderAwareness(w, r, p, http.StatusBadRequest, f, &flash{Kind: "error", Text: Message(lang, "gov.charter.aw_bad_date")})
		return
	}
	c := coupole.AwarenessCampaign{Title: f.Title, HeldOn: day, Audience: f.Audience,
		Attendees: strings.FieldsFunc(f.Attendees, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })}
	if _, err := a.charters.RecordAwareness(r.Context(), p.Staff.ID, c); err != nil {
		a.renderAwareness(w, r, p, Status(coupole.ErrorCode(err)), f, refusalFlash(err, lang))
		return
	}
	http.Redirect(w, r, "/governance/charter?done=awareness#aw-h", http.StatusSeeOther)
}

func (a *StaffAccess) renderAwareness(w http.ResponseWriter, r *http.Request, p *Principal, status int, f awarenessForm, fl *flash) {
	ctx := r.Context()
	cs := a.charters.Store
	d := awarenessData{Form: f}
	dec, err := a.Authz.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: p.Staff, Action: coupole.ActionPublishCharter, ResourceType: "Page", ResourceID: "charter"})
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d.CanRecord = dec.Allow
	if d.Charters, err = cs.ListCharters(ctx); err == nil {
		if d.Campaigns, err = cs.ListAwareness(ctx); err == nil {
			d.Cleared, d.Active, err = a.charters.Rate(ctx, a.Clock.Now())
		}
	}
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	if d.Active > 0 {
		d.Rate = d.Cleared * 100 / d.Active
	}
	a.renderPage(w, r, status, "governance_charter", view{Lang: RequestLanguage(r), Title: "gov.charter.title", Principal: p, Active: "nav.gov_charter", Flash: fl, Data: d})
}
