package verify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

var strictBase64 = base64.StdEncoding.Strict()

// BundleHeader is the first line of an export bundle as NewBundleWriter
// writes it. In version 2 a payload line holds the canonical payload as
// it is — JCS escapes every control character, so it never holds a
// newline — after the base64 salt: decoding base64 was a third of the
// verification's time on real logs (issue 17, item 3).
const BundleHeader = "coupole-audit-bundle v2"

// BundleHeaderV1 is the first line of a version 1 bundle, whose payload
// lines are base64 like the others; VerifyBundle still reads it.
const BundleHeaderV1 = "coupole-audit-bundle v1"

// saltText is the length of a salt in base64.
var saltText = base64.StdEncoding.EncodedLen(SaltSize)

// Extension lines of the head checkpoint of a bundle.
const (
	extPayloadsFrom = "payloads-from "
	extCheckpoints  = "checkpoints "
)

// Options configure a verification.
type Options struct {
	// Verifier is the operator's public key (note verifier string parsed
	// with note.NewVerifier). Required.
	Verifier note.Verifier
	// Trusted are signed checkpoints the auditor obtained earlier, outside
	// the bundle. The bundle must extend each of them: this is what catches a
	// bundle cut short together with its last checkpoints.
	Trusted [][]byte
	// NoHead verifies a log read straight from a database: there is no head
	// checkpoint, and PayloadsFrom says below which index payloads were
	// erased.
	NoHead       bool
	PayloadsFrom uint64
}

// Report summarizes a successful verification.
type Report struct {
	Leaves       uint64 // leaves recomputed into the tree
	Root         []byte // root hash of the whole tree
	Payloads     uint64 // payloads checked against their leaf
	PayloadsFrom uint64 // payloads of leaves below this index were erased
	// Held counts payloads below PayloadsFrom that erasure skipped because a
	// legal hold covers them (issue 13); each is checked against its leaf.
	Held        uint64
	Checkpoints int    // checkpoints whose signature and root were checked (head and trusted included)
	Covered     uint64 // size of the largest signed checkpoint
}

type checkpointAt struct {
	size uint64
	root []byte
	what string // "checkpoint N", "head checkpoint", "trusted checkpoint N"
}

// Stream verifies a log given piece by piece, in this order: checkpoints
// (ascending size), the head checkpoint (bundles only), then every leaf
// record in index order, each followed by its salt and payload if held.
// Every method returns an error naming what failed; after an error the
// verification has failed and the Stream must not be used further.
type Stream struct {
	opts      Options
	v         note.Verifier
	tree      frontier
	payHash   hash.Hash      // reused for SHA-256(salt ‖ payload)
	checks    []checkpointAt // sorted by size; roots to compare as the tree grows
	next      int            // next entry of checks to reach
	notes     hash.Hash      // digest of the bundle's checkpoint notes
	nnotes    int
	lastSize  uint64
	haveHead  bool
	head      Checkpoint
	from      uint64
	started   bool
	lastTime  int64
	leaf      Leaf
	haveLeaf  bool
	needsPay  bool
	paid      bool // the leaf added last has its payload
	report    Report
	recBuf    [1 + LeafSize]byte
	failedErr error
}

// NewStream starts a verification.
func NewStream(opts Options) (*Stream, error) {
	if opts.Verifier == nil {
		return nil, errors.New("no verifier key given")
	}
	s := &Stream{opts: opts, v: opts.Verifier, notes: sha256.New(), payHash: sha256.New()}
	if opts.NoHead {
		s.from = opts.PayloadsFrom
		s.report.PayloadsFrom = s.from
	}
	for i, t := range opts.Trusted {
		c, err := OpenCheckpoint(t, s.v)
		if err != nil {
			return nil, fmt.Errorf("trusted checkpoint %d: %v", i+1, err)
		}
		s.checks = append(s.checks, checkpointAt{c.Size, c.Root, fmt.Sprintf("trusted checkpoint %d (size %d)", i+1, c.Size)})
		s.report.Checkpoints++
	}
	return s, nil
}

func (s *Stream) fail(err error) error {
	if s.failedErr == nil {
		s.failedErr = err
	}
	return err
}

// Checkpoint adds one signed checkpoint of the log. Sizes must ascend.
func (s *Stream) Checkpoint(msg []byte) error {
	if s.failedErr != nil {
		return s.failedErr
	}
	if s.haveHead || s.started {
		return s.fail(errors.New("checkpoint after the head or the leaves"))
	}
	c, err := OpenCheckpoint(msg, s.v)
	if err != nil {
		return s.fail(fmt.Errorf("checkpoint %d: %v", s.nnotes+1, err))
	}
	if len(c.Extensions) > 0 {
		return s.fail(fmt.Errorf("checkpoint %d: unexpected extension lines", s.nnotes+1))
	}
	if s.nnotes > 0 && c.Size <= s.lastSize {
		return s.fail(fmt.Errorf("checkpoint %d: size %d after size %d: checkpoints are out of order or repeated", s.nnotes+1, c.Size, s.lastSize))
	}
	s.lastSize = c.Size
	s.nnotes++
	d := sha256.Sum256(msg)
	s.notes.Write(d[:])
	s.checks = append(s.checks, checkpointAt{c.Size, c.Root, fmt.Sprintf("checkpoint %d (size %d)", s.nnotes, c.Size)})
	s.report.Checkpoints++
	return nil
}

