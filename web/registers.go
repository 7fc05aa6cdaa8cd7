package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/register"
	"github.com/coupole/coupole/report"
)

// CompliancePages are the privacy officer's screens (issue 14): the GDPR
// registers (G1–G3) and the yearly report (G4). Who may use them is the
// staff policy's (register.read, register.write, report.produce).
type CompliancePages struct {
	Registers *register.Service
	// Yearly produces the signed yearly report; nil: the report page is
	// not offered (no audit key on this node).
	Yearly func(ctx context.Context, actor string, year int, lang string) (*report.Document, error)
	// Access produces the art. 15 report of one customer (traced by the
	// function); nil: the page is not offered.
	Access func(ctx context.Context, actor, customer string, from, to time.Time) (*report.AccessDocument, error)
	// Figures is the catalog of report figures, for the requirement
	// coverage page (G4, issue 14 item 5).
	Figures []report.FigureDecl
}

// EnableCompliancePages registers the compliance screens.
func (a *StaffAccess) EnableCompliancePages(c CompliancePages) {
	h := &complianceHandlers{a: a, c: c}
	a.compliance = true
	a.handle("GET /registers", coupole.ActionReadRegisters, nil, h.index)
	a.handle("GET /registers/{kind}", coupole.ActionReadRegisters, nil, h.list)
	a.handle("GET /registers/{kind}/export.csv", coupole.ActionReadRegisters, nil, h.exportCSV)
	a.handle("GET /registers/{kind}/export.json", coupole.ActionReadRegisters, nil, h.exportJSON)
	a.handle("GET /registers/{kind}/new", coupole.ActionWriteRegisters, nil, h.newEntry)
	a.handle("POST /registers/{kind}", coupole.ActionWriteRegisters, nil, h.save)
	a.handle("GET /registers/{kind}/{id}", coupole.ActionReadRegisters, nil, h.entry)
	a.handle("POST /registers/{kind}/{id}", coupole.ActionWriteRegisters, nil, h.save)
	a.handle("POST /registers/{kind}/{id}/delete", coupole.ActionWriteRegisters, nil, h.delete)
	a.handle("GET /registers/{kind}/{id}/history", coupole.ActionReadRegisters, nil, h.history)
	a.handle("GET /reports/requirements", coupole.ActionReadRegisters, nil, h.requirements)
	if c.Yearly != nil {
		a.handle("GET /reports/yearly", coupole.ActionProduceReport, nil, h.reportForm)
		a.handle("POST /reports/yearly", coupole.ActionProduceReport, nil, h.reportProduce)
	}
	if c.Access != nil {
		a.handle("GET /reports/access", coupole.ActionProduceReport, nil, h.accessForm)
		a.handle("POST /reports/access", coupole.ActionProduceReport, nil, h.accessProduce)
	}
}

type complianceHandlers struct {
	a *StaffAccess
	c CompliancePages
}

type registerSummary struct {
	Kind    register.Kind
	Count   int
	Flagged int
}

type registerIndex struct {
	Registers []registerSummary
	Reminders []register.Listed
	Report    bool
	Access    bool
}

func (h *complianceHandlers) page(w http.ResponseWriter, r *http.Request, p *Principal, status int, name, title string, data any, fl *flash) {
	h.a.renderPage(w, r, status, name, view{Lang: RequestLanguage(r), Title: title, Principal: p, Active: "nav.registers", Data: data, Flash: fl})
}

func (h *complianceHandlers) index(w http.ResponseWriter, r *http.Request, p *Principal) {
	var d registerIndex
	for _, k := range register.Kinds {
		ls, err := h.c.Registers.List(r.Context(), k)
		if err != nil {
			h.a.pageError(w, r, p, err)
			return
		}
		s := registerSummary{Kind: k, Count: len(ls)}
		for _, l := range ls {
			if l.Status != register.StatusOK {
				s.Flagged++
			}
		}
		d.Registers = append(d.Registers, s)
	}
	rem, err := h.c.Registers.Reminders(r.Context())
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	d.Reminders, d.Report, d.Access = rem, h.c.Yearly != nil, h.c.Access != nil
	h.page(w, r, p, http.StatusOK, "registers", "registers.title", d, nil)
}

func (h *complianceHandlers) kind(w http.ResponseWriter, r *http.Request, p *Principal) (register.Kind, bool) {
	k, err := register.ParseKind(r.PathValue("kind"))
	if err != nil {
		h.a.pageError(w, r, p, err)
		return "", false
	}
	return k, true
}

