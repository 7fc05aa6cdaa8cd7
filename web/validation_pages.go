package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
)

// The service delivery manager's validation queue and the access-review
// campaigns (issue 12, item 5: S5). Every decision goes through package
// governance: the staff policy says who may decide, the SoD set refuses
// validating one's own access or a grant one made, the trace comes first.

func (a *StaffAccess) enableValidationPages() {
	vs, ok := a.Store.(governance.ValidationStore)
	if !ok {
		return
	}
	a.validation = &governance.Validation{Lifecycle: a.Lifecycle, Store: vs}
	a.handle("GET /governance/validations", coupole.ActionValidateAccess, nil, a.handleValidations)
	a.handle("POST /governance/validations/{id}", coupole.ActionValidateAccess, a.grantStaffResource, a.handleValidationDecision)
	rs, ok := a.Store.(governance.ReviewStore)
	if !ok {
		return
	}
	a.reviews = &governance.Reviews{Lifecycle: a.Lifecycle, Store: rs}
	a.handle("GET /governance/reviews", coupole.ActionReviewAccess, a.reviewerResource, a.handleReviews)
	a.handle("POST /governance/reviews/items/{id}", coupole.ActionReviewAccess, a.reviewItemResource, a.handleReviewDecision)
	a.handle("POST /governance/reviews/start", coupole.ActionManageReviews, nil, a.handleReviewStart)
	a.handle("POST /governance/reviews/close", coupole.ActionManageReviews, nil, a.handleReviewClose)
}

// grantStaffResource: the account a grant gave a role to.
func (a *StaffAccess) grantStaffResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	// An unknown grant is the policy's to refuse on the role, then the
	// handler's to answer not found.
	g, err := a.validation.Store.RoleGrant(r.Context(), r.PathValue("id"))
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return "StaffAccount", "", coupole.AccessFacts{}, nil
	} else if err != nil {
		return "", "", coupole.AccessFacts{}, err
	}
	return "StaffAccount", g.StaffID, coupole.AccessFacts{TargetIsSelf: g.StaffID == p.Staff.ID}, nil
}

// reviewerResource: the review page, with is_reviewer when items wait for
// the principal (a manager sees the page only then).
func (a *StaffAccess) reviewerResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	items, err := a.reviews.PendingFor(r.Context(), p.Staff)
	return "Page", "reviews", coupole.AccessFacts{IsReviewer: len(items) > 0}, err
}

// reviewItemResource: the account under review, with is_reviewer when the
// campaign assigned the item to the principal.
func (a *StaffAccess) reviewItemResource(r *http.Request, p *Principal) (string, string, coupole.AccessFacts, error) {
	it, err := a.reviews.Store.ReviewItem(r.Context(), r.PathValue("id"))
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return "StaffAccount", "", coupole.AccessFacts{}, nil
	} else if err != nil {
		return "", "", coupole.AccessFacts{}, err
	}
	return "StaffAccount", it.StaffID, coupole.AccessFacts{TargetIsSelf: it.StaffID == p.Staff.ID, IsReviewer: it.Reviewer != "" && it.Reviewer == p.Staff.ID}, nil
}

// grantRow is a grant with the names the page shows.
type grantRow struct {
	coupole.RoleGrant
	Name    string
	Overdue bool
}

type validationsData struct {
	Grants []grantRow
}

func (a *StaffAccess) handleValidations(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.renderValidations(w, r, p, http.StatusOK, nil)
}

func (a *StaffAccess) staffNames(r *http.Request) map[string]string {
	names := map[string]string{}
	if list, err := a.Store.ListStaff(r.Context()); err == nil {
		for _, s := range list {
			names[s.ID] = s.DisplayName
		}
	}
	return names
}

