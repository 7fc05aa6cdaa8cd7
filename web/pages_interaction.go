package web

import (
	"net/http"
	"slices"
	"strconv"
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
	http.Redirect(w, r, "/interactions/"+v.ID, http.StatusSeeOther)
}

// --- the interaction page ---

// decisionItem is one line of the disclosure panel.
type decisionItem struct {
	interaction.DecisionView
	Route    string // where it goes, masked ("SMS au 04•• •• •• 56")
	Execute  string // delivery kind the advisor may create now, or ""
	Key      string // idempotency key of the execute form
	Delivery *interaction.DeliveryView
}

type interactionPage struct {
	V              interaction.View
	Items          []policy.Item
	Asked          []string
	Reasons        []interaction.CallReason
	Identify       interaction.IdentifyRequest
	Identification *interaction.Identification
	Verification   *interaction.Verification
	Decisions      []decisionItem
	Reading        *interaction.ReadingResult
	Contact        *interaction.ContactView   // masked current details, when asked for (D7)
	ContactResult  *interaction.ContactResult // the change just made
	Languages      []coupole.Language
	Public         *interaction.PublicInfo
	PublicForm     interaction.PublicInfoRequest
	Chosen         []string // call reasons ticked (kept when closing fails)
	Step           string
	Locked         bool   // the current access point is locked for this interaction (C2)
	Problem        string // what went wrong with the last action, in words
	ProblemAt      string // which section it belongs to
}

func (a *StaffAccess) interactionPage(w http.ResponseWriter, r *http.Request, p *Principal, status int, pg *interactionPage) {
	svc := a.Interactions
	lang := RequestLanguage(r)
	v, err := svc.Get(r.Context(), actor(r, p), r.PathValue("id"))
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	pg.V = v
	pg.Reasons = svc.CallReasons()
	for _, it := range policy.Items {
		// Public information has its own section, contact details too (D7).
		if it != policy.ItemPublicInfo && it != policy.ItemContactDetails {
			pg.Items = append(pg.Items, it)
		}
	}
	switch {
	case v.Current == nil:
		pg.Step = "identify"
	case !v.Current.Verified && !v.Current.Locked:
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
	pg.Languages = coupole.Languages
	if len(pg.Decisions) > 0 || pg.Reading != nil || pg.Contact != nil || pg.ContactResult != nil {
		pg.Step = "answer"
	}
	vw := view{Lang: lang, Title: "ia.title", Principal: p, Active: "nav.home", Data: pg}
	a.renderPage(w, r, status, "interaction", vw)
}

func (a *StaffAccess) handleInteraction(w http.ResponseWriter, r *http.Request, p *Principal) {
	if a.service(w, r) == nil {
		return
	}
	a.interactionPage(w, r, p, http.StatusOK, &interactionPage{})
}

// failed renders the page with err shown at step, or answers with the error
// when the interaction itself cannot be shown.
func (a *StaffAccess) failed(w http.ResponseWriter, r *http.Request, p *Principal, step string, err error, pg *interactionPage) {
	code := coupole.ErrorCode(err)
	if code != coupole.EINVALID && code != coupole.EFORBIDDEN && code != coupole.ECONFLICT {
		a.pageError(w, r, p, err)
		return
	}
	if problemKey(err) == "err.choose_first" { // shown where the choice is made
		step = "identify"
	}
	pg.Problem, pg.ProblemAt = problem(RequestLanguage(r), step, err), step
	a.interactionPage(w, r, p, Status(code), pg)
}

func (a *StaffAccess) handleIdentify(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	req := interaction.IdentifyRequest{}
	// One criterion at a time: the button pressed says which.
	switch r.PostFormValue("by") {
	case "ean":
		req.EAN = strings.TrimSpace(r.PostFormValue("ean"))
	case "meter":
		req.Meter = strings.TrimSpace(r.PostFormValue("meter_number"))
	case "name":
		req.Name = strings.TrimSpace(r.PostFormValue("name"))
	case "address":
		req.Postcode, req.Street, req.Number = strings.TrimSpace(r.PostFormValue("postcode")), strings.TrimSpace(r.PostFormValue("street")), strings.TrimSpace(r.PostFormValue("number"))
	}
	pg := &interactionPage{Identify: req}
	res, err := svc.Identify(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.failed(w, r, p, "identify", err, pg)
		return
	}
	pg.Identification = &res
	a.interactionPage(w, r, p, http.StatusOK, pg)
}

func (a *StaffAccess) handleSelect(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	if _, err := svc.Select(r.Context(), actor(r, p), r.PathValue("id"), r.PostFormValue("ref")); err != nil {
		a.failed(w, r, p, "identify", err, &interactionPage{})
		return
	}
	http.Redirect(w, r, "/interactions/"+r.PathValue("id"), http.StatusSeeOther)
}

func (a *StaffAccess) handleVerify(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	pg := &interactionPage{}
	res, err := svc.Verify(r.Context(), actor(r, p), r.PathValue("id"), interaction.VerifyRequest{MeterNumber: r.PostFormValue("meter_number")})
	if err != nil {
		a.failed(w, r, p, "verify", err, pg)
		return
	}
	pg.Verification = &res
	a.interactionPage(w, r, p, http.StatusOK, pg)
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

func (a *StaffAccess) handleDecide(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	r.ParseForm()
	items := r.PostForm["item"]
	pg := &interactionPage{Asked: items}
	if len(items) == 0 {
		pg.Problem, pg.ProblemAt = Message(lang, "ia.pick_item"), "answer"
		a.interactionPage(w, r, p, http.StatusBadRequest, pg)
		return
	}
	for _, item := range items {
		d, err := svc.Decide(r.Context(), actor(r, p), r.PathValue("id"), interaction.DecideRequest{Item: item})
		if err != nil {
			a.failed(w, r, p, "answer", err, pg)
			return
		}
		pg.Decisions = append(pg.Decisions, decisionItemOf(lang, d))
	}
	a.interactionPage(w, r, p, http.StatusOK, pg)
}

func (a *StaffAccess) handleExecute(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	item := r.PostFormValue("item")
	pg := &interactionPage{Asked: []string{item}}
	ctx, act, id := r.Context(), actor(r, p), r.PathValue("id")
	del, err := svc.Execute(ctx, act, id, interaction.ExecuteRequest{Item: item, IdempotencyKey: r.PostFormValue("key")})
	if err != nil {
		a.failed(w, r, p, "answer", err, pg)
		return
	}
	d, err := svc.Decide(ctx, act, id, interaction.DecideRequest{Item: item})
	if err != nil {
		a.failed(w, r, p, "answer", err, pg)
		return
	}
	it := decisionItemOf(lang, d)
	if del.Kind == coupole.DeliveryLetter && del.Recipient == "postal_address" {
		it.Route = Message(lang, "ia.route.letter_postal")
	}
	it.Execute, it.Delivery = "", &del
	pg.Decisions = []decisionItem{it}
	a.interactionPage(w, r, p, http.StatusOK, pg)
}

func formFloat(r *http.Request, name string) (float64, bool) {
	s := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(name)), ",", ".")
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && f >= 0
}

