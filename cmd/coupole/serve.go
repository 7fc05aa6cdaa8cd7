package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"

	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "[--demo] [flags]")
	demo := fs.Bool("demo", false, "create the database if needed, fill it with synthetic data and enable demo accounts")
	settings := []string{"db", "listen", "data-dir", "policy-dir", "log-level", "log-format", "shutdown-timeout", "request-timeout",
		"oidc-issuer", "oidc-client-id", "oidc-client-secret-file", "oidc-redirect-url", "oidc-groups-claim", "oidc-group-roles",
		"allowed-networks", "trusted-proxies", "session-idle", "session-max", "secure-cookies", "break-glass-accounts", "staff-policy-dir",
		"call-reasons", "tls-cert", "tls-key", "behind-tls-proxy", "interaction-idle", "verification-budget",
		"delivery-max-attempts", "delivery-every", "sms-gateway-config", "oversight-config"}
	settings = append(settings, retentionSettings...) // issue 13
	settings = append(settings, scimSettings...)      // issue 12
	load := registerConfig(fs, env.Getenv, append(append(settings, letterSettings...), smtpSettings...)...)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	tlsConfig, err := cfg.checkServe(*demo, env.Clock.Now())
	if err != nil {
		return err
	}
	logger := newLogger(env.Stderr, cfg)

	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if *demo {
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if *demo {
		if err := seedDemoIfEmpty(ctx, env, db, logger); err != nil {
			return err
		}
	}
	logger.Info("database ready", "db", db.Describe(), "schema", db.LatestVersion())

	// The data directory's secret key seals the break-glass TOTP secrets;
	// those an older Coupole left in clear are sealed now (issue 10, item 11).
	key, err := openSecretKey(env, cfg)
	if err != nil {
		return err
	}
	unreadable, err := sealTOTPSecrets(ctx, db, key, logger)
	if err != nil {
		return err
	}
	if err := checkBreakGlassAccounts(ctx, cfg, *demo, db, unreadable, logger); err != nil {
		return err
	}

	// One audit log for the whole server: staff events, interaction traces
	// and the checkpoints auditors fetch (T1, T2). It is closed after the
	// server has stopped, so that every acknowledged request is in it.
	alog, err := openAuditLog(ctx, env, cfg, db, logger)
	if err != nil {
		return err
	}
	defer alog.Close()
	srv := web.NewServer(logger, db)
	srv.TLS, srv.BehindTLSProxy = tlsConfig, cfg.BehindTLSProxy
	srv.RequestTimeout = cfg.RequestTimeout
	closeStaff, err := enableStaffAccess(ctx, env, cfg, *demo, db, srv, logger, alog)
	if err != nil {
		return err
	}
	defer closeStaff() // stops the idle sweeper before the audit log closes
	if err := enableSCIM(env, cfg, db, srv, alog, logger); err != nil {
		return err
	}

	// The delivery worker (issue 11): sends what Execute recorded; stopped
	// before the audit log closes, since every state change is traced.
	providers, releaseProviders, err := newProviders(cfg, *demo, env.Clock, logger)
	defer releaseProviders()
	if err != nil {
		return err
	}
	srv.Registry().MustRegister(newOutboxCollector(db, providers))
	defer startWorker(ctx, cfg, newWorker(env, cfg, db, alog, providers, logger))()
	stopRetention, err := startRetention(ctx, env, cfg, db, alog, srv, logger) // issue 13: recording intake, purge of what is due
	if err != nil {
		return err
	}
	defer stopRetention()
	return srv.ListenAndServe(ctx, cfg.Listen, cfg.ShutdownTimeout, func(addr net.Addr) {
		logger.Info("listening", "addr", addr.String())
		scheme := "http"
		if tlsConfig != nil {
			scheme = "https"
		}
		fmt.Fprintf(env.Stdout, "Coupole is running at %s://%s/\n", scheme, addr)
		if *demo {
			fmt.Fprintf(env.Stdout, "Open %s://%s/signin and click \"Conseiller clientèle\" (demo-advisor) to walk a demo call; see docs/ui.md.\n", scheme, addr)
		}
	})
}

func newLogger(w io.Writer, cfg *Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openAuditLog opens the server's audit log with the signing key of the data
// directory, creating the key on first start (as `coupole init` would) and
// printing the verifier auditors need.
func openAuditLog(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB, logger *slog.Logger) (*audit.Log, error) {
	signer, err := audit.LoadSigner(cfg.DataDir)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		vkey, cerr := audit.CreateKey(cfg.DataDir, audit.DefaultOrigin)
		if cerr != nil {
			return nil, cerr
		}
		fmt.Fprintf(env.Stderr, "coupole: audit signing key created: %s (mode 0600; back it up, never share it)\n", filepath.Join(cfg.DataDir, audit.SigningKeyFile))
		fmt.Fprintf(env.Stderr, "coupole: give auditors this verifier key: %s\n", vkey)
		signer, err = audit.LoadSigner(cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	return audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: env.Clock, Signer: signer, Logger: logger})
}

// startIdleSweeper starts closing the interactions left idle (issue 10),
// trace first, as the system; the returned function stops it, waits for it,
// then calls then. Access does not wait for the sweeper: an idle
// interaction gives none from the moment it is idle.
func startIdleSweeper(ctx context.Context, s *interaction.Service, logger *slog.Logger, then func()) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	every := min(time.Minute, max(time.Second, s.IdleAfter/4))
	go func() {
		defer close(done)
		s.SweepIdle(ctx, every)
	}()
	logger.Info("idle interactions are closed by the system", "idle_after", s.IdleAfter.String(), "every", every.String())
	return func() {
		cancel()
		<-done
		then()
	}
}
