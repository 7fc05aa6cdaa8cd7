package web

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
)

// Template functions of the advisor's screens (issue 15): dates, numbers and
// colons in the screen's language, and the consumption chart. The sentence
// to read out comes from the disclosure policy as said to the caller, without
// requirement codes (policy/disclosure, @reason_fr and @requirement).

func deskFuncs() template.FuncMap {
	return template.FuncMap{
		// args passes several values to a sub-template.
		"args": func(v ...any) []any { return v },
		// colon is the colon after a label: French puts a (no-break)
		// space before it, the other languages do not.
		"colon":  colon,
		"day":    dayIn,
		"num":    numberIn,
		"clock":  func(t time.Time) string { return t.In(brussels).Format("15:04") },
		"unsent": unsentLabel,
		"hasGas": func(c interaction.ConsumptionView) bool { return c.GasM3 > 0 && c.TotalKWh == 0 },
		"chart":  consumptionChart,
		// final says a delivery's status will not change (desk.js stops
		// asking for it); pollMS is how often it asks for the others.
		"final":  func(status string) bool { return status == coupole.DeliverySent || status == coupole.DeliveryDead },
		"pollMS": func() int { return deliveryStatusPoll },
	}
}

func colon(lang coupole.Language) string {
	if lang == coupole.French {
		return "\u00a0:"
	}
	return ":"
}

// dayIn writes a YYYY-MM-DD day the way the language writes dates:
// 10/01/2024 in French, Dutch (Belgium) and English, 10.01.2024 in German.
func dayIn(lang coupole.Language, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	if lang == coupole.German {
		return t.Format("02.01.2006")
	}
	return t.Format("02/01/2006")
}

// numberIn writes x with at most one decimal and the language's
// separators: 69 088,5 in French, 69.088,5 in Dutch and German, 69,088.5 in
// English.
func numberIn(lang coupole.Language, x float64) string {
	neg := x < 0
	x = math.Abs(math.Round(x*10) / 10)
	whole, frac := math.Modf(x)
	digits := strconv.FormatFloat(whole, 'f', 0, 64)
	group, point := "\u202f", ","
	switch lang {
	case coupole.Dutch, coupole.German:
		group = "."
	case coupole.English:
		group, point = ",", "."
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if d := int(math.Round(frac * 10)); d > 0 {
		b.WriteString(point + strconv.Itoa(d))
	}
	return b.String()
}

// codesRe matches a parenthesised list of requirement codes: " (D4)",
// " (D1, D8)", " (C3)".
var codesRe = regexp.MustCompile(`\s*\((?:[A-Z]\d{1,2}(?:,\s*|\s+(?:et|en|und|and)\s+)?)+\)`)

func withoutCodes(s string) string { return codesRe.ReplaceAllString(s, "") }

// consumptionChart draws the consumption per period as bars, in SVG made
// here (no script, no style attribute: the page's CSP allows neither). The
// chart repeats the table under it, which is what assistive technology
// reads: the SVG is an image with a title.
func consumptionChart(lang coupole.Language, cs []interaction.ConsumptionView) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	const w, h, left, bottom, top = 560.0, 180.0, 56.0, 28.0, 12.0
	max := 0.0
	value := func(c interaction.ConsumptionView) float64 {
		if c.TotalKWh > 0 {
			return c.TotalKWh
		}
		return c.GasM3
	}
	for _, c := range cs {
		max = math.Max(max, value(c))
	}
	if max == 0 {
		max = 1
	}
	unit := "kWh"
	if cs[0].GasM3 > 0 && cs[0].TotalKWh == 0 {
		unit = "m³"
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">%s</title>`,
		w, h, esc(Message(lang, "cons.chart")))
	fmt.Fprintf(&b, `<line class="axis" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f" text-anchor="end">%s %s</text>`, left-4, top+8, esc(numberIn(lang, max)), unit)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.0f" text-anchor="end">0</text>`, left-4, h-bottom)
	slot := (w - left) / float64(len(cs))
	bar := math.Min(slot*0.7, 48)
	for i, c := range cs {
		bh := (h - bottom - top) * value(c) / max
		x := left + slot*float64(i) + (slot-bar)/2
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s → %s%s %s %s</title></rect>`,
			x, h-bottom-bh, bar, bh, esc(dayIn(lang, c.From)), esc(dayIn(lang, c.To)), colon(lang), esc(numberIn(lang, value(c))), unit)
		if len(cs) <= 12 || i%int(math.Ceil(float64(len(cs))/12)) == 0 {
			to := c.To
			if len(to) >= 7 {
				to = to[5:7] + "/" + to[2:4]
			}
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x+bar/2, h-bottom+16, esc(to))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
