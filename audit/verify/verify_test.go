package verify

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

func MustKey(tb testing.TB, name string) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v
}

// MustBundle builds a bundle of n events whose payloads below from are
// erased, with a checkpoint at each of sizes.
func MustBundle(tb testing.TB, s note.Signer, n, from uint64, sizes []uint64) []byte {
	tb.Helper()
	type ev struct{ rec, salt, payload []byte }
	evs := make([]ev, n)
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	tree := rf.NewEmptyRange(0)
	roots := map[uint64][]byte{0: rfc6962.DefaultHasher.EmptyRoot()}
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC).UnixNano()
	for i := range n {
		p, err := EncodePayload(Event{Actor: fmt.Sprintf("staff-%d", i%5), Action: "read", Customers: []string{fmt.Sprintf("c%d", i)}})
		if err != nil {
			tb.Fatal(err)
		}
		salt := make([]byte, SaltSize)
		rand.Read(salt)
		l := Leaf{Index: i, Time: t0 + int64(i/3)*1e6, Commitment: Commit(salt, p)}
		evs[i] = ev{l.Marshal(), salt, p}
		tree.Append(l.Hash(), nil)
		roots[i+1], _ = tree.GetRootHash(nil)
	}
	var notes [][]byte
	for _, size := range sizes {
		msg, err := SignCheckpoint(Checkpoint{Origin: s.Name(), Size: size, Root: roots[size]}, s)
		if err != nil {
			tb.Fatal(err)
		}
		notes = append(notes, msg)
	}
	head, err := SignCheckpoint(Checkpoint{Origin: s.Name(), Size: n, Root: roots[n], Extensions: HeadExtensions(from, notes)}, s)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewBundleWriter(&buf)
	for _, m := range notes {
		w.Checkpoint(m)
	}
	w.Head(head)
	for i, e := range evs {
		w.Leaf(e.rec)
		if uint64(i) >= from {
			w.Payload(e.salt, e.payload)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleVerifies(t *testing.T) {
	s, v := MustKey(t, "test/audit")
	b := MustBundle(t, s, 40, 10, []uint64{0, 5, 16, 33})
	rep, err := VerifyBundle(bytes.NewReader(b), Options{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Leaves != 40 || rep.Payloads != 30 || rep.PayloadsFrom != 10 || rep.Checkpoints != 5 || rep.Covered != 40 {
		t.Errorf("report %+v", rep)
	}
	_, other := MustKey(t, "test/audit")
	if _, err := VerifyBundle(bytes.NewReader(b), Options{Verifier: other}); err == nil {
		t.Error("bundle verified with another key")
	}
}

// TestTrustedCheckpointCatchesTruncation: a bundle cut back to an earlier
// export (fewer leaves, its own valid head) is caught only by a checkpoint the
// auditor saved from later (T2).
func TestTrustedCheckpointCatchesTruncation(t *testing.T) {
	s, v := MustKey(t, "test/audit")
	full := MustBundle(t, s, 30, 0, []uint64{10})
	short := MustBundle(t, s, 20, 0, []uint64{10}) // different salts, but the point is the size
	later := mustHead(t, full)
	if _, err := VerifyBundle(bytes.NewReader(short), Options{Verifier: v}); err != nil {
		t.Fatalf("short bundle alone: %v", err)
	}
	_, err := VerifyBundle(bytes.NewReader(short), Options{Verifier: v, Trusted: [][]byte{later}})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("short bundle with a later trusted checkpoint: %v, want truncation", err)
	}
	if _, err := VerifyBundle(bytes.NewReader(full), Options{Verifier: v, Trusted: [][]byte{later}}); err != nil {
		t.Errorf("full bundle with its own head trusted: %v", err)
	}
}

func mustHead(t testing.TB, bundle []byte) []byte {
	for _, line := range strings.Split(string(bundle), "\n") {
		if strings.HasPrefix(line, "H ") {
			b, err := base64.StdEncoding.DecodeString(line[2:])
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no head")
	return nil
}

// TestTamperDetection changes an exported bundle at random — modification,
// deletion, insertion, reordering, truncation of leaves, payloads and
// checkpoints — thousands of times; every change must be detected (T2).
func TestTamperDetection(t *testing.T) {
	s, v := MustKey(t, "test/audit")
	orig := MustBundle(t, s, 48, 12, []uint64{0, 1, 7, 16, 30})
	other := MustBundle(t, s, 48, 0, []uint64{3, 20}) // same key, other events: material for insertions
	lines := strings.SplitAfter(string(orig), "\n")
	lines = lines[:len(lines)-1]
	otherLines := strings.SplitAfter(string(other), "\n")
	otherLines = otherLines[1 : len(otherLines)-1]
	rng := mrand.New(mrand.NewPCG(4, 2))

	kinds := []string{"modify", "delete", "insert", "reorder", "truncate"}
	trials := 4000
	if testing.Short() {
		trials = 1000
	}
	counts := map[string]int{}
	for trial := range trials {
		kind := kinds[trial%len(kinds)]
		ls := append([]string(nil), lines...)
		var desc string
		switch kind {
		case "modify": // flip one bit of the decoded content of one line, or of its kind
			i := rng.IntN(len(ls))
			line := strings.TrimSuffix(ls[i], "\n")
			if i == 0 || rng.IntN(8) == 0 {
				b := []byte(line)
				b[rng.IntN(len(b))] ^= 1 << rng.IntN(7)
				ls[i] = string(b) + "\n"
			} else if salt, payload, ok := strings.Cut(line[2:], " "); ok && line[0] == 'P' {
				// Version 2 payload line: the salt in base64, the payload as is.
				raw, _ := base64.StdEncoding.DecodeString(salt)
				p := []byte(payload)
				if rng.IntN(4) == 0 {
					raw[rng.IntN(len(raw))] ^= 1 << rng.IntN(8)
				} else {
					p[rng.IntN(len(p))] ^= 1 << rng.IntN(8)
				}
				ls[i] = line[:2] + base64.StdEncoding.EncodeToString(raw) + " " + string(p) + "\n"
			} else {
				raw, _ := base64.StdEncoding.DecodeString(line[2:])
				raw[rng.IntN(len(raw))] ^= 1 << rng.IntN(8)
				ls[i] = line[:2] + base64.StdEncoding.EncodeToString(raw) + "\n"
			}
			desc = fmt.Sprintf("modify line %d", i+1)
		case "delete":
			i := rng.IntN(len(ls))
			ls = append(ls[:i], ls[i+1:]...)
			desc = fmt.Sprintf("delete line %d", i+1)
		case "insert": // a copy of one of its lines, or a line from another bundle of the same log
			src := ls[1+rng.IntN(len(ls)-1)]
			if rng.IntN(2) == 0 {
				src = otherLines[rng.IntN(len(otherLines))]
			}
			i := 1 + rng.IntN(len(ls))
			ls = append(ls[:i], append([]string{src}, ls[i:]...)...)
			desc = fmt.Sprintf("insert at line %d", i+1)
		case "reorder":
			i, j := 1+rng.IntN(len(ls)-1), 1+rng.IntN(len(ls)-1)
			ls[i], ls[j] = ls[j], ls[i]
			desc = fmt.Sprintf("swap lines %d and %d", i+1, j+1)
		case "truncate":
			b := strings.Join(ls, "")
			cut := rng.IntN(len(b))
			ls = []string{b[:cut]}
			desc = fmt.Sprintf("truncate at byte %d", cut)
		}
		tampered := strings.Join(ls, "")
		if tampered == string(orig) {
			continue // e.g. two identical lines swapped: nothing changed
		}
		counts[kind]++
		if _, err := VerifyBundle(strings.NewReader(tampered), Options{Verifier: v}); err == nil {
			t.Fatalf("trial %d: %s went undetected", trial, desc)
		}
	}
	for _, k := range kinds {
		if counts[k] < trials/len(kinds)/2 {
			t.Errorf("only %d %s trials", counts[k], k)
		}
	}
	t.Logf("tampered bundles detected: %v", counts)
}

func TestPayloadEncodingIsCanonical(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
		want string
	}{
		{"empty", Event{}, `{"v":1}`},
		{"escapes", Event{Actor: "a\"b\\c\n\x01é\u2028"}, "{\"actor\":\"a\\\"b\\\\c\\n\\u0001é\u2028\",\"v\":1}"},
		{"all", Event{Actor: "s1", Action: "read", Interaction: "i1", CallReason: "move", AccessPoints: []string{"541400000000000001"},
			Customers: []string{"c1", "c2"}, Data: []string{"ean"}, Client: "10.0.0.1",
			Decision: &Decision{Outcome: "refuse", Reason: "not_verified", Policies: []string{"p1"}, PolicySet: "ab"}},
			`{"access_points":["541400000000000001"],"action":"read","actor":"s1","call_reason":"move","client":"10.0.0.1","customers":["c1","c2"],"data":["ean"],"decision":{"outcome":"refuse","policies":["p1"],"policy_set":"ab","reason":"not_verified"},"interaction":"i1","v":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := EncodePayload(c.ev)
			if err != nil {
				t.Fatal(err)
			}
			if string(p) != c.want {
				t.Fatalf("got  %s\nwant %s", p, c.want)
			}
			back, err := DecodePayload(p)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := EncodePayload(back)
			if !bytes.Equal(again, p) {
				t.Errorf("round trip changed the payload: %s", again)
			}
		})
	}
	for _, bad := range []string{`{"v":1,"actor":"x"}`, `{"v":2}`, `{"v":1,"x":"y"}`, `{ "v":1}`, `{"actor":"","v":1}`, `{"actor":"\u0041","v":1}`} {
		if _, err := DecodePayload([]byte(bad)); err == nil {
			t.Errorf("DecodePayload(%s) accepted a non-canonical payload", bad)
		}
	}
	if _, err := EncodePayload(Event{Actor: "\xff"}); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}
