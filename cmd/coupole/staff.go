package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/casework"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/scim"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// staffCommands are the staff administration commands (issue 5).
var staffCommands = []command{
	{"list", "list staff members, their roles and status", runStaffList},
	{"revoke", "emergency revocation: disable an account, kill its sessions and grants (S6)", runStaffRevoke},
	{"reinstate", "make a revoked account active again", runStaffReinstate},
	{"roles", "replace the roles of a staff member", runStaffRoles},
	{"breakglass", "create a local break-glass account (password + TOTP)", runStaffBreakGlass},
	{"privileged", "privileged access: request, approve, reject, withdraw, list elevated roles (S3)", runStaffPrivileged},
	{"sod-report", "list active accounts whose roles break segregation of duties (S7)", runStaffSoDReport},
	{"import", "joiners, movers and leavers from the HR file (dry run unless --apply) (S4)", runStaffImport},
	{"validation", "business validation of roles granted by IT: list, validate, reject (S5)", runStaffValidation},
	{"review", "access-review campaigns: start, status, keep, remove, close (S5)", runStaffReview},
}

func runStaff(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "staff", staffCommands, args)
}

// openStaffTracer starts an audit log writer for staff events on db. The
// caller closes it.
func openStaffTracer(ctx context.Context, db *sqlstore.DB, clock coupole.Clock, logger *slog.Logger) (web.AuditStaffTracer, func(), error) {
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: logger})
	if err != nil {
		return web.AuditStaffTracer{}, nil, err
	}
	return web.AuditStaffTracer{Log: l}, func() { l.Close() }, nil
}

func runStaffList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff list", "[--db DSN]")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.ListStaff(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tLOGIN\tNAME\tROLES\tSTATUS")
	for _, s := range list {
		roles := make([]string, len(s.Roles))
		for i, r := range s.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Kind, s.Login, s.DisplayName, strings.Join(roles, ","), s.Status)
	}
	return w.Flush()
}

// runStaffRevoke is the emergency procedure of S6: the account is disabled
// and every session and break-glass grant destroyed in one transaction; each
// node sees it on the next request, because sessions are checked against the
// database on every request.
func runStaffRevoke(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff revoke", "ID --reason TEXT [--db DSN]")
	reason := fs.String("reason", "", "why the access is removed (required, traced)")
	load := registerConfig(fs, env.Getenv, "db")
	args, id := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if id == "" || fs.NArg() > 0 {
		return usagef("staff revoke: want exactly one staff id (see `coupole staff list`)")
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("staff revoke: --reason is required")
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeTracer()
	n, err := web.RevokeStaff(ctx, db, tracer, env.Clock, "cli:"+cliUser(env), id, *reason)
	if err != nil && n == 0 {
		return err
	}
	fmt.Fprintf(env.Stdout, "staff %s revoked: %d session(s) destroyed, break-glass grants ended\n", id, n)
	return err
}

// splitID takes a leading positional id out of args, so that flags may
// follow it (`coupole staff revoke s-123 --reason "..."`).
func splitID(args []string) ([]string, string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[1:], args[0]
	}
	return args, ""
}

// cliUser names the operator at the terminal for the trace.
func cliUser(env *Env) string {
	if u := env.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func runStaffReinstate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff reinstate", "ID [--db DSN]")
	load := registerConfig(fs, env.Getenv, "db")
	args, id := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" {
		return usagef("staff reinstate: want a staff id")
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Staff(ctx, id); err != nil {
		return err
	}
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeTracer()
	// Trace first: access given back that cannot be traced is not given.
	ev := coupole.StaffEvent{Type: coupole.StaffEventReinstated, Actor: "cli:" + cliUser(env), Subject: id, Outcome: "ok"}
	if err := tracer.TraceStaff(ctx, ev); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: staff %s is not reinstated", id)
	}
	if err := db.Reinstate(ctx, id); err != nil {
		ev.Outcome, ev.Reason = "failed", coupole.ErrorCode(err)
		tracer.TraceStaff(ctx, ev) // best effort: the attempt is traced
		return err
	}
	fmt.Fprintf(env.Stdout, "staff %s is active again\n", id)
	return nil
}

// runStaffRoles replaces the roles of a staff member through the lifecycle
// (issue 12): --as names the staff member who makes the change, checked
// against the staff policy (nobody administers their own rights) and the
// segregation-of-duties policy, like the same change on a screen.
func runStaffRoles(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff roles", "ID ROLE[,ROLE…] --as STAFF_ID [--db DSN]")
	as := fs.String("as", "", "the staff member (an IT administrator) who makes the change (required, checked and traced)")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir")
	args, id := splitID(args)
	args, list := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if list == "" && fs.NArg() == 1 { // flags before the roles
		list = fs.Arg(0)
	} else if fs.NArg() != 0 {
		list = ""
	}
	if id == "" || list == "" {
		return usagef("staff roles: want a staff id and a comma-separated list of roles")
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("staff roles: --as STAFF_ID is required: a role change is made by a staff member, checked like one made on a screen (S7)")
	}
	roles, err := coupole.ParseRoles(list)
	if err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	if err := lc.SetRoles(ctx, cliActor(env, *as), id, roles, coupole.SourceCLI); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "staff %s roles: %s\n", id, joinRoles(roles))
	return nil
}

