// Package yearlog generates the audit trace of a contact center's year for
// the benchmarks (bench/yearly, bench/verify): the events of advisor flows
// in the shapes the interaction service writes (interaction/*.go: ids of
// 28 hex digits, every decision fact, the policy set's SHA-256), about 560
// bytes of canonical payload each, so that verification and counting are
// measured on events of the real size — and a bulk loader that writes them
// through the audit store's own Append in large batches, or as an export
// bundle.
package yearlog

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Year is the year the events are spread over.
var Year = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// EventsPerInteraction is the average number of events of a Flow.
const EventsPerInteraction = 10

var (
	channels  = []string{"phone", "phone", "phone", "phone", "email", "email", "chat", "letter", "messenger", "web_form"}
	reasons   = []string{"ean_request", "invoice", "move", "metering_index", "outage", "planned_works", "connection", "supplier_question", "complaint", "other"}
	items     = []string{"ean", "supplier", "consumption_history", "case_status"}
	policySet = "9f2c1b7e4d0a3f5e8c6b2a1d0e9f8c7b6a5d4e3f2c1b0a9f8e7d6c5b4a3f2e1d"
)

// id is prefix and 28 hex digits, as interaction.newID makes them: the
// order of creation first (6 bytes: the service puts the time in
// milliseconds there, so ids grow along the log), then 8 random bytes.
func id(prefix string, order uint64, r *rand.Rand) string {
	var b [14]byte
	for i := range 6 {
		b[i] = byte(order >> (8 * (5 - i)))
	}
	for i := 6; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	return prefix + hex.EncodeToString(b[:])
}

// Flow returns the events of interaction i, as the interaction service
// writes them: open, identify, select, read, verify (one in ten failed
// first), read, one to three decisions (an SMS or a letter delivered for
// some, one in twelve refused), close with a call reason.
func Flow(i int) []verify.Event {
	r := rand.New(rand.NewPCG(uint64(i), 14))
	in := id("i-", uint64(i), r)
	actor := fmt.Sprintf("s-%028x", i%300)
	ean := fmt.Sprintf("5414%014d", r.IntN(2_000_000))
	cust := fmt.Sprintf("C-%07d", r.IntN(1_500_000))
	client := fmt.Sprintf("10.20.%d.%d", r.IntN(256), r.IntN(256))
	reason := reasons[r.IntN(len(reasons))]
	ev := func(action string, d *verify.Decision, data ...string) verify.Event {
		e := verify.Event{Actor: actor, Action: action, Interaction: in, Client: client, Data: data, Decision: d}
		if action != "interaction.open" && action != "interaction.identify" && action != "interaction.close" {
			e.AccessPoints, e.Customers = []string{ean}, []string{cust}
		}
		return e
	}
	out := []verify.Event{
		ev("interaction.open", nil, "channel="+channels[r.IntN(len(channels))], "requester=customer"),
		ev("interaction.identify", nil, "search=ean", "candidates=1", "masked_access_point", "masked_customer_name"),
		ev("interaction.select", nil, "ref=c1"),
		ev("interaction.read", nil, "interaction_summary"),
	}
	if r.IntN(10) == 0 {
		out = append(out, ev("interaction.verify", &verify.Decision{Outcome: "failed", Reason: "meter_mismatch"}, "meter_number"))
	}
	out = append(out, ev("interaction.verify", &verify.Decision{Outcome: "verified", Reason: "meter_matches"}, "meter_number"))
	out = append(out, ev("interaction.read", nil, "interaction_summary"))
	for range 1 + r.IntN(3) {
		item := items[r.IntN(len(items))]
		d := &verify.Decision{Outcome: "oral", Reason: "own_data", Policies: []string{"own-data-oral"}, PolicySet: policySet}
		switch item {
		case "ean":
			d.Outcome, d.Reason, d.Policies = "sms", "ean_by_sms", []string{"ean-by-sms"}
		case "supplier":
			d.Outcome, d.Reason, d.Policies = "letter", "supplier_by_letter", []string{"ean-by-letter-no-mobile"}
		}
		if r.IntN(12) == 0 {
			d.Outcome, d.Reason, d.Policies = "refuse", "not_occupant", []string{"refuse-not-occupant"}
		}
		facts := []string{"item=" + item, "meter_verified=true", "occupancy=current", "mandate=none", "mandate_scope=none",
			"registered_mobile=" + strconv.FormatBool(r.IntN(3) > 0), "ean_count=1", "reading_regime=smart"}
		e := ev("interaction.decide", d, facts...)
		e.CallReason = reason
		out = append(out, e)
		if d.Outcome == "sms" || d.Outcome == "letter" {
			e := ev("interaction.deliver", &verify.Decision{Outcome: d.Outcome, Reason: d.Reason, Policies: d.Policies, PolicySet: policySet}, append(facts, "masked_destination")...)
			e.CallReason = reason
			out = append(out, e)
		}
	}
	c := ev("interaction.close", nil)
	c.CallReason = reason
	return append(out, c)
}

