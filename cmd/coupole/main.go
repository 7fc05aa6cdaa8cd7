// Command coupole runs Coupole: the server (`coupole serve`) and the
// operator's commands (migrate, import, demo, policy, audit…).
//
// This package only parses flags and configuration, wires the packages
// together and maps errors to exit codes. Everything else lives elsewhere.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
)

// command is one subcommand. run receives the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is the list `coupole help` prints, in that order.
var commands = []command{
	{"serve", "run the Coupole server", runServe},
	{"migrate", "create or upgrade the database schema", runMigrate},
	{"import", "import grid data from CSV files (docs/import.md)", runImport},
	{"demo", "generate synthetic Walloon grid data (demo seed)", runDemo},
	{"deliver", "send the due SMS, letters and e-mails (the worker `serve` also runs; docs/delivery.md)", runDeliver},
	{"policy", "decide a disclosure request or test scenarios against the policies", runPolicy},
	{"init", "create the audit signing key and print its public verifier", runInit},
	{"audit", "export, verify, prove, query and erase the audit log", runAudit},
	{"staff", "list, revoke, reinstate staff; set roles; create break-glass accounts", runStaff},
	{"charter", "publish and show the confidentiality charter; record awareness campaigns (docs/governance.md)", runCharter},
	{"scim", "create, rotate, list and revoke the SCIM provisioning tokens (docs/scim.md)", runSCIM},
	{"letters", "batch a day's letters for the mail house (docs/letters.md)", runLetters},
	{"redact", "remove personal identifiers from a transcript or message (docs/oversight.md)", runRedact},
	{"report", "produce and verify the yearly confidentiality report (docs/report.md)", runReport},
	{"retention", "purge what is due with its evidence; retention status and monthly report (docs/retention.md)", runRetention},
	{"version", "print the version", runVersion},
}

// Env is what a command may use of the process: streams, environment and the
// clock. Tests build one to run commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Clock  coupole.Clock
}

// exitUsage is returned (wrapped) for bad command lines; main exits 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Clock: coupole.SystemClock{}}
	stopProfile := startCPUProfile(os.Getenv)
	code := run(ctx, env, os.Args[1:])
	stopProfile()
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code:
// 0 success, 1 failure, 2 bad usage or invalid input.
func run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return exitCode(env, c.run(ctx, env, args[1:]))
		}
	}
	fmt.Fprintf(env.Stderr, "coupole: unknown command %q (see `coupole help`)\n", args[0])
	return 2
}

func exitCode(env *Env, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "coupole: %v\n", err)
		return 2
	case coupole.ErrorCode(err) == coupole.EINVALID:
		fmt.Fprintf(env.Stderr, "coupole: %s\n", coupole.ErrorMessage(err))
		return 2
	default:
		fmt.Fprintf(env.Stderr, "coupole: %s\n", coupole.ErrorMessage(err))
		return 1
	}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Coupole keeps a grid operator's customer data confidential at the contact center.")
	fmt.Fprintln(w, "\nUsage: coupole COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `coupole COMMAND --help` for the flags of a command.")
}

// usagef returns a usage error that main reports with exit code 2.
func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func runVersion(ctx context.Context, env *Env, args []string) error {
	fmt.Fprintln(env.Stdout, "coupole", Version)
	return nil
}

// dispatch runs one subcommand of a command group (`coupole audit export …`):
// help on request, a usage error naming the group when the subcommand is
// missing or unknown.
func dispatch(ctx context.Context, env *Env, group string, cmds []command, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(env.Stdout, "Usage: coupole %s COMMAND [flags]\n\nCommands:\n", group)
		for _, c := range cmds {
			fmt.Fprintf(env.Stdout, "  %-11s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(env.Stdout, "\nRun `coupole %s COMMAND --help` for its flags.\n", group)
		if len(args) == 0 {
			return usagef("%s needs a subcommand", group)
		}
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	return usagef("%s: unknown subcommand %q (see `coupole %s help`)", group, args[0], group)
}

// openConfiguredDB loads the configuration, opens its database and checks
// that its schema is the one this build expects: what every command but
// migrate and serve --demo needs. The caller closes the database.
func openConfiguredDB(ctx context.Context, load func() (*Config, error)) (*Config, *sqlstore.DB, error) {
	cfg, err := load()
	if err != nil {
		return nil, nil, err
	}
	db, err := openCurrentDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// openCurrentDB opens cfg's database and checks that its schema is the one
// this build expects.
func openCurrentDB(ctx context.Context, cfg *Config) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
