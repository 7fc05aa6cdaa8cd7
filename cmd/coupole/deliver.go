package main

import (
	"context"
	"fmt"
)

// runDeliver runs the delivery worker on its own, without the server: on a
// node that only sends, or once from cron (--once). `coupole serve` runs
// the same worker (docs/delivery.md).
func runDeliver(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "deliver", "[--once] [flags]")
	once := fs.Bool("once", false, "send what is due now, then exit")
	settings := []string{"db", "data-dir", "log-level", "log-format", "delivery-max-attempts", "delivery-every", "sms-gateway-config"}
	load := registerConfig(fs, env.Getenv, append(append(settings, letterSettings...), smtpSettings...)...)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("deliver takes no arguments")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	logger := newLogger(env.Stderr, cfg)
	db, err := openCurrentDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	alog, err := openAuditLog(ctx, env, cfg, db, logger)
	if err != nil {
		return err
	}
	defer alog.Close()
	providers, release, err := newProviders(cfg, false, env.Clock, logger)
	defer release()
	if err != nil {
		return err
	}
	w := newWorker(env, cfg, db, alog, providers, logger)
	if *once {
		n, err := w.RunOnce(ctx)
		fmt.Fprintf(env.Stdout, "%d deliveries handled\n", n)
		return err
	}
	w.Run(ctx, cfg.DeliveryEvery)
	return nil
}