func (a *StaffAccess) handleReading(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	req := interaction.ReadingRequest{Date: strings.TrimSpace(r.PostFormValue("date"))}
	var ok [4]bool
	req.DayKWh, ok[0] = formFloat(r, "day_kwh")
	req.NightKWh, ok[1] = formFloat(r, "night_kwh")
	req.ExclusiveNightKWh, ok[2] = formFloat(r, "exclusive_night_kwh")
	req.GasM3, ok[3] = formFloat(r, "gas_m3")
	pg := &interactionPage{}
	if slices.Contains(ok[:], false) {
		pg.Problem, pg.ProblemAt = Message(lang, "ia.bad_number"), "reading"
		a.interactionPage(w, r, p, http.StatusBadRequest, pg)
		return
	}
	res, err := svc.SubmitReading(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.failed(w, r, p, "reading", err, pg)
		return
	}
	pg.Reading = &res
	a.interactionPage(w, r, p, http.StatusOK, pg)
}

func (a *StaffAccess) handlePublicInfo(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	req := interaction.PublicInfoRequest{InteractionID: r.PathValue("id"), Postcode: strings.TrimSpace(r.PostFormValue("postcode")), Street: strings.TrimSpace(r.PostFormValue("street"))}
	pg := &interactionPage{PublicForm: req}
	res, err := svc.PublicInfo(r.Context(), actor(r, p), req)
	if err != nil {
		a.failed(w, r, p, "public", err, pg)
		return
	}
	pg.Public = &res
	a.interactionPage(w, r, p, http.StatusOK, pg)
}

func (a *StaffAccess) handleClose(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	r.ParseForm()
	reasons := r.PostForm["reason"]
	pg := &interactionPage{Chosen: reasons}
	if _, err := svc.Close(r.Context(), actor(r, p), r.PathValue("id"), interaction.CloseRequest{CallReasons: reasons}); err != nil {
		a.failed(w, r, p, "wrapup", err, pg)
		return
	}
	http.Redirect(w, r, "/?closed=1", http.StatusSeeOther)
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
	http.Redirect(w, r, "/interactions/"+v.ID, http.StatusSeeOther)
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

// handleContact shows the current customer's contact details masked
// (op=show) or changes them (D7): only the fields filled in change; the
// address changes when any of its parts is filled in.
func (a *StaffAccess) handleContact(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	pg := &interactionPage{}
	if r.PostFormValue("op") == "show" {
		cv, err := svc.ContactDetails(r.Context(), actor(r, p), r.PathValue("id"))
		if err != nil {
			a.failed(w, r, p, "contact", err, pg)
			return
		}
		pg.Contact = &cv
		a.interactionPage(w, r, p, http.StatusOK, pg)
		return
	}
	req := interaction.ContactRequest{}
	field := func(name string) *string {
		if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
			return &v
		}
		return nil
	}
	req.Mobile, req.Email, req.Language = field("mobile"), field("email"), field("language")
	addr := interaction.AddressInput{Street: r.PostFormValue("street"), Number: r.PostFormValue("number"), Box: r.PostFormValue("box"),
		Postcode: r.PostFormValue("postcode"), Town: r.PostFormValue("town")}
	if strings.TrimSpace(addr.Street+addr.Number+addr.Box+addr.Postcode+addr.Town) != "" {
		req.PostalAddress = &addr
	}
	res, err := svc.ChangeContact(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.failed(w, r, p, "contact", err, pg)
		return
	}
	pg.ContactResult, pg.Contact = &res, &res.Contact
	a.interactionPage(w, r, p, http.StatusOK, pg)
}
