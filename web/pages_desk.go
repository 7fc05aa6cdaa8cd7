package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
)

// The interaction page (issue 7, second pass in issue 15): the interaction
// as the service shows it, plus the desk state of the call — what was
// found, answered and done, and the problem of the last step, next to its
// field (desk_state.go).

// decisionItem is one line of the disclosure panel.
type decisionItem struct {
	interaction.DecisionView
	Route    string // where it goes, masked ("SMS au 04•• •• •• 56")
	Execute  string // delivery kind the advisor may create now, or ""
	Key      string // idempotency key of the execute form
	Delivery *interaction.DeliveryView
}

type interactionPage struct {
	deskState
	V         interaction.View
	Items     []policy.Item
	Reasons   []interaction.CallReason
	Languages []coupole.Language
	Step      string
	CPAS      bool // on the CPAS line nobody verifies a meter (D6)
	Locked    bool // the current access point is locked for this interaction (C2)
	// Deliveries are the interaction's deliveries by id, with their
	// status now: the timeline and the answers show it live.
	Deliveries map[string]interaction.DeliveryView
	// FirstUnsent is the first item decided with a delivery not created:
	// the focus goes to its button after a question.
	FirstUnsent string
	// Suggested are the call reasons ticked in advance: those ticked
	// before, else those that match what was asked (a keystroke saved,
	// issue 15, item 3; the advisor can untick them).
	Suggested []string
}

// reasonOfItem is the call reason a question suggests.
var reasonOfItem = map[string]string{
	string(policy.ItemEAN): "ean_request", string(policy.ItemSupplier): "supplier_question",
	string(policy.ItemConsumptionHistory): "metering_index", string(policy.ItemMeterReading): "metering_index",
}

func (a *StaffAccess) handleInteraction(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	id := r.PathValue("id")
	v, err := svc.Get(r.Context(), actor(r, p), id)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	ds, err := a.desk.get(r.Context(), id, p.Staff.ID, a.Clock.Now())
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	pg := &interactionPage{deskState: ds, V: v, Reasons: svc.CallReasons(), Languages: coupole.Languages}
	if v.Status != "open" {
		if err := a.desk.forget(r.Context(), id); err != nil {
			a.Logger.Warn("desk state of a closed interaction not dropped", "err", err)
		}
	}
	for _, it := range policy.Items {
		// Public information has its own section, contact details too (D7).
		if it != policy.ItemPublicInfo && it != policy.ItemContactDetails {
			pg.Items = append(pg.Items, it)
		}
	}
	pg.Deliveries = map[string]interaction.DeliveryView{}
	for _, d := range v.Deliveries {
		pg.Deliveries[d.ID] = d
	}
	for i, d := range pg.Decisions {
		if d.Delivery == nil {
			continue
		}
		if now, ok := pg.Deliveries[d.Delivery.ID]; ok {
			dv := now
			dv.Replayed = d.Delivery.Replayed
			pg.Decisions[i].Delivery = &dv
		}
	}
	if u := pg.unsent(); len(u) > 0 {
		pg.FirstUnsent = u[0]
	}
	pg.Suggested = pg.Chosen
	if len(pg.Suggested) == 0 {
		for _, d := range pg.Decisions {
			code, ok := reasonOfItem[d.Item]
			if ok && !slices.Contains(pg.Suggested, code) && slices.ContainsFunc(pg.Reasons, func(r interaction.CallReason) bool { return r.Code == code }) {
				pg.Suggested = append(pg.Suggested, code)
			}
		}
		if pg.Reading != nil && !slices.Contains(pg.Suggested, "metering_index") {
			pg.Suggested = append(pg.Suggested, "metering_index")
		}
	}
	pg.CPAS = v.Channel == string(policy.ChannelCPASLine)
	switch {
	case v.Current == nil:
		pg.Step = "identify"
	case !v.Current.Verified && !v.Current.Locked && !pg.CPAS:
		pg.Step = "verify"
	default:
		pg.Step = "answer"
	}
	// After a lockout nothing more can be verified: what is left is to say
	// so to the caller and wrap up.
	pg.Locked = v.Current != nil && v.Current.Locked
	if pg.Locked {
		pg.Step = "wrapup"
	}
	if pg.ProblemAt == "wrapup" {
		pg.Step = "wrapup"
	}
	vw := view{Lang: lang, Title: "ia.title", Principal: p, Active: "nav.home", Data: pg}
	a.renderPage(w, r, http.StatusOK, "interaction", vw)
}