// Head adds the head checkpoint of a bundle: it covers every leaf of the
// bundle and, in extension lines, says from which index payloads are held
// and which checkpoints the bundle carries.
func (s *Stream) Head(msg []byte) error {
	if s.failedErr != nil {
		return s.failedErr
	}
	if s.opts.NoHead || s.haveHead || s.started {
		return s.fail(errors.New("unexpected head checkpoint"))
	}
	c, err := OpenCheckpoint(msg, s.v)
	if err != nil {
		return s.fail(fmt.Errorf("head checkpoint: %v", err))
	}
	var from, n uint64
	var digest string
	var haveFrom, haveCps bool
	for _, e := range c.Extensions {
		switch {
		case strings.HasPrefix(e, extPayloadsFrom):
			from, err = strconv.ParseUint(strings.TrimPrefix(e, extPayloadsFrom), 10, 64)
			haveFrom = err == nil
		case strings.HasPrefix(e, extCheckpoints):
			f := strings.Fields(strings.TrimPrefix(e, extCheckpoints))
			if len(f) == 2 {
				n, err = strconv.ParseUint(f[0], 10, 64)
				digest, haveCps = f[1], err == nil
			}
		}
	}
	if !haveFrom || !haveCps || len(c.Extensions) != 2 {
		return s.fail(errors.New("head checkpoint: missing or malformed extension lines"))
	}
	if from > c.Size {
		return s.fail(fmt.Errorf("head checkpoint: payloads held from %d beyond size %d", from, c.Size))
	}
	if n != uint64(s.nnotes) || digest != base64.StdEncoding.EncodeToString(s.notes.Sum(nil)) {
		return s.fail(fmt.Errorf("the bundle's %d checkpoints are not the %d the head checkpoint lists: checkpoints were removed, added, changed or reordered", s.nnotes, n))
	}
	s.haveHead, s.head, s.from = true, c, from
	s.report.PayloadsFrom = from
	s.checks = append(s.checks, checkpointAt{c.Size, c.Root, fmt.Sprintf("head checkpoint (size %d)", c.Size)})
	s.report.Checkpoints++
	return nil
}

// HeadExtensions returns the extension lines of a bundle's head checkpoint
// for a bundle holding payloads from index from and the given checkpoint
// notes, in order.
func HeadExtensions(from uint64, checkpoints [][]byte) []string {
	h := sha256.New()
	for _, n := range checkpoints {
		d := sha256.Sum256(n)
		h.Write(d[:])
	}
	return []string{
		fmt.Sprintf("%s%d", extPayloadsFrom, from),
		fmt.Sprintf("%s%d %s", extCheckpoints, len(checkpoints), base64.StdEncoding.EncodeToString(h.Sum(nil))),
	}
}

func (s *Stream) begin() error {
	if s.started {
		return nil
	}
	if !s.opts.NoHead && !s.haveHead {
		return s.fail(errors.New("no head checkpoint before the leaves"))
	}
	s.started = true
	sort.SliceStable(s.checks, func(i, j int) bool { return s.checks[i].size < s.checks[j].size })
	return s.reach()
}

// reach compares the root with every checkpoint whose size the tree has reached.
func (s *Stream) reach() error {
	for s.next < len(s.checks) && s.checks[s.next].size == s.tree.size {
		c := s.checks[s.next]
		root := s.tree.root()
		if !bytes.Equal(root, c.root) {
			return s.fail(fmt.Errorf("%s: its root hash differs from the tree of the first %d leaves: leaves or checkpoint were changed", c.what, c.size))
		}
		s.next++
	}
	return nil
}

func (s *Stream) closeLeaf() error {
	if s.haveLeaf && s.needsPay {
		return s.fail(fmt.Errorf("leaf %d: payload missing, though payloads are held from %d", s.leaf.Index, s.from))
	}
	return nil
}