func joinRoles(rs []coupole.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// runStaffBreakGlass creates a local break-glass account: the password is
// read from a file (never from the command line, which other users can see),
// a TOTP secret is generated and its provisioning URI printed once.
func runStaffBreakGlass(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff breakglass", "LOGIN --roles ROLE[,ROLE] --password-file FILE [--name NAME] [--db DSN] [--data-dir DIR]")
	rolesFlag := fs.String("roles", "", "roles of the account (required)")
	pwFile := fs.String("password-file", "", "file holding the password, at least 12 characters (required)")
	name := fs.String("name", "", "display name (default: the login)")
	load := registerConfig(fs, env.Getenv, "db", "data-dir")
	args, login := splitID(args)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if login == "" || fs.NArg() > 0 {
		return usagef("staff breakglass: want one login name")
	}
	roles, err := coupole.ParseRoles(*rolesFlag)
	if err != nil {
		return err
	}
	if len(roles) == 0 {
		return usagef("staff breakglass: --roles is required")
	}
	if *pwFile == "" {
		return usagef("staff breakglass: --password-file is required")
	}
	pw, err := os.ReadFile(*pwFile)
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "--password-file: cannot read %s", *pwFile)
	}
	hash, err := web.HashPassword(strings.TrimRight(string(pw), "\r\n"))
	if err != nil {
		return err
	}
	secret, uri, err := web.NewTOTPKey(login)
	if err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := openSecretKey(env, cfg) // the server's key: same --data-dir as serve
	if err != nil {
		return err
	}
	if *name == "" {
		*name = login
	}
	*name = strings.ToValidUTF8(*name, "\uFFFD") // stored and shown; PostgreSQL refuses invalid UTF-8
	st := coupole.Staff{ID: "bg-" + login, Kind: coupole.StaffLocal, Login: login, DisplayName: *name, Roles: roles, Status: coupole.StaffActive, CreatedAt: env.Clock.Now()}
	tracer, closeTracer, err := openStaffTracer(ctx, db, env.Clock, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	defer closeTracer()
	// Trace first: an account that cannot be traced is not created.
	ev := coupole.StaffEvent{Type: coupole.StaffEventCreated, Actor: "cli:" + cliUser(env), Subject: st.ID, Outcome: "ok",
		Details: map[string]string{"kind": "local", "roles": joinRoles(roles)}}
	if err := tracer.TraceStaff(ctx, ev); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: no account was created")
	}
	if err := db.CreateStaff(ctx, st); err != nil {
		ev.Outcome, ev.Reason = "failed", coupole.ErrorCode(err)
		tracer.TraceStaff(ctx, ev) // best effort: the attempt is traced
		return err
	}
	if err := db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: st.ID, PasswordHash: hash, TOTPSecret: web.SealTOTPSecret(key, st.ID, secret)}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "break-glass account %s created (staff id %s).\n", login, st.ID)
	fmt.Fprintf(env.Stdout, "Add it to --break-glass-accounts, and register this TOTP URI in an authenticator now (it is not shown again):\n%s\n", uri)
	return nil
}

