// Package letter prints nominative letters (D2, D4) as A4 PDF pages for a
// window envelope, spools them on disk, one file per delivery, and batches
// a day's letters for the mail house (docs/letters.md).
package letter

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// The page, in millimetres from the sheet's top-left corner. The address
// block sits where the window of a right-window DL (110 × 220 mm) or C5/6
// (114 × 229 mm) envelope shows it once the A4 sheet is folded in three
// (folds at 99 and 198 mm), within the limits of bpost's MassPost guide
// (section 1, "Addressing and franking") and its page on the placement of
// the address: nothing but the address in the window, at least 40 mm free
// from the top edge of the envelope (franking and cancelling zone), at
// least 30 mm free below the window, at least 15 mm free to the right of
// the address, an address zone at most 125 × 100 mm and ideally 40 mm
// tall. docs/letters.md draws it.
const (
	pageWidth  = 210.0
	pageHeight = 297.0
	marginLeft = 20.0

	// AddressLeft, AddressTop, AddressWidth and AddressHeight are the
	// address window's zone on the sheet: 110–195 mm across (15 mm free
	// to the right edge), 45–80 mm down (34 mm free under it on the
	// 114 mm tall C5/6, 30 mm on the DL).
	AddressLeft   = 110.0
	AddressTop    = 45.0
	AddressWidth  = 85.0
	AddressHeight = 35.0

	foldFirst  = 99.0 // the two folds of a letter folded in three
	foldSecond = 198.0
)

// Sender is the operator who signs the letters, from configuration.
type Sender struct {
	Name    string          // the grid operator's name, e.g. "ORES"
	Service string          // the signing service, e.g. "Service clientèle"
	Address coupole.Address // printed top left, out of the window
	Contact string          // one line: phone number, website
}

// Validate checks that a letter can carry the sender.
func (s Sender) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return coupole.Errorf(coupole.EINVALID, "letter sender: a name is required")
	}
	if err := s.Address.Validate(); err != nil {
		return coupole.Errorf(coupole.EINVALID, "letter sender: %s", coupole.ErrorMessage(err))
	}
	return nil
}

//go:embed fonts/DejaVuSans-subset.ttf
var dejaVuSans []byte

// font is the embedded Unicode TrueType font. fpdf's core fonts (Helvetica
// and friends) only print cp1252: "Dvořák" or "Łukasz" would come out as
// question marks or wrong letters. DejaVu Sans covers Latin, Greek and
// Cyrillic, and fpdf embeds only the glyphs a letter uses.
const font = "DejaVuSans"

// Rendered is one letter ready for the spool.
type Rendered struct {
	PDF       []byte
	Pages     int
	Reference string
}

