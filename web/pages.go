package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"golang.org/x/mod/sumdb/note"
)

// The staff pages (issue 7): server-rendered with html/template, assets
// embedded, no JavaScript at all — every screen is a plain form, so the
// keyboard, the browser's back button and a slow workstation all just work.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// view is what every page template receives.
type view struct {
	Lang      coupole.Language
	Title     string // message key of the page title
	Principal *Principal
	CSRF      string
	Nav       []navItem
	Active    string // Nav item's Key of this page
	Flash     *flash
	Languages []coupole.Language

	// sign-in and refusal pages (issue 5's pageData)
	Message      string
	OIDC         bool
	DemoAccounts []DemoAccount
	SignInLink   bool

	// DemoCallers are people of the synthetic data to "be" on a demo call
	// (serve --demo only).
	DemoCallers []demo.Caller

	Data any // the page's own data
}

type navItem struct {
	Key  string // message key of the label
	Href string
}

// flash is a one-line outcome shown on top of a page: Kind is ok, warn or bad.
type flash struct {
	Kind string
	Text string
}

// pageTemplates holds one template set per page: the layout plus the page.
var pageTemplates = mustPageTemplates()

func pageFuncs() template.FuncMap {
	m := template.FuncMap{
		// t is the only way template text reaches the page (a test checks).
		"t": func(lang coupole.Language, key string) string { return Message(lang, key) },
		// tf formats a message with arguments (fmt verbs in the catalogue).
		"tf": func(lang coupole.Language, key string, args ...any) string {
			return fmt.Sprintf(Message(lang, key), args...)
		},
		// label names a code of an enumeration: label .Lang "channel" "phone".
		"label": func(lang coupole.Language, prefix string, code any) string {
			return Message(lang, prefix+"."+fmt.Sprint(code))
		},
		// reason names a call reason: the catalogue's words, or the
		// configured taxonomy's French label for a code it does not know.
		"reason": func(lang coupole.Language, code, fallback string) string {
			if _, ok := Messages["reason."+code]; ok {
				return Message(lang, "reason."+code)
			}
			return fallback
		},
		"has":         func(list []string, s string) bool { return slices.Contains(list, s) },
		"staffname":   staffName,
		"alertreason": AlertReason,
		"datetime": func(lang coupole.Language, t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(brussels).Format("02/01/2006 15:04")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(brussels).Format("02/01/2006")
		},
	}
	for k, f := range deskFuncs() {
		m[k] = f
	}
	return m
}

// staffName is how a staff member is named on the pages: their display
// name, or for a demo account its role in the page's language ("Conseiller
// clientèle (démo)"), whatever name an older version stored.
func staffName(lang coupole.Language, st coupole.Staff) string {
	if st.Kind == coupole.StaffDemo && len(st.Roles) > 0 {
		return fmt.Sprintf(Message(lang, "demo.account_name"), Message(lang, "role."+string(st.Roles[0])))
	}
	if st.DisplayName == "" {
		return st.ID
	}
	return st.DisplayName
}

// brussels is the time zone pages show times in; UTC if the zone database is
// missing (times are still right, only shifted).
var brussels = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Brussels"); err == nil {
		return l
	}
	return time.UTC
}()

func mustPageTemplates() map[string]*template.Template {
	// templates/_*.html hold parts shared by pages (no page of their own).
	base := template.Must(template.New("").Funcs(pageFuncs()).ParseFS(templateFS, "templates/layout.html", "templates/_*.html"))
	out := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return out
}

