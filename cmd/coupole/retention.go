package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// Retention (issue 13): `coupole retention …` and the purge job of serve.

var retentionCommands = []command{
	{"run", "purge what is due now, with its evidence, then exit (serve does it every --retention-every)", runRetentionRun},
	{"status", "what is kept, due, held and purged; the active holds", runRetentionStatus},
	{"report", "the monthly purge report: what was purged, on time or late, and what is held", runRetentionReport},
	{"classes", "print the retention classes in force", runRetentionClasses},
	{"check-recordings", "raise a recording_missing alert for each phone call without a recording after --recording-grace (R1)", runRetentionCheckRecordings},
	{"hold", "legal holds: place, lift (two people), list — as a privacy officer (--as)", runRetentionHold},
	{"import", "check a CSV file of recordings and, with --apply, register them all or none (R1)", runRetentionImport},
	{"reclassify", "move an item to another retention class with a justification (--as)", runRetentionReclassify},
}

// retentionSettings are the configuration entries of serve's purge job.
var retentionSettings = []string{"retention-classes", "retention-every", "recording-webhook-secret-file", "blob", "recording-grace"}

func runRetention(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "retention", retentionCommands, args)
}

// retentionConfig loads the classes of cfg.
func retentionConfig(cfg *Config) (retention.Config, error) {
	if cfg.RetentionClasses == "" {
		return retention.DefaultConfig(), nil
	}
	return retention.LoadConfig(cfg.RetentionClasses)
}

// newPurger is the purge of one database and audit log; media Coupole keeps
// live in the blob store (openMediaStore). The same run enrols and erases
// Coupole's own records (closed interactions, deliveries, expired sessions,
// months of trace payloads) in the classes of the configuration.
func newPurger(env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log, logger *slog.Logger) (*retention.Purger, error) {
	rc, err := retentionConfig(cfg)
	if err != nil {
		return nil, err
	}
	media, err := openMediaStore(env, cfg)
	if err != nil {
		return nil, err
	}
	own := &retention.Own{Store: db, Records: db, Trace: audit.NewReader(sqlstore.NewAuditStore(db)), Audit: alog, Clock: env.Clock, Config: rc}
	return &retention.Purger{Store: db, Audit: alog, Clock: env.Clock, Media: media, Logger: logger, Own: own}, nil
}

func runRetentionRun(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention run", "[--db DSN] [--data-dir DIR] [--blob s3://…]")
	load := registerConfig(fs, env.Getenv, "db", "data-dir", "retention-classes", "blob")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("retention run takes no arguments")
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
	alog, err := openAuditLog(ctx, env, cfg, db, logger)
	if err != nil {
		return err
	}
	defer alog.Close()
	p, err := newPurger(env, cfg, db, alog, logger)
	if err != nil {
		return err
	}
	res, err := p.Run(ctx)
	fmt.Fprintf(env.Stdout, "purged %d (late %d), finished %d interrupted earlier, %d stopped by a hold placed meanwhile; %d own records enrolled\n", res.Purged, res.Late, res.Resumed, res.Refused, res.Enrolled)
	return err
}

func runRetentionStatus(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention status", "[--db DSN]")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("retention status takes no arguments")
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	now := env.Clock.Now()
	c, err := db.RetentionCounts(ctx, time.Unix(0, 0), now.Add(time.Second)) // all time, now included
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "due now: %d; held: %d; purged on time: %d; purged late: %d\n", c.Due, c.Held, c.PurgedOnTime, c.PurgedLate)
	holds, err := db.Holds(ctx, true)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOLD\tSCOPE\tREFERENCE\tPLACED BY\tPLACED AT\tLIFT ASKED BY")
	for _, h := range holds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Scope, h.Reference, h.PlacedBy, h.PlacedAt.Format(time.RFC3339), h.LiftRequestedBy)
	}
	return tw.Flush()
}

func runRetentionReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention report", "--month YYYY-MM [--db DSN]")
	month := fs.String("month", "", "the month, e.g. 2026-03 (default: the last full month)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("retention report takes no arguments")
	}
	from := coupole.Date(env.Clock.Now()).AddDate(0, -1, 0)
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if *month != "" {
		t, err := time.Parse("2006-01", *month)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--month: %q is not a month like 2026-03", *month)
		}
		from = t
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := retention.MonthlyReport(ctx, db, from)
	if err != nil {
		return err
	}
	return rep.WriteText(env.Stdout)
}

