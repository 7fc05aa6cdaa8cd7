package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// The privacy officer's acts from the terminal (issue 13 item 2):
//
//	coupole retention hold place --scope item|interaction|customer|period [--target ID] [--from DAY --to DAY] --reason TEXT --reference REF --as STAFF_ID
//	coupole retention hold lift HOLD_ID [--reason TEXT] --as STAFF_ID
//	coupole retention hold list [--all] --as STAFF_ID
//	coupole retention reclassify ITEM_ID --class CLASS --justification TEXT --as STAFF_ID
//
// --as is the staff member who acts: checked by the staff policy like on a
// screen (retention.Officer), and traced, refusals too. A hold's lift takes
// two people: the first `hold lift` asks, a second one by someone else
// approves.

// openOfficer opens the audit log and the privacy officer's door on db;
// the returned function closes the log.
func openOfficer(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB) (*retention.Officer, func(), error) {
	rc, err := retentionConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	access, err := staffpolicy.Open(cfg.StaffPolicyDir)
	if err != nil {
		return nil, nil, err
	}
	alog, err := openAuditLog(ctx, env, cfg, db, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return nil, nil, err
	}
	svc := &retention.Service{Store: db, Audit: alog, Clock: env.Clock, Config: rc}
	return &retention.Officer{Service: svc, Access: access, Staff: db}, func() { alog.Close() }, nil
}

func runRetentionHold(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("retention hold: want place, lift or list")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet(env, "retention hold "+verb, "[HOLD_ID] [--scope S --target ID | --from DAY --to DAY] [--reason TEXT] [--reference REF] [--all] --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member (a privacy officer) who acts (required, checked and traced)")
	scope := fs.String("scope", "", "place: item, interaction, customer or period")
	target := fs.String("target", "", "place: the item, interaction or customer id")
	from := fs.String("from", "", "place, period: first day held (YYYY-MM-DD, UTC)")
	to := fs.String("to", "", "place, period: first day no longer held (YYYY-MM-DD, UTC)")
	reason := fs.String("reason", "", "place: why the hold; lift: why it may be lifted (traced)")
	reference := fs.String("reference", "", "place: the case, court or request reference")
	all := fs.Bool("all", false, "list: lifted holds too")
	load := registerConfig(fs, env.Getenv, "db", "data-dir", "retention-classes", "staff-policy-dir")
	args, id := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("retention hold %s: unexpected %q", verb, fs.Arg(0))
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("retention hold %s needs --as STAFF_ID", verb)
	}
	h := retention.Hold{Scope: *scope, Target: *target, Reason: *reason, Reference: *reference}
	switch verb {
	case "place":
		if id != "" {
			return usagef("retention hold place takes no hold id")
		}
		var err error
		if *from != "" {
			if h.From, err = parseDay("from", *from); err != nil {
				return err
			}
		}
		if *to != "" {
			if h.To, err = parseDay("to", *to); err != nil {
				return err
			}
		}
		if err := h.Validate(); err != nil { // before anything is opened or traced
			return err
		}
	case "lift":
		if id == "" {
			return usagef("retention hold lift needs a HOLD_ID")
		}
	case "list":
	default:
		return usagef("retention hold: unknown %q (want place, lift or list)", verb)
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	o, closeOfficer, err := openOfficer(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeOfficer()
	st, err := o.Principal(ctx, *as)
	if err != nil {
		return err
	}
	switch verb {
	case "place":
		placed, err := o.PlaceHold(ctx, st, h)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "hold %s placed (%s %s, reference %s)\n", placed.ID, placed.Scope, holdTarget(placed), placed.Reference)
	case "lift":
		got, err := o.Lift(ctx, st, id, *reason)
		if err != nil {
			return err
		}
		if got.Active() {
			fmt.Fprintf(env.Stdout, "lift of hold %s asked by %s: another privacy officer must approve it (coupole retention hold lift %s --as OTHER)\n", got.ID, got.LiftRequestedBy, got.ID)
		} else {
			fmt.Fprintf(env.Stdout, "hold %s lifted by %s (asked by %s)\n", got.ID, got.LiftedBy, got.LiftRequestedBy)
		}
	case "list":
		holds, err := o.Holds(ctx, st, !*all)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "HOLD\tSCOPE\tTARGET\tREFERENCE\tPLACED BY\tPLACED AT\tLIFT ASKED BY\tLIFTED BY")
		for _, h := range holds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Scope, holdTarget(h), h.Reference, h.PlacedBy, h.PlacedAt.Format(time.RFC3339),
				dash(h.LiftRequestedBy), dash(h.LiftedBy))
		}
		return tw.Flush()
	}
	return nil
}

