package letter

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/coupole/coupole"
)

// Batch is a day's letters for the mail house: a ZIP of the PDFs and a
// manifest.
type Batch struct {
	Day      string // YYYY-MM-DD
	Letters  []Meta // sorted by postcode, then reference: the mail house's sorting order
	Manifest []byte // manifest.csv, as it is in the ZIP
	ZIP      []byte
}

// ManifestSHA256 is the hexadecimal SHA-256 of the manifest, traced with
// the batch: the manifest names each PDF's hash, so this one hash commits
// to the whole batch.
func (b Batch) ManifestSHA256() string {
	sum := sha256.Sum256(b.Manifest)
	return hex.EncodeToString(sum[:])
}

// ManifestName is the manifest's name in the ZIP.
const ManifestName = "manifest.csv"

// BuildBatch collects the letters spooled on day.
func (s *Spool) BuildBatch(day time.Time) (Batch, error) { return BuildBatch(s.dir, day) }

// BuildBatch collects the letters spooled in dir on day. Each PDF is
// checked against the hash recorded when it was printed: a changed file
// stops the batch. A day without letters gives a batch with an empty
// manifest.
func BuildBatch(dir string, day time.Time) (Batch, error) {
	d := day.UTC().Format(time.DateOnly)
	b := Batch{Day: d}
	dayDir := filepath.Join(dir, d)
	metas, err := filepath.Glob(filepath.Join(dayDir, "*.json"))
	if err != nil {
		return b, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot be searched")
	}
	pdfs := map[string][]byte{}
	for _, p := range metas {
		raw, err := os.ReadFile(p)
		if err != nil {
			return b, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: a letter's record cannot be read")
		}
		var m Meta
		if err := json.Unmarshal(raw, &m); err != nil {
			return b, coupole.Errorf(coupole.EINTERNAL, "letter spool: the record %s is damaged", filepath.Base(p))
		}
		pdf, err := os.ReadFile(filepath.Join(dayDir, m.File))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a record whose PDF was never placed: the send failed and will be retried
		}
		if err != nil {
			return b, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: a letter cannot be read")
		}
		sum := sha256.Sum256(pdf)
		if hex.EncodeToString(sum[:]) != m.SHA256 {
			return b, coupole.Errorf(coupole.ECONFLICT, "letter spool: %s/%s changed after it was printed", d, m.File)
		}
		pdfs[m.File] = pdf
		b.Letters = append(b.Letters, m)
	}
	sort.Slice(b.Letters, func(i, j int) bool {
		if b.Letters[i].Postcode != b.Letters[j].Postcode {
			return b.Letters[i].Postcode < b.Letters[j].Postcode
		}
		return b.Letters[i].Reference < b.Letters[j].Reference
	})

	var man bytes.Buffer
	cw := csv.NewWriter(&man)
	cw.Write([]string{"sequence", "file", "reference", "pages", "sha256", "postcode"})
	for i, m := range b.Letters {
		cw.Write([]string{strconv.Itoa(i + 1), m.File, m.Reference, strconv.Itoa(m.Pages), m.SHA256, m.Postcode})
	}
	cw.Flush()
	b.Manifest = man.Bytes()

	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	add := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: day.UTC()})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add(ManifestName, b.Manifest); err != nil {
		return b, coupole.Wrap(err, coupole.EINTERNAL, "letter batch: the ZIP cannot be written")
	}
	for _, m := range b.Letters {
		if err := add(m.File, pdfs[m.File]); err != nil {
			return b, coupole.Wrap(err, coupole.EINTERNAL, "letter batch: the ZIP cannot be written")
		}
	}
	if err := zw.Close(); err != nil {
		return b, coupole.Wrap(err, coupole.EINTERNAL, "letter batch: the ZIP cannot be written")
	}
	b.ZIP = z.Bytes()
	return b, nil
}
