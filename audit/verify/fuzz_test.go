package verify

// Fuzz targets of the audit formats (issue 10, item 9; docs/fuzzing.md).
// immudb's verifier accepted forged proofs (GO-2022-1117); ours is fuzzed
// with valid-looking proofs: real proofs of a real small log, mutated. The
// property of every target: a verification succeeds only for exactly what
// the log and its signed checkpoints hold. The expected proofs come from
// rfc6962Path and rfc6962Proof below, written from RFC 6962 section 2.1
// independently of transparency-dev/merkle.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// fuzzLogSize is the number of leaves of the log the targets fuzz against.
const fuzzLogSize = 21

// fuzzLog is a small real log: leaf records, salts and payloads, and a
// signed checkpoint for every size. Its key and salts are drawn from a fixed
// seed, so that corpus entries stay meaningful from run to run.
type fuzzLog struct {
	signer   note.Signer
	verifier note.Verifier
	records  [][]byte
	salts    [][]byte
	payloads [][]byte
	hashes   [][]byte   // leaf hashes
	notes    [][]byte   // notes[n]: the signed checkpoint of size n
	bundle   []byte     // an export bundle: checkpoints 3, 8, 13; payloads from 5
	lines    []bundleLn // the bundle's records, decoded
}

type bundleLn struct {
	kind byte
	data []byte
}

func mustFuzzLog(tb testing.TB) *fuzzLog {
	tb.Helper()
	rng := mrand.NewChaCha8([32]byte{'c', 'o', 'u', 'p', 'o', 'l', 'e'})
	skey, vkey, err := note.GenerateKey(rng, "fuzz.coupole.example/audit")
	if err != nil {
		tb.Fatal(err)
	}
	l := &fuzzLog{}
	if l.signer, err = note.NewSigner(skey); err != nil {
		tb.Fatal(err)
	}
	if l.verifier, err = note.NewVerifier(vkey); err != nil {
		tb.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).UnixNano()
	for i := range uint64(fuzzLogSize) {
		p, err := EncodePayload(Event{Actor: fmt.Sprintf("staff-%d", i%3), Action: "read", Customers: []string{fmt.Sprintf("C-%d", i)},
			AccessPoints: []string{"541448820000000011"}, Decision: &Decision{Outcome: "refuse", Reason: "not_verified"}})
		if err != nil {
			tb.Fatal(err)
		}
		salt := make([]byte, SaltSize)
		rng.Read(salt)
		rec := Leaf{Index: i, Time: t0 + int64(i)*1e9, Commitment: Commit(salt, p)}.Marshal()
		l.records, l.salts, l.payloads = append(l.records, rec), append(l.salts, salt), append(l.payloads, p)
		l.hashes = append(l.hashes, rfc6962.DefaultHasher.HashLeaf(rec))
	}
	for n := range fuzzLogSize + 1 {
		msg, err := SignCheckpoint(Checkpoint{Origin: l.signer.Name(), Size: uint64(n), Root: rfc6962Root(l.hashes[:n])}, l.signer)
		if err != nil {
			tb.Fatal(err)
		}
		l.notes = append(l.notes, msg)
	}
	cps := [][]byte{l.notes[3], l.notes[8], l.notes[13]}
	const from = 5
	head, err := SignCheckpoint(Checkpoint{Origin: l.signer.Name(), Size: fuzzLogSize, Root: rfc6962Root(l.hashes),
		Extensions: HeadExtensions(from, cps)}, l.signer)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewBundleWriter(&buf)
	add := func(kind byte, data []byte) { l.lines = append(l.lines, bundleLn{kind, data}) }
	for _, c := range cps {
		w.Checkpoint(c)
		add('C', c)
	}
	w.Head(head)
	add('H', head)
	for i := range fuzzLogSize {
		w.Leaf(l.records[i])
		add('L', l.records[i])
		if i >= from {
			w.Payload(l.salts[i], l.payloads[i])
			add('P', append(slices.Clone(l.salts[i]), l.payloads[i]...))
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	l.bundle = buf.Bytes()
	return l
}

func (l *fuzzLog) checkpoint(tb testing.TB, n int) Checkpoint {
	c, err := OpenCheckpoint(l.notes[n], l.verifier)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// rfc6962Root is MTH(D[n]) of RFC 6962 section 2.1, over leaf hashes.
func rfc6962Root(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return leaves[0]
	default:
		k := splitPoint(n)
		return rfc6962.DefaultHasher.HashChildren(rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:]))
	}
}

