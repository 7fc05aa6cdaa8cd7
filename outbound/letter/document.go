package letter

import (
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// FontName is the embedded Unicode font (DejaVu Sans) of documents started
// with NewDocument.
const FontName = font

// NewDocument starts an A4 portrait PDF set up as Coupole's letters are:
// the embedded DejaVu Sans font registered as FontName, no compression,
// creation and modification dates set to date and a sorted catalogue, so
// that the same content always gives the same bytes. The yearly report and
// the art. 15 letter (package report) print with it too.
func NewDocument(date time.Time, title string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(false)
	pdf.SetCreator("Coupole", false)
	pdf.SetTitle(title, true)
	pdf.AddUTF8FontFromBytes(font, "", dejaVuSans)
	return pdf
}
