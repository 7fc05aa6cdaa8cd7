package email

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// The items an e-mail can carry. The disclosure policy never sends the EAN
// or the supplier by e-mail (policy/disclosure/30-ean.cedar: a written
// request gets the EAN by nominative letter), so e-mail carries what a
// person wrote or a notice, never a disclosure decided by the policy alone.
const (
	// ItemCaseAnswer is the back office's answer to a case (D4): Text,
	// written by the back office in the customer's language, between a
	// greeting, a closing and the reference.
	ItemCaseAnswer = "case_answer"
	// ItemContactChanged tells the previous e-mail address that the contact
	// details changed (D7). An empty Text gives the standard notice.
	ItemContactChanged = "contact_changed"
)

//go:embed templates
var templateFS embed.FS

var (
	textBody = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/body.txt.tmpl"))
	htmlBody = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/body.html.tmpl"))
)

// brussels is the time zone of the dates customers read.
var brussels = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Brussels"); err == nil {
		return l
	}
	return time.UTC
}()

// Rendered is an e-mail's content, ready for SMTP.
type Rendered struct {
	Lang    coupole.Language
	Subject string // carries the reference, never personal data
	Text    string // text/plain
	HTML    string // text/html: the same content, escaped
}

// body is what the two templates show.
type body struct {
	Lang       coupole.Language
	Subject    string
	Greeting   string
	Paragraphs [][]string // paragraphs of lines
	Closing    string
	Signature  string
	Reference  string
}

// referencePattern is what a reference may hold: it goes into the subject,
// so it is checked rather than escaped.
var referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// Render writes m in its language (French when none is given or known). An
// item without a template, or a message missing what its item needs, is
// outbound.Permanent: no retry will write it.
func Render(m outbound.Message) (Rendered, error) {
	lang := m.Lang
	w, ok := catalogue[lang]
	if !ok {
		lang, w = coupole.French, catalogue[coupole.French]
	}
	if m.Reference != "" && !referencePattern.MatchString(m.Reference) {
		return Rendered{}, permanentf("e-mail: the reference of delivery %s is not a reference (letters, digits, . _ / - only)", m.ID)
	}
	b := body{Lang: lang, Closing: w.closing, Signature: w.signature, Greeting: w.greeting}
	if name := oneLine(m.Name); name != "" {
		b.Greeting = fmt.Sprintf(w.greetingName, name)
	}
	ref := ""
	if m.Reference != "" {
		ref = fmt.Sprintf(w.refShort, m.Reference)
		b.Reference = fmt.Sprintf(w.reference, m.Reference)
	}
	text := paragraphs(m.Text)
	switch m.Item {
	case ItemCaseAnswer:
		if len(text) == 0 {
			return Rendered{}, permanentf("e-mail: the answer of delivery %s has no text", m.ID)
		}
		b.Subject = fmt.Sprintf(w.caseAnswerSubject, ref)
		b.Paragraphs = append([][]string{{w.caseAnswerIntro}}, text...)
	case ItemContactChanged:
		b.Subject = fmt.Sprintf(w.contactChangedSubject, ref)
		if len(text) == 0 {
			at := m.CreatedAt.In(brussels).Format(w.dateTime)
			b.Paragraphs = append(b.Paragraphs, []string{fmt.Sprintf(w.contactChanged[0], at)})
			for _, p := range w.contactChanged[1:] {
				b.Paragraphs = append(b.Paragraphs, []string{p})
			}
		} else {
			b.Paragraphs = text
		}
		b.Paragraphs = append(b.Paragraphs, []string{w.contactChangedAdvice})
	default:
		return Rendered{}, permanentf("e-mail: no e-mail is written for the item %q (only %s and %s)", truncate(m.Item, 40), ItemCaseAnswer, ItemContactChanged)
	}
	var t, h bytes.Buffer
	if err := textBody.Execute(&t, b); err != nil {
		return Rendered{}, permanentf("e-mail: rendering delivery %s: %v", m.ID, err)
	}
	if err := htmlBody.Execute(&h, b); err != nil {
		return Rendered{}, permanentf("e-mail: rendering delivery %s: %v", m.ID, err)
	}
	return Rendered{Lang: lang, Subject: b.Subject, Text: t.String(), HTML: h.String()}, nil
}

// paragraphs splits a text into paragraphs (separated by blank lines) of
// lines, without trailing spaces or empty paragraphs.
func paragraphs(s string) [][]string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out [][]string
	var cur []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// oneLine folds control characters and runs of spaces to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < ' ' || r == ' ' || r == 0x7f }), " ")
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// permanentf is an invalid message no retry will cure.
func permanentf(format string, args ...any) error {
	return outbound.Permanent(coupole.Errorf(coupole.EINVALID, format, args...))
}
