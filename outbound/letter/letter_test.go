package letter_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/letter"
)

var (
	day    = time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	sender = letter.Sender{Name: "Réseau Wallon d'Énergie", Service: "Service clientèle",
		Address: coupole.Address{Street: "Avenue Jean Mermoz", Number: "14", Postcode: "6041", Town: "Gosselies"},
		Contact: "078 15 78 01 · www.example.be"}
)

// message is a letter with the EAN of a customer living at Liège.
func message(id string) outbound.Message {
	return outbound.Message{ID: id, Kind: coupole.DeliveryLetter, Item: "ean", Lang: coupole.French, CreatedAt: day,
		Name: "Zoë Dvořák-Łukasiewicz", EAN: "541448820000123455",
		Address: coupole.Address{Street: "Rue de l'Église", Number: "12", Box: "3", Postcode: "4000", Town: "Liège"}}
}

// pdftotext returns the path of poppler's pdftotext: COUPOLE_TEST_PDFTOTEXT
// when set (CI: then a missing binary fails the test), otherwise the one
// on PATH, skipping the test when there is none.
func pdftotext(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("COUPOLE_TEST_PDFTOTEXT"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("COUPOLE_TEST_PDFTOTEXT=%s: %v", p, err)
		}
		return p
	}
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Skip("pdftotext (poppler-utils) is not installed; set COUPOLE_TEST_PDFTOTEXT to require it")
	}
	return p
}

// MustText extracts the text of a PDF with pdftotext; extra arguments go
// before the file names (-bbox, -layout).
func MustText(tb testing.TB, pdf []byte, args ...string) string {
	tb.Helper()
	bin := pdftotext(tb)
	in := filepath.Join(tb.TempDir(), "letter.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, "-enc", "UTF-8", in, "-")...).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

func MustRender(tb testing.TB, m outbound.Message) letter.Rendered {
	tb.Helper()
	r, err := letter.Render(m, sender, day)
	if err != nil {
		tb.Fatalf("Render: %v", err)
	}
	return r
}

// D4, D2: the letter holds the name, the installation address and the EAN
// grouped as on invoices (or the supplier), in the customer's language.
func TestRenderHoldsRecipientAndFactsInFourLanguages(t *testing.T) {
	for _, tc := range []struct {
		lang  coupole.Language
		item  string
		words []string
	}{
		{coupole.French, "ean", []string{"Votre code EAN", "Madame, Monsieur,", "4 décembre 2026", "salutations", "Code EAN"}},
		{coupole.Dutch, "ean", []string{"Uw EAN-code", "Geachte mevrouw", "4 december 2026", "Met vriendelijke groeten"}},
		{coupole.German, "ean", []string{"Ihr EAN-Code", "Sehr geehrte Damen und Herren", "4. Dezember 2026", "Mit freundlichen Grüßen"}},
		{coupole.English, "ean", []string{"Your EAN code", "Dear Sir or Madam", "4 December 2026", "Yours faithfully"}},
		{coupole.French, "supplier", []string{"Votre fournisseur d'énergie", "Fournisseur", "Énergie Verte SA"}},
		{coupole.German, "supplier", []string{"Ihr Energielieferant", "Lieferant", "Énergie Verte SA"}},
	} {
		t.Run(string(tc.lang)+"-"+tc.item, func(t *testing.T) {
			m := message("d-1")
			m.Lang, m.Item = tc.lang, tc.item
			if tc.item == "supplier" {
				m.EAN, m.Supplier = "", "Énergie Verte SA"
			}
			text := MustText(t, MustRender(t, m).PDF)
			want := append([]string{"Zoë Dvořák-Łukasiewicz", "Rue de l'Église 12 bte 3", "4000 LIÈGE", "Gosselies", letter.ReferenceOf(m)}, tc.words...)
			if tc.item == "ean" {
				want = append(want, "5414 4882 0000 1234 55")
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("the letter lacks %q; text:\n%s", w, text)
				}
			}
			if tc.item == "supplier" && strings.Contains(text, "5414") {
				t.Errorf("a supplier letter carries an EAN:\n%s", text)
			}
		})
	}
}

// A name outside cp1252 (ř, Ł, ő, Cyrillic) prints as itself, not as
// question marks; one the font cannot print is refused as permanent, never
// printed as empty boxes.
func TestRenderNamesBeyondCP1252(t *testing.T) {
	for _, name := range []string{"Zoë Dvořák-Łukasiewicz", "Ödön Erdős", "Ştefan Ţiriac", "Дмитрий Шостакович", "Jürgen Weiß"} {
		m := message("d-2")
		m.Name = name
		if text := MustText(t, MustRender(t, m).PDF); !strings.Contains(text, name) {
			t.Errorf("%q is not printed as itself:\n%s", name, text)
		}
	}
	for _, name := range []string{"李小龍", "Ali \U0001F600", "Bad\x07Bell"} {
		m := message("d-3")
		m.Name = name
		_, err := letter.Render(m, sender, day)
		if err == nil || !outbound.IsPermanent(err) {
			t.Errorf("name %q: err = %v, want a permanent error", name, err)
		}
		if err != nil && strings.Contains(err.Error(), name) {
			t.Errorf("the error carries the name: %v", err)
		}
	}
}

func TestRenderRefusesIncompleteLetters(t *testing.T) {
	for name, edit := range map[string]func(*outbound.Message){
		"no name":      func(m *outbound.Message) { m.Name = " " },
		"no postcode":  func(m *outbound.Message) { m.Address.Postcode = "" },
		"bad EAN":      func(m *outbound.Message) { m.EAN = "541448820000123456" },
		"no supplier":  func(m *outbound.Message) { m.Item = "supplier" },
		"answer empty": func(m *outbound.Message) { m.Item = "case_answer" },
	} {
		m := message("d-4")
		edit(&m)
		if _, err := letter.Render(m, sender, day); !outbound.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent error", name, err)
		}
	}
}

