package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/scim"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// scimSettings are the serve settings of SCIM provisioning (issue 12).
var scimSettings = []string{"scim-group-roles", "grant-validation-days", "review-every", "review-length", "privileged-max", "break-glass-max"} // and business validation, reviews (item 5), privileged bounds (item 4)

// enableSCIM mounts the SCIM 2.0 service provider at /scim/v2 (issue 12,
// item 1). Its changes to staff go through governance's lifecycle, the one
// door of joiners, movers and leavers: staff policy, segregation of duties,
// trace first.
func enableSCIM(env *Env, cfg *Config, db *sqlstore.DB, srv *web.Server, alog *audit.Log, logger *slog.Logger) error {
	roles := cfg.SCIMGroupRoles
	if len(roles) == 0 {
		roles = cfg.OIDCGroupRoles
	}
	lifecycle, err := newLifecycle(env, cfg, db, web.AuditStaffTracer{Log: alog})
	if err != nil {
		return err
	}
	srv.Handle(scim.Prefix+"/", &scim.Handler{
		Store:     sqlstore.NewSCIMStore(db),
		Lifecycle: lifecycle,
		Roles:     scim.RoleMap(roles),
		Clock:     env.Clock,
		Logger:    logger,
	})
	return nil
}

var scimCommands = []command{
	{"token", "create, rotate, list or revoke a bearer token of the identity system", runSCIMToken},
}

func runSCIM(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "scim", scimCommands, args)
}

var scimTokenCommands = []command{
	{"create", "create a token (shown once; only its hash is stored)", runSCIMTokenCreate},
	{"rotate", "replace a token by a new one (the old one stops working)", runSCIMTokenRotate},
	{"list", "list the tokens, revoked ones included", runSCIMTokenList},
	{"revoke", "end a token at once", runSCIMTokenRevoke},
}

func runSCIMToken(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "scim token", scimTokenCommands, args)
}

// withTokens opens the database and an audit log writer, and runs fn with
// the token service; the actor is the operating-system user.
func withTokens(ctx context.Context, env *Env, name, synopsis string, args []string, wantArgs int,
	fn func(t scim.Tokens, actor string, args []string) error) error {
	fs := newFlagSet(env, "scim token "+name, synopsis)
	load := registerConfig(fs, env.Getenv, "db")
	// A leading label or id may come before the flags.
	var lead []string
	if wantArgs > 0 && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		lead, args = args[:1], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	positional := append(lead, fs.Args()...)
	if len(positional) != wantArgs {
		return usagef("scim token %s: usage: coupole scim token %s %s", name, name, synopsis)
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: env.Clock})
	if err != nil {
		return err
	}
	defer l.Close()
	actor := "cli:" + env.Getenv("USER")
	if env.Getenv("USER") == "" {
		actor = "cli:unknown"
	}
	t := scim.Tokens{Store: sqlstore.NewSCIMStore(db), Tracer: web.AuditStaffTracer{Log: l}, Clock: env.Clock}
	return fn(t, actor, positional)
}

func runSCIMTokenCreate(ctx context.Context, env *Env, args []string) error {
	return withTokens(ctx, env, "create", "LABEL [--db DSN]", args, 1, func(t scim.Tokens, actor string, args []string) error {
		tok, secret, err := t.Create(ctx, actor, args[0])
		if err != nil {
			return err
		}
		printSecret(env, tok, secret)
		return nil
	})
}

func runSCIMTokenRotate(ctx context.Context, env *Env, args []string) error {
	return withTokens(ctx, env, "rotate", "TOKEN-ID [--db DSN]", args, 1, func(t scim.Tokens, actor string, args []string) error {
		tok, secret, err := t.Rotate(ctx, actor, args[0])
		if err != nil {
			return err
		}
		printSecret(env, tok, secret)
		fmt.Fprintf(env.Stderr, "coupole: token %s is revoked\n", args[0])
		return nil
	})
}

// printSecret shows a new token's secret, once: on standard output alone,
// so that it can be piped into the identity system's configuration.
func printSecret(env *Env, tok scim.Token, secret string) {
	fmt.Fprintln(env.Stdout, secret)
	fmt.Fprintf(env.Stderr, "coupole: SCIM token %s (%s) created; the secret above is shown once and never again\n", tok.ID, tok.Label)
}

func runSCIMTokenList(ctx context.Context, env *Env, args []string) error {
	return withTokens(ctx, env, "list", "[--db DSN]", args, 0, func(t scim.Tokens, actor string, args []string) error {
		list, err := t.Store.Tokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tLABEL\tCREATED\tREVOKED")
		for _, k := range list {
			revoked := "-"
			if !k.RevokedAt.IsZero() {
				revoked = k.RevokedAt.Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.ID, k.Label, k.CreatedAt.Format("2006-01-02 15:04:05Z"), revoked)
		}
		return w.Flush()
	})
}

func runSCIMTokenRevoke(ctx context.Context, env *Env, args []string) error {
	return withTokens(ctx, env, "revoke", "TOKEN-ID [--db DSN]", args, 1, func(t scim.Tokens, actor string, args []string) error {
		if err := t.Revoke(ctx, actor, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "token %s revoked\n", args[0])
		return nil
	})
}