// stepDone records a step's outcome in the desk state and goes back to the
// page, at the section to show (POST-redirect-GET). When the state cannot
// be written the step stands (the service did it and traced it) but the
// page could not show it: the advisor gets the error page, and the
// interaction's page, reloaded, shows what the service has.
func (a *StaffAccess) stepDone(w http.ResponseWriter, r *http.Request, p *Principal, section string, change func(s *deskState)) {
	id := r.PathValue("id")
	if err := a.desk.update(r.Context(), id, p.Staff.ID, a.Clock.Now(), func(s *deskState) {
		s.clearProblem()
		change(s)
	}); err != nil {
		a.pageError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/interactions/"+id+"#"+section, http.StatusSeeOther)
}

// stepFailed shows err next to the field it is about, in the section of the
// step, and moves the focus to that field; an error that leaves no page to
// show (the interaction is not the advisor's, the audit log is down…)
// answers with its own page.
func (a *StaffAccess) stepFailed(w http.ResponseWriter, r *http.Request, p *Principal, section, field string, err error, keep func(s *deskState)) {
	code := coupole.ErrorCode(err)
	if code != coupole.EINVALID && code != coupole.EFORBIDDEN && code != coupole.ECONFLICT {
		a.pageError(w, r, p, err)
		return
	}
	if problemKey(err) == "err.choose_first" { // shown where the choice is made
		section, field = "identify", "by-ean"
	}
	a.stepProblem(w, r, p, section, field, problem(RequestLanguage(r), section, err), keep)
}

// stepProblem shows text as the problem of field in section.
func (a *StaffAccess) stepProblem(w http.ResponseWriter, r *http.Request, p *Principal, section, field, text string, keep func(s *deskState)) {
	a.stepDone(w, r, p, section, func(s *deskState) {
		if keep != nil {
			keep(s)
		}
		s.Problem, s.ProblemAt, s.ProblemField = text, section, field
		s.Focus = field
		if field == "" {
			s.Focus = "problem-" + section
		}
	})
}

// decisionItemOf adds the route, with its masked destination as soon as
// the decision is made, and the action the advisor can take.
func decisionItemOf(lang coupole.Language, d interaction.DecisionView) decisionItem {
	it := decisionItem{DecisionView: d}
	switch policy.Outcome(d.Outcome) {
	case policy.OutcomeSMS:
		it.Execute = coupole.DeliverySMS
		it.Route = Message(lang, "ia.route.sms_pending")
		if d.Destination != "" {
			it.Route = strings.Replace(Message(lang, "ia.route.sms"), "%s", d.Destination, 1)
		}
	case policy.OutcomeLetter:
		it.Execute = coupole.DeliveryLetter
		it.Route = Message(lang, "ia.route.letter")
		if d.Destination != "" {
			it.Route = strings.Replace(Message(lang, "ia.route.letter_to"), "%s", d.Destination, 1)
		}
	case policy.OutcomeBackOfficeCase:
		it.Route, it.Execute = Message(lang, "ia.route.case"), coupole.DeliveryBackOfficeCase
	}
	if it.Execute != "" {
		it.Key = newSecret()[:22]
	}
	return it
}

// FieldState are the attributes of field id of section: invalid, described
// by the problem shown next to it, and focused, when the last step's
// problem is about it.
func (pg *interactionPage) FieldState(id, section string) template.HTMLAttr {
	if pg.ProblemField != id {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="problem-` + template.HTMLEscapeString(section) + `" autofocus`)
}
