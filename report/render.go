package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/coupole/coupole"
)

//go:embed templates/*.html
var templateFS embed.FS

var htmlTemplate = template.Must(template.New("yearly.html").Funcs(template.FuncMap{
	"w":     func(lang, k string) string { return words[k].in(lang) },
	"chart": func(c *chart, title string) template.HTML { return template.HTML(c.SVG(title)) },
	"day":   func(t any) string { return fmt.Sprint(t) },
}).ParseFS(templateFS, "templates/yearly.html"))

// Formats a report renders to.
const (
	FormatHTML     = "html"
	FormatMarkdown = "md"
	FormatPDF      = "pdf"
)

// Render returns the report in format (html, md or pdf). The same document
// always gives the same bytes: `report verify` renders it again and
// compares, so a figure changed in the text is caught too.
func (d *Document) Render(format string) ([]byte, error) {
	v, err := d.layout()
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatHTML:
		var b bytes.Buffer
		if err := htmlTemplate.Execute(&b, v); err != nil {
			return nil, coupole.Wrap(err, coupole.EINTERNAL, "report: render html: %v", err)
		}
		return b.Bytes(), nil
	case FormatMarkdown:
		return renderMarkdown(v), nil
	case FormatPDF:
		return renderPDF(v)
	}
	return nil, coupole.Errorf(coupole.EINVALID, "report: format %q is not one of html, md, pdf", format)
}

func renderMarkdown(v *view) []byte {
	var b strings.Builder
	l := v.Lang
	ev := v.Ev
	fmt.Fprintf(&b, "# %s\n\n", v.Title)
	if ev.Operator != "" {
		fmt.Fprintf(&b, "- %s : %s\n", words["operator"].in(l), ev.Operator)
	}
	fmt.Fprintf(&b, "- %s : %s – %s\n", words["period"].in(l), ev.From.Format("2006-01-02"), ev.To.AddDate(0, 0, -1).Format("2006-01-02"))
	fmt.Fprintf(&b, "- %s : %s\n", words["generated"].in(l), ev.GeneratedAt.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- %s : %s\n\n", words["log"].in(l), ev.Origin)
	for _, c := range v.Chapters {
		fmt.Fprintf(&b, "## %s\n\n", c.Title)
		if c.Num == "I" {
			fmt.Fprintf(&b, "%s\n\n", words["preamble"].in(l))
			if v.Partial {
				fmt.Fprintf(&b, "%s\n\n", words["partial"].in(l))
			}
		}
		if c.Intro != "" {
			fmt.Fprintf(&b, "%s\n\n", c.Intro)
		}
		for _, na := range c.NotAvailable {
			fmt.Fprintf(&b, "> %s\n\n", na)
		}
		for _, g := range c.Groups {
			fmt.Fprintf(&b, "### %s\n\n| %s | %s | %s |\n|---|---:|---|\n", g.Title, words["figure"].in(l), words["value"].in(l), words["requirement"].in(l))
			for _, r := range g.Rows {
				fmt.Fprintf(&b, "| %s | %d | %s |\n", mdCell(r.Label), r.Fig.Value, r.Fig.Requirement)
			}
			b.WriteString("\n")
		}
		if len(c.Registers) > 0 {
			fmt.Fprintf(&b, "### %s\n\n| %s | %s | %s | %s |\n|---|---|---:|---|\n", words["registers"].in(l), "ID", words["title"].in(l), words["version"].in(l), words["status"].in(l))
			for _, r := range c.Registers {
				fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", mdCell(r.ID), mdCell(r.Title), r.Version, r.Status)
			}
			b.WriteString("\n")
		}
		if c.Num == "VI" {
			fmt.Fprintf(&b, "%s :\n\n```\n%s```\n\n%s : %s\n\n", words["checkpoint"].in(l), ev.Checkpoint, words["verification"].in(l), ev.Verification)
		}
	}
	fmt.Fprintf(&b, "## %s\n\n| %s | %s | %s | %s |\n|---|---:|---|---|\n", words["appendix_a"].in(l), words["key"].in(l), words["value"].in(l), words["requirement"].in(l), words["query"].in(l))
	for _, f := range ev.Figures {
		fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", mdCell(f.Key), f.Value, f.Requirement, mdCell(f.Query))
	}
	fmt.Fprintf(&b, "\n## %s\n\n%s\n\n```\n%s\n```\n", words["appendix_b"].in(l), words["how_verify"].in(l), v.Seal)
	return []byte(b.String())
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