// bboxDoc is pdftotext -bbox's XHTML output.
type bboxDoc struct {
	Pages []struct {
		Width  float64 `xml:"width,attr"`
		Height float64 `xml:"height,attr"`
		Words  []struct {
			XMin float64 `xml:"xMin,attr"`
			YMin float64 `xml:"yMin,attr"`
			XMax float64 `xml:"xMax,attr"`
			YMax float64 `xml:"yMax,attr"`
			Text string  `xml:",chardata"`
		} `xml:"word"`
	} `xml:"body>doc>page"`
}

// The recipient's block lies inside the window zone and nothing else does:
// bpost reads only the address through the window (docs/letters.md).
func TestAddressBlockInTheEnvelopeWindow(t *testing.T) {
	out := MustText(t, MustRender(t, message("d-5")).PDF, "-bbox")
	var doc bboxDoc
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	if len(doc.Pages) != 1 {
		t.Fatalf("%d pages, want 1", len(doc.Pages))
	}
	p := doc.Pages[0]
	if p.Width < 594 || p.Width > 596 || p.Height < 841 || p.Height > 843 {
		t.Fatalf("page %.1f × %.1f pt, want A4 (595 × 842)", p.Width, p.Height)
	}
	const mm = 72 / 25.4
	left, top := letter.AddressLeft*mm, letter.AddressTop*mm
	right, bottom := (letter.AddressLeft+letter.AddressWidth)*mm, (letter.AddressTop+letter.AddressHeight)*mm
	addressWords := map[string]bool{"Zoë": true, "Dvořák-Łukasiewicz": true, "Rue": true, "de": true, "l'Église": true, "12": true, "bte": true, "3": true, "4000": true, "LIÈGE": true}
	seen := 0
	for _, w := range p.Words {
		inside := w.XMin >= left && w.XMax <= right && w.YMin >= top && w.YMax <= bottom
		overlaps := w.XMax > left && w.XMin < right && w.YMax > top && w.YMin < bottom
		if inside && addressWords[w.Text] {
			seen++
		} else if overlaps {
			t.Errorf("%q at (%.0f, %.0f) pt shows through the window", w.Text, w.XMin, w.YMin)
		}
	}
	if seen != len(addressWords) {
		t.Errorf("%d of the %d address words in the window", seen, len(addressWords))
	}
}

