package web

import (
	"io"

	"github.com/coupole/coupole"
)

// pageData is what the sign-in and refusal pages show.
type pageData struct {
	Lang         coupole.Language
	Message      string
	CSRF         string
	OIDC         bool
	DemoAccounts []DemoAccount
	Principal    *Principal
	SignInLink   bool
}

// render writes the sign-in or refusal page with the staff pages' layout
// (web/templates); the caller has written the status already.
func (a *StaffAccess) render(w io.Writer, name string, d pageData) {
	v := view{Lang: d.Lang, Message: d.Message, CSRF: d.CSRF, OIDC: d.OIDC, DemoAccounts: d.DemoAccounts,
		SignInLink: d.SignInLink, Languages: coupole.Languages}
	switch name {
	case "signin":
		v.Title = "signin.title"
	case "refused":
		v.Title = "refused.title"
	}
	t, ok := pageTemplates[name]
	if !ok {
		a.Logger.Error("render page: no template", "page", name)
		return
	}
	if err := t.ExecuteTemplate(w, "page", v); err != nil {
		a.Logger.Error("render page", "page", name, "err", err)
	}
}