// splitPoint is the largest power of two smaller than n (n > 1).
func splitPoint(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// rfc6962Path is PATH(m, D[n]) of RFC 6962 section 2.1.1.
func rfc6962Path(m int, leaves [][]byte) [][]byte {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := splitPoint(n)
	if m < k {
		return append(rfc6962Path(m, leaves[:k]), rfc6962Root(leaves[k:]))
	}
	return append(rfc6962Path(m-k, leaves[k:]), rfc6962Root(leaves[:k]))
}

// rfc6962Proof is PROOF(m, D[n]) of RFC 6962 section 2.1.2 (empty for m = 0
// and m = n).
func rfc6962Proof(m int, leaves [][]byte) [][]byte {
	if m == 0 {
		return nil
	}
	return subproof(m, leaves, true)
}

func subproof(m int, leaves [][]byte, complete bool) [][]byte {
	n := len(leaves)
	if m == n {
		if complete {
			return nil
		}
		return [][]byte{rfc6962Root(leaves)}
	}
	k := splitPoint(n)
	if m <= k {
		return append(subproof(m, leaves[:k], complete), rfc6962Root(leaves[k:]))
	}
	return append(subproof(m-k, leaves[k:], false), rfc6962Root(leaves[:k]))
}

func mustJSON(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestReferenceProofsVerify: the reference proofs of the targets are the
// proofs transparency-dev/merkle accepts, so the targets' oracle is right.
func TestReferenceProofsVerify(t *testing.T) {
	l := mustFuzzLog(t)
	for n := 1; n <= fuzzLogSize; n++ {
		c := l.checkpoint(t, n)
		for m := range n {
			p := InclusionProof{Index: uint64(m), Size: uint64(n), LeafHash: l.hashes[m], Hashes: rfc6962Path(m, l.hashes[:n])}
			if err := p.Verify(c); err != nil {
				t.Fatalf("inclusion %d in %d: %v", m, n, err)
			}
		}
		for m := 0; m <= n; m++ {
			p := ConsistencyProof{Size1: uint64(m), Size2: uint64(n), Hashes: rfc6962Proof(m, l.hashes[:n])}
			if err := p.Verify(l.checkpoint(t, m), c); err != nil {
				t.Fatalf("consistency %d to %d: %v", m, n, err)
			}
		}
	}
	if _, err := VerifyBundle(bytes.NewReader(l.bundle), Options{Verifier: l.verifier}); err != nil {
		t.Fatalf("the fuzz log's bundle: %v", err)
	}
}

// splitHashes cuts b into 32-byte hashes; a shorter rest is a last, short
// hash (which no verification may accept).
func splitHashes(b []byte) [][]byte {
	var hs [][]byte
	for len(b) > 0 {
		n := min(32, len(b))
		hs = append(hs, b[:n])
		b = b[n:]
	}
	return hs
}

func joinHashes(hs [][]byte) []byte { return bytes.Join(hs, nil) }

// FuzzInclusionProof: an inclusion proof (index, size, leaf hash, path),
// mutated from the real proofs of the log, verified against a signed
// checkpoint of the log, succeeds only if it is the RFC 6962 audit path of a
// real leaf of that very tree. What verifies also goes through its JSON
// (ParseInclusionProof) unchanged.
func FuzzInclusionProof(f *testing.F) {
	l := mustFuzzLog(f)
	for _, c := range [][2]int{{0, 1}, {0, 2}, {5, 8}, {6, 7}, {12, 13}, {20, 21}, {3, 21}, {16, 21}} {
		m, n := c[0], c[1]
		path := joinHashes(rfc6962Path(m, l.hashes[:n]))
		f.Add(byte(n), uint64(m), uint64(n), l.hashes[m], path)
		f.Add(byte(n), uint64(m), uint64(n+1), l.hashes[m], path)
		f.Add(byte(n+1), uint64(m), uint64(n), l.hashes[m], path)
		f.Add(byte(n), uint64(m+1), uint64(n), l.hashes[m], path)
	}
	// An inner node passed off as a leaf of a smaller tree with the same
	// root: the proof's size is not the checkpoint's.
	f.Add(byte(4), uint64(0), uint64(2), rfc6962Root(l.hashes[:2]), rfc6962Root(l.hashes[2:4]))
	cps := make([]Checkpoint, fuzzLogSize+1)
	for n := range cps {
		cps[n] = l.checkpoint(f, n)
	}
	f.Fuzz(func(t *testing.T, at byte, index, size uint64, leafHash, path []byte) {
		n := int(at) % (fuzzLogSize + 1)
		p := InclusionProof{Index: index, Size: size, LeafHash: leafHash, Hashes: splitHashes(path)}
		if p.Verify(cps[n]) != nil {
			return
		}
		m := int(p.Index)
		if p.Size != uint64(n) || m >= n || !bytes.Equal(p.LeafHash, l.hashes[m]) || !slices.EqualFunc(p.Hashes, rfc6962Path(m, l.hashes[:n]), bytes.Equal) {
			t.Fatalf("a forged inclusion proof verifies against the checkpoint of size %d: %+v", n, p)
		}
		again, err := ParseInclusionProof(mustJSON(t, p))
		if err != nil || again.Verify(cps[n]) != nil {
			t.Fatalf("the JSON of a proof that verifies: %v", err)
		}
	})
}

// FuzzConsistencyProof: a consistency proof (sizes and hashes), mutated from
// the real proofs of the log, between two signed checkpoints of the log, the
// first one's root possibly replaced by the fuzzer, succeeds only if it is
// the RFC 6962 proof between those very trees and the first root is the
// real one. What verifies also goes through its JSON unchanged.
func FuzzConsistencyProof(f *testing.F) {
	l := mustFuzzLog(f)
	for _, c := range [][2]int{{0, 5}, {1, 2}, {3, 8}, {4, 8}, {7, 13}, {8, 8}, {13, 21}, {1, 21}} {
		m, n := c[0], c[1]
		proof := joinHashes(rfc6962Proof(m, l.hashes[:n]))
		f.Add(byte(m), byte(n), uint64(m), uint64(n), []byte(nil), proof)
		f.Add(byte(m), byte(n+1), uint64(m), uint64(n), []byte(nil), proof)
		f.Add(byte(m), byte(n), uint64(m), uint64(n+1), []byte(nil), proof)
		f.Add(byte(m), byte(n), uint64(m), uint64(n), rfc6962Root(l.hashes[:m+1]), proof)
	}
	cps := make([]Checkpoint, fuzzLogSize+1)
	for n := range cps {
		cps[n] = l.checkpoint(f, n)
	}
	f.Fuzz(func(t *testing.T, a, b byte, size1, size2 uint64, root1, proof []byte) {
		m, n := int(a)%(fuzzLogSize+1), int(b)%(fuzzLogSize+1)
		p := ConsistencyProof{Size1: size1, Size2: size2, Hashes: splitHashes(proof)}
		prev := cps[m]
		if len(root1) == 32 {
			prev.Root = root1
		}
		if p.Verify(prev, cps[n]) != nil {
			return
		}
		if p.Size1 != uint64(m) || p.Size2 != uint64(n) || m > n || !bytes.Equal(prev.Root, cps[m].Root) ||
			!slices.EqualFunc(p.Hashes, rfc6962Proof(m, l.hashes[:n]), bytes.Equal) {
			t.Fatalf("a forged consistency proof verifies from size %d (root %x) to %d: %+v", m, prev.Root, n, p)
		}
		again, err := ParseConsistencyProof(mustJSON(t, p))
		if err != nil || again.Verify(prev, cps[n]) != nil {
			t.Fatalf("the JSON of a proof that verifies: %v", err)
		}
	})
}

// FuzzCheckpoint: a checkpoint body parses only in its canonical form (it
// marshals back to the same text), and a signed note opens only if its body
// is one the log's key signed.
func FuzzCheckpoint(f *testing.F) {
	l := mustFuzzLog(f)
	for _, n := range []int{0, 1, 13, fuzzLogSize} {
		f.Add(l.notes[n])
	}
	f.Add(mustHead(f, l.bundle))
	f.Add([]byte("fuzz.coupole.example/audit\n007\nAAAA\n\n— fuzz.coupole.example/audit AAAA\n"))
	signed := map[string]bool{}
	for _, msg := range append(slices.Clone(l.notes), mustHead(f, l.bundle)) {
		n, err := note.Open(msg, note.VerifierList(l.verifier))
		if err != nil {
			f.Fatal(err)
		}
		signed[n.Text] = true
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if c, err := ParseCheckpoint(string(msg)); err == nil && string(c.Marshal()) != string(msg) {
			t.Fatalf("checkpoint %q parses, but marshals to %q", msg, c.Marshal())
		}
		c, err := OpenCheckpoint(msg, l.verifier)
		if err != nil {
			return
		}
		if !signed[string(c.Marshal())] {
			t.Fatalf("a note the key never signed opens: %q", msg)
		}
	})
}

// FuzzVerifyBundle: an export bundle verifies only if it holds exactly the
// log's records: the same checkpoints, head body, leaves and payloads, in
// the same order.
func FuzzVerifyBundle(f *testing.F) {
	l := mustFuzzLog(f)
	f.Add(l.bundle)
	lines := strings.SplitAfter(string(l.bundle), "\n")
	f.Add([]byte(strings.Join(slices.Delete(slices.Clone(lines), 6, 7), "")))                   // a leaf removed
	f.Add([]byte(strings.Join(lines[:len(lines)-3], "")))                                       // cut short
	f.Add([]byte(strings.Join(append(slices.Clone(lines[:2]), lines[3:]...), "")))              // a checkpoint removed
	f.Add([]byte(strings.Replace(string(l.bundle), "\nP ", "\nP A", 1)))                        // a payload changed
	f.Add([]byte(BundleHeader + "\nH " + base64.StdEncoding.EncodeToString(l.notes[0]) + "\n")) // no head extensions
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := VerifyBundle(bytes.NewReader(data), Options{Verifier: l.verifier}); err != nil {
			return
		}
		got, err := decodeBundle(data)
		if err != nil {
			t.Fatalf("bundle verifies but does not decode: %v", err)
		}
		if len(got) != len(l.lines) {
			t.Fatalf("bundle of %d records verifies; the log's has %d", len(got), len(l.lines))
		}
		for i, g := range got {
			w := l.lines[i]
			same := g.kind == w.kind && bytes.Equal(g.data, w.data)
			if g.kind == 'H' && w.kind == 'H' { // other signatures may be added to a note
				gn, gerr := note.Open(g.data, note.VerifierList(l.verifier))
				wn, _ := note.Open(w.data, note.VerifierList(l.verifier))
				same = gerr == nil && gn.Text == wn.Text
			}
			if !same {
				t.Fatalf("bundle verifies with record %d (%c) changed", i+1, g.kind)
			}
		}
	})
}

