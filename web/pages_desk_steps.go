package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
)

// The steps of a call on the interaction page. Each one goes through the
// interaction service (its checks and traces), keeps its outcome in the
// desk state with a line of the call's timeline, and redirects to the page
// (pages_desk.go).

func (a *StaffAccess) handleIdentify(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	req := interaction.IdentifyRequest{}
	// One criterion at a time: each has its own form (Enter submits the
	// one it is typed in), which says which.
	by, field := r.PostFormValue("by"), ""
	switch by {
	case "ean":
		req.EAN, field = strings.TrimSpace(r.PostFormValue("ean")), "by-ean"
	case "meter":
		req.Meter, field = strings.TrimSpace(r.PostFormValue("meter_number")), "by-meter"
	case "name":
		req.Name, field = strings.TrimSpace(r.PostFormValue("name")), "by-name"
	case "address":
		req.Postcode, req.Street, req.Number = strings.TrimSpace(r.PostFormValue("postcode")), strings.TrimSpace(r.PostFormValue("street")), strings.TrimSpace(r.PostFormValue("number"))
		field = "by-postcode"
		if req.Postcode != "" {
			field = "by-street"
		}
	default:
		by, field = "ean", "by-ean"
	}
	res, err := svc.Identify(r.Context(), actor(r, p), r.PathValue("id"), req)
	keep := func(s *deskState) { s.Identify, s.IdentifyBy, s.Identification = req, by, nil }
	if err != nil {
		if problemKey(err) == "err.postcode" {
			field = "by-postcode"
		}
		a.stepFailed(w, r, p, "identify", field, err, keep)
		return
	}
	a.stepDone(w, r, p, "identify", func(s *deskState) {
		keep(s)
		s.Identification = &res
		s.Focus = "candidates-h"
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "searched", Item: by, Count: len(res.Candidates)})
	})
}

func (a *StaffAccess) handleSelect(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	v, err := svc.Select(r.Context(), actor(r, p), r.PathValue("id"), r.PostFormValue("ref"))
	if err != nil {
		a.stepFailed(w, r, p, "identify", "", err, nil)
		return
	}
	a.stepDone(w, r, p, "customer-view", func(s *deskState) {
		// The search is done: what was typed to find the caller (an EAN, a
		// name) leaves the page with the candidates.
		s.Identification, s.Verification, s.Identify, s.IdentifyBy = nil, nil, interaction.IdentifyRequest{}, ""
		s.Focus = "meter-given"
		if v.Channel == string(policy.ChannelCPASLine) || (v.Current != nil && v.Current.Verified) {
			s.Focus = "answer-h"
		}
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "chosen"})
	})
}

func (a *StaffAccess) handleVerify(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	res, err := svc.Verify(r.Context(), actor(r, p), r.PathValue("id"), interaction.VerifyRequest{MeterNumber: r.PostFormValue("meter_number")})
	if err != nil {
		a.stepFailed(w, r, p, "verify", "meter-given", err, nil)
		return
	}
	a.stepDone(w, r, p, "verify", func(s *deskState) {
		s.Verification = &res
		e := timelineEntry{At: a.Clock.Now(), Kind: "verify_failed", Count: res.AttemptsLeft}
		switch {
		case res.Verified:
			e.Kind, s.Focus = "verified", "answer-h"
		case res.Locked || res.BudgetSpent:
			e.Kind, s.Focus = "locked", "wrapup-h"
		default:
			s.Focus = "meter-given"
		}
		s.Timeline = append(s.Timeline, e)
	})
}

func (a *StaffAccess) handleDecide(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	r.ParseForm()
	items := r.PostForm["item"]
	if len(items) == 0 {
		a.stepProblem(w, r, p, "answer", "items", Message(lang, "ia.pick_item"), nil)
		return
	}
	var got []decisionItem
	for _, item := range items {
		d, err := svc.Decide(r.Context(), actor(r, p), r.PathValue("id"), interaction.DecideRequest{Item: item})
		if err != nil {
			// What was decided before the failure stays on screen.
			a.stepFailed(w, r, p, "answer", "items", err, func(s *deskState) { a.keepDecisions(s, got, items) })
			return
		}
		got = append(got, decisionItemOf(lang, d))
	}
	a.stepDone(w, r, p, "disclosure", func(s *deskState) {
		a.keepDecisions(s, got, items)
		s.Focus = "disclosure-h"
	})
}

// keepDecisions puts the decisions got with their timeline lines.
func (a *StaffAccess) keepDecisions(s *deskState, got []decisionItem, asked []string) {
	s.Asked = asked
	for _, d := range got {
		s.putDecision(d)
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "asked", Item: d.Item, Outcome: d.Outcome, Reason: d.Reason, Route: d.Route})
	}
}