func (a *StaffAccess) renderValidations(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	q, err := a.validation.Queue(r.Context())
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	names := a.staffNames(r)
	now := a.Clock.Now()
	var d validationsData
	for _, g := range q {
		d.Grants = append(d.Grants, grantRow{RoleGrant: g, Name: names[g.StaffID], Overdue: g.Overdue(now)})
	}
	a.renderPage(w, r, status, "governance_validations", view{Lang: RequestLanguage(r), Title: "gov.val.title", Principal: p, Active: "nav.gov_validations", Flash: fl, Data: d})
}

func (a *StaffAccess) handleValidationDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	id := r.PathValue("id")
	var err error
	key := "gov.val.validated"
	switch r.PostFormValue("decision") {
	case "validate":
		_, err = a.validation.Validate(r.Context(), p.Staff.ID, id)
	case "reject":
		_, err = a.validation.Reject(r.Context(), p.Staff.ID, id, r.PostFormValue("why"))
		key = "gov.val.rejected"
	default:
		err = coupole.Errorf(coupole.EINVALID, "decision: validate or reject")
	}
	a.sessions.reset() // a rejection removes a role
	if err != nil {
		a.renderValidations(w, r, p, Status(coupole.ErrorCode(err)), &flash{"bad", refusalText(err, lang)})
		return
	}
	a.renderValidations(w, r, p, http.StatusOK, &flash{"ok", Message(lang, key)})
}

// refusalText is what a page shows of a refused decision: the SoD rule's
// explanation in the page's language, else the error's safe message.
func refusalText(err error, lang coupole.Language) string {
	return coupole.ErrorMessage(translateRefusal(err, lang))
}

type reviewRow struct {
	coupole.ReviewItem
	Name     string
	Reviewer string // the reviewer's name, or "" for any service delivery manager
	Mine     bool   // waiting for the principal
}

type reviewsData struct {
	Campaign  *coupole.ReviewCampaign
	Progress  coupole.ReviewProgress
	Items     []reviewRow
	Pending   int // the reminder: items waiting for the principal
	CanManage bool
	Past      []coupole.ReviewCampaign
}

func (a *StaffAccess) handleReviews(w http.ResponseWriter, r *http.Request, p *Principal) {
	a.renderReviews(w, r, p, http.StatusOK, nil)
}

func (a *StaffAccess) renderReviews(w http.ResponseWriter, r *http.Request, p *Principal, status int, fl *flash) {
	ctx := r.Context()
	var d reviewsData
	dec, err := a.Authz.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: p.Staff, Action: coupole.ActionManageReviews, ResourceType: "Page", ResourceID: "reviews"})
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d.CanManage = dec.Allow
	list, err := a.reviews.Store.ListReviewCampaigns(ctx)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	mine, err := a.reviews.PendingFor(ctx, p.Staff)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	d.Pending = len(mine)
	isMine := map[string]bool{}
	for _, it := range mine {
		isMine[it.ID] = true
	}
	for i, c := range list {
		if c.Open {
			d.Campaign = &list[i]
			continue
		}
		d.Past = append(d.Past, c)
	}
	if d.Campaign != nil {
		if d.Progress, err = a.reviews.Store.ReviewProgress(ctx, d.Campaign.ID); err != nil {
			a.pageError(w, r, p, err)
			return
		}
		items, err := a.reviews.Store.ReviewItems(ctx, d.Campaign.ID)
		if err != nil {
			a.pageError(w, r, p, err)
			return
		}
		names := a.staffNames(r)
		for _, it := range items {
			// A manager sees the items given to them; the service delivery
			// manager sees the whole campaign.
			if !d.CanManage && !isMine[it.ID] {
				continue
			}
			d.Items = append(d.Items, reviewRow{ReviewItem: it, Name: names[it.StaffID], Reviewer: names[it.Reviewer], Mine: isMine[it.ID]})
		}
	}
	a.renderPage(w, r, status, "governance_reviews", view{Lang: RequestLanguage(r), Title: "gov.rev.title", Principal: p, Active: "nav.gov_reviews", Flash: fl, Data: d})
}

