package report

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"golang.org/x/mod/sumdb/note"
)

// Checked is the result of a successful verification.
type Checked struct {
	Document   *Document
	Format     string
	Recomputed int // trace figures recomputed from an audit export (0 without one)
	Bundle     *verify.Report
}

// FormatOf guesses a rendered report's format from its first bytes.
func FormatOf(rendered []byte) string {
	switch {
	case bytes.HasPrefix(rendered, []byte("%PDF-")):
		return FormatPDF
	case bytes.HasPrefix(rendered, []byte("<!DOCTYPE html")):
		return FormatHTML
	}
	return FormatMarkdown
}

// Verify checks a rendered report: the signature over its evidence, the
// year-end checkpoint's signature, that the rendering is exactly what the
// evidence renders to (a figure changed in the text is caught), and, when
// bundle is not nil, that the audit export verifies, extends the year-end
// checkpoint, and gives the same value for every figure counted over the
// trace. The first failure is returned, naming what differs.
func Verify(rendered []byte, v note.Verifier, bundle io.Reader) (*Checked, error) {
	doc, err := Unseal(rendered, v)
	if err != nil {
		return nil, err
	}
	c := &Checked{Document: doc, Format: FormatOf(rendered)}
	again, err := doc.Render(c.Format)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, rendered) {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: the %s text differs from its signed evidence (at byte %d): it was changed after signing", c.Format, firstDiff(again, rendered))
	}
	if bundle == nil {
		return c, nil
	}
	ev := doc.Evidence
	cp, _ := verify.OpenCheckpoint([]byte(ev.Checkpoint), v) // opened by Unseal
	t, rep, below, err := tallyBundle(bundle, v, []byte(ev.Checkpoint), cp.Size, ev.From, ev.To)
	if err != nil {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: the audit export does not verify against the report's checkpoint: %v", err)
	}
	c.Bundle = &rep
	// Made before the period ended, the report covers the events up to its
	// checkpoint; events logged later in the period are in the export only.
	if below < cp.Size || below > cp.Size && !ev.GeneratedAt.Before(ev.To) {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: the export has %d events before the end of the period, the year-end checkpoint %d", below, cp.Size)
	}
	got := map[string]int64{}
	for _, f := range t.Figures() {
		got[f.Key] = f.Value
	}
	got["audit.log_size"] = int64(min(below, cp.Size))
	for _, f := range ev.Figures {
		if !strings.HasPrefix(f.Query, TracePrefix) && f.Key != "audit.log_size" {
			continue
		}
		g, ok := got[f.Key]
		if !ok {
			g = 0
		}
		if g != f.Value {
			return nil, coupole.Errorf(coupole.ECONFLICT, "report: figure %s says %d, the audit export gives %d", f.Key, f.Value, g)
		}
		delete(got, f.Key)
		c.Recomputed++
	}
	for k, g := range got {
		if g != 0 {
			return nil, coupole.Errorf(coupole.ECONFLICT, "report: the audit export gives %d for figure %s, which the report leaves out", g, k)
		}
	}
	return c, nil
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// tallyBundle verifies an export bundle (trusting the year-end checkpoint
// too) and counts the events of [from, to) among the first size leaves;
// below is the number of leaves before to.
func tallyBundle(r io.Reader, v note.Verifier, yearEnd []byte, size uint64, from, to time.Time) (*Tally, verify.Report, uint64, error) {
	st, err := verify.NewStream(verify.Options{Verifier: v, Trusted: [][]byte{yearEnd}})
	if err != nil {
		return nil, verify.Report{}, 0, err
	}
	t := NewTally(from, to)
	var pending *verify.Leaf
	var payload []byte
	var below uint64
	flush := func() error {
		if pending == nil {
			return nil
		}
		ts := time.Unix(0, pending.Time).UTC()
		if ts.Before(to) {
			below++
		}
		if t.In(ts) && pending.Index < size {
			if err := t.Add(payload); err != nil {
				return err
			}
		}
		pending, payload = nil, nil
		return nil
	}
	br := bufio.NewReaderSize(r, 256<<10)
	line := 0
	v2 := false // bundle v2 keeps payloads as they are, after a base64 salt
	for {
		text, err := br.ReadSlice('\n')
		if err == io.EOF && len(text) == 0 {
			break
		}
		line++
		if err != nil {
			return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: %v", line, err)
		}
		text = text[:len(text)-1]
		if line == 1 {
			switch string(text) {
			case verify.BundleHeader:
				v2 = true
			case verify.BundleHeaderV1:
			default:
				return nil, verify.Report{}, 0, fmt.Errorf("not a Coupole audit bundle")
			}
			continue
		}
		if len(text) < 2 || text[1] != ' ' {
			return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: malformed", line)
		}
		data := text[2:]
		if v2 && text[0] == 'P' {
			n := base64.StdEncoding.EncodedLen(verify.SaltSize)
			if len(data) < n+1 || data[n] != ' ' {
				return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: malformed payload line", line)
			}
			salt, err := base64.StdEncoding.Strict().DecodeString(string(data[:n]))
			if err != nil || len(salt) != verify.SaltSize {
				return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: bad base64 salt", line)
			}
			body := data[n+1:]
			if err := st.Payload(salt, body); err != nil {
				return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: %v", line, err)
			}
			payload = append([]byte(nil), body...)
			continue
		}
		b, err := base64.StdEncoding.Strict().DecodeString(string(data))
		if err != nil {
			return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: bad base64", line)
		}
		switch text[0] {
		case 'C':
			err = st.Checkpoint(b)
		case 'H':
			err = st.Head(b)
		case 'L':
			if err = flush(); err == nil {
				if err = st.Leaf(b); err == nil {
					l, _ := verify.ParseLeaf(b) // parsed by the stream
					pending = &l
				}
			}
		case 'P':
			if len(b) < verify.SaltSize {
				err = fmt.Errorf("payload line shorter than a salt")
			} else if err = st.Payload(b[:verify.SaltSize], b[verify.SaltSize:]); err == nil {
				payload = append([]byte(nil), b[verify.SaltSize:]...)
			}
		default:
			err = fmt.Errorf("unknown line kind %q", text[0])
		}
		if err != nil {
			return nil, verify.Report{}, 0, fmt.Errorf("bundle line %d: %v", line, err)
		}
	}
	if err := flush(); err != nil {
		return nil, verify.Report{}, 0, err
	}
	rep, err := st.Finish()
	if err != nil {
		return nil, verify.Report{}, 0, err
	}
	return t, rep, below, nil
}