func runRetentionClasses(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "retention classes", "[--retention-classes FILE]")
	load := registerConfig(fs, env.Getenv, "retention-classes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	rc, err := retentionConfig(cfg)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tMONTHS\tDAYS\tCALL REASONS\tLEGAL BASIS")
	for _, c := range rc.Classes {
		def := ""
		if c.Name == rc.Default {
			def = " (default)"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%d\t%v\t%s\n", c.Name, def, c.Months, c.Days, c.CallReasons, c.LegalBasis)
	}
	return tw.Flush()
}

// startRetention serves the recording intake when a webhook secret is
// configured (R1), and starts serve's purge job (R4): every
// cfg.RetentionEvery (at most an hour, so nothing is purged more than an
// hour late) it purges what is due. The returned function stops the job
// and waits.
func startRetention(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log, srv *web.Server, logger *slog.Logger) (func(), error) {
	rc, err := retentionConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.RecordingWebhookSecretFile != "" {
		b, err := os.ReadFile(cfg.RecordingWebhookSecretFile)
		secret := bytes.TrimSpace(b)
		if err != nil || len(secret) < 32 {
			return nil, coupole.Errorf(coupole.EINVALID, "recording-webhook-secret-file: %s must be readable and hold at least 32 bytes", cfg.RecordingWebhookSecretFile)
		}
		srv.EnableRecordingIntake(&web.RecordingIntake{Secret: secret, Clock: env.Clock, Replay: db, Logger: logger,
			Registry: &retention.Service{Store: db, Audit: alog, Clock: env.Clock, Config: rc}})
		logger.Info("recording notifications accepted", "path", web.RecordingEventsPath)
	}
	p, err := newPurger(env, cfg, db, alog, logger)
	if err != nil {
		return nil, err
	}
	if s3, ok := p.Media.(*blob.S3); ok { // where media go; never the credentials
		logger.Info("media and message bodies kept in an S3-compatible store, sealed", "store", s3.Config().String())
	}
	every := cfg.RetentionEvery
	if every <= 0 {
		every = 10 * time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			res, err := p.Run(ctx)
			if err != nil && ctx.Err() == nil {
				logger.Error("retention purge stopped; it resumes at the next run", "err", coupole.ErrorMessage(err), "purged", res.Purged)
			} else if res.Purged+res.Resumed+res.Enrolled > 0 {
				logger.Info("retention purge", "purged", res.Purged, "late", res.Late, "resumed", res.Resumed, "refused", res.Refused, "enrolled", res.Enrolled)
			}
			checkRecordings(ctx, env, cfg, db, alog, logger) // R1 for calls (issue 13 item 4)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	logger.Info("retention purge scheduled", "every", every.String())
	return func() { cancel(); <-done }, nil
}

// newMessageKeeper keeps the e-mail and chat bodies attached through the
// interaction API (R1 (c)) in the blob store, registered for retention.
func newMessageKeeper(env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log) (*retention.Service, error) {
	rc, err := retentionConfig(cfg)
	if err != nil {
		return nil, err
	}
	media, err := openMediaStore(env, cfg)
	if err != nil {
		return nil, err
	}
	return &retention.Service{Store: db, Audit: alog, Clock: env.Clock, Config: rc, Bodies: media}, nil
}

var _ interaction.MessageKeeper = (*retention.Service)(nil)

// openMediaStore opens the blob store of media and bodies Coupole keeps:
// the data directory's (DataDir/media) or, with --blob s3://…, an
// S3-compatible bucket (credentials from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY). Either way objects are sealed with the key derived
// from the data directory's secret key, so every node needs that file.
func openMediaStore(env *Env, cfg *Config) (blob.Store, error) {
	key, _, err := secretkey.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	k, err := blob.KeyFromMAC(key.MAC(blob.KeyPurpose, "v1"))
	if err != nil {
		return nil, err
	}
	if cfg.Blob == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "media"), k)
	}
	s3cfg, err := blob.ParseS3URL(cfg.Blob)
	if err != nil {
		return nil, err
	}
	creds, err := blob.CredentialsFromEnv(env.Getenv)
	if err != nil {
		return nil, err
	}
	return blob.NewS3(s3cfg, creds, k, nil)
}