// Leaf adds the next leaf record.
func (s *Stream) Leaf(rec []byte) error {
	if s.failedErr != nil {
		return s.failedErr
	}
	if err := s.begin(); err != nil {
		return err
	}
	if err := s.closeLeaf(); err != nil {
		return err
	}
	pos := s.tree.size
	l, err := ParseLeaf(rec)
	if err != nil {
		return s.fail(fmt.Errorf("leaf %d: %v", pos, err))
	}
	if l.Index != pos {
		return s.fail(fmt.Errorf("leaf %d: record says index %d: leaves were removed, inserted or reordered", pos, l.Index))
	}
	if pos > 0 && l.Time < s.lastTime {
		return s.fail(fmt.Errorf("leaf %d: its time is before the previous leaf's", pos))
	}
	if s.haveHead && pos >= s.head.Size {
		return s.fail(fmt.Errorf("leaf %d: beyond the %d leaves of the head checkpoint: leaves were added", pos, s.head.Size))
	}
	s.lastTime = l.Time
	s.recBuf[0] = rfc6962.RFC6962LeafHashPrefix
	copy(s.recBuf[1:], rec)
	s.tree.append(sha256.Sum256(s.recBuf[:]))
	s.leaf, s.haveLeaf, s.needsPay, s.paid = l, true, pos >= s.from, false
	return s.reach()
}

// Payload adds the salt and payload of the leaf added last.
func (s *Stream) Payload(salt, payload []byte) error {
	if len(salt) != SaltSize {
		return s.payload(salt, payload, nil)
	}
	// One hasher for every payload: a new one per event was an allocation
	// and a tenth of the time of a verification read from the database.
	h := s.payHash
	h.Reset()
	h.Write(salt)
	h.Write(payload)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return s.payload(salt, payload, &sum)
}

// saltedPayload adds the salt and payload of the leaf added last, given as
// one slice (salt ‖ payload), as a bundle line holds them: hashed in one
// call, without a hasher.
func (s *Stream) saltedPayload(b []byte) error {
	if len(b) < SaltSize {
		return s.payload(b, nil, nil)
	}
	sum := sha256.Sum256(b)
	return s.payload(b[:SaltSize], b[SaltSize:], &sum)
}

// payload checks the commitment sum of salt ‖ payload (nil when the salt
// has the wrong size) against the leaf added last.
func (s *Stream) payload(salt, _ []byte, sum *[sha256.Size]byte) error {
	if s.failedErr != nil {
		return s.failedErr
	}
	if !s.haveLeaf {
		return s.fail(errors.New("payload before any leaf"))
	}
	i := s.leaf.Index
	if s.paid {
		return s.fail(fmt.Errorf("leaf %d: second payload", i))
	}
	// A payload below the erasure point is one a legal hold kept from
	// erasure: it must match its leaf like any other.
	held := i < s.from
	if len(salt) != SaltSize || sum == nil {
		return s.fail(fmt.Errorf("leaf %d: salt is %d bytes, want %d", i, len(salt), SaltSize))
	}
	if *sum != s.leaf.Commitment {
		return s.fail(fmt.Errorf("leaf %d: payload does not match the leaf's commitment: payload or leaf changed", i))
	}
	s.needsPay, s.paid = false, true
	if held {
		s.report.Held++
	} else {
		s.report.Payloads++
	}
	return nil
}

// Finish ends the verification and reports.
func (s *Stream) Finish() (Report, error) {
	if s.failedErr != nil {
		return Report{}, s.failedErr
	}
	if err := s.begin(); err != nil {
		return Report{}, err
	}
	if err := s.closeLeaf(); err != nil {
		return Report{}, err
	}
	n := s.tree.size
	if s.next < len(s.checks) {
		c := s.checks[s.next]
		return Report{}, s.fail(fmt.Errorf("%s: covers %d leaves, only %d given: the log was truncated", c.what, c.size, n))
	}
	if s.haveHead && n != s.head.Size {
		return Report{}, s.fail(fmt.Errorf("head checkpoint covers %d leaves, %d given", s.head.Size, n))
	}
	s.report.Leaves, s.report.Root = n, s.tree.root()
	for _, c := range s.checks {
		s.report.Covered = max(s.report.Covered, c.size)
	}
	return s.report, nil
}