type registerList struct {
	Kind    register.Kind
	Fields  []register.Field
	Entries []register.Listed
}

func (h *complianceHandlers) list(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	ls, err := h.c.Registers.List(r.Context(), k)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, http.StatusOK, "register_list", "registers.kind."+string(k), registerList{Kind: k, Fields: register.Schemas[k], Entries: ls}, nil)
}

type registerForm struct {
	Kind    register.Kind
	Fields  []register.Field
	Entry   register.Entry
	New     bool
	Status  string
	Missing []string // art. 28 items missing (sub-processors)
}

func (h *complianceHandlers) newEntry(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	h.page(w, r, p, http.StatusOK, "register_entry", "registers.new", registerForm{Kind: k, Fields: register.Schemas[k], New: true, Entry: register.Entry{Fields: map[string]string{}}}, nil)
}

func (h *complianceHandlers) entry(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	e, err := h.c.Registers.Get(r.Context(), k, r.PathValue("id"))
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, http.StatusOK, "register_entry", "registers.kind."+string(k), h.form(k, e), nil)
}

func (h *complianceHandlers) form(k register.Kind, e register.Entry) registerForm {
	f := registerForm{Kind: k, Fields: register.Schemas[k], Entry: e, Status: register.Status(e, coupole.Date(h.c.Registers.Clock.Now()))}
	if k == register.Subprocessor {
		f.Missing = register.MissingClauses(e)
	}
	return f
}

func (h *complianceHandlers) save(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	c := register.Change{ID: r.PathValue("id"), Title: r.PostFormValue("title"), ReviewDue: r.PostFormValue("review_due"), Fields: map[string]string{}}
	for _, f := range register.Schemas[k] {
		c.Fields[f.Name] = r.PostFormValue(f.Name)
	}
	if c.ID != "" {
		c.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	}
	e, err := h.c.Registers.Save(r.Context(), p.Staff.ID, k, c)
	switch code := coupole.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/registers/"+string(k)+"/"+url.PathEscape(e.ID)+"?saved=1", http.StatusSeeOther)
	case coupole.EINVALID, coupole.ECONFLICT:
		// The form again, as typed, with what is wrong.
		back := register.Entry{Kind: k, ID: c.ID, Version: c.Version, Title: c.Title, Fields: c.Fields, ReviewDue: c.ReviewDue}
		f := h.form(k, back)
		f.New = c.ID == ""
		status := http.StatusBadRequest
		if code == coupole.ECONFLICT {
			status = http.StatusConflict
		}
		h.page(w, r, p, status, "register_entry", "registers.kind."+string(k), f, &flash{"bad", coupole.ErrorMessage(err)})
	default:
		h.a.pageError(w, r, p, err)
	}
}

func (h *complianceHandlers) delete(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := h.c.Registers.Delete(r.Context(), p.Staff.ID, k, r.PathValue("id"), v); err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/registers/"+string(k), http.StatusSeeOther)
}

type registerVersion struct {
	register.Entry
	Changed map[string]bool // fields (and "title", "review_due", "deleted") that differ from the version before
}

type registerHistory struct {
	Kind     register.Kind
	ID       string
	Fields   []register.Field
	Versions []registerVersion // newest first
}

func (h *complianceHandlers) history(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	es, err := h.c.Registers.History(r.Context(), k, r.PathValue("id"))
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	d := registerHistory{Kind: k, ID: r.PathValue("id"), Fields: register.Schemas[k]}
	for i := len(es) - 1; i >= 0; i-- {
		v := registerVersion{Entry: es[i], Changed: map[string]bool{}}
		if i > 0 {
			prev := es[i-1]
			v.Changed["title"] = prev.Title != es[i].Title
			v.Changed["review_due"] = prev.ReviewDue != es[i].ReviewDue
			v.Changed["deleted"] = prev.Deleted != es[i].Deleted
			for _, f := range d.Fields {
				v.Changed[f.Name] = prev.Fields[f.Name] != es[i].Fields[f.Name]
			}
		}
		d.Versions = append(d.Versions, v)
	}
	h.page(w, r, p, http.StatusOK, "register_history", "registers.history", d, nil)
}