// enableStaffAccess wires sign-in, sessions and the staff routes into srv
// (issue 5). Under --demo it creates the demo accounts and prints them.
func enableStaffAccess(ctx context.Context, env *Env, cfg *Config, demo bool, db *sqlstore.DB, srv *web.Server, logger *slog.Logger, alog *audit.Log) (func(), error) {
	authz, err := staffpolicy.Open(cfg.StaffPolicyDir)
	if err != nil {
		return nil, err
	}
	disclosure, err := policy.OpenDisclosure(cfg.PolicyDir)
	if err != nil {
		return nil, err
	}
	reasons := interaction.DefaultCallReasons
	if cfg.CallReasonsFile != "" {
		if reasons, err = interaction.LoadCallReasons(cfg.CallReasonsFile); err != nil {
			return nil, err
		}
	}
	tracer, closeTracer := web.AuditStaffTracer{Log: alog}, func() {} // the caller closes the shared log
	// serve created the key (openSecretKey) before it got here.
	secrets, err := secretkey.Load(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	ac := web.AuthConfig{
		Limits:          coupole.SessionLimits{Idle: cfg.SessionIdle, Absolute: cfg.SessionMax},
		SecureCookies:   cfg.secureCookies(demo),
		AllowedNetworks: cfg.AllowedNetworks,
		TrustedProxies:  cfg.TrustedProxies,
		LocalAccounts:   cfg.BreakGlassAccounts,
		Demo:            demo,
	}
	if cfg.OIDCIssuer != "" {
		if cfg.OIDCClientID == "" || cfg.OIDCRedirectURL == "" || len(cfg.OIDCGroupRoles) == 0 {
			closeTracer()
			return nil, coupole.Errorf(coupole.EINVALID, "--oidc-issuer needs --oidc-client-id, --oidc-redirect-url and --oidc-group-roles")
		}
		var secret string
		if cfg.OIDCClientSecretFile != "" {
			b, err := os.ReadFile(cfg.OIDCClientSecretFile)
			if err != nil {
				closeTracer()
				return nil, coupole.Errorf(coupole.EINVALID, "--oidc-client-secret-file: cannot read %s", cfg.OIDCClientSecretFile)
			}
			secret = strings.TrimSpace(string(b))
		}
		ac.OIDC = &web.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: secret,
			RedirectURL: cfg.OIDCRedirectURL, GroupsClaim: cfg.OIDCGroupsClaim, GroupRoles: cfg.OIDCGroupRoles}
	}
	service := &interaction.Service{Grid: db, Store: db, Policy: disclosure, Audit: alog, Clock: env.Clock, Reasons: reasons, Logger: logger,
		IdleAfter: cfg.InteractionIdle, Budget: cfg.VerificationBudget,
		GridStaleness: interaction.MaxGridStaleness / 2} // the steps of a call share grid reads for 500 ms (issue 17)
	// Issue 13: e-mail and chat bodies attached to interactions, kept sealed in the blob store.
	if service.Messages, err = newMessageKeeper(env, cfg, db, alog); err != nil {
		closeTracer()
		return nil, err
	}
	// The back office's case queue (issue 11), on the same log and store.
	cases := &casework.Service{Store: db, Grid: db, Audit: alog, Clock: env.Clock, Logger: logger}
	// Issue 12: the one lifecycle door, with the configured validation period.
	lifecycle, err := newLifecycle(env, cfg, db, tracer)
	if err != nil {
		return nil, err
	}
	access := &web.StaffAccess{Lifecycle: lifecycle, SoD: lifecycle.SoD, ReviewLength: cfg.ReviewLength, Store: db, Authz: authz, Interactions: service, Cases: cases, AuditProofs: alog, Customers: db, Tracer: tracer, Clock: env.Clock, Logger: logger, Config: ac, Secrets: secrets,
		PrivilegedMax: cfg.PrivilegedMax, BreakGlassMax: cfg.BreakGlassMax, // issue 12: serve's bounds of S3
		SCIMTokens: &scim.Tokens{Store: sqlstore.NewSCIMStore(db), Tracer: tracer, Clock: env.Clock}} // issue 12: the IT administrator's page
	if err := srv.EnableStaffAccess(ctx, access); err != nil {
		closeTracer()
		return nil, err
	}
	// The staff pages (issue 7); the auditors' page checks the latest
	// checkpoint's signature with the data directory's verifier key.
	pages := web.PagesConfig{Traces: alog}
	if vkey, err := audit.VerifierOf(cfg.DataDir); err == nil {
		if v, err := audit.ParseVerifier(vkey); err == nil {
			pages.TraceVerifier = v
		}
	}
	if demo {
		pages.DemoCallers = pickDemoCallers(ctx, db, env.Clock.Now(), logger)
	}
	access.EnablePages(pages)
	stopOversight, err := enableOversight(ctx, env, cfg, db, alog, access, logger) // issue 16
	if err != nil {
		closeTracer()
		return nil, err
	}
	closeTracer = func() { stopOversight() } // the caller closes the shared log
	enableCompliance(env, cfg, db, access, alog)
	if err := enableRetentionPages(env, cfg, db, access, alog); err != nil { // issue 13
		closeTracer()
		return nil, err
	}
	if demo {
		accounts, err := web.EnsureDemoAccounts(ctx, db, env.Clock)
		if err != nil {
			closeTracer()
			return nil, err
		}
		// Issue 12: the demo publishes a confidentiality charter, already
		// acknowledged by the demo accounts (S1).
		ids := make([]string, len(accounts))
		for i, a := range accounts {
			ids[i] = a.Login
		}
		if err := ensureDemoCharter(ctx, lifecycle, db, ids, env.Clock.Now()); err != nil {
			closeTracer()
			return nil, err
		}
		fmt.Fprintln(env.Stdout, "Demo accounts (sign in with one click on /signin; they exist only under --demo):")
		for _, a := range accounts {
			fmt.Fprintf(env.Stdout, "  %-32s %s\n", a.Login, a.Role)
		}
		printDemoCallers(env.Stdout, pages.DemoCallers)
	}
	if !demo {
		if _, err := db.CurrentCharter(ctx); coupole.ErrorCode(err) == coupole.ENOTFOUND {
			logger.Warn("no confidentiality charter is published: staff open customer data without acknowledging one (S1); publish it with coupole charter publish")
		}
	}
	// Issue 12: privileged expiries, unvalidated roles, HR leavers on their
	// date and access-review campaigns, by a sweeper.
	stopGovernance := startGovernanceSweeper(ctx, governanceJobs(access.Privileged, &governance.Validation{Lifecycle: lifecycle, Store: db}, lifecycle,
		reviewSchedule{&governance.Reviews{Lifecycle: lifecycle, Store: db}, cfg.ReviewEvery, cfg.ReviewLength}), hrLeaverEvery, logger)
	stopIdle := startIdleSweeper(ctx, service, logger, closeTracer)
	return func() { stopGovernance(); stopIdle() }, nil
}
