package letter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// Spool is the letter provider: it prints each letter into a directory,
// one sub-directory per day (YYYY-MM-DD, the day it was printed), where the
// daily batch picks them up for the mail house.
//
// A letter's file is named after a hash of the delivery id, so the same
// message sent twice (a retry after a crash) finds its letter already
// printed and prints nothing: one letter per delivery. File names hold no
// personal data.
type Spool struct {
	dir    string
	sender Sender
	clock  coupole.Clock
}

// NewSpool opens (and creates) the spool directory dir. Letters are signed
// by sender and dated by clock.
func NewSpool(dir string, sender Sender, clock coupole.Clock) (*Spool, error) {
	if err := sender.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: the directory cannot be created")
	}
	return &Spool{dir: dir, sender: sender, clock: clock}, nil
}

// Dir is the spool directory.
func (s *Spool) Dir() string { return s.dir }

// Meta is what the spool keeps beside each PDF for the batch: what the mail
// house needs to print, sort and reconcile, and no name.
type Meta struct {
	File      string    `json:"file"`
	Reference string    `json:"reference"`
	Pages     int       `json:"pages"`
	SHA256    string    `json:"sha256"`
	Postcode  string    `json:"postcode"`
	Printed   time.Time `json:"printed"`
}

// fileName is the letter's file name for delivery id: 32 hexadecimal digits
// of its SHA-256.
func fileName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:16])
}

// Send prints m into today's directory unless a letter for m.ID is already
// spooled, and returns the letter's path in the spool ("2026-12-04/…pdf")
// as the provider id. It implements outbound.Provider.
func (s *Spool) Send(ctx context.Context, m outbound.Message) (outbound.Receipt, error) {
	if m.ID == "" {
		return outbound.Receipt{}, outbound.Permanent(coupole.Errorf(coupole.EINVALID, "letter: the message has no id"))
	}
	if m.Kind != "" && m.Kind != coupole.DeliveryLetter {
		return outbound.Receipt{}, outbound.Permanent(coupole.Errorf(coupole.EINVALID, "letter: a %s message is not a letter", m.Kind))
	}
	name := fileName(m.ID)
	if rel, ok, err := s.find(name); err != nil || ok {
		return outbound.Receipt{ProviderID: rel}, err
	}
	now := s.clock.Now()
	r, err := Render(m, s.sender, now)
	if err != nil {
		return outbound.Receipt{}, err
	}
	day := now.UTC().Format(time.DateOnly)
	dayDir := filepath.Join(s.dir, day)
	if err := os.MkdirAll(dayDir, 0o700); err != nil {
		return outbound.Receipt{}, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: the day's directory cannot be created")
	}
	sum := sha256.Sum256(r.PDF)
	meta, err := json.Marshal(Meta{File: name + ".pdf", Reference: r.Reference, Pages: r.Pages, SHA256: hex.EncodeToString(sum[:]),
		Postcode: m.Address.Postcode, Printed: now.UTC()})
	if err != nil {
		return outbound.Receipt{}, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: the letter's record cannot be encoded")
	}
	// The record first, then the PDF: the PDF is what marks the letter
	// spooled, and each appears whole or not at all (written aside, then
	// linked into place; a link fails if another sender was first).
	if err := place(dayDir, name+".json", meta); err != nil {
		return outbound.Receipt{}, err
	}
	if err := place(dayDir, name+".pdf", r.PDF); err != nil {
		return outbound.Receipt{}, err
	}
	return outbound.Receipt{ProviderID: day + "/" + name + ".pdf"}, nil
}

// find looks for the letter named name in every day's directory.
func (s *Spool) find(name string) (string, bool, error) {
	matches, err := filepath.Glob(filepath.Join(s.dir, "????-??-??", name+".pdf"))
	if err != nil {
		return "", false, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot be searched")
	}
	if len(matches) == 0 {
		return "", false, nil
	}
	rel, err := filepath.Rel(s.dir, matches[0])
	if err != nil {
		return "", false, coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot be searched")
	}
	return filepath.ToSlash(rel), true, nil
}

// place writes data to dir/name atomically: to a temporary file, synced,
// then linked to its name. An existing file is left as it is (the same
// letter, printed by a concurrent attempt).
func place(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot write")
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot write")
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot write")
	}
	if err := tmp.Close(); err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot write")
	}
	if err := os.Link(tmp.Name(), filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrExist) {
		return coupole.Wrap(err, coupole.EINTERNAL, "letter spool: cannot write")
	}
	if d, err := os.Open(dir); err == nil { // the new name durable too
		d.Sync()
		d.Close()
	}
	return nil
}
