package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

var auditCommands = []command{
	{"export", "write a bundle of the whole log for an auditor", runAuditExport},
	{"verify", "verify a bundle (or the database) with the public key", runAuditVerify},
	{"checkpoint", "sign a checkpoint of the log now and print it", runAuditCheckpoint},
	{"prove", "print an inclusion or consistency proof", runAuditProve},
	{"query", "list events by customer, EAN, staff member, interaction or period", runAuditQuery},
	{"erase", "erase the personal data of events before a date; proofs stay valid", runAuditErase},
	{"verifier", "print the public verifier key", runAuditVerifier},
}

func runAudit(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "audit", auditCommands, args)
}

func openAuditDB(ctx context.Context, cfg *Config) (*sqlstore.DB, *sqlstore.AuditStore, error) {
	db, err := openCurrentDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return db, sqlstore.NewAuditStore(db), nil
}

// parseDay reads a date (2006-01-02, midnight UTC) or an RFC 3339 instant.
func parseDay(flagName, s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, coupole.Errorf(coupole.EINVALID, "--%s: %q is not a date (2006-01-02) nor an RFC 3339 time", flagName, s)
	}
	return t.UTC(), nil
}

func runAuditExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit export", "[-o FILE] [--checkpoints-since DATE] [--db DSN] [--data-dir DIR]")
	out := fs.String("o", "-", "bundle file to write (- for standard output)")
	since := fs.String("checkpoints-since", "", "leave out checkpoints signed before this date")
	load := registerConfig(fs, env.Getenv, "db", "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("audit export takes no arguments")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	var opts audit.ExportOptions
	if *since != "" {
		if opts.CheckpointsSince, err = parseDay("checkpoints-since", *since); err != nil {
			return err
		}
	}
	signer, err := audit.LoadSigner(cfg.DataDir)
	if err != nil {
		return err
	}
	db, store, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// Trace first: a bundle holds every payload kept, i.e. personal data.
	d := map[string]string{"to": "stdout"}
	if *out != "-" {
		d["to"] = filepath.Base(*out)
	}
	if !opts.CheckpointsSince.IsZero() {
		d["checkpoints_since"] = opts.CheckpointsSince.Format(time.RFC3339)
	}
	if err := traceCLI(ctx, env, db, coupole.StaffEvent{Type: coupole.StaffEventAuditExport, Actor: "cli:" + cliUser(env), Outcome: "ok", Details: d}); err != nil {
		return err
	}
	var rep audit.ExportReport
	if *out == "-" {
		rep, err = audit.Export(ctx, store, signer, env.Clock, env.Stdout, opts)
	} else {
		err = writeFileAtomic(*out, func(w io.Writer) error {
			var err error
			rep, err = audit.Export(ctx, store, signer, env.Clock, w, opts)
			return err
		})
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d events (%d payloads held, erased below %d) and %d checkpoints\n", rep.Leaves, rep.Payloads, rep.PayloadsFrom, rep.Checkpoints)
	return nil
}

// writeFileAtomic writes a file completely or not at all.
func writeFileAtomic(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return coupole.Wrap(err, coupole.EINVALID, "cannot write %s", path)
	}
	err = fn(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		if coupole.ErrorCode(err) == coupole.EINTERNAL {
			return coupole.Wrap(err, coupole.EUNAVAILABLE, "cannot write %s: %v", path, err)
		}
		return err
	}
	return nil
}