func (h *complianceHandlers) exportCSV(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="register-%s.csv"`, k))
	if err := h.c.Registers.ExportCSV(r.Context(), k, w); err != nil {
		h.a.Logger.Error("register export", "register", k, "err", err)
	}
}

func (h *complianceHandlers) exportJSON(w http.ResponseWriter, r *http.Request, p *Principal) {
	k, ok := h.kind(w, r, p)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="register-%s.json"`, k))
	if err := h.c.Registers.ExportJSON(r.Context(), k, true, w); err != nil {
		h.a.Logger.Error("register export", "register", k, "err", err)
	}
}

type reportForm struct {
	Year int
}

func (h *complianceHandlers) reportForm(w http.ResponseWriter, r *http.Request, p *Principal) {
	y := h.c.Registers.Clock.Now().Year() - 1
	h.page(w, r, p, http.StatusOK, "report_yearly", "report.title", reportForm{Year: y}, nil)
}

func (h *complianceHandlers) reportProduce(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	year, err := strconv.Atoi(r.PostFormValue("year"))
	format := r.PostFormValue("format")
	if err != nil || (format != report.FormatHTML && format != report.FormatMarkdown && format != report.FormatPDF) {
		h.page(w, r, p, http.StatusBadRequest, "report_yearly", "report.title", reportForm{Year: year}, &flash{"bad", Message(lang, "report.bad_request")})
		return
	}
	doc, err := h.c.Yearly(r.Context(), p.Staff.ID, year, string(lang))
	if err != nil {
		if coupole.ErrorCode(err) == coupole.EINVALID {
			h.page(w, r, p, http.StatusBadRequest, "report_yearly", "report.title", reportForm{Year: year}, &flash{"bad", coupole.ErrorMessage(err)})
			return
		}
		h.a.pageError(w, r, p, err)
		return
	}
	b, err := doc.Render(format)
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	types := map[string]string{report.FormatHTML: "text/html; charset=utf-8", report.FormatMarkdown: "text/markdown; charset=utf-8", report.FormatPDF: "application/pdf"}
	w.Header().Set("Content-Type", types[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="confidentiality-report-%d.%s"`, year, format))
	w.Write(b)
}

type requirementsPage struct {
	Covered []report.Covered
	Gaps    map[string]string
}

// requirements lists every requirement with the tests that cite it and the
// report figures that evidence it (issue 14, item 5).
func (h *complianceHandlers) requirements(w http.ResponseWriter, r *http.Request, p *Principal) {
	ix, err := report.EmbeddedIndex()
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	h.page(w, r, p, http.StatusOK, "requirements", "requirements.title", requirementsPage{Covered: report.Coverage(ix, h.c.Figures), Gaps: report.KnownGaps}, nil)
}

type accessForm struct {
	Customer, From, To string
}

func (h *complianceHandlers) accessForm(w http.ResponseWriter, r *http.Request, p *Principal) {
	to := coupole.Date(h.c.Registers.Clock.Now()).AddDate(0, 0, 1)
	h.page(w, r, p, http.StatusOK, "report_access", "access.title", accessForm{From: to.AddDate(-1, 0, 0).Format(time.DateOnly), To: to.Format(time.DateOnly)}, nil)
}

// accessProduce gives the art. 15 report of one customer: JSON with the
// proofs, or the PDF letter without the address block (printing the
// address would read the customer's data; `coupole report access` does).
func (h *complianceHandlers) accessProduce(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	f := accessForm{Customer: r.PostFormValue("customer"), From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	from, err1 := time.Parse(time.DateOnly, f.From)
	to, err2 := time.Parse(time.DateOnly, f.To)
	format := r.PostFormValue("format")
	if f.Customer == "" || err1 != nil || err2 != nil || (format != "json" && format != "pdf") {
		h.page(w, r, p, http.StatusBadRequest, "report_access", "access.title", f, &flash{"bad", Message(lang, "access.bad_request")})
		return
	}
	doc, err := h.c.Access(r.Context(), p.Staff.ID, f.Customer, from, to)
	if coupole.ErrorCode(err) == coupole.EINVALID {
		h.page(w, r, p, http.StatusBadRequest, "report_access", "access.title", f, &flash{"bad", coupole.ErrorMessage(err)})
		return
	} else if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	var b []byte
	if format == "json" {
		b, err = doc.JSON()
		w.Header().Set("Content-Type", "application/json")
	} else {
		b, err = doc.PDF("", nil)
		w.Header().Set("Content-Type", "application/pdf")
	}
	if err != nil {
		h.a.pageError(w, r, p, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="access-report.%s"`, format))
	w.Write(b)
}