func (a *StaffAccess) handleExecute(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	item := r.PostFormValue("item")
	ctx, act, id := r.Context(), actor(r, p), r.PathValue("id")
	del, err := svc.Execute(ctx, act, id, interaction.ExecuteRequest{Item: item, IdempotencyKey: r.PostFormValue("key")})
	if err != nil {
		a.stepFailed(w, r, p, "answer", "", err, nil)
		return
	}
	d, err := svc.Decide(ctx, act, id, interaction.DecideRequest{Item: item})
	if err != nil {
		a.stepFailed(w, r, p, "answer", "", err, nil)
		return
	}
	it := decisionItemOf(lang, d)
	if del.Kind == coupole.DeliveryLetter && del.Recipient == "postal_address" {
		it.Route = Message(lang, "ia.route.letter_postal")
	}
	it.Execute, it.Delivery = "", &del
	a.stepDone(w, r, p, "disclosure", func(s *deskState) {
		s.putDecision(it)
		s.Focus = "sent-" + item
		if !del.Replayed {
			s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "sent", Item: item, Route: it.Route, DeliveryID: del.ID})
		}
	})
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
	fields := []struct {
		name, id string
		to       *float64
	}{{"day_kwh", "r-day", &req.DayKWh}, {"night_kwh", "r-night", &req.NightKWh}, {"exclusive_night_kwh", "r-excl", &req.ExclusiveNightKWh}, {"gas_m3", "r-gas", &req.GasM3}}
	for _, f := range fields {
		v, ok := formFloat(r, f.name)
		if !ok {
			a.stepProblem(w, r, p, "reading", f.id, Message(lang, "ia.bad_number"), nil)
			return
		}
		*f.to = v
	}
	res, err := svc.SubmitReading(r.Context(), actor(r, p), r.PathValue("id"), req)
	if err != nil {
		a.stepFailed(w, r, p, "reading", "r-date", err, nil)
		return
	}
	a.stepDone(w, r, p, "reading", func(s *deskState) {
		s.Reading = &res
		s.Focus = "reading-done"
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "reading"})
	})
}

func (a *StaffAccess) handlePublicInfo(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	req := interaction.PublicInfoRequest{InteractionID: r.PathValue("id"), Postcode: strings.TrimSpace(r.PostFormValue("postcode")), Street: strings.TrimSpace(r.PostFormValue("street"))}
	res, err := svc.PublicInfo(r.Context(), actor(r, p), req)
	if err != nil {
		a.stepFailed(w, r, p, "public", "p-postcode", err, func(s *deskState) { s.PublicForm, s.Public = req, nil })
		return
	}
	a.stepDone(w, r, p, "public", func(s *deskState) {
		s.PublicForm, s.Public = req, &res
		s.Focus = "public-result"
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "public", Count: len(res.Notices)})
	})
}

// handleClose closes the call. Items decided with an SMS, a letter or a
// case that was not created are listed first: the advisor sends them, or
// closes again ticking "close without sending", which is traced with the
// close (issue 15, item 1).
func (a *StaffAccess) handleClose(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	lang := RequestLanguage(r)
	id := r.PathValue("id")
	r.ParseForm()
	reasons := r.PostForm["reason"]
	keep := func(s *deskState) { s.Chosen = reasons }
	ds, err := a.desk.get(r.Context(), id, p.Staff.ID, a.Clock.Now())
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	unsent := ds.unsent()
	if len(reasons) == 0 {
		a.stepProblem(w, r, p, "wrapup", "reasons", Message(lang, "ia.wrapup_hint"), keep)
		return
	}
	if len(unsent) > 0 && r.PostFormValue("leave_unsent") != "yes" {
		a.stepDone(w, r, p, "wrapup", func(s *deskState) {
			keep(s)
			s.UnsentWarning, s.ProblemAt, s.Focus = unsent, "wrapup", "unsent-warning"
		})
		return
	}
	req := interaction.CloseRequest{CallReasons: reasons}
	if len(unsent) > 0 {
		req.Unsent = unsent
	}
	if _, err := svc.Close(r.Context(), actor(r, p), id, req); err != nil {
		a.stepFailed(w, r, p, "wrapup", "reasons", err, keep)
		return
	}
	if err := a.desk.forget(r.Context(), id); err != nil {
		// Closed all the same; the stale state goes after deskIdle.
		a.Logger.Warn("desk state of a closed interaction not dropped", "err", err)
	}
	http.Redirect(w, r, "/?closed=1", http.StatusSeeOther)
}

// unsentLabel lists items for the close warning.
func unsentLabel(lang coupole.Language, items []string) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = Message(lang, "item."+it)
	}
	return strings.Join(names, ", ")
}

// handleContact shows the current customer's contact details masked
// (op=show) or changes them (D7): only the fields filled in change; the
// address changes when any of its parts is filled in.
func (a *StaffAccess) handleContact(w http.ResponseWriter, r *http.Request, p *Principal) {
	svc := a.service(w, r)
	if svc == nil {
		return
	}
	if r.PostFormValue("op") == "show" {
		cv, err := svc.ContactDetails(r.Context(), actor(r, p), r.PathValue("id"))
		if err != nil {
			a.stepFailed(w, r, p, "contact", "", err, nil)
			return
		}
		a.stepDone(w, r, p, "contact", func(s *deskState) { s.Contact, s.ContactResult, s.Focus = &cv, nil, "contact-current" })
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
		a.stepFailed(w, r, p, "contact", contactField(err), err, nil)
		return
	}
	a.stepDone(w, r, p, "contact", func(s *deskState) {
		s.ContactResult, s.Contact, s.Focus = &res, &res.Contact, "contact-done"
		s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "contact"})
		// The notices to the previous mobile and e-mail are deliveries
		// too: the timeline follows them (issue 15, deliver 1).
		for _, n := range res.Notices {
			s.Timeline = append(s.Timeline, timelineEntry{At: a.Clock.Now(), Kind: "notice", Item: n.Kind, Route: n.Recipient, DeliveryID: n.ID})
		}
	})
}

// contactField is the id of the contact form's field an error is about.
func contactField(err error) string {
	msg := coupole.ErrorMessage(err)
	for prefix, id := range map[string]string{"mobile:": "c-mobile", "email:": "c-email", "language:": "c-lang", "postal_address": "c-street"} {
		if strings.HasPrefix(msg, prefix) {
			return id
		}
	}
	return ""
}