// Clock spreads the events of n interactions over Year: event k is at
// Year + k × step. The step leaves a tenth of the year spare, so that
// every event falls in it although a Flow's length varies.
func Clock(n int) time.Duration {
	return 365 * 24 * time.Hour / time.Duration(max(1, n*(EventsPerInteraction+1)))
}

// Load appends the events of interactions [0, n) to store through
// audit.Bulk in batches of batch events, with a signed checkpoint every
// checkpointEvery events (and one at the end), spread over Year. progress,
// if not nil, is called after each checkpoint. It returns the events
// written.
func Load(ctx context.Context, store audit.Storage, signer note.Signer, n, batch, checkpointEvery int, progress func(events uint64)) (uint64, error) {
	b, err := audit.NewBulk(ctx, store, signer, batch)
	if err != nil {
		return 0, err
	}
	step := Clock(n)
	var k uint64
	var at time.Time
	for i := range n {
		for _, e := range Flow(i) {
			at = Year.Add(time.Duration(k) * step)
			if err := b.Add(ctx, e, at); err != nil {
				return k, err
			}
			k++
			if checkpointEvery > 0 && k%uint64(checkpointEvery) == 0 {
				if _, err := b.Checkpoint(ctx, at); err != nil {
					return k, err
				}
				if progress != nil {
					progress(k)
				}
			}
		}
	}
	if _, err := b.Checkpoint(ctx, at); err != nil {
		return k, err
	}
	return k, nil
}

// WriteBundle writes the events of interactions [0, n) as an export bundle
// (format version 2, every payload held) with a signed checkpoint every
// checkpointEvery events, as `coupole audit export` writes a log: for
// measuring verification without a database. It returns the events written.
func WriteBundle(w io.Writer, signer note.Signer, n, checkpointEvery int) (uint64, error) {
	type held struct {
		rec, salt, payload []byte
	}
	var evs []held
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	tree := rf.NewEmptyRange(0)
	var notes [][]byte
	step := Clock(n)
	r := rand.New(rand.NewPCG(uint64(n), 17))
	sign := func() error {
		root, err := tree.GetRootHash(nil)
		if err != nil {
			return err
		}
		msg, err := verify.SignCheckpoint(verify.Checkpoint{Origin: signer.Name(), Size: tree.End(), Root: root}, signer)
		notes = append(notes, msg)
		return err
	}
	for i := range n {
		for _, e := range Flow(i) {
			p, err := verify.EncodePayload(e)
			if err != nil {
				return 0, err
			}
			salt := make([]byte, verify.SaltSize)
			for j := range salt {
				salt[j] = byte(r.Uint32())
			}
			k := uint64(len(evs))
			l := verify.Leaf{Index: k, Time: Year.Add(time.Duration(k) * step).UnixNano(), Commitment: verify.Commit(salt, p)}
			evs = append(evs, held{l.Marshal(), salt, p})
			if err := tree.Append(l.Hash(), nil); err != nil {
				return 0, err
			}
			if checkpointEvery > 0 && tree.End()%uint64(checkpointEvery) == 0 {
				if err := sign(); err != nil {
					return 0, err
				}
			}
		}
	}
	root, err := tree.GetRootHash(nil)
	if err != nil {
		return 0, err
	}
	head, err := verify.SignCheckpoint(verify.Checkpoint{Origin: signer.Name(), Size: tree.End(), Root: root, Extensions: verify.HeadExtensions(0, notes)}, signer)
	if err != nil {
		return 0, err
	}
	bw := verify.NewBundleWriter(w)
	for _, m := range notes {
		bw.Checkpoint(m)
	}
	bw.Head(head)
	for _, e := range evs {
		bw.Leaf(e.rec)
		bw.Payload(e.salt, e.payload)
	}
	return uint64(len(evs)), bw.Flush()
}
