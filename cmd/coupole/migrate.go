package main

import (
	"context"
	"fmt"

	"github.com/coupole/coupole/sqlstore"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "migrate", "[--db DSN]")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate takes no arguments")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	for _, v := range applied {
		fmt.Fprintf(env.Stdout, "applied migration %d\n", v)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: schema at version %d\n", db.Describe(), db.LatestVersion())
	return nil
}