func MustSpool(tb testing.TB, dir string, clock coupole.Clock) *letter.Spool {
	tb.Helper()
	s, err := letter.NewSpool(dir, sender, clock)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The same message sent twice, even on another day (a retry after a crash
// at midnight), is printed once and gives the same provider id.
func TestSpoolSendIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	clock := &coupole.FixedClock{T: day}
	s := MustSpool(t, dir, clock)
	ctx := context.Background()
	first, err := s.Send(ctx, message("delivery-42"))
	if err != nil {
		t.Fatal(err)
	}
	clock.T = day.Add(24 * time.Hour)
	again, err := s.Send(ctx, message("delivery-42"))
	if err != nil {
		t.Fatal(err)
	}
	if first.ProviderID == "" || again.ProviderID != first.ProviderID {
		t.Fatalf("provider ids %q then %q, want the same", first.ProviderID, again.ProviderID)
	}
	other, err := s.Send(ctx, message("delivery-43"))
	if err != nil {
		t.Fatal(err)
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*", "*.pdf"))
	if len(pdfs) != 2 || other.ProviderID == first.ProviderID {
		t.Fatalf("%d letters spooled (%v), want 2", len(pdfs), pdfs)
	}
	if !strings.HasPrefix(first.ProviderID, "2026-12-04/") || !strings.HasPrefix(other.ProviderID, "2026-12-05/") {
		t.Errorf("provider ids %q, %q: want the day of printing", first.ProviderID, other.ProviderID)
	}
	for _, p := range pdfs { // file names hold no personal data
		if strings.Contains(p, "delivery") || strings.Contains(p, "Zo") {
			t.Errorf("file name %s reveals the message", p)
		}
	}
	if _, err := s.Send(ctx, outbound.Message{ID: "x", Kind: coupole.DeliverySMS}); !outbound.IsPermanent(err) {
		t.Errorf("an SMS sent to the letter spool: err = %v, want permanent", err)
	}
}

// The day's batch: a ZIP holding the manifest and each PDF, the manifest in
// postcode order with each PDF's page count and hash, and no name.
func TestBatchZipAndManifest(t *testing.T) {
	dir := t.TempDir()
	s := MustSpool(t, dir, &coupole.FixedClock{T: day})
	ctx := context.Background()
	for i, pc := range []string{"7000", "1000", "4000"} {
		m := message("d-batch-" + strconv.Itoa(i))
		m.Address.Postcode = pc
		if _, err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	other := MustSpool(t, dir, &coupole.FixedClock{T: day.Add(-24 * time.Hour)})
	if _, err := other.Send(ctx, message("d-yesterday")); err != nil {
		t.Fatal(err)
	}

	b, err := s.BuildBatch(day)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.ZIP), int64(len(b.ZIP)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = data
	}
	if len(files) != 4 {
		t.Fatalf("%d files in the ZIP, want the manifest and 3 letters", len(files))
	}
	man := files[letter.ManifestName]
	if !bytes.Equal(man, b.Manifest) {
		t.Fatal("the manifest in the ZIP differs from the one traced")
	}
	if bytes.Contains(man, []byte("Zo")) || bytes.Contains(man, []byte("Rue")) || bytes.Contains(man, []byte("5414")) {
		t.Errorf("the manifest carries personal data:\n%s", man)
	}
	rows, err := csv.NewReader(bytes.NewReader(man)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "sequence,file,reference,pages,sha256,postcode" || len(rows) != 4 {
		t.Fatalf("manifest:\n%s", man)
	}
	for i, want := range []string{"1000", "4000", "7000"} {
		r := rows[i+1]
		sum := sha256.Sum256(files[r[1]])
		if r[5] != want || r[3] != "1" || r[4] != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest row %d = %v (want postcode %s, 1 page, the PDF's hash)", i+1, r, want)
		}
	}
	sum := sha256.Sum256(man)
	if b.ManifestSHA256() != hex.EncodeToString(sum[:]) {
		t.Error("ManifestSHA256 is not the manifest's hash")
	}

	// A PDF changed after printing stops the batch.
	if err := os.WriteFile(filepath.Join(dir, "2026-12-04", rows[1][1]), []byte("%PDF-forged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BuildBatch(day); coupole.ErrorCode(err) != coupole.ECONFLICT {
		t.Errorf("batch over a changed PDF: err = %v, want a conflict", err)
	}
	// A day without letters: an empty manifest, no error.
	empty, err := s.BuildBatch(day.Add(48 * time.Hour))
	if err != nil || len(empty.Letters) != 0 {
		t.Errorf("empty day: %d letters, err %v", len(empty.Letters), err)
	}
}

// Two attempts at the same delivery at once (a worker and a retry that
// overlapped) leave one letter and agree on its provider id.
func TestSpoolConcurrentSendsOfOneMessage(t *testing.T) {
	dir := t.TempDir()
	s := MustSpool(t, dir, &coupole.FixedClock{T: day})
	ids := make(chan string, 8)
	for range 8 {
		go func() {
			r, err := s.Send(context.Background(), message("delivery-concurrent"))
			if err != nil {
				t.Error(err)
			}
			ids <- r.ProviderID
		}()
	}
	first := <-ids
	for range 7 {
		if id := <-ids; id != first {
			t.Errorf("provider ids %q and %q for one message", first, id)
		}
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*", "*.pdf"))
	metas, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(pdfs) != 1 || len(metas) != 1 {
		t.Errorf("%d PDFs and %d records for one message", len(pdfs), len(metas))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
