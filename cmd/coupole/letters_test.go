package main

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/letter"
)

// `coupole letters batch` zips the day's letters with their manifest,
// traces the batch (count and manifest hash, no name) before writing it,
// and never overwrites a batch already made (issue 11, item 3).
func TestLettersBatchCommand(t *testing.T) {
	dir := t.TempDir()
	environ := map[string]string{"COUPOLE_DB": filepath.Join(dir, "c.db"), "COUPOLE_DATA_DIR": filepath.Join(dir, "data"), "USER": "ops"}
	if r := runCLI(t, environ, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	cfg := &Config{DataDir: environ["COUPOLE_DATA_DIR"]}
	if _, err := newLetterSpool(cfg, false, &coupole.FixedClock{}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("a spool without a sender outside --demo: %v", err)
	}
	spool, err := newLetterSpool(cfg, true, &coupole.FixedClock{T: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d-1", "d-2"} {
		m := outbound.Message{ID: id, Kind: coupole.DeliveryLetter, Item: "ean", Lang: coupole.Dutch, Name: "Jan Peeters",
			EAN: "541448820000123455", Address: coupole.Address{Street: "Kerkstraat", Number: "1", Postcode: "3000", Town: "Leuven"}}
		if _, err := spool.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}

	r := runCLI(t, environ, "", "letters", "batch", "--date", "2026-11-01")
	if r.code != 0 || !strings.Contains(r.stdout, "2 letter(s) of 2026-11-01") {
		t.Fatalf("letters batch: %+v", r)
	}
	zipPath := filepath.Join(cfg.letterSpoolDir(), "batches", "letters-2026-11-01.zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 3 || zr.File[0].Name != letter.ManifestName {
		t.Errorf("the ZIP holds %d files, first %q; want the manifest and 2 letters", len(zr.File), zr.File[0].Name)
	}
	zr.Close()
	b, err := letter.BuildBatch(cfg.letterSpoolDir(), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}

	q := runCLI(t, environ, "", "audit", "query", "--staff", "cli:ops")
	if q.code != 0 || !strings.Contains(q.stdout, "letters_batch") || !strings.Contains(q.stdout, "letters=2") ||
		!strings.Contains(q.stdout, "manifest_sha256="+b.ManifestSHA256()) {
		t.Errorf("the batch is not traced with its count and manifest hash: %+v", q)
	}
	if strings.Contains(q.stdout, "Peeters") || strings.Contains(q.stdout, "Kerkstraat") {
		t.Errorf("the trace carries the recipient: %s", q.stdout)
	}

	again := runCLI(t, environ, "", "letters", "batch", "--date", "2026-11-01")
	if again.code != 1 || !strings.Contains(again.stderr, "already exists") {
		t.Errorf("a second batch of the same day: %+v", again)
	}
	if r := runCLI(t, environ, "", "letters", "batch", "--date", "1 November"); r.code != 2 {
		t.Errorf("bad date: %+v", r)
	}
	if _, err := os.Stat(zipPath); err != nil {
		t.Fatal(err)
	}
}

func TestSenderAddressSetting(t *testing.T) {
	for v, want := range map[string]coupole.Address{
		"Avenue Jean Mermoz 14, 6041 Gosselies": {Street: "Avenue Jean Mermoz", Number: "14", Postcode: "6041", Town: "Gosselies"},
		"Rue de l'Église 2 bte 5, 4000 Liège":   {Street: "Rue de l'Église", Number: "2", Box: "5", Postcode: "4000", Town: "Liège"},
		"Markt 1, 9000 Gent":                    {Street: "Markt", Number: "1", Postcode: "9000", Town: "Gent"},
	} {
		var got coupole.Address
		if err := setSenderAddress(&got, v); err != nil || got != want {
			t.Errorf("%q: %+v, %v", v, got, err)
		}
	}
	for _, v := range []string{"Avenue Jean Mermoz 14 6041 Gosselies", "14, 6041", "Markt 1, 0900 Gent"} {
		var got coupole.Address
		if err := setSenderAddress(&got, v); err == nil {
			t.Errorf("%q accepted as %+v", v, got)
		}
	}
	r := runCLI(t, nil, "", "letters", "batch", "--letter-spool", t.TempDir(), "--date", "2026-11-01", "--db", filepath.Join(t.TempDir(), "none.db"))
	if r.code == 0 {
		t.Errorf("a batch without a database: %+v", r)
	}
}
