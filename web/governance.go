package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// Identity governance screens and wiring (issue 12): every role assignment
// the web layer makes — the admin API and screens, the identity provider's
// groups at sign-in — goes through the one lifecycle door, and the SoD
// report is shown to those who watch over access.

// staffTracerFunc adapts StaffAccess.trace to coupole.StaffTracer.
type staffTracerFunc func(ctx context.Context, e coupole.StaffEvent) error

func (f staffTracerFunc) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	return f(ctx, e)
}

// enableGovernance builds the lifecycle service when none was given (the
// store must then keep the governance tables, as sqlstore.DB does) and
// registers the governance pages.
func (a *StaffAccess) enableGovernance() error {
	if a.SoD == nil {
		c, err := sodpolicy.Open("")
		if err != nil {
			return err
		}
		a.SoD = c
	}
	if a.Lifecycle == nil {
		gs, ok := a.Store.(governance.Store)
		if !ok {
			return coupole.Errorf(coupole.EINTERNAL, "staff access: the store keeps no staff profiles (issue 12)")
		}
		a.Lifecycle = &governance.Lifecycle{Store: gs, SoD: a.SoD, Access: a.Authz, Tracer: staffTracerFunc(a.trace), Clock: a.Clock}
	}
	if a.Privileged == nil {
		ps, ok := a.Store.(governance.PrivilegedStore)
		if !ok {
			return coupole.Errorf(coupole.EINTERNAL, "staff access: the store keeps no privileged-access requests (issue 12)")
		}
		a.Privileged = &governance.Privileged{Store: ps, SoD: a.SoD, Access: a.Authz, Tracer: staffTracerFunc(a.trace), Clock: a.Clock,
			MaxDuration: a.PrivilegedMax, BreakGlassMax: a.BreakGlassMax}
	}
	a.handle("GET /governance/sod", coupole.ActionSoDReport, nil, a.handleSoDReport)
	a.enableCharter()         // item 6: the confidentiality charter (S1)
	a.enableValidationPages() // item 5: business validation and access reviews (S5)
	a.enableGovernancePages() // items 3, 4, 7: the IT administrator's page and the approvals inbox
	a.enablePrivilegedAPI()   // item 4: elevated-role requests over the JSON API (S3)
	return nil
}

// translateRefusal puts a segregation-of-duties refusal in the language of
// the page or request: the rule's own explanation, which Cedar annotations
// hold in the four languages.
func translateRefusal(err error, lang coupole.Language) error {
	var ref *sodpolicy.Refusal
	if !errors.As(err, &ref) {
		return err
	}
	return coupole.Wrap(ref, coupole.EFORBIDDEN, "%s (%s)", ref.In(lang), ref.Rule)
}

type sodReportData struct {
	Violations []governance.Violation
}

func (a *StaffAccess) handleSoDReport(w http.ResponseWriter, r *http.Request, p *Principal) {
	vs, err := governance.SoDReport(r.Context(), a.Store, a.SoD)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.renderPage(w, r, http.StatusOK, "governance_sod", view{Lang: RequestLanguage(r), Title: "gov.sod.title", Principal: p, Active: "nav.gov_sod",
		Data: sodReportData{Violations: vs}})
}

// withElevatedRoles adds to st the roles it holds at now by approved
// privileged-access requests (S3). It reads the database on every request:
// an elevation ends on its own at its end, on every node, with no sweeper
// and no in-process state.
func (a *StaffAccess) withElevatedRoles(ctx context.Context, st coupole.Staff, now time.Time) (coupole.Staff, error) {
	ps, ok := a.Store.(coupole.PrivilegedStore)
	if !ok {
		return st, nil
	}
	extra, err := ps.ElevatedRoles(ctx, st.ID, now)
	if err != nil || len(extra) == 0 {
		return st, err
	}
	have := map[coupole.Role]bool{}
	for _, r := range append(slices.Clone(st.Roles), extra...) {
		have[r] = true
	}
	st.Roles = nil
	for _, r := range coupole.Roles {
		if have[r] {
			st.Roles = append(st.Roles, r)
		}
	}
	return st, nil
}

// withoutOverdueRoles removes from st the roles granted by IT and not
// validated by their due time (S5): they give nothing from that instant, on
// every node, whether or not the sweeper has suspended them yet. It runs on
// each read of the session from the database, so within SessionStaleness.
func (a *StaffAccess) withoutOverdueRoles(ctx context.Context, st coupole.Staff, now time.Time) (coupole.Staff, error) {
	vs, ok := a.Store.(coupole.ValidationStore)
	if !ok || len(st.Roles) == 0 {
		return st, nil
	}
	overdue, err := vs.OverdueRoles(ctx, st.ID, now)
	if err != nil || len(overdue) == 0 {
		return st, err
	}
	kept := make([]coupole.Role, 0, len(st.Roles))
	for _, r := range st.Roles {
		if !slices.Contains(overdue, r) {
			kept = append(kept, r)
		}
	}
	st.Roles = kept
	return st, nil
}
