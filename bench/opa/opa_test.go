// Package opa compares the disclosure policy in Cedar (the product, package
// policy) with the same rules in Rego evaluated by OPA's Go library. It is a
// separate module so that the product never depends on OPA; run it with
//
//	cd bench/opa && go test -bench . -benchmem
package opa

import (
	"context"
	_ "embed"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/coupole/coupole/policy"
)

//go:embed disclosure.rego
var disclosureRego string

// rego the way a service would hold it: parsed and compiled once.
func mustPrepare(tb testing.TB) rego.PreparedEvalQuery {
	tb.Helper()
	pq, err := rego.New(
		rego.Query("data.coupole.disclosure.decision"),
		rego.Module("disclosure.rego", disclosureRego),
	).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return pq
}

// regoInput is the OPA input for a request, with the defaults applied the same
// way Decide applies them (policy.ParseRequest already did for scenarios).
func regoInput(r policy.Request) map[string]any {
	f := r.Facts
	occ, mandate, scope, count, regime := string(f.Occupancy), string(f.Mandate), string(f.MandateScope), f.EANCount, string(f.ReadingRegime)
	if occ == "" {
		occ = "none"
	}
	if mandate == "" {
		mandate = "none"
	}
	if scope == "" {
		scope = "all"
	}
	if count == 0 {
		count = 1
	}
	if regime == "" {
		regime = "not_given"
	}
	return map[string]any{
		"requester": string(r.Requester),
		"channel":   string(r.Channel),
		"item":      string(r.Item),
		"facts": map[string]any{
			"meter_verified":    f.MeterVerified,
			"occupancy":         occ,
			"mandate":           mandate,
			"mandate_scope":     scope,
			"registered_mobile": f.RegisteredMobile,
			"ean_count":         count,
			"reading_regime":    regime,
		},
	}
}

type outcome struct {
	Outcome, Reason, Scope string
	Policies               []string
}

func regoDecide(ctx context.Context, pq rego.PreparedEvalQuery, r policy.Request) (outcome, error) {
	rs, err := pq.Eval(ctx, rego.EvalInput(regoInput(r)))
	if err != nil {
		return outcome{}, err
	}
	m := rs[0].Expressions[0].Value.(map[string]any)
	o := outcome{Outcome: m["outcome"].(string), Reason: m["reason"].(string), Scope: m["scope"].(string), Policies: []string{}}
	for _, p := range m["policies"].([]any) {
		o.Policies = append(o.Policies, p.(string))
	}
	return o, nil
}

func mustRequests(tb testing.TB) []policy.Request {
	tb.Helper()
	cases, err := policy.LoadScenarios("../../policy/scenarios")
	if err != nil {
		tb.Fatal(err)
	}
	reqs := make([]policy.Request, len(cases))
	for i, c := range cases {
		if reqs[i], err = policy.ParseRequest(c.Request); err != nil {
			tb.Fatal(err)
		}
	}
	return reqs
}

// TestSameDecisions: the Rego rules decide exactly like the Cedar policies
// (outcome, reason, scope and policy ids) on the scenario suite and on
// thousands of random requests, so that the benchmark compares like with like.
func TestSameDecisions(t *testing.T) {
	d, err := policy.OpenDisclosure("")
	if err != nil {
		t.Fatal(err)
	}
	pq := mustPrepare(t)
	ctx := context.Background()
	reqs := mustRequests(t)
	r := rand.New(rand.NewPCG(7, 7))
	regimes := append([]policy.ReadingRegime{""}, policy.ReadingRegimes...)
	scopes := append([]policy.MandateScope{""}, policy.MandateScopes...)
	for i := 0; i < 3000; i++ {
		reqs = append(reqs, policy.Request{
			Requester: policy.Requesters[r.IntN(len(policy.Requesters))],
			Channel:   policy.Channels[r.IntN(len(policy.Channels))],
			Item:      policy.Items[r.IntN(len(policy.Items))],
			Facts: policy.Facts{
				MeterVerified: r.IntN(2) == 0, RegisteredMobile: r.IntN(2) == 0,
				Occupancy: policy.Occupancies[r.IntN(3)], Mandate: policy.Mandates[r.IntN(3)], MandateScope: scopes[r.IntN(len(scopes))],
				EANCount: 1 + r.IntN(4), ReadingRegime: regimes[r.IntN(len(regimes))],
			},
		})
	}
	for _, req := range reqs {
		c, err := d.Decide(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		o, err := regoDecide(ctx, pq, req)
		if err != nil {
			t.Fatal(err)
		}
		want := outcome{string(c.Outcome), c.Reason, string(c.Scope), c.Policies}
		if !reflect.DeepEqual(o, want) {
			t.Fatalf("%+v:\n cedar %+v\n rego  %+v", req, want, o)
		}
	}
}

// BenchmarkDisclosure runs both engines over the same requests in one run.
func BenchmarkDisclosure(b *testing.B) {
	d, err := policy.OpenDisclosure("")
	if err != nil {
		b.Fatal(err)
	}
	pq := mustPrepare(b)
	reqs := mustRequests(b)
	ctx := context.Background()
	b.Run("cedar", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := d.Decide(ctx, reqs[i%len(reqs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("opa", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := regoDecide(ctx, pq, reqs[i%len(reqs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
