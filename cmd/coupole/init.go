package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// runInit creates the audit log's signing key in the data directory (T2) and
// the secret key that seals stored secrets, and prints the verifier string
// auditors need. Run again, it keeps the key and
// prints the verifier again.
func runInit(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "init", "[--data-dir DIR] [--origin NAME]")
	origin := fs.String("origin", audit.DefaultOrigin, "name of the audit log and its key, e.g. audit.example-grid.be/coupole")
	load := registerConfig(fs, env.Getenv, "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("init takes no arguments")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	vkey, err := audit.CreateKey(cfg.DataDir, *origin)
	if coupole.ErrorCode(err) == coupole.ECONFLICT {
		if vkey, err = audit.VerifierOf(cfg.DataDir); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "coupole: the audit signing key in %s already exists; it is kept\n", cfg.DataDir)
	} else if err != nil {
		return err
	} else {
		fmt.Fprintf(env.Stderr, "coupole: audit signing key created: %s (mode 0600; back it up, never share it)\n", filepath.Join(cfg.DataDir, audit.SigningKeyFile))
	}
	// The secret key that seals stored secrets (issue 10, item 11); serve
	// and `staff breakglass` would create it on first need too.
	if _, err := openSecretKey(env, cfg); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "Give auditors this verifier key (also in %s):\n", filepath.Join(cfg.DataDir, audit.VerifierFile))
	fmt.Fprintln(env.Stdout, vkey)
	return nil
}
