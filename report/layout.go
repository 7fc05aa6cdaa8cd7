package report

import (
	"fmt"
	"strings"

	"github.com/coupole/coupole"
)

// chapterSpec places figure groups in a chapter, in order. A figure goes to
// the first group (over all chapters, in order) whose prefix it has.
type chapterSpec struct {
	num       string
	groups    []string
	external  []string // sources this chapter relies on
	registers []string // register kinds listed in this chapter
}

var chapters = []chapterSpec{
	{num: "I"},
	{num: "II", groups: []string{"governance.charter", "governance.awareness"}, external: []string{"governance"}},
	{num: "III", groups: []string{"staff.", "governance.", "oversight."}, external: []string{"governance", "oversight"}},
	{num: "IV", groups: []string{"interactions.channel.", "interactions.requester.", "interactions.call_reason.", "interactions.",
		"decisions.outcome.", "decisions.item.", "decisions.requester.", "decisions.", "disclosures.route.", "disclosures.item.",
		"refusals.reason.", "refusals.", "verifications.outcome.", "alerts.", "deliveries.", "cases.", "records.", "retention."},
		external: []string{"retention"}},
	{num: "V", groups: []string{"registers.subprocessor.", "registers.assessment.", "registers.finding."}, registers: []string{"subprocessor", "assessment", "finding"}},
	{num: "VI", groups: []string{"audit.", "access_reports."}},
	{num: "VII", groups: []string{"registers.processing.", "registers.dpia.", "registers."}, registers: []string{"processing", "dpia"}},
}

// breakdowns are the groups drawn as a bar chart: one bar per value.
var breakdowns = map[string]bool{
	"interactions.channel.": true, "interactions.requester.": true, "interactions.call_reason.": true,
	"decisions.outcome.": true, "decisions.item.": true, "decisions.requester.": true,
	"disclosures.route.": true, "disclosures.item.": true, "refusals.reason.": true, "verifications.outcome.": true,
}

// view is a report laid out for rendering, in one language.
type view struct {
	Lang     string
	Title    string
	Ev       Evidence
	Partial  bool
	Chapters []chapterView
	Seal     string
}

type chapterView struct {
	Num, Title, Intro string
	NotAvailable      []string // sentences, one per missing source
	Groups            []groupView
	Registers         []RegisterLine
}

type groupView struct {
	Title string
	Rows  []rowView
	Chart *chart
}

type rowView struct {
	Label string
	Fig   coupole.Figure
}

func (d *Document) layout() (*view, error) {
	ev := d.Evidence
	lang := ev.Language
	seal, err := d.Seal()
	if err != nil {
		return nil, err
	}
	v := &view{Lang: lang, Ev: ev, Seal: seal, Title: fmt.Sprintf("%s %d", words["title"].in(lang), ev.Year), Partial: ev.GeneratedAt.Before(ev.To)}
	claimed := make([]bool, len(ev.Figures))
	for _, cs := range chapters {
		cv := chapterView{Num: cs.num, Title: chapterTitles[cs.num].in(lang)}
		if t, ok := chapterIntro[cs.num]; ok {
			cv.Intro = t.in(lang)
		}
		for _, src := range cs.external {
			for _, m := range ev.Missing {
				if m == src {
					cv.NotAvailable = append(cv.NotAvailable, fmt.Sprintf(words["not_available"].in(lang), src))
				}
			}
		}
		for _, g := range cs.groups {
			gv := groupView{Title: groupTitle(g, lang)}
			for i, f := range ev.Figures {
				if claimed[i] || !strings.HasPrefix(f.Key, g) {
					continue
				}
				claimed[i] = true
				label := f.Key
				if breakdowns[g] {
					label = strings.TrimPrefix(f.Key, g)
				}
				gv.Rows = append(gv.Rows, rowView{Label: label, Fig: f})
			}
			if len(gv.Rows) == 0 {
				continue
			}
			if breakdowns[g] {
				gv.Chart = barChart(gv.Rows)
			}
			cv.Groups = append(cv.Groups, gv)
		}
		for _, r := range ev.Registers {
			for _, k := range cs.registers {
				if r.Kind == k {
					cv.Registers = append(cv.Registers, r)
				}
			}
		}
		v.Chapters = append(v.Chapters, cv)
	}
	// Figures no chapter claims (a new source's) still appear, last.
	var rest groupView
	for i, f := range ev.Figures {
		if !claimed[i] {
			rest.Rows = append(rest.Rows, rowView{Label: f.Key, Fig: f})
		}
	}
	if len(rest.Rows) > 0 {
		last := &v.Chapters[len(v.Chapters)-1]
		rest.Title = "…"
		last.Groups = append(last.Groups, rest)
	}
	return v, nil
}

func groupTitle(prefix, lang string) string {
	if t, ok := groupTitles[prefix]; ok {
		return t.in(lang)
	}
	return prefix
}
