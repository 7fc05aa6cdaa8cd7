package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/sqlstore"
)

// Business validation and access reviews from the terminal (issue 12,
// item 5). Decisions act as a named staff member (--as), checked by the
// staff policy and the segregation-of-duties policy like on a screen.

// runStaffValidation is the service delivery manager's queue:
//
//	coupole staff validation list
//	coupole staff validation validate GRANT_ID --as STAFF_ID
//	coupole staff validation reject GRANT_ID --why TEXT --as STAFF_ID
func runStaffValidation(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("staff validation: want list, validate or reject")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet(env, "staff validation "+verb, "[GRANT_ID] [--why TEXT] --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member who decides (required to decide)")
	why := fs.String("why", "", "why the role is rejected (traced)")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir", "grant-validation-days")
	args, target := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		q, err := db.ListRoleGrants(ctx, coupole.GrantPending)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "GRANT\tSTAFF\tROLE\tSOURCE\tGRANTED BY\tDUE")
		for _, g := range q {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", g.ID, g.StaffID, g.Role, g.Source, g.GrantedBy, g.DueAt.Format(time.RFC3339))
		}
		return w.Flush()
	}
	if target == "" || strings.TrimSpace(*as) == "" {
		return usagef("staff validation %s: want a grant id and --as STAFF_ID", verb)
	}
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	v := &governance.Validation{Lifecycle: lc, Store: db}
	switch verb {
	case "validate":
		g, err := v.Validate(ctx, cliActor(env, *as), target)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "grant %s: %s of %s validated\n", g.ID, g.Role, g.StaffID)
	case "reject":
		g, err := v.Reject(ctx, cliActor(env, *as), target, *why)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "grant %s: %s of %s rejected; the role is removed\n", g.ID, g.Role, g.StaffID)
	default:
		return usagef("staff validation: unknown %q (want list, validate or reject)", verb)
	}
	return nil
}

// runStaffReview is the access-review campaigns:
//
//	coupole staff review start [--length 14d] --as STAFF_ID
//	coupole staff review status [CAMPAIGN_ID]
//	coupole staff review keep|remove ITEM_ID [--why TEXT] --as STAFF_ID
//	coupole staff review close [CAMPAIGN_ID] --as STAFF_ID
func runStaffReview(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("staff review: want start, status, keep, remove or close")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet(env, "staff review "+verb, "[CAMPAIGN_ID|ITEM_ID] [--length 14d] [--why TEXT] --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member who acts (required but for status)")
	why := fs.String("why", "", "why a role is removed (traced)")
	length := fs.String("length", "", "how long the campaign stays open (default: --review-length)")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir", "review-length")
	args, target := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "status" {
		return printReviewStatus(ctx, env, db, target)
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("staff review %s: --as STAFF_ID is required", verb)
	}
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	rv := &governance.Reviews{Lifecycle: lc, Store: db}
	actor := cliActor(env, *as)
	switch verb {
	case "start":
		d := cfg.ReviewLength
		if *length != "" {
			if err := setDays(&d, *length, false); err != nil {
				return coupole.Errorf(coupole.EINVALID, "--length: %v", err)
			}
		}
		c, err := rv.Start(ctx, actor, d)
		if err != nil {
			return err
		}
		p, _ := db.ReviewProgress(ctx, c.ID)
		fmt.Fprintf(env.Stdout, "review campaign %s started: %d role(s) to review by %s\n", c.ID, p.Total, c.EndsAt.Format(time.RFC3339))
	case "keep", "remove":
		if target == "" {
			return usagef("staff review %s: want an item id", verb)
		}
		it, err := rv.Decide(ctx, actor, target, verb == "keep", *why)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "review item %s: %s of %s %s\n", it.ID, it.Role, it.StaffID, it.Decision)
	case "close":
		if target == "" {
			c, err := db.OpenReviewCampaign(ctx)
			if err != nil {
				return err
			}
			target = c.ID
		}
		p, err := rv.Close(ctx, actor, target)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "review campaign %s closed: %d kept, %d removed, %d removed unreviewed, %d gone\n", target, p.Kept, p.Removed, p.Expired, p.Gone)
	default:
		return usagef("staff review: unknown %q (want start, status, keep, remove or close)", verb)
	}
	return nil
}

// printReviewStatus prints a campaign's progress and each reviewer's
// pending items (the reminders), the open campaign when id is empty.
func printReviewStatus(ctx context.Context, env *Env, db *sqlstore.DB, id string) error {
	var c coupole.ReviewCampaign
	var err error
	if id == "" {
		c, err = db.OpenReviewCampaign(ctx)
	} else {
		c, err = db.ReviewCampaign(ctx, id)
	}
	if err != nil {
		return err
	}
	p, err := db.ReviewProgress(ctx, c.ID)
	if err != nil {
		return err
	}
	state := "open"
	if !c.Open {
		state = "closed"
	}
	fmt.Fprintf(env.Stdout, "campaign %s (%s), %s to %s: %d%% done — %d kept, %d removed, %d removed unreviewed, %d gone, %d pending of %d\n",
		c.ID, state, c.StartedAt.Format(time.DateOnly), c.EndsAt.Format(time.DateOnly), p.Done(), p.Kept, p.Removed, p.Expired, p.Gone, p.Pending, p.Total)
	items, err := db.ReviewItems(ctx, c.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ITEM\tSTAFF\tROLE\tREVIEWER\tDECISION\tBY")
	for _, it := range items {
		reviewer := it.Reviewer
		if reviewer == "" {
			reviewer = "(service delivery manager)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.StaffID, it.Role, reviewer, it.Decision, it.DecidedBy)
	}
	return w.Flush()
}