type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func runAuditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit verify", "(BUNDLE | --db DSN) --key VERIFIER [--checkpoint FILE]...")
	key := fs.String("key", "", "the operator's verifier key (name+hash+key), or a file holding it")
	var trustedFiles stringsFlag
	fs.Var(&trustedFiles, "checkpoint", "a signed checkpoint saved earlier: the log must extend it (repeatable)")
	dbFlag := fs.String("db", "", "verify this database instead of a bundle")
	var positional []string
	for { // flags may come before or after the bundle
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *key == "" {
		return usagef("audit verify needs --key")
	}
	if (len(positional) == 1) == (*dbFlag != "") || len(positional) > 1 {
		return usagef("audit verify takes one bundle file or --db, not both")
	}
	keyText := *key
	if !strings.Contains(keyText, "+") {
		b, err := os.ReadFile(keyText)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--key: %q is neither a verifier key nor a readable file", keyText)
		}
		keyText = string(b)
	}
	v, err := audit.ParseVerifier(keyText)
	if err != nil {
		return err
	}
	var trusted [][]byte
	for _, f := range trustedFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--checkpoint: cannot read %s", f)
		}
		trusted = append(trusted, b)
	}
	var rep verify.Report
	var what string
	if *dbFlag != "" {
		db, store, err := openAuditDB(ctx, &Config{DB: *dbFlag})
		if err != nil {
			return err
		}
		defer db.Close()
		what = db.Describe()
		if rep, err = audit.VerifyStore(ctx, store, v, trusted); err != nil {
			return coupole.Wrap(err, coupole.ECONFLICT, "VERIFICATION FAILED: %s", coupole.ErrorMessage(err))
		}
	} else {
		what = positional[0]
		f, err := os.Open(what)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "cannot open bundle %s", what)
		}
		defer f.Close()
		if rep, err = verify.VerifyBundle(f, verify.Options{Verifier: v, Trusted: trusted}); err != nil {
			return coupole.Wrap(err, coupole.ECONFLICT, "VERIFICATION FAILED: %s: %v", what, err)
		}
	}
	fmt.Fprintf(env.Stdout, "OK %s: %d events, root %s; %d checkpoints checked, the largest covers %d events; %d payloads match their leaves, payloads below %d erased\n",
		what, rep.Leaves, base64.StdEncoding.EncodeToString(rep.Root), rep.Checkpoints, rep.Covered, rep.Payloads, rep.PayloadsFrom)
	if rep.Held > 0 {
		fmt.Fprintf(env.Stdout, "%d payloads below %d kept by legal holds also match their leaves\n", rep.Held, rep.PayloadsFrom)
	}
	return nil
}