func holdTarget(h retention.Hold) string {
	if h.Scope == retention.ScopePeriod {
		return h.From.Format(time.DateOnly) + ".." + h.To.Format(time.DateOnly)
	}
	return h.Target
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runRetentionReclassify(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention reclassify", "ITEM_ID --class CLASS --justification TEXT --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member (a privacy officer) who acts (required, checked and traced)")
	class := fs.String("class", "", "the new retention class (coupole retention classes)")
	why := fs.String("justification", "", "why the class changes (required, traced)")
	load := registerConfig(fs, env.Getenv, "db", "data-dir", "retention-classes", "staff-policy-dir")
	args, id := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" || fs.NArg() > 0 || strings.TrimSpace(*as) == "" || *class == "" {
		return usagef("retention reclassify needs ITEM_ID, --class CLASS, --justification TEXT and --as STAFF_ID")
	}
	if strings.TrimSpace(*why) == "" {
		return coupole.Errorf(coupole.EINVALID, "--justification: changing a retention class needs one")
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	o, closeOfficer, err := openOfficer(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeOfficer()
	st, err := o.Principal(ctx, *as)
	if err != nil {
		return err
	}
	it, err := o.SetClass(ctx, st, id, *class, *why)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "item %s: class %s, due %s\n", it.ID, it.Class, it.Due.Format(time.RFC3339))
	return nil
}

// enableRetentionPages turns on the privacy officer's retention API and
// screens (issue 13 items 2 and 5), on the staff policy serve already uses.
func enableRetentionPages(env *Env, cfg *Config, db *sqlstore.DB, access *web.StaffAccess, alog *audit.Log) error {
	rc, err := retentionConfig(cfg)
	if err != nil {
		return err
	}
	svc := &retention.Service{Store: db, Audit: alog, Clock: env.Clock, Config: rc}
	access.EnableRetention(web.RetentionPages{Officer: &retention.Officer{Service: svc, Access: access.Authz, Staff: db}, Store: db})
	return nil
}

// runRetentionImport is the CSV import of recordings (R1, way b):
//
//	coupole retention import FILE [--apply]
//
// A dry run by default: every line is checked and every problem named by
// line and column; --apply registers all the recordings in one transaction
// with one audit event, or none.
func runRetentionImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention import", "FILE [--apply] [--db DSN]")
	apply := fs.Bool("apply", false, "register the recordings (without it: check the file and say what would be registered)")
	load := registerConfig(fs, env.Getenv, "db", "data-dir", "retention-classes")
	args, file := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" || fs.NArg() > 0 {
		return usagef("retention import needs one FILE (CSV; columns: %s)", strings.Join(retention.ImportColumns, ", "))
	}
	f, err := os.Open(file)
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "retention import: cannot open %s", file)
	}
	defer f.Close()
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	rc, err := retentionConfig(cfg)
	if err != nil {
		return err
	}
	svc := &retention.Service{Store: db, Clock: env.Clock, Config: rc}
	if *apply {
		alog, err := openAuditLog(ctx, env, cfg, db, slog.New(slog.NewTextHandler(env.Stderr, nil)))
		if err != nil {
			return err
		}
		defer alog.Close()
		svc.Audit = alog
	}
	res, err := (&retention.Importer{Service: svc, Store: db}).Import(ctx, cliActor(env, ""), f, *apply)
	if err != nil {
		return err
	}
	classes := make([]string, 0, len(res.ByClass))
	for k, n := range res.ByClass {
		classes = append(classes, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(classes)
	if res.Applied {
		fmt.Fprintf(env.Stdout, "%d recordings registered (%s); file sha256 %s traced\n", len(res.Items), strings.Join(classes, ", "), res.SHA256)
		return nil
	}
	fmt.Fprintf(env.Stdout, "dry run: %d recordings would be registered (%s); nothing written — run again with --apply\n", len(res.Items), strings.Join(classes, ", "))
	return nil
}

// checkRecordings raises the recording_missing alerts of serve's retention
// job; a failure is logged and the next run tries again.
func checkRecordings(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log, logger *slog.Logger) {
	m := &retention.MissingRecordings{Store: db, Audit: alog, Clock: env.Clock, Grace: cfg.RecordingGrace}
	raised, err := m.Check(ctx)
	if err != nil && ctx.Err() == nil {
		logger.Error("recording check stopped; it resumes at the next run", "err", coupole.ErrorMessage(err))
	}
	if len(raised) > 0 {
		logger.Warn("calls without a recording after the grace period", "alerts", len(raised), "kind", retention.AlertRecordingMissing)
	}
}

// runRetentionCheckRecordings is the same check by hand.
func runRetentionCheckRecordings(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention check-recordings", "[--recording-grace 2h] [--db DSN]")
	load := registerConfig(fs, env.Getenv, "db", "data-dir", "recording-grace")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("retention check-recordings takes no arguments")
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	alog, err := openAuditLog(ctx, env, cfg, db, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer alog.Close()
	m := &retention.MissingRecordings{Store: db, Audit: alog, Clock: env.Clock, Grace: cfg.RecordingGrace}
	raised, err := m.Check(ctx)
	for _, al := range raised {
		fmt.Fprintf(env.Stdout, "alert %s: %s\n", al.ID, al.Reason)
	}
	fmt.Fprintf(env.Stdout, "%d call(s) without a recording after %s: alert %s raised\n", len(raised), m.Grace, retention.AlertRecordingMissing)
	return err
}
