package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

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
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return nil, nil, err
	}
	lc, err := newLifecycle(env, cfg, db, tracer)
	if err != nil {
		closeTracer()
		return nil, nil, err
	}
	return lc, closeTracer, nil
}

// newLifecycle builds the lifecycle service on db, with the staff and
// segregation-of-duties policies, tracing through tracer.
func newLifecycle(env *Env, cfg *Config, db *sqlstore.DB, tracer coupole.StaffTracer) (*governance.Lifecycle, error) {
	access, err := staffpolicy.Open(cfg.StaffPolicyDir)
	if err != nil {
		return nil, err
	}
	sod, err := sodpolicy.Open("")
	if err != nil {
		return nil, err
	}
	return &governance.Lifecycle{Store: db, SoD: sod, Access: access, Tracer: tracer, Clock: env.Clock,
		ValidationPeriod: time.Duration(cfg.GrantValidationDays) * 24 * time.Hour}, nil
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

// governanceJob is one duty of the governance sweeper, run every period;
// it returns how many records it changed.
type governanceJob struct {
	what string // what changed, for the log: "privileged access expired"
	run  func(context.Context) (int, error)
}

// startGovernanceSweeper runs the governance jobs every period (issue 12):
// it records the end of the privileged accesses whose end is past (item 4),
// suspends the roles IT granted that nobody validated in time (item 5),
// revokes the HR leavers whose end date has come through the lifecycle's
// emergency path (item 2), and runs the access-review schedule (item 5).
// Access itself never waits for it: each request reads elevations and
// overdue grants with the clock; the sweeper writes the record and the
// trace. The returned stop waits for the sweeper to finish.
func startGovernanceSweeper(ctx context.Context, jobs []governanceJob, every time.Duration, logger *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, j := range jobs {
					if n, err := j.run(ctx); err != nil && ctx.Err() == nil {
						logger.Error("governance sweeper failed", "job", j.what, "err", err)
					} else if n > 0 {
						logger.Info("governance sweeper: "+j.what, "count", n)
					}
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// governanceJobs lists the sweeper's jobs of a serving node.
func governanceJobs(p *governance.Privileged, v *governance.Validation, lc *governance.Lifecycle, rs reviewSchedule) []governanceJob {
	return []governanceJob{
		{"privileged access expired", p.ExpireDue},
		{"unvalidated roles suspended", v.SuspendDue},
		{"HR leavers revoked on their date", lc.LeaveDue},
		{"access-review campaigns started or closed", func(ctx context.Context) (int, error) {
			started, closed, err := rs.reviews.Sweep(ctx, rs.every, rs.length)
			return btoi(started) + btoi(closed), err
		}},
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runStaffPrivileged is privileged access from the terminal (S3):
//
//	coupole staff privileged request ROLE --minutes N --why TEXT --as STAFF_ID
//	coupole staff privileged approve|reject|withdraw REQUEST_ID [--why TEXT] --as STAFF_ID
//	coupole staff privileged list
//
// --as is the staff member who asks or decides, checked like on a screen.
func runStaffPrivileged(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("staff privileged: want request, approve, reject, withdraw or list")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet(env, "staff privileged "+verb, "[ROLE|REQUEST_ID] [--minutes N] [--why TEXT] --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member who asks or decides (required)")
	why := fs.String("why", "", "the justification (request) or the reason (reject, withdraw); traced")
	minutes := fs.Int("minutes", 60, "how long the elevated role lasts once approved")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir", "privileged-max")
	args, target := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if verb != "list" && (target == "" || strings.TrimSpace(*as) == "") {
		return usagef("staff privileged %s: want a role or request id and --as STAFF_ID", verb)
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		list, err := db.ListPrivilegedRequests(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSTAFF\tROLE\tSTATUS\tDECIDED BY\tENDS")
		for _, r := range list {
			ends := "-"
			if !r.EndsAt.IsZero() {
				ends = r.EndsAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.StaffID, r.Role, r.Status, r.DecidedBy, ends)
		}
		return w.Flush()
	}
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	p := &governance.Privileged{Store: db, SoD: lc.SoD, Access: lc.Access, Tracer: lc.Tracer, Clock: env.Clock, MaxDuration: cfg.PrivilegedMax}
	actor := strings.TrimSpace(*as)
	switch verb {
	case "request":
		role, err := coupole.ParseRole(target)
		if err != nil {
			return err
		}
		r, err := p.Request(ctx, actor, role, *why, time.Duration(*minutes)*time.Minute)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "privileged request %s: %s for %d minute(s), waiting for approval\n", r.ID, r.Role, *minutes)
	case "approve", "reject":
		r, err := p.Decide(ctx, actor, target, verb == "approve", *why)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "privileged request %s: %s\n", r.ID, r.Status)
	case "withdraw":
		if err := p.Withdraw(ctx, actor, target, *why); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "privileged request %s: withdrawn\n", target)
	default:
		return usagef("staff privileged: unknown %q (want request, approve, reject, withdraw or list)", verb)
	}
	return nil
}

// reviewSchedule is the access-review schedule of serve (--review-every,
// --review-length).
type reviewSchedule struct {
	reviews       *governance.Reviews
	every, length time.Duration
}