// renderPage writes page name with status. It renders into a buffer first,
// so a template error becomes a clean 500 instead of half a page.
func (a *StaffAccess) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if v.Languages == nil {
		v.Languages = coupole.Languages
	}
	if v.Principal != nil && v.Nav == nil {
		v.Nav = a.nav(r, v.Principal)
		v.CSRF = v.Principal.CSRF
	}
	t, ok := pageTemplates[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no page template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "page", v)
	}
	if err != nil {
		a.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, Message(v.Lang, "page.error"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// nav lists the screens the principal's roles may open; the policy still
// decides on every request, the menu only avoids showing dead ends.
func (a *StaffAccess) nav(r *http.Request, p *Principal) []navItem {
	var out []navItem
	add := func(key, href string) { out = append(out, navItem{key, href}) }
	add("nav.home", "/")
	if p.Staff.HasRole(coupole.RoleCPASAdvisor) {
		add("nav.cpas", "/cpas")
	}
	if p.Staff.HasRole(coupole.RoleBackOffice) && a.Cases != nil {
		add("nav.cases", "/cases")
	}
	if p.Staff.HasRole(coupole.RoleTeamLead) || p.Staff.HasRole(coupole.RoleSupervisor) || p.Staff.HasRole(coupole.RolePrivacyOfficer) && a.oversight != nil {
		add("nav.alerts", "/alerts")
	}
	a.oversightNav(p, add) // issue 16
	if p.Staff.HasRole(coupole.RolePrivacyOfficer) || p.Staff.HasRole(coupole.RoleAuditor) || p.Staff.HasRole(coupole.RoleServiceDeliveryManager) {
		add("nav.gov_sod", "/governance/sod") // issue 12
	}
	a.validationNav(p, add) // issue 12, items 5 and 6
	if p.Staff.HasRole(coupole.RoleITAdmin) {
		add("nav.gov_admin", "/governance/admin") // issue 12
	}
	if p.Staff.HasRole(coupole.RolePrivacyOfficer) || p.Staff.HasRole(coupole.RoleServiceDeliveryManager) {
		add("nav.gov_approvals", "/governance/approvals") // issue 12
	}
	if p.Staff.HasRole(coupole.RoleBackOffice) || p.Staff.HasRole(coupole.RoleTeamLead) {
		add("nav.deliveries", "/deliveries/failed")
	}
	if p.Staff.HasRole(coupole.RoleAuditor) {
		add("nav.traces", "/traces")
	}
	if a.compliance && (p.Staff.HasRole(coupole.RolePrivacyOfficer) || p.Staff.HasRole(coupole.RoleAuditor)) {
		add("nav.registers", "/registers")
	}
	if a.retention && p.Staff.HasRole(coupole.RolePrivacyOfficer) {
		add("nav.retention", "/retention") // issue 13
	}
	return out
}

// langCookie keeps the language picked in this browser (issue 7, point 2):
// on the sign-in page, and for a staff member who never picked one.
const langCookie = "coupole_lang"

func (a *StaffAccess) setLanguageCookie(w http.ResponseWriter, l coupole.Language) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 400 * 24 * 3600,
		HttpOnly: true, Secure: a.Config.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// handleLanguage records the signed-in staff member's language with them
// (it follows them to any workstation) and in this browser, then goes back
// to the page they were on (a local path only).
func (a *StaffAccess) handleLanguage(w http.ResponseWriter, r *http.Request, p *Principal) {
	l, err := coupole.ParseLanguage(r.PostFormValue("lang"))
	if err != nil {
		a.pageError(w, r, p, coupole.Errorf(coupole.EINVALID, "lang: want one of fr, nl, de, en"))
		return
	}
	a.sessions.reset() // the language is read with the session
	if err := a.Store.SetLanguage(r.Context(), p.Staff.ID, l); err != nil {
		a.pageError(w, r, p, err)
		return
	}
	a.setLanguageCookie(w, l)
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
}

// handleSignInLanguage sets the language on the sign-in page, before any
// session exists (double-submit token of the sign-in forms).
func (a *StaffAccess) handleSignInLanguage(w http.ResponseWriter, r *http.Request) {
	if !a.checkPreCSRF(r) {
		a.refuse(w, r, http.StatusForbidden, "refused.csrf")
		return
	}
	if l, err := coupole.ParseLanguage(r.PostFormValue("lang")); err == nil {
		a.setLanguageCookie(w, l)
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// localPath keeps redirects on this site: a path, never a scheme or host.
// Browsers drop tabs and newlines from a URL and read "\\" as "/", so
// "/\t/evil.example" would go to another host: any control character or
// backslash is refused.
func localPath(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return s
}

// staticHandler serves the embedded stylesheet. Assets are public and hold
// nothing personal, so browsers may cache them for a day.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=86400")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		files.ServeHTTP(w, r)
	}))
}

// homePage is the start screen: what it shows depends on the roles.
func (a *StaffAccess) homePage(w http.ResponseWriter, r *http.Request, p *Principal) {
	lang := RequestLanguage(r)
	v := view{Lang: lang, Title: "home.title", Principal: p, Active: "nav.home"}
	h := a.homeData(r, p)
	v.Data = h
	v.Flash = a.governanceReminder(r, p) // issue 12: the charter, access to review
	if h.Advisor {
		v.DemoCallers = a.demoCallers(func(demo.Caller) bool { return true })
	}
	a.renderPage(w, r, http.StatusOK, "home", v)
}

// PagesConfig is what the staff pages read besides the staff-access
// services.
type PagesConfig struct {
	// Traces is the audit log's read side, for the auditors' search.
	Traces TraceReader
	// TraceVerifier checks the signature of the latest checkpoint on the
	// auditors' page; nil shows it as not checked here.
	TraceVerifier note.Verifier
	// DemoCallers are shown on the advisor workspace and the CPAS line page
	// so that a newcomer to serve --demo has someone to be on the phone
	// (demo.Callers picks them from the data). Ignored unless the server
	// runs in demo mode (AuthConfig.Demo).
	DemoCallers []demo.Caller
}