// VerifyBundle reads an export bundle from r and verifies it: the signature
// of every checkpoint, the root of every checkpoint against the tree
// recomputed from the leaves (which also proves successive checkpoints
// consistent), that the head checkpoint covers exactly the leaves given and
// lists exactly the checkpoints given, and every held payload against its
// leaf. Errors name the line.
func VerifyBundle(r io.Reader, opts Options) (Report, error) {
	opts.NoHead = false
	s, err := NewStream(opts)
	if err != nil {
		return Report{}, err
	}
	br := bufio.NewReaderSize(r, 256<<10)
	var buf, scratch []byte
	var salt [SaltSize + 1]byte // DecodedLen of a salt's text is one more
	v2 := false
	line := 0
	for {
		text, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return Report{}, fmt.Errorf("bundle line %d: longer than %d bytes", line+1, br.Size())
		}
		if err == io.EOF && len(text) == 0 {
			break
		}
		line++
		if err == io.EOF {
			return Report{}, fmt.Errorf("bundle line %d: no newline at the end: the bundle was cut", line)
		} else if err != nil {
			return Report{}, fmt.Errorf("bundle line %d: %v", line, err)
		}
		text = text[:len(text)-1]
		if line == 1 {
			switch string(text) {
			case BundleHeader:
				v2 = true
			case BundleHeaderV1:
			default:
				return Report{}, fmt.Errorf("bundle line 1: not a Coupole audit bundle (want %q or %q)", BundleHeader, BundleHeaderV1)
			}
			continue
		}
		if len(text) < 2 || text[1] != ' ' {
			return Report{}, fmt.Errorf("bundle line %d: malformed", line)
		}
		data := text[2:]
		if v2 && text[0] == 'P' {
			// "P <base64 salt> <payload>": the salt decoded, then salt ‖
			// payload hashed in one call.
			if len(data) < saltText+1 || data[saltText] != ' ' {
				return Report{}, fmt.Errorf("bundle line %d: malformed payload line", line)
			}
			if n, err := strictBase64.Decode(salt[:], data[:saltText]); err != nil || n != SaltSize {
				return Report{}, fmt.Errorf("bundle line %d: bad base64 salt", line)
			}
			scratch = append(append(scratch[:0], salt[:SaltSize]...), data[saltText+1:]...)
			if err := s.saltedPayload(scratch); err != nil {
				return Report{}, fmt.Errorf("bundle line %d: %v", line, err)
			}
			continue
		}
		if n := base64.StdEncoding.DecodedLen(len(data)); cap(buf) < n {
			buf = make([]byte, n)
		}
		n, err := strictBase64.Decode(buf[:cap(buf)], data)
		if err != nil {
			return Report{}, fmt.Errorf("bundle line %d: bad base64: %v", line, err)
		}
		b := buf[:n]
		switch text[0] {
		case 'C':
			err = s.Checkpoint(b)
		case 'H':
			err = s.Head(b)
		case 'L':
			err = s.Leaf(b)
		case 'P':
			if len(b) < SaltSize {
				err = errors.New("payload line shorter than a salt")
			} else {
				err = s.saltedPayload(b)
			}
		default:
			err = fmt.Errorf("unknown line kind %q", text[0])
		}
		if err != nil {
			return Report{}, fmt.Errorf("bundle line %d: %v", line, err)
		}
	}
	if line == 0 {
		return Report{}, errors.New("bundle is empty")
	}
	rep, err := s.Finish()
	if err != nil {
		return Report{}, fmt.Errorf("bundle: %v", err)
	}
	return rep, nil
}

// BundleWriter writes an export bundle. Call in this order: Checkpoint for
// each stored checkpoint (ascending size), Head, then Leaf and Payload.
type BundleWriter struct {
	w   *bufio.Writer
	enc []byte
	err error
}

// NewBundleWriter starts a bundle on w.
func NewBundleWriter(w io.Writer) *BundleWriter {
	b := &BundleWriter{w: bufio.NewWriterSize(w, 256<<10)}
	b.w.WriteString(BundleHeader + "\n")
	return b
}

func (b *BundleWriter) line(kind byte, raw []byte) error {
	if b.err != nil {
		return b.err
	}
	b.enc = append(b.enc[:0], kind, ' ')
	b.enc = base64.StdEncoding.AppendEncode(b.enc, raw)
	b.enc = append(b.enc, '\n')
	_, b.err = b.w.Write(b.enc)
	return b.err
}

// Checkpoint writes a signed checkpoint.
func (b *BundleWriter) Checkpoint(note []byte) error { return b.line('C', note) }

// Head writes the head checkpoint.
func (b *BundleWriter) Head(note []byte) error { return b.line('H', note) }

// Leaf writes a leaf record.
func (b *BundleWriter) Leaf(rec []byte) error { return b.line('L', rec) }

// Payload writes the salt and payload of the leaf written last: the salt
// in base64, then the payload as it is. A payload holding a newline is not
// canonical (EncodePayload escapes it) and is refused.
func (b *BundleWriter) Payload(salt, payload []byte) error {
	if b.err != nil {
		return b.err
	}
	if bytes.IndexByte(payload, '\n') >= 0 {
		b.err = errors.New("payload holds a newline: not a canonical payload")
		return b.err
	}
	b.enc = append(b.enc[:0], 'P', ' ')
	b.enc = base64.StdEncoding.AppendEncode(b.enc, salt)
	b.enc = append(b.enc, ' ')
	b.enc = append(b.enc, payload...)
	b.enc = append(b.enc, '\n')
	_, b.err = b.w.Write(b.enc)
	return b.err
}

// Flush writes what is buffered.
func (b *BundleWriter) Flush() error {
	if b.err != nil {
		return b.err
	}
	return b.w.Flush()
}