func (a *StaffAccess) reviewOutcome(w http.ResponseWriter, r *http.Request, p *Principal, err error, okKey string) {
	lang := RequestLanguage(r)
	a.sessions.reset() // a removal changes roles
	if err != nil {
		a.renderReviews(w, r, p, Status(coupole.ErrorCode(err)), &flash{"bad", refusalText(err, lang)})
		return
	}
	a.renderReviews(w, r, p, http.StatusOK, &flash{"ok", Message(lang, okKey)})
}

func (a *StaffAccess) handleReviewDecision(w http.ResponseWriter, r *http.Request, p *Principal) {
	keep := r.PostFormValue("decision") == "keep"
	if !keep && r.PostFormValue("decision") != "remove" {
		a.reviewOutcome(w, r, p, coupole.Errorf(coupole.EINVALID, "decision: keep or remove"), "")
		return
	}
	_, err := a.reviews.Decide(r.Context(), p.Staff.ID, r.PathValue("id"), keep, strings.TrimSpace(r.PostFormValue("why")))
	key := "gov.rev.kept"
	if !keep {
		key = "gov.rev.removed"
	}
	a.reviewOutcome(w, r, p, err, key)
}

func (a *StaffAccess) handleReviewStart(w http.ResponseWriter, r *http.Request, p *Principal) {
	_, err := a.reviews.Start(r.Context(), p.Staff.ID, a.ReviewLength)
	a.reviewOutcome(w, r, p, err, "gov.rev.started")
}

func (a *StaffAccess) handleReviewClose(w http.ResponseWriter, r *http.Request, p *Principal) {
	if r.PostFormValue("confirm") != "yes" {
		a.reviewOutcome(w, r, p, coupole.Errorf(coupole.EINVALID, "close: tick the box to confirm that what is not reviewed is removed"), "")
		return
	}
	c, err := a.reviews.Store.OpenReviewCampaign(r.Context())
	if err == nil {
		_, err = a.reviews.Close(r.Context(), p.Staff.ID, c.ID)
	}
	a.reviewOutcome(w, r, p, err, "gov.rev.closed")
}

// governanceReminder is the home page's notice of what waits for the
// principal: the charter to acknowledge, access to review.
func (a *StaffAccess) governanceReminder(r *http.Request, p *Principal) *flash {
	lang := RequestLanguage(r)
	var parts []string
	if a.charters != nil {
		if ok, err := a.charterCleared(r.Context(), p); err == nil && !ok {
			parts = append(parts, Message(lang, "charter.reminder"))
		}
	}
	if a.reviews != nil {
		if items, err := a.reviews.PendingFor(r.Context(), p.Staff); err == nil && len(items) > 0 {
			parts = append(parts, tfMessage(lang, "gov.rev.reminder", len(items)))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &flash{"warn", strings.Join(parts, " ")}
}

func tfMessage(lang coupole.Language, key string, args ...any) string {
	return fmt.Sprintf(Message(lang, key), args...)
}

// validationNav adds the menu entries of items 5 and 6.
func (a *StaffAccess) validationNav(p *Principal, add func(key, href string)) {
	if a.validation != nil && p.Staff.HasRole(coupole.RoleServiceDeliveryManager) {
		add("nav.gov_validations", "/governance/validations")
	}
	if a.reviews != nil && (p.Staff.HasRole(coupole.RoleServiceDeliveryManager) || p.Staff.HasRole(coupole.RoleTeamLead) || p.Staff.HasRole(coupole.RoleSupervisor)) {
		add("nav.gov_reviews", "/governance/reviews")
	}
	if a.charters != nil {
		if p.Staff.HasRole(coupole.RolePrivacyOfficer) || p.Staff.HasRole(coupole.RoleServiceDeliveryManager) || p.Staff.HasRole(coupole.RoleAuditor) {
			add("nav.gov_charter", "/governance/charter")
		}
		add("nav.charter", "/charter")
	}
}
