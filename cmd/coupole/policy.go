package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
	staffpolicy "github.com/coupole/coupole/policy/staff"
)

// runPolicy implements `coupole policy decide` and `coupole policy test`
// (contract: ../shared/contracts/DECISIONS.md).
var policyCommands = []command{
	{"decide", "one disclosure decision: JSON request on stdin, JSON decision on stdout", runPolicyDecide},
	{"test", "run scenario files (YAML or JSON) against a policy set", runPolicyTest},
}

func runPolicy(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "policy", policyCommands, args)
}

// runPolicyDecide reads one JSON request on stdin and prints one JSON
// decision. Every well-formed request exits 0, refusals included; a malformed
// one is an EINVALID error (exit 2) whose one-line message names the field.
func runPolicyDecide(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "policy decide", "[flags] < request.json")
	lang := fs.String("lang", policy.DefaultLanguage, "language of the explanation: "+strings.Join(policy.Languages, ", "))
	loadConfig := registerConfig(fs, env.Getenv, "policy-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("policy decide: the request is read on standard input, not from arguments")
	}
	if !slices.Contains(policy.Languages, *lang) {
		return usagef("--lang: want one of %s", strings.Join(policy.Languages, ", "))
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(env.Stdin)
	if err != nil {
		return coupole.Wrap(err, coupole.EINVALID, "request: cannot read standard input")
	}
	req, err := policy.ParseRequest(data)
	if err != nil {
		return err
	}
	d, err := policy.OpenDisclosure(cfg.PolicyDir)
	if err != nil {
		return err
	}
	req.Lang = *lang
	dec, err := d.Decide(ctx, req)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(dec)
}

// runPolicyTest runs scenario files against the disclosure set: one line per
// case, a summary line, and a failure (exit 1) if any case fails.
func runPolicyTest(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "policy test", "[flags] FILE_OR_DIR...")
	set := fs.String("set", "disclosure", "policy set the scenarios test: disclosure or staff (staff access, issue 5)")
	loadConfig := registerConfig(fs, env.Getenv, "policy-dir", "staff-policy-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("policy test: want at least one scenario file or directory")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	var hash string
	var decide policy.DecideFunc
	switch *set {
	case "disclosure":
		d, err := policy.OpenDisclosure(cfg.PolicyDir)
		if err != nil {
			return err
		}
		hash, decide = d.Set().Hash(), d.DecideJSON
	case "staff":
		a, err := staffpolicy.Open(cfg.StaffPolicyDir)
		if err != nil {
			return err
		}
		hash, decide = a.Set().Hash(), a.DecideJSON
	default:
		return usagef("--set: want disclosure or staff")
	}
	cases, err := policy.LoadScenarios(fs.Args()...)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s policy set sha256:%s, %d case(s)\n", *set, hash, len(cases))
	sum := policy.RunScenarios(ctx, cases, decide, env.Stdout)
	if sum.Failed > 0 {
		return coupole.Errorf(coupole.ECONFLICT, "policy test: %d of %d case(s) failed", sum.Failed, sum.Passed+sum.Failed)
	}
	return nil
}
