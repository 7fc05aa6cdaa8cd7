package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "[--demo] [flags]")
	demo := fs.Bool("demo", false, "create the database if needed, fill it with synthetic data and enable demo accounts")
	load := registerConfig(fs, env.Getenv, "db", "listen", "data-dir", "policy-dir", "log-level", "log-format", "shutdown-timeout",
		"oidc-issuer", "oidc-client-id", "oidc-client-secret-file", "oidc-redirect-url", "oidc-groups-claim", "oidc-group-roles",
		"allowed-networks", "trusted-proxies", "session-idle", "session-max", "secure-cookies", "break-glass-accounts", "staff-policy-dir")
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

	srv := web.NewServer(logger, db)
	closeStaff, err := enableStaffAccess(ctx, env, cfg, *demo, db, srv, logger)
	if err != nil {
		return err
	}
	defer closeStaff()
	return srv.ListenAndServe(ctx, cfg.Listen, cfg.ShutdownTimeout, func(addr net.Addr) {
		logger.Info("listening", "addr", addr.String())
		fmt.Fprintf(env.Stdout, "Coupole is running at http://%s/\n", addr)
	})
}

func newLogger(w io.Writer, cfg *Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
