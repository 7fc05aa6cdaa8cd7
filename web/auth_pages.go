package web

import (
	"html/template"
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

// authTemplates are the minimal server-rendered pages of issue 5; the advisor
// interface replaces them with its own layout later.
var authTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"t": func(lang coupole.Language, key string) string { return Message(lang, key) },
}).Parse(`
{{define "head"}}<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Coupole</title></head><body>{{end}}

{{define "signin"}}{{template "head" .}}
<main><h1>{{t .Lang "signin.title"}}</h1>
{{with .Message}}<p role="alert">{{.}}</p>{{end}}
{{if .OIDC}}<p><a href="/auth/oidc/start">{{t .Lang "signin.oidc"}}</a></p>{{end}}
<details><summary>{{t .Lang "signin.breakglass"}}</summary>
<form method="post" action="/signin/local">
<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<p><label>{{t .Lang "signin.user"}} <input name="user" autocomplete="username" required></label></p>
<p><label>{{t .Lang "signin.password"}} <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><label>{{t .Lang "signin.totp"}} <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></label></p>
<p><button>{{t .Lang "signin.submit"}}</button></p>
</form></details>
{{if .DemoAccounts}}<h2>{{t .Lang "signin.demo"}}</h2>
{{range .DemoAccounts}}<form method="post" action="/signin/demo"><input type="hidden" name="csrf_token" value="{{$.CSRF}}"><input type="hidden" name="account" value="{{.Login}}"><button>{{.Login}} ({{.Role}})</button></form>
{{end}}{{end}}
</main></body></html>{{end}}

{{define "home"}}{{template "head" .}}
<main><h1>{{t .Lang "home.welcome"}}, {{.Principal.Staff.DisplayName}}</h1>
<p>{{t .Lang "home.roles"}} : {{range .Principal.Staff.Roles}}{{.}} {{end}}</p>
<form method="post" action="/signout"><input type="hidden" name="csrf_token" value="{{.CSRF}}"><button>{{t .Lang "signout.submit"}}</button></form>
<form method="post" action="/signout/everywhere"><input type="hidden" name="csrf_token" value="{{.CSRF}}"><button>{{t .Lang "signout.everywhere"}}</button></form>
</main></body></html>{{end}}

{{define "refused"}}{{template "head" .}}
<main><p role="alert">{{.Message}}</p>{{if .SignInLink}}<p><a href="/signin">{{t .Lang "signin.submit"}}</a></p>{{end}}</main></body></html>{{end}}
`))

func (a *StaffAccess) render(w io.Writer, name string, d pageData) {
	if err := authTemplates.ExecuteTemplate(w, name, d); err != nil {
		a.Logger.Error("render page", "page", name, "err", err)
	}
}
