package report

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound/letter"
)

// PDF geometry, in millimetres.
const (
	pdfLeft  = 18.0
	pdfWidth = 174.0 // A4 width minus margins
	pdfBarH  = 4.2
)

// renderPDF prints the report with the letters' PDF set-up (embedded
// DejaVu Sans, deterministic bytes). The charts are the HTML's: the same
// bars from the same geometry, drawn as PDF rectangles. The evidence block
// goes in the document's Keywords, where `report verify` finds it.
func renderPDF(v *view) ([]byte, error) {
	l := v.Lang
	ev := v.Ev
	pdf := letter.NewDocument(ev.GeneratedAt, v.Title)
	pdf.SetKeywords(v.Seal, false)
	pdf.SetMargins(pdfLeft, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	f := letter.FontName
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(f, "", 8)
		pdf.CellFormat(0, 4, fmt.Sprintf("%s · %d", v.Title, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	// Cover.
	pdf.SetFont(f, "", 22)
	pdf.Ln(30)
	pdf.MultiCell(0, 10, v.Title, "", "L", false)
	pdf.Ln(6)
	pdf.SetFont(f, "", 11)
	kv := func(k, val string) {
		pdf.CellFormat(45, 6, words[k].in(l), "", 0, "L", false, 0, "")
		pdf.MultiCell(0, 6, val, "", "L", false)
	}
	if ev.Operator != "" {
		kv("operator", ev.Operator)
	}
	kv("period", ev.From.Format("2006-01-02")+" – "+ev.To.AddDate(0, 0, -1).Format("2006-01-02"))
	kv("generated", ev.GeneratedAt.Format("2006-01-02 15:04 UTC"))
	kv("log", ev.Origin)
	pdf.Ln(8)
	pdf.SetFont(f, "", 13)
	pdf.CellFormat(0, 7, words["contents"].in(l), "", 1, "L", false, 0, "")
	pdf.SetFont(f, "", 10.5)
	for _, c := range v.Chapters {
		pdf.CellFormat(0, 6, c.Title, "", 1, "L", false, 0, "")
	}
	pdf.CellFormat(0, 6, words["appendix_a"].in(l), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, words["appendix_b"].in(l), "", 1, "L", false, 0, "")

	for _, c := range v.Chapters {
		pdf.AddPage()
		heading(pdf, c.Title, 15)
		pdf.SetFont(f, "", 10)
		if c.Num == "I" {
			pdf.MultiCell(0, 5, words["preamble"].in(l), "", "L", false)
			pdf.Ln(2)
			if v.Partial {
				notice(pdf, words["partial"].in(l))
			}
		}
		if c.Intro != "" {
			pdf.MultiCell(0, 5, c.Intro, "", "L", false)
			pdf.Ln(2)
		}
		for _, na := range c.NotAvailable {
			notice(pdf, na)
		}
		for _, g := range c.Groups {
			heading(pdf, g.Title, 12)
			if g.Chart != nil {
				drawChart(pdf, g.Chart)
			}
			rows := make([][]string, len(g.Rows))
			for i, r := range g.Rows {
				rows[i] = []string{r.Label, fmt.Sprint(r.Fig.Value), r.Fig.Requirement}
			}
			table(pdf, []string{words["figure"].in(l), words["value"].in(l), words["requirement"].in(l)}, []float64{110, 35, 29}, []string{"L", "R", "L"}, rows)
		}
		if len(c.Registers) > 0 {
			heading(pdf, words["registers"].in(l), 12)
			rows := make([][]string, len(c.Registers))
			for i, r := range c.Registers {
				rows[i] = []string{r.ID, r.Title, fmt.Sprint(r.Version), r.Status}
			}
			table(pdf, []string{"ID", words["title"].in(l), words["version"].in(l), words["status"].in(l)}, []float64{32, 87, 20, 35}, []string{"L", "L", "R", "L"}, rows)
		}
		if c.Num == "VI" {
			heading(pdf, words["checkpoint"].in(l), 12)
			pdf.SetFont(f, "", 8)
			pdf.MultiCell(0, 4, ev.Checkpoint, "1", "L", false)
			pdf.Ln(2)
			pdf.SetFont(f, "", 10)
			pdf.MultiCell(0, 5, words["verification"].in(l)+" : "+ev.Verification, "", "L", false)
		}
	}

	pdf.AddPage()
	heading(pdf, words["appendix_a"].in(l), 15)
	rows := make([][]string, len(ev.Figures))
	for i, fg := range ev.Figures {
		rows[i] = []string{fg.Key, fmt.Sprint(fg.Value), fg.Requirement, fg.Query}
	}
	table(pdf, []string{words["key"].in(l), words["value"].in(l), words["requirement"].in(l), words["query"].in(l)}, []float64{52, 20, 16, 86}, []string{"L", "R", "L", "L"}, rows)

	pdf.AddPage()
	heading(pdf, words["appendix_b"].in(l), 15)
	pdf.SetFont(f, "", 10)
	pdf.MultiCell(0, 5, words["how_verify"].in(l), "", "L", false)
	pdf.Ln(3)
	pdf.SetFont(f, "", 6.5)
	pdf.MultiCell(0, 3, v.Seal, "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "report: the PDF could not be produced: %v", err)
	}
	return buf.Bytes(), nil
}

func heading(pdf *fpdf.Fpdf, text string, size float64) {
	pdf.Ln(3)
	pdf.SetFont(letter.FontName, "", size)
	pdf.SetTextColor(0x2b, 0x6c, 0xb0)
	pdf.MultiCell(0, size*0.5, text, "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(1.5)
}

func notice(pdf *fpdf.Fpdf, text string) {
	pdf.SetFillColor(0xff, 0xfb, 0xea)
	pdf.SetFont(letter.FontName, "", 10)
	pdf.MultiCell(0, 5, text, "L", "L", true)
	pdf.Ln(2)
}

// table prints rows with a header; long cells wrap, rows keep together.
func table(pdf *fpdf.Fpdf, head []string, widths []float64, aligns []string, rows [][]string) {
	pdf.SetFont(letter.FontName, "", 8.5)
	pdf.SetFillColor(0xed, 0xf2, 0xf7)
	line := 4.2
	for i, h := range head {
		pdf.CellFormat(widths[i], line+1, h, "1", 0, "L", true, 0, "")
	}
	pdf.Ln(-1)
	for _, r := range rows {
		// Height of the row: the most wrapped cell.
		n := 1
		for i, c := range r {
			if k := len(pdf.SplitText(c, widths[i]-2)); k > n {
				n = k
			}
		}
		h := float64(n) * line
		_, pageH := pdf.GetPageSize()
		if pdf.GetY()+h > pageH-20 {
			pdf.AddPage()
		}
		x, y := pdf.GetX(), pdf.GetY()
		for i, c := range r {
			pdf.Rect(x, y, widths[i], h, "D")
			pdf.SetXY(x+1, y)
			if aligns[i] == "R" {
				pdf.CellFormat(widths[i]-2, line, c, "", 0, "R", false, 0, "")
			} else {
				pdf.MultiCell(widths[i]-2, line, strings.TrimSpace(c), "", "L", false)
			}
			x += widths[i]
			pdf.SetXY(x, y)
		}
		pdf.SetXY(pdfLeft, y+h)
	}
	pdf.Ln(3)
}

// drawChart draws c as the SVG does: labels right-aligned in the left
// column, bars scaled to the largest value, the value after each bar.
func drawChart(pdf *fpdf.Fpdf, c *chart) {
	labelW, valueW := 60.0, 20.0
	span := pdfWidth - labelW - valueW
	_, pageH := pdf.GetPageSize()
	if pdf.GetY()+float64(len(c.Bars))*(pdfBarH+1.5) > pageH-20 {
		pdf.AddPage()
	}
	pdf.SetFont(letter.FontName, "", 8)
	pdf.SetFillColor(0x2b, 0x6c, 0xb0)
	y := pdf.GetY()
	for _, b := range c.Bars {
		pdf.SetXY(pdfLeft, y)
		pdf.CellFormat(labelW-2, pdfBarH, b.Label, "", 0, "R", false, 0, "")
		w := c.width(b.Value, span)
		if w > 0 {
			pdf.Rect(pdfLeft+labelW, y, w, pdfBarH, "F")
		}
		pdf.SetXY(pdfLeft+labelW+w+1, y)
		pdf.CellFormat(valueW, pdfBarH, fmt.Sprint(b.Value), "", 0, "L", false, 0, "")
		y += pdfBarH + 1.5
	}
	pdf.SetXY(pdfLeft, y+2)
}