// ReferenceOf is the reference a letter carries: the delivery's own
// reference when it has one, otherwise one derived from its id, short
// enough to read out on the phone ("L-" and ten hexadecimal digits).
func ReferenceOf(m outbound.Message) string {
	if r := strings.TrimSpace(m.Reference); r != "" {
		return r
	}
	sum := sha256.Sum256([]byte(m.ID))
	return "L-" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// Render prints m as a one-page A4 letter dated date. A letter that cannot
// be printed right (no address, a character the font lacks, no EAN for an
// EAN letter) is a permanent error: no retry will cure it, the back office
// must look at it.
func Render(m outbound.Message, from Sender, date time.Time) (Rendered, error) {
	if err := check(m); err != nil {
		return Rendered{}, outbound.Permanent(err)
	}
	w := wordingFor(m.Lang)
	ref := ReferenceOf(m)

	pdf := NewDocument(date, from.Name+" "+ref) // the same letter gives the same bytes
	pdf.SetMargins(marginLeft, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()

	// Fold marks in the left margin: the mail house's folding machine
	// and a person folding by hand both need them.
	pdf.SetLineWidth(0.2)
	pdf.Line(4, foldFirst, 9, foldFirst)
	pdf.Line(4, foldSecond, 9, foldSecond)

	// The sender, top left, smaller than the recipient and outside the
	// window (bpost: nothing in the window may look like an address).
	pdf.SetFont(font, "", 9)
	pdf.SetXY(marginLeft, 15)
	for _, l := range senderLines(from) {
		pdf.CellFormat(80, 4, l, "", 2, "L", false, 0, "")
	}

	// The recipient, in the window.
	pdf.SetFont(font, "", 11)
	lines := addressLines(m.Name, m.Address)
	pdf.SetXY(AddressLeft, AddressTop+2)
	for _, l := range lines {
		pdf.SetX(AddressLeft)
		pdf.CellFormat(AddressWidth, 5, l, "", 2, "L", false, 0, "")
	}

	// Date and reference, under the window.
	pdf.SetFont(font, "", 10)
	pdf.SetXY(marginLeft, 92)
	place := from.Address.Town
	dateLine := w.formatDate(date)
	if place != "" {
		dateLine = place + ", " + dateLine
	}
	pdf.CellFormat(0, 5, dateLine, "", 2, "R", false, 0, "")
	pdf.CellFormat(0, 5, w.reference+" "+ref, "", 2, "L", false, 0, "")

	// Subject and body.
	subject, body := w.subjectTxt, m.Text
	switch {
	case m.Item == "ean":
		subject, body = w.subjectEAN, w.bodyEAN
	case m.Item == "supplier":
		subject, body = w.subjectSup, w.bodySup
	}
	pdf.Ln(6)
	pdf.SetFont(font, "", 12)
	pdf.CellFormat(0, 6, subject, "", 2, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont(font, "", 10.5)
	pdf.MultiCell(0, 5, w.salutation, "", "L", false)
	pdf.Ln(2)
	pdf.MultiCell(0, 5, body, "", "L", false)
	pdf.Ln(4)

	// The facts, set apart so they can be copied without error.
	if m.Item == "ean" || m.Item == "supplier" {
		pdf.SetX(marginLeft + 10)
		pdf.CellFormat(40, 6, w.labelAddr, "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 6, m.Address.String(), "", 1, "L", false, 0, "")
		if m.EAN != "" {
			pdf.SetX(marginLeft + 10)
			pdf.CellFormat(40, 6, w.labelEAN, "", 0, "L", false, 0, "")
			pdf.SetFont(font, "", 12)
			pdf.CellFormat(0, 6, m.EAN.Grouped(), "", 1, "L", false, 0, "")
			pdf.SetFont(font, "", 10.5)
		}
		if m.Item == "supplier" {
			pdf.SetX(marginLeft + 10)
			pdf.CellFormat(40, 6, w.labelSup, "", 0, "L", false, 0, "")
			pdf.CellFormat(0, 6, m.Supplier, "", 1, "L", false, 0, "")
		}
		pdf.Ln(4)
	}

	pdf.MultiCell(0, 5, w.closing, "", "L", false)
	pdf.Ln(8)
	if from.Service != "" {
		pdf.MultiCell(0, 5, from.Service, "", "L", false)
	}
	pdf.MultiCell(0, 5, from.Name, "", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return Rendered{}, coupole.Wrap(err, coupole.EINTERNAL, "letter: the PDF could not be produced")
	}
	return Rendered{PDF: buf.Bytes(), Pages: pdf.PageCount(), Reference: ref}, nil
}

func senderLines(s Sender) []string {
	ls := []string{s.Name}
	if s.Service != "" {
		ls = append(ls, s.Service)
	}
	ls = append(ls, streetLine(s.Address), s.Address.Postcode+" "+s.Address.Town)
	if s.Contact != "" {
		ls = append(ls, s.Contact)
	}
	return ls
}

// addressLines is the recipient's block as bpost reads it: name, street
// and number (and box), postcode and town.
func addressLines(name string, a coupole.Address) []string {
	return []string{name, streetLine(a), a.Postcode + " " + strings.ToUpper(a.Town)}
}

func streetLine(a coupole.Address) string {
	s := a.Street + " " + a.Number
	if a.Box != "" {
		s += " bte " + a.Box
	}
	return s
}

// check refuses what would print wrong. The messages name the field, never
// its value (personal data stays out of errors and logs).
func check(m outbound.Message) error {
	if strings.TrimSpace(m.Name) == "" {
		return coupole.Errorf(coupole.EINVALID, "letter: the recipient's name is missing")
	}
	if err := m.Address.Validate(); err != nil {
		return coupole.Errorf(coupole.EINVALID, "letter: the recipient's address is incomplete")
	}
	switch m.Item {
	case "ean":
		if _, err := coupole.ParseEAN(string(m.EAN)); err != nil {
			return coupole.Errorf(coupole.EINVALID, "letter: the EAN is not valid")
		}
	case "supplier":
		if strings.TrimSpace(m.Supplier) == "" {
			return coupole.Errorf(coupole.EINVALID, "letter: the supplier's name is missing")
		}
	default:
		if strings.TrimSpace(m.Text) == "" {
			return coupole.Errorf(coupole.EINVALID, "letter: the text is missing")
		}
	}
	for field, s := range map[string]string{
		"name": m.Name, "street": m.Address.Street, "number": m.Address.Number, "box": m.Address.Box,
		"town": m.Address.Town, "supplier": m.Supplier, "text": m.Text,
	} {
		if !printable(s) {
			return coupole.Errorf(coupole.EINVALID, "letter: the %s holds a character the letter font cannot print", field)
		}
	}
	return nil
}

// printable reports whether every character of s is one the embedded font
// prints: the Latin scripts (Basic Latin to Latin Extended-B, Latin
// Extended Additional), the combining accents, Greek and Cyrillic, the
// general punctuation, and line breaks in a text. A name in another script
// goes to the back office rather than out as empty boxes.
func printable(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n':
		case unicode.IsControl(r):
			return false
		case r < 0x0250, // Basic Latin to Latin Extended-B
			r >= 0x0300 && r < 0x0370, // combining diacritical marks
			r >= 0x0370 && r < 0x0530, // Greek, Cyrillic
			r >= 0x1E00 && r < 0x1F00, // Latin Extended Additional
			r >= 0x2000 && r < 0x2070, // general punctuation
			r == 0x20AC:               // euro sign
		default:
			return false
		}
	}
	return true
}
