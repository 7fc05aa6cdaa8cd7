package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/verify"
	"golang.org/x/mod/sumdb/note"
)

// EvidenceVersion is the version of the signed evidence format.
const EvidenceVersion = 1

// Evidence is what a report states and signs: its period, its figures and
// the audit checkpoint they were counted against. Every rendering (HTML,
// Markdown, PDF) is made from it alone, and embeds it.
type Evidence struct {
	Version      int              `json:"v"`
	Kind         string           `json:"kind"` // "yearly"
	Origin       string           `json:"origin"`
	Operator     string           `json:"operator,omitempty"`
	Year         int              `json:"year"`
	From         time.Time        `json:"from"`
	To           time.Time        `json:"to"`
	Language     string           `json:"language"`
	GeneratedAt  time.Time        `json:"generated_at"`
	Figures      []coupole.Figure `json:"figures"`
	Missing      []string         `json:"missing,omitempty"`   // chapters whose source is not available yet
	Checkpoint   string           `json:"checkpoint"`          // signed year-end checkpoint of the audit log
	Verification string           `json:"verification"`        // result of verifying the log when the report was made
	Registers    []RegisterLine   `json:"registers,omitempty"` // register entries listed in chapters V and VII
}

// RegisterLine is one register entry as a report lists it.
type RegisterLine struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version int    `json:"version"`
	Status  string `json:"status"` // "ok", "review_overdue", "open", "overdue"…
}

// Document is a signed report: its evidence and the signed note over the
// evidence's hash.
type Document struct {
	Evidence  Evidence
	Signature []byte // signed note, see Sign
}

// Figure returns the figure of the given key.
func (d *Document) Figure(key string) (coupole.Figure, bool) {
	for _, f := range d.Evidence.Figures {
		if f.Key == key {
			return f, true
		}
	}
	return coupole.Figure{}, false
}

const signedHeader = "coupole-report v1\n"

// digest is the SHA-256 of the evidence's JSON encoding (encoding/json
// writes struct members in declaration order: one evidence, one text).
func digest(ev Evidence) ([]byte, []byte, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, nil, coupole.Wrap(err, coupole.EINTERNAL, "report: encode evidence: %v", err)
	}
	h := sha256.Sum256(b)
	return b, h[:], nil
}

func signedText(ev Evidence, h []byte) string {
	return fmt.Sprintf("%s%s %d %s\nsha256 %s\n", signedHeader, ev.Kind, ev.Year, ev.Origin, base64.StdEncoding.EncodeToString(h))
}

// Sign signs ev with the operator's audit key.
func Sign(ev Evidence, s note.Signer) (*Document, error) {
	if ev.Origin != s.Name() {
		return nil, coupole.Errorf(coupole.EINTERNAL, "report: evidence of log %q signed with key %q", ev.Origin, s.Name())
	}
	_, h, err := digest(ev)
	if err != nil {
		return nil, err
	}
	sig, err := note.Sign(&note.Note{Text: signedText(ev, h)}, s)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "report: sign: %v", err)
	}
	return &Document{Evidence: ev, Signature: sig}, nil
}

// Markers around the evidence block every rendering embeds.
const (
	beginMarker = "-----BEGIN COUPOLE SIGNED REPORT-----"
	endMarker   = "-----END COUPOLE SIGNED REPORT-----"
)

type sealed struct {
	Evidence  json.RawMessage `json:"evidence"`
	Signature string          `json:"signature"`
}

// Seal returns the evidence block: markers around the base64 of the
// evidence and its signature, in lines of 76 characters.
func (d *Document) Seal() (string, error) {
	raw, _, err := digest(d.Evidence)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(sealed{Evidence: raw, Signature: string(d.Signature)})
	if err != nil {
		return "", coupole.Wrap(err, coupole.EINTERNAL, "report: seal: %v", err)
	}
	enc := base64.StdEncoding.EncodeToString(b)
	var s strings.Builder
	s.WriteString(beginMarker + "\n")
	for len(enc) > 76 {
		s.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	s.WriteString(enc + "\n" + endMarker)
	return s.String(), nil
}

// Unseal finds the evidence block in a rendered report (any format), checks
// its signature with v, and returns the document. It does not check that
// the rendering says what the evidence says: Verify does.
func Unseal(rendered []byte, v note.Verifier) (*Document, error) {
	i := bytes.Index(rendered, []byte(beginMarker))
	if i < 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "report: no signed evidence block in this file (is it a Coupole report?)")
	}
	rest := rendered[i+len(beginMarker):]
	j := bytes.Index(rest, []byte(endMarker))
	if j < 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "report: the signed evidence block is not terminated")
	}
	enc := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\\' {
			return -1
		}
		return r
	}, string(rest[:j]))
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "report: the signed evidence block is not base64: %v", err)
	}
	var s sealed
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "report: the signed evidence block is not readable: %v", err)
	}
	var ev Evidence
	dec := json.NewDecoder(bytes.NewReader(s.Evidence))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "report: the evidence is not readable: %v", err)
	}
	if ev.Version != EvidenceVersion {
		return nil, coupole.Errorf(coupole.EINVALID, "report: evidence version %d is not supported", ev.Version)
	}
	n, err := note.Open([]byte(s.Signature), note.VerifierList(v))
	if err != nil {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: SIGNATURE INVALID: %v", err)
	}
	// The hash is of the evidence as written, so any change to it — a
	// figure, the checkpoint — breaks the match; and the evidence must be in
	// its one canonical form, so that what is decoded is what was signed.
	canon, _, err := digest(ev)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(s.Evidence)
	if n.Text != signedText(ev, h[:]) || !bytes.Equal(canon, s.Evidence) {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: the evidence does not match its signature (a figure, the period or the checkpoint was changed)")
	}
	if _, err := verify.OpenCheckpoint([]byte(ev.Checkpoint), v); err != nil {
		return nil, coupole.Errorf(coupole.ECONFLICT, "report: the year-end checkpoint does not verify: %v", err)
	}
	return &Document{Evidence: ev, Signature: []byte(s.Signature)}, nil
}
