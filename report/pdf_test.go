package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestPDFReport: the PDF verifies like the other formats, a changed byte
// is caught, and pdftotext reads the chapters and figures out of it (G4).
// With COUPOLE_REPORT_PNG set to a directory, its first pages are rendered
// there with pdftoppm (how docs/report/*.png were made).
func TestPDFReport(t *testing.T) {
	ctx := context.Background()
	w := MustSeedYear(t, sqltest.MustOpenSQLite(t), 8)
	w.clock.T = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	b := w.builder()
	b.Sources = append(b.Sources, w.db.RecordFigures())
	doc, err := b.Yearly(ctx, 2026, "fr")
	if err != nil {
		t.Fatal(err)
	}
	pdf := mustRender(t, doc, "pdf")
	if again := mustRender(t, doc, "pdf"); !bytes.Equal(pdf, again) {
		t.Fatal("the same report gave two different PDFs")
	}
	if _, err := report.Verify(pdf, w.verifier, bytes.NewReader(mustExport(t, w))); err != nil {
		t.Fatalf("verify pdf: %v", err)
	}
	i := bytes.Index(pdf, []byte("/Rect"))
	changed := bytes.Clone(pdf)
	if i < 0 {
		i = len(pdf) / 2
	}
	changed[i+1] ^= 1
	if _, err := report.Verify(changed, w.verifier, nil); err == nil {
		t.Error("a changed PDF verified")
	}

	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is needed (Debian poppler-utils): %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.pdf")
	os.WriteFile(path, pdf, 0o644)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	opened, _ := doc.Figure("interactions.opened")
	for _, want := range []string{"Rapport de confidentialité 2026", "Chapitre IV", "Chapitre VI – Traçabilité", "Interactions par canal",
		"Annexe A", "interactions.opened", "la source « governance » n'est pas encore branchée"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not find %q", want)
		}
	}
	if opened.Value != 8 || !strings.Contains(text, "interactions.opened") {
		t.Errorf("interactions.opened = %d", opened.Value)
	}
	if png := os.Getenv("COUPOLE_REPORT_PNG"); png != "" {
		if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "6", path, filepath.Join(png, "yearly-report-page")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
