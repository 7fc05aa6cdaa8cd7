package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound/letter"
	"github.com/coupole/coupole/sqlstore"
)

// letterCommands are the mail house's commands (issue 11, docs/letters.md).
var letterCommands = []command{
	{"batch", "make the ZIP of a day's letters and its manifest for the mail house", runLettersBatch},
}

func runLetters(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "letters", letterCommands, args)
}

// letterSpoolDir is where letters are printed: --letter-spool, or letters
// in the data directory.
func (c *Config) letterSpoolDir() string {
	if c.LetterSpool != "" {
		return c.LetterSpool
	}
	return filepath.Join(c.DataDir, "letters")
}

// letterSender is the operator as letters name it. Without a configured
// name and address, `serve --demo` signs with a made-up operator; anything
// else refuses, so that no letter leaves unsigned.
func (c *Config) letterSender(demo bool) (letter.Sender, error) {
	s := letter.Sender{Name: c.LetterSenderName, Address: c.LetterSenderAddress, Contact: c.LetterSenderContact}
	if s.Name == "" && s.Address == (coupole.Address{}) && demo {
		return letter.Sender{Name: "Coupole démo — gestionnaire de réseau fictif", Service: "Service clientèle",
			Address: coupole.Address{Street: "Rue de la Démonstration", Number: "1", Postcode: "5000", Town: "Namur"}}, nil
	}
	if err := s.Validate(); err != nil {
		return letter.Sender{}, coupole.Errorf(coupole.EINVALID, "--letter-sender-name and --letter-sender-address are required to print letters: %s", coupole.ErrorMessage(err))
	}
	return s, nil
}

// letterSettings are the settings the letter provider reads; commands that
// send letters (serve, deliver) register them with registerConfig.
var letterSettings = []string{"letter-spool", "letter-sender-name", "letter-sender-address", "letter-sender-contact"}

// newLetterSpool is the letter provider of cfg: the spool, signed by the
// configured sender (docs/letters.md).
func newLetterSpool(cfg *Config, demo bool, clock coupole.Clock) (*letter.Spool, error) {
	sender, err := cfg.letterSender(demo)
	if err != nil {
		return nil, err
	}
	return letter.NewSpool(cfg.letterSpoolDir(), sender, clock)
}

// setSenderAddress parses "Street Number[ bte Box], Postcode Town".
func setSenderAddress(dst *coupole.Address, v string) error {
	if strings.TrimSpace(v) == "" {
		*dst = coupole.Address{}
		return nil
	}
	bad := fmt.Errorf("must be Street Number, Postcode Town, like \"Avenue Jean Mermoz 14, 6041 Gosselies\"")
	i := strings.LastIndex(v, ",")
	if i < 0 {
		return bad
	}
	street, place := strings.Fields(v[:i]), strings.Fields(v[i+1:])
	if len(street) < 2 || len(place) < 2 {
		return bad
	}
	a := coupole.Address{Postcode: place[0], Town: strings.Join(place[1:], " ")}
	if n := len(street); n >= 4 && strings.EqualFold(street[n-2], "bte") {
		a.Box, street = street[n-1], street[:n-2]
	}
	a.Street, a.Number = strings.Join(street[:len(street)-1], " "), street[len(street)-1]
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%s", coupole.ErrorMessage(err))
	}
	*dst = a
	return nil
}

// runLettersBatch makes the day's ZIP for the mail house: the PDFs printed
// that day and manifest.csv. The batch is traced (how many letters, the
// manifest's hash, which commits to every PDF) before the ZIP is written:
// no batch leaves without its trace. An existing ZIP for the day is never
// overwritten, so the mail house cannot receive two different batches
// under one name.
func runLettersBatch(ctx context.Context, env *Env, args []string) error {
	flags := newFlagSet(env, "letters batch", "--date YYYY-MM-DD [--out FILE] [--letter-spool DIR] [--db DSN]")
	date := flags.String("date", "", "the day whose letters to batch (default: today, UTC)")
	out := flags.String("out", "", "the ZIP to write (default: batches/letters-DATE.zip in the spool)")
	load := registerConfig(flags, env.Getenv, "db", "data-dir", "letter-spool")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usagef("letters batch: unexpected argument %q", flags.Arg(0))
	}
	day := coupole.Date(env.Clock.Now())
	if *date != "" {
		d, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return usagef("letters batch: --date must be YYYY-MM-DD")
		}
		day = d
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	spool := cfg.letterSpoolDir()
	path := *out
	if path == "" {
		path = filepath.Join(spool, "batches", "letters-"+day.Format(time.DateOnly)+".zip")
	}
	if _, err := os.Stat(path); err == nil {
		return coupole.Errorf(coupole.ECONFLICT, "%s already exists: the day's batch was made; move it away to make it again", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return coupole.Wrap(err, coupole.EINTERNAL, "the batch file cannot be checked")
	}
	b, err := letter.BuildBatch(spool, day)
	if err != nil {
		return err
	}
	if err := traceLetterBatch(ctx, db, env, b); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "the batch directory cannot be created")
	}
	if err := writeNew(path, b.ZIP); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d letter(s) of %s, manifest sha256 %s\n", path, len(b.Letters), b.Day, b.ManifestSHA256())
	return nil
}

// traceLetterBatch writes the batch's audit event: no names, no addresses,
// only the day, the count and the manifest's hash.
func traceLetterBatch(ctx context.Context, db *sqlstore.DB, env *Env, b letter.Batch) error {
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: env.Clock, Logger: slog.New(slog.NewTextHandler(env.Stderr, nil))})
	if err != nil {
		return err
	}
	defer l.Close()
	_, err = l.Append(ctx, audit.Event{Actor: "cli:" + cliUser(env), Action: "letters_batch",
		Data: []string{"day=" + b.Day, "letters=" + strconv.Itoa(len(b.Letters)), "manifest_sha256=" + b.ManifestSHA256()}})
	return err
}

// writeNew writes data to path, which must not exist, whole or not at all.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".batch-*")
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "the batch cannot be written")
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, fs.ErrExist) {
		return coupole.Errorf(coupole.ECONFLICT, "%s already exists: the day's batch was made", path)
	}
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "the batch cannot be written")
	}
	return nil
}