// decodeBundle returns the records of a bundle, after its header line.
func decodeBundle(b []byte) ([]bundleLn, error) {
	var out []bundleLn
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if i == 0 {
			continue
		}
		if len(line) < 2 {
			return nil, fmt.Errorf("line %d", i+1)
		}
		if salt, payload, ok := strings.Cut(line[2:], " "); ok && line[0] == 'P' && strings.HasPrefix(string(b), BundleHeader+"\n") {
			data, err := base64.StdEncoding.Strict().DecodeString(salt)
			if err != nil {
				return nil, err
			}
			out = append(out, bundleLn{'P', append(data, payload...)})
			continue
		}
		data, err := base64.StdEncoding.Strict().DecodeString(line[2:])
		if err != nil {
			return nil, err
		}
		out = append(out, bundleLn{line[0], data})
	}
	return out, nil
}

// FuzzPayload: an event payload and a leaf record each decode only in their
// canonical form: decoding then encoding gives the same bytes. The proofs'
// JSON decodes to what it encodes to.
func FuzzPayload(f *testing.F) {
	l := mustFuzzLog(f)
	f.Add(l.payloads[0], l.records[0])
	f.Add([]byte(`{"action":"read","v":1}`), l.records[fuzzLogSize-1])
	f.Add([]byte(`{"v":1,"action":"read"}`), []byte{1})
	f.Add([]byte(`{"action":"r\u00e9ad","v":1}`), []byte(nil))
	f.Add([]byte(`{"action":"read","decision":{},"v":1}`), bytes.Repeat([]byte{1}, LeafSize))
	f.Add(mustJSON(f, InclusionProof{Index: 3, Size: 8, LeafHash: l.hashes[3], Hashes: rfc6962Path(3, l.hashes[:8])}), []byte(nil))
	f.Add(mustJSON(f, ConsistencyProof{Size1: 3, Size2: 8, Hashes: rfc6962Proof(3, l.hashes[:8])}), []byte(nil))
	f.Add([]byte(`{"siZe":8,"leAf_hAsh":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","proof":[]}`), []byte(nil))
	f.Fuzz(func(t *testing.T, payload, rec []byte) {
		if e, err := DecodePayload(payload); err == nil {
			again, err := EncodePayload(e)
			if err != nil || !bytes.Equal(again, payload) {
				t.Fatalf("payload %q decodes to %+v, which encodes to %q, %v", payload, e, again, err)
			}
		}
		if lf, err := ParseLeaf(rec); err == nil && !bytes.Equal(lf.Marshal(), rec) {
			t.Fatalf("leaf record %x parses to %+v, which marshals to %x", rec, lf, lf.Marshal())
		}
		if p, err := ParseInclusionProof(payload); err == nil {
			if again, err := ParseInclusionProof(mustJSON(t, p)); err != nil || !reflect.DeepEqual(again, p) {
				t.Fatalf("inclusion proof %q parses to %+v, which re-parses to %+v, %v", payload, p, again, err)
			}
		}
		if p, err := ParseConsistencyProof(payload); err == nil {
			if again, err := ParseConsistencyProof(mustJSON(t, p)); err != nil || !reflect.DeepEqual(again, p) {
				t.Fatalf("consistency proof %q parses to %+v, which re-parses to %+v, %v", payload, p, again, err)
			}
		}
	})
}

