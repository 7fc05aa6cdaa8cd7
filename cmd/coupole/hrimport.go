package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/hrimport"
)

// runStaffImport is the staff lifecycle from the HR file (issue 12, item 2):
//
//	coupole staff import hr.csv [--apply] [--full] --as STAFF_ID
//
// Without --apply it only shows the joiners, movers and leavers the file
// implies. With it, they are made through governance's lifecycle as the
// named staff member (checked like on a screen, S7), with the HR file as
// source. A malformed file is refused whole (line and column named).
func runStaffImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff import", "FILE [--apply] [--full] --as STAFF_ID [--db DSN]")
	apply := fs.Bool("apply", false, "make the changes (default: show them only)")
	full := fs.Bool("full", false, "the file lists the whole staff: an account with an employee number absent from it is a leaver")
	as := fs.String("as", "", "the staff member (an IT administrator) who applies the file (required, checked and traced)")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir", "hr-group-roles", "scim-group-roles", "oidc-group-roles", "hr-timezone")
	args, file := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return usagef("staff import: want the HR file (CSV: %s)", strings.Join(hrimport.RequiredColumns, ", "))
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("staff import: --as STAFF_ID is required: the file's changes are made by a staff member, checked like on a screen (S7)")
	}
	f, err := os.Open(file)
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "staff import: cannot open %s", file)
	}
	defer f.Close()
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := hrimport.Parse(f, cfg.HRTimezone)
	if err != nil {
		return err
	}
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	plan, err := hrimport.MakePlan(ctx, db, rows, hrimport.Options{Roles: hrRoles(cfg), Full: *full, Now: env.Clock.Now(),
		Location: cfg.HRTimezone, SoD: lc.SoD})
	if err != nil {
		return err
	}
	printPlan(env, file, plan)
	if !*apply {
		fmt.Fprintln(env.Stdout, "dry run: nothing changed; add --apply to make these changes")
		return nil
	}
	n, err := hrimport.Apply(ctx, lc, governance.ActorHRImport+cliUser(env)+" as "+strings.TrimSpace(*as), &plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "applied: %d change(s)\n", n)
	return nil
}

// hrRoles is the role-group mapping of the HR file: hr-group-roles, else
// the SCIM one, else the identity provider's.
func hrRoles(cfg *Config) hrimport.RoleMap {
	for _, m := range []map[string][]coupole.Role{cfg.HRGroupRoles, cfg.SCIMGroupRoles, cfg.OIDCGroupRoles} {
		if len(m) > 0 {
			return hrimport.RoleMap(m)
		}
	}
	return nil
}

// printPlan shows the plan with identifiers and roles, never names.
func printPlan(env *Env, file string, p hrimport.Plan) {
	fmt.Fprintf(env.Stdout, "%s: %d joiner(s), %d mover(s), %d leaver(s) now, %d leaver(s) on their date, %d profile change(s)\n", file,
		p.Count(hrimport.Joiner), p.Count(hrimport.Mover), p.Count(hrimport.Leaver), p.Count(hrimport.Scheduled), p.Count(hrimport.Profile))
	if len(p.Changes) == 0 {
		return
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CHANGE\tLINE\tEMPLOYEE\tSTAFF\tROLES\tDATE\tNOTE")
	for _, c := range p.Changes {
		line, staff, roles, date := "-", "-", "-", "-"
		if c.Line > 0 {
			line = fmt.Sprint(c.Line)
		}
		if c.StaffID != "" {
			staff = c.StaffID
		}
		switch c.Kind {
		case hrimport.Mover:
			roles = joinRoles(c.From) + " → " + joinRoles(c.To)
		case hrimport.Joiner, hrimport.NotStarted:
			roles = joinRoles(c.To)
		case hrimport.Leaver:
			roles = joinRoles(c.From) + " → (none)"
		}
		if !c.Date.IsZero() {
			date = c.Date.Format(hrimport.DateLayout)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Kind, line, c.EmployeeNumber, staff, roles, date, c.Note)
	}
	w.Flush()
}

// hrLeaverEvery is how often serve looks for HR leavers whose date has
// come: a second, so that a future-dated leaver is out within about a
// second of the date, like the emergency path.
const hrLeaverEvery = time.Second
