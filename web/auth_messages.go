package web

import (
	"net/http"
	"strings"

	"github.com/coupole/coupole"
)

// Messages is the catalogue of user-facing texts of the staff pages: French
// first, then Dutch, German and English (DESIGN.md, convention 8). Keys are
// stable; a test checks every key has all four languages. Pages of later
// issues add their own keys here.
var Messages = map[string]map[coupole.Language]string{
	"signin.title": {
		"fr": "Connexion à Coupole", "nl": "Aanmelden bij Coupole",
		"de": "Anmeldung bei Coupole", "en": "Sign in to Coupole",
	},
	"signin.oidc": {
		"fr": "Se connecter avec le compte de l'entreprise", "nl": "Aanmelden met de bedrijfsaccount",
		"de": "Mit dem Firmenkonto anmelden", "en": "Sign in with the company account",
	},
	"signin.breakglass": {
		"fr": "Compte de secours (bris de glace)", "nl": "Noodaccount (break-glass)",
		"de": "Notfallkonto (Break-Glass)", "en": "Emergency account (break-glass)",
	},
	"signin.user": {"fr": "Identifiant", "nl": "Gebruikersnaam", "de": "Benutzername", "en": "User name"},
	"signin.password": {
		"fr": "Mot de passe", "nl": "Wachtwoord", "de": "Passwort", "en": "Password",
	},
	"signin.totp": {
		"fr": "Code à usage unique", "nl": "Eenmalige code", "de": "Einmalcode", "en": "One-time code",
	},
	"signin.submit": {"fr": "Se connecter", "nl": "Aanmelden", "de": "Anmelden", "en": "Sign in"},
	"signin.demo": {
		"fr": "Comptes de démonstration (mode démo uniquement)", "nl": "Demo-accounts (alleen in demomodus)",
		"de": "Demo-Konten (nur im Demo-Modus)", "en": "Demo accounts (demo mode only)",
	},
	"signin.failed": {
		"fr": "Connexion refusée : identifiant, mot de passe ou code incorrect.",
		"nl": "Aanmelding geweigerd: gebruikersnaam, wachtwoord of code onjuist.",
		"de": "Anmeldung abgelehnt: Benutzername, Passwort oder Code falsch.",
		"en": "Sign-in refused: wrong user name, password or code.",
	},
	"signin.throttled": {
		"fr": "Trop de tentatives de connexion. Réessayez dans quelques minutes.",
		"nl": "Te veel aanmeldpogingen. Probeer het over enkele minuten opnieuw.",
		"de": "Zu viele Anmeldeversuche. Versuchen Sie es in einigen Minuten erneut.",
		"en": "Too many sign-in attempts. Try again in a few minutes.",
	},
	"signin.oidc_failed": {
		"fr": "La connexion par le fournisseur d'identité a échoué. Recommencez.",
		"nl": "Aanmelden via de identiteitsprovider is mislukt. Probeer opnieuw.",
		"de": "Die Anmeldung über den Identitätsanbieter ist fehlgeschlagen. Bitte erneut versuchen.",
		"en": "Sign-in through the identity provider failed. Please start again.",
	},
	"signin.no_role": {
		"fr": "Votre compte n'a aucun rôle dans Coupole, ou il a été désactivé. Adressez-vous au service informatique.",
		"nl": "Uw account heeft geen rol in Coupole, of is uitgeschakeld. Neem contact op met de IT-dienst.",
		"de": "Ihr Konto hat keine Rolle in Coupole oder wurde deaktiviert. Wenden Sie sich an die IT.",
		"en": "Your account has no role in Coupole, or has been disabled. Contact the IT team.",
	},
	"signin.oidc_unavailable": {
		"fr": "La connexion par le compte de l'entreprise n'est pas configurée.",
		"nl": "Aanmelden met de bedrijfsaccount is niet geconfigureerd.",
		"de": "Die Anmeldung mit dem Firmenkonto ist nicht eingerichtet.",
		"en": "Sign-in with the company account is not configured.",
	},
	"signout.done": {
		"fr": "Vous êtes déconnecté.", "nl": "U bent afgemeld.", "de": "Sie sind abgemeldet.", "en": "You are signed out.",
	},
	"signout.submit": {"fr": "Se déconnecter", "nl": "Afmelden", "de": "Abmelden", "en": "Sign out"},
	"signout.everywhere": {
		"fr": "Se déconnecter partout", "nl": "Overal afmelden", "de": "Überall abmelden", "en": "Sign out everywhere",
	},
	"home.welcome": {"fr": "Bienvenue", "nl": "Welkom", "de": "Willkommen", "en": "Welcome"},
	"home.roles":   {"fr": "Rôles", "nl": "Rollen", "de": "Rollen", "en": "Roles"},
	"refused.network": {
		"fr": "Accès refusé : Coupole n'est accessible que depuis les postes du réseau de l'entreprise.",
		"nl": "Toegang geweigerd: Coupole is alleen bereikbaar vanaf werkstations op het bedrijfsnetwerk.",
		"de": "Zugriff verweigert: Coupole ist nur von Arbeitsplätzen im Firmennetz erreichbar.",
		"en": "Access refused: Coupole can only be used from workstations on the company network.",
	},
	"refused.signin_required": {
		"fr": "Veuillez vous connecter.", "nl": "Gelieve u aan te melden.",
		"de": "Bitte melden Sie sich an.", "en": "Please sign in.",
	},
	"refused.forbidden": {
		"fr": "Accès refusé : votre rôle ne permet pas cette action.",
		"nl": "Toegang geweigerd: uw rol laat deze handeling niet toe.",
		"de": "Zugriff verweigert: Ihre Rolle erlaubt diese Aktion nicht.",
		"en": "Access refused: your role does not allow this action.",
	},
	"refused.need_to_know": {
		"fr": "Accès refusé : ce client n'est identifié dans aucune interaction ouverte que vous traitez.",
		"nl": "Toegang geweigerd: deze klant is niet geïdentificeerd in een open interactie die u behandelt.",
		"de": "Zugriff verweigert: Dieser Kunde ist in keiner offenen Interaktion, die Sie bearbeiten, identifiziert.",
		"en": "Access refused: this customer is not identified in any open interaction you handle.",
	},
	"refused.csrf": {
		"fr": "Requête refusée : le formulaire a expiré ou ne vient pas de Coupole. Rechargez la page.",
		"nl": "Verzoek geweigerd: het formulier is verlopen of komt niet van Coupole. Herlaad de pagina.",
		"de": "Anfrage abgelehnt: Das Formular ist abgelaufen oder stammt nicht von Coupole. Laden Sie die Seite neu.",
		"en": "Request refused: the form has expired or does not come from Coupole. Reload the page.",
	},
}

// Message returns the text of key in lang, falling back to French, then to
// the key itself (a test makes sure the fall-backs never happen).
func Message(lang coupole.Language, key string) string {
	m := Messages[key]
	if s := m[lang]; s != "" {
		return s
	}
	if s := m[coupole.French]; s != "" {
		return s
	}
	return key
}

// RequestLanguage picks the language of a response: the one the signed-in
// staff member picked (kept with them, so it follows them to any browser),
// else the one picked in this browser (cookie set by the language menus,
// also before sign-in), else the first language of Accept-Language that
// Coupole speaks, French otherwise.
func RequestLanguage(r *http.Request) coupole.Language {
	if p, ok := PrincipalFrom(r.Context()); ok && p.Staff.Language != "" {
		return p.Staff.Language
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, err := coupole.ParseLanguage(c.Value); err == nil {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l, err := coupole.ParseLanguage(base); err == nil {
			return l
		}
	}
	return coupole.French
}