func runAuditCheckpoint(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit checkpoint", "[--db DSN] [--data-dir DIR]")
	load := registerConfig(fs, env.Getenv, "db", "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	signer, err := audit.LoadSigner(cfg.DataDir)
	if err != nil {
		return err
	}
	db, store, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := audit.SignCheckpoint(ctx, store, signer, env.Clock)
	if err != nil {
		return err
	}
	env.Stdout.Write(c.Note)
	return nil
}

func runAuditProve(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit prove", "inclusion INDEX [SIZE] | consistency SIZE1 [SIZE2]  (SIZE defaults to the latest checkpoint)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 2 || fs.NArg() > 3 {
		return usagef("audit prove inclusion INDEX [SIZE] | consistency SIZE1 [SIZE2]")
	}
	nums := make([]uint64, fs.NArg()-1)
	for i, a := range fs.Args()[1:] {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return usagef("%q is not a number", a)
		}
		nums[i] = n
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	store := sqlstore.NewAuditStore(db)
	defer db.Close()
	r := audit.NewReader(store)
	var size uint64
	var cpNote []byte
	if len(nums) == 2 {
		size = nums[1]
	} else {
		c, err := r.LatestCheckpoint(ctx)
		if err != nil {
			return err
		}
		size, cpNote = c.Size, c.Note
	}
	var v any
	switch fs.Arg(0) {
	case "inclusion":
		v, err = r.InclusionProof(ctx, nums[0], size)
	case "consistency":
		v, err = r.ConsistencyProof(ctx, nums[0], size)
	default:
		return usagef("audit prove: %q is neither inclusion nor consistency", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	out := map[string]any{"proof": v}
	if cpNote != nil {
		out["checkpoint"] = string(cpNote)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func runAuditQuery(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit query", "[--customer ID] [--ean EAN] [--staff ID] [--interaction ID] [--from DATE] [--to DATE] [--after INDEX] [--limit N]")
	var q audit.Query
	fs.StringVar(&q.Customer, "customer", "", "customer id")
	ean := fs.String("ean", "", "access point EAN")
	fs.StringVar(&q.Actor, "staff", "", "staff member id")
	fs.StringVar(&q.Interaction, "interaction", "", "interaction id")
	from := fs.String("from", "", "from this date (inclusive)")
	to := fs.String("to", "", "up to this date (exclusive)")
	fs.Int64Var(&q.After, "after", -1, "only events after this index (paging)")
	fs.IntVar(&q.Limit, "limit", 100, "page size (at most 1000)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	if *ean != "" {
		e, err := coupole.ParseEAN(*ean)
		if err != nil {
			return err
		}
		q.AccessPoint = e.String()
	}
	if *from != "" {
		if q.From, err = parseDay("from", *from); err != nil {
			return err
		}
	}
	if *to != "" {
		if q.To, err = parseDay("to", *to); err != nil {
			return err
		}
	}
	db, store, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// Trace first (T1, S7): the search is traced before anything is read.
	if err := traceCLI(ctx, env, db, web.AuditSearchEvent("cli:"+cliUser(env), "", q)); err != nil {
		return err
	}
	found, err := audit.NewReader(store).Query(ctx, q)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, f := range found {
		enc.Encode(queryLine(f))
	}
	_, err = env.Stdout.Write(buf.Bytes())
	return err
}

type eventJSON struct {
	Index        uint64          `json:"index"`
	Time         time.Time       `json:"time"`
	Erased       bool            `json:"erased,omitempty"`
	Actor        string          `json:"actor,omitempty"`
	Action       string          `json:"action,omitempty"`
	Interaction  string          `json:"interaction,omitempty"`
	CallReason   string          `json:"call_reason,omitempty"`
	AccessPoints []string        `json:"access_points,omitempty"`
	Customers    []string        `json:"customers,omitempty"`
	Data         []string        `json:"data,omitempty"`
	Decision     *audit.Decision `json:"decision,omitempty"`
	Client       string          `json:"client,omitempty"`
}

func queryLine(f audit.Found) eventJSON {
	e := f.Event
	return eventJSON{Index: f.Index, Time: f.Time, Erased: f.Erased(), Actor: e.Actor, Action: e.Action, Interaction: e.Interaction,
		CallReason: e.CallReason, AccessPoints: e.AccessPoints, Customers: e.Customers, Data: e.Data, Decision: e.Decision, Client: e.Client}
}

func runAuditErase(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit erase", "--before DATE [--db DSN]")
	before := fs.String("before", "", "erase the personal data of events before this date (required)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *before == "" || fs.NArg() > 0 {
		return usagef("audit erase needs --before DATE and no arguments")
	}
	t, err := parseDay("before", *before)
	if err != nil {
		return err
	}
	if t.After(env.Clock.Now()) {
		return coupole.Errorf(coupole.EINVALID, "--before: %s is in the future", *before)
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	store := sqlstore.NewAuditStore(db)
	defer db.Close()
	// Trace first: who erased what is itself kept (the event is after the
	// erasure point, so it is not erased).
	if err := traceCLI(ctx, env, db, coupole.StaffEvent{Type: coupole.StaffEventAuditErase, Actor: "cli:" + cliUser(env), Outcome: "ok",
		Details: map[string]string{"before": t.Format(time.RFC3339)}}); err != nil {
		return err
	}
	// Legal holds (issue 13) keep the payloads they cover: those events are
	// skipped, and verification checks them like any other.
	holds, err := db.ActiveHolds(ctx)
	if err != nil {
		return err
	}
	below, err := audit.NewReader(store).Erase(ctx, t, retention.HeldEvent(holds))
	if err != nil {
		return err
	}
	// The contact history's commitments go with the events that carried
	// them (D7): their nonces are forgotten too.
	forgotten, err := db.ForgetContactNonces(ctx, below)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "personal data of events 0 to %d erased (events before %s); leaves and proofs kept\n", int64(below)-1, t.Format(time.RFC3339))
	if kept, err := db.AuditKeptCount(ctx); err != nil {
		return err
	} else if kept > 0 {
		fmt.Fprintf(env.Stdout, "%d events kept their personal data: a legal hold covers them (coupole retention holds)\n", kept)
	}
	if forgotten > 0 {
		fmt.Fprintf(env.Stdout, "contact history: %d commitments made unverifiable (their nonces forgotten)\n", forgotten)
	}
	return nil
}

func runAuditVerifier(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "audit verifier", "[--data-dir DIR]")
	load := registerConfig(fs, env.Getenv, "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	v, err := audit.VerifierOf(cfg.DataDir)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, v)
	return nil
}

// traceCLI traces e in the audit log of db before a command goes on; an
// error means the command must not.
func traceCLI(ctx context.Context, env *Env, db *sqlstore.DB, e coupole.StaffEvent) error {
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeTracer()
	if err := tracer.TraceStaff(ctx, e); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: nothing was done")
	}
	return nil
}