// demoCallers returns the demo callers that keep, only in demo mode.
func (a *StaffAccess) demoCallers(keep func(demo.Caller) bool) []demo.Caller {
	if !a.Config.Demo {
		return nil
	}
	var out []demo.Caller
	for _, c := range a.pages.DemoCallers {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// EnablePages registers the staff pages (issue 7) on the routes of a, which
// EnableStaffAccess must have set up. Every page names its policy action, so
// the authorization matrix covers them.
func (a *StaffAccess) EnablePages(cfg PagesConfig) {
	a.pages = cfg
	a.Server.Handle("GET /static/", staticHandler())
	a.Server.PageNotFound = a.handlePageNotFound
	a.public("POST /signin/language", a.handleSignInLanguage)
	a.handle("POST /preferences/language", coupole.ActionViewHome, nil, a.handleLanguage)
	if a.Cases != nil { // the back office's queue (issue 11)
		a.enableCasePages()
	}
	if a.Interactions != nil { // the advisor screens, on the interaction service (issue 6)
		a.enableInteractionPages()
	}
	a.handle("GET /traces", coupole.ActionReadTrace, nil, a.handleTraces)
	a.handle("POST /traces", coupole.ActionReadTrace, nil, a.handleTraces)
}

func (a *StaffAccess) enableInteractionPages() {
	a.handle("POST /interactions", coupole.ActionOpenInteraction, nil, a.handleOpenInteraction)
	a.handle("GET /interactions/{id}", coupole.ActionWorkInteraction, a.interactionResource, a.handleInteraction)
	for _, step := range []struct {
		path string
		h    func(http.ResponseWriter, *http.Request, *Principal)
	}{
		{"identify", a.handleIdentify}, {"select", a.handleSelect}, {"verify", a.handleVerify}, {"decide", a.handleDecide},
		{"execute", a.handleExecute}, {"reading", a.handleReading}, {"contact", a.handleContact}, {"public-info", a.handlePublicInfo}, {"close", a.handleClose},
	} {
		a.handle("POST /interactions/{id}/"+step.path, coupole.ActionWorkInteraction, a.interactionResource, step.h)
	}
	a.handle("GET /interactions/{id}/deliveries", coupole.ActionWorkInteraction, a.interactionResource, a.handleDeliveryStatuses)
	a.handle("GET /cpas", coupole.ActionOpenCPASLine, nil, a.handleCPASPage)
	a.handle("POST /cpas", coupole.ActionOpenCPASLine, nil, a.handleCPASOpen)
	a.handle("GET /alerts", coupole.ActionListAlerts, nil, a.handleAlerts)
	a.handle("GET /deliveries/failed", coupole.ActionListFailedDeliveries, nil, a.handleFailedDeliveries)
	a.handle("POST /alerts/{id}/unlock", coupole.ActionUnlockVerification, a.alertResource, a.handleAlertUnlock)
}

type homeData struct {
	Workspace  *workspace
	Closed     bool // an interaction was just closed
	Roles      []coupole.Role
	Advisor    bool // opens interactions
	CPAS       bool
	Supervises bool
	Audits     bool
}

func (a *StaffAccess) homeData(r *http.Request, p *Principal) homeData {
	h := homeData{Roles: p.Staff.Roles}
	h.Advisor = p.Staff.HasRole(coupole.RoleAdvisor) || p.Staff.HasRole(coupole.RoleBackOffice)
	h.CPAS = p.Staff.HasRole(coupole.RoleCPASAdvisor)
	h.Supervises = p.Staff.HasRole(coupole.RoleTeamLead) || p.Staff.HasRole(coupole.RoleSupervisor)
	h.Audits = p.Staff.HasRole(coupole.RoleAuditor)
	if h.Advisor {
		h.Workspace = a.workspaceData(r, p)
	}
	h.Closed = r.URL.Query().Get("closed") != ""
	return h
}

// handlePageNotFound is the 404 of the staff pages, in the language of the
// browser's cookie or Accept-Language (no session is read for a path that
// is no route: nothing about the staff member is needed to say so).
func (a *StaffAccess) handlePageNotFound(w http.ResponseWriter, r *http.Request) {
	lang := RequestLanguage(r)
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	a.renderPage(w, r, http.StatusNotFound, "refused", view{Lang: lang, Title: "page.not_found_title", Message: Message(lang, "page.not_found")})
}
