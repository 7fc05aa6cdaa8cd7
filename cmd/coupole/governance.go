package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/sqlstore"
)

// Identity governance from the terminal (issue 12). Administrative commands
// act as a named staff member (--as), checked against the staff policy and
// the segregation-of-duties policy like the same change made on a screen;
// the trace records both the operating-system user and the staff member.

// openLifecycle builds the lifecycle service on db with a staff-event
// tracer; the caller calls the returned close.
func openLifecycle(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB) (*governance.Lifecycle, func(), error) {
	access, err := staffpolicy.Open(cfg.StaffPolicyDir)
	if err != nil {
		return nil, nil, err
	}
	sod, err := sodpolicy.Open("")
	if err != nil {
		return nil, nil, err
	}
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return nil, nil, err
	}
	return &governance.Lifecycle{Store: db, SoD: sod, Access: access, Tracer: tracer, Clock: env.Clock}, closeTracer, nil
}

// cliActor is the lifecycle actor of an administrative command:
// "cli:<os user> as <staff id>".
func cliActor(env *Env, as string) string {
	if strings.TrimSpace(as) == "" {
		return governance.ActorCLI + cliUser(env)
	}
	return governance.ActorCLI + cliUser(env) + " as " + strings.TrimSpace(as)
}

// runStaffSoDReport lists the active accounts whose roles already break a
// segregation-of-duties rule (S7), for the security officer. It exits 1
// when there is any, so that a scheduled check can alert.
func runStaffSoDReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff sod-report", "[--lang fr|nl|de|en] [--db DSN]")
	lang := fs.String("lang", "en", "language of the explanations")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := coupole.ParseLanguage(*lang)
	if err != nil {
		return err
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	sod, err := sodpolicy.Open("")
	if err != nil {
		return err
	}
	vs, err := governance.SoDReport(ctx, db, sod)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(env.Stdout, "no segregation-of-duties conflict among active accounts")
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLES\tRULE\tWHY")
	for _, v := range vs {
		for _, r := range v.Rules {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", v.StaffID, joinRoles(v.Roles), r.Rule, r.In(l))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return coupole.Errorf(coupole.ECONFLICT, "staff sod-report: %d account(s) break segregation of duties", len(vs))
}