// TestProofFindings are the findings of FuzzInclusionProof and
// FuzzConsistencyProof: the raw RFC 6962 checks accept an inner node passed
// off as the leaf of a smaller tree with the same root when the proof's size
// is trusted, and any "root" for a tree of size 0; the proof formats' Verify
// take the sizes and roots from the checkpoints and refuse both.
func TestProofFindings(t *testing.T) {
	l := mustFuzzLog(t)
	cp4 := l.checkpoint(t, 4)
	inner := InclusionProof{Index: 0, Size: 2, LeafHash: rfc6962Root(l.hashes[:2]), Hashes: [][]byte{rfc6962Root(l.hashes[2:4])}}
	if VerifyInclusion(inner.Index, inner.Size, inner.LeafHash, inner.Hashes, cp4.Root) != nil {
		t.Fatal("the raw check was expected to accept the inner node: the test no longer shows the attack")
	}
	if err := inner.Verify(cp4); err == nil {
		t.Error("an inner node verifies as a leaf of the checkpoint of size 4")
	}
	empty := l.checkpoint(t, 0)
	empty.Root = rfc6962Root(l.hashes[:1])
	p := ConsistencyProof{Size1: 0, Size2: 5}
	if err := p.Verify(empty, l.checkpoint(t, 5)); err == nil {
		t.Error("a checkpoint of size 0 with a root that is not the empty tree's is consistent with the log")
	}
	if err := p.Verify(l.checkpoint(t, 0), l.checkpoint(t, 5)); err != nil {
		t.Errorf("the real empty checkpoint: %v", err)
	}
}

// TestCheckpointHasOneText is the finding of FuzzCheckpoint: a carriage
// return inside the root hash's base64 was skipped by the decoder, so two
// texts parsed to the same checkpoint.
func TestCheckpointHasOneText(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, text := range []string{
		"log\n0\n" + root[:17] + "\r" + root[17:] + "\n",
		"log\n0\n" + root + "\r\n",
	} {
		if c, err := ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) = %+v, want an error", text, c)
		}
	}
	if _, err := ParseCheckpoint("log\n0\n" + root + "\n"); err != nil {
		t.Errorf("the canonical text: %v", err)
	}
}
