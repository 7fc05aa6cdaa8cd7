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
	sodpolicy "github.com/coupole/coupole/policy/sod"
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
	flagsHelp := fs.Usage
	fs.Usage = func() {
		flagsHelp()
		fmt.Fprint(env.Stderr, decideRequestHelp())
	}
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

// decideRequestHelp describes the request of `policy decide`, its values
// taken from the lists the decoder checks, so that help and decoder agree.
func decideRequestHelp() string {
	join := func(vs []string) string { return strings.Join(vs, ", ") }
	var b strings.Builder
	fmt.Fprintf(&b, `
Request (JSON on stdin; contract: docs/policies.md):
  requester             %s (required)
  channel               %s (required)
  item                  %s (required)
  facts.meter_verified  true or false (default false)
  facts.occupancy       %s (default none)
  facts.mandate         %s (default none)
  facts.mandate_scope   %s (default all): what a valid mandate covers
  facts.registered_mobile  true or false (default false)
  facts.ean_count       integer >= 1 (default 1)
  facts.reading_regime  %s (required for consumption_history)

Item meter_reading is Coupole's extension of the contract's items: the caller
gives a meter index to record (C3), allowed only to the verified current
occupant, their mandatary or a CPAS on its line whose valid mandate covers
consumption. Item contact_details (D7) changes the customer's mobile number,
e-mail address, language or correspondence address: allowed only to the
verified current occupant, their mandatary or a CPAS on its line whose valid
mandate is of scope all.

Exit status: 0 for every well-formed request, refusals included; 2 for a
malformed one, with a one-line error naming the field.
`, join(strs(policy.Requesters)), join(strs(policy.Channels)), join(strs(policy.Items)), join(strs(policy.Occupancies)),
		join(strs(policy.Mandates)), join(strs(policy.MandateScopes)), join(strs(policy.ReadingRegimes)))
	return b.String()
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// runPolicyTest runs scenario files against the disclosure set: one line per
// case, a summary line, and a failure (exit 1) if any case fails.
func runPolicyTest(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "policy test", "[flags] FILE_OR_DIR...")
	set := fs.String("set", "disclosure", "policy set the scenarios test: disclosure, staff (staff access, issue 5) or sod (segregation of duties, issue 12)")
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
	case "sod":
		c, err := sodpolicy.Open("")
		if err != nil {
			return err
		}
		hash, decide = c.Set().Hash(), c.DecideJSON
	default:
		return usagef("--set: want disclosure, staff or sod")
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
