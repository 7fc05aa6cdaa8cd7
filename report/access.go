package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"golang.org/x/mod/sumdb/note"
)

// The art. 15 "who saw my data" report (issue 14, item 4): every traced
// access to one customer's data in a period — when, which role, why
// (interaction and call reason), what was touched or disclosed — each with
// the proof that its event is in the audit log under a signed checkpoint.
// Anyone with the operator's public key checks it offline (VerifyAccess).

// Access is one traced access, as the customer reads it.
type Access struct {
	Index       uint64    `json:"index"`
	Time        time.Time `json:"time"`
	Role        string    `json:"role"`            // the staff member's roles, comma-separated
	Staff       string    `json:"staff,omitempty"` // only where the operator's policy shows staff
	Action      string    `json:"action"`
	Interaction string    `json:"interaction,omitempty"`
	CallReason  string    `json:"call_reason,omitempty"`
	Data        []string  `json:"data,omitempty"`
	Outcome     string    `json:"outcome,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	// Leaf is the 49-byte leaf record (base64 in JSON) and Proof its
	// inclusion proof in the tree of the report's checkpoint.
	Leaf  []byte                `json:"leaf"`
	Proof verify.InclusionProof `json:"proof"`
	// Salt and Payload, when the staff are shown, let the reader check that
	// the described event is exactly the one logged.
	Salt    []byte `json:"salt,omitempty"`
	Payload []byte `json:"payload,omitempty"`
}

// AccessEvidence is the content of an art. 15 report.
type AccessEvidence struct {
	Version     int       `json:"v"`
	Kind        string    `json:"kind"` // "access"
	Origin      string    `json:"origin"`
	Customer    string    `json:"customer"`
	Language    string    `json:"language"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	GeneratedAt time.Time `json:"generated_at"`
	StaffShown  bool      `json:"staff_shown"`
	Checkpoint  string    `json:"checkpoint"`
	Accesses    []Access  `json:"accesses"`
	Erased      int       `json:"erased"` // events of the period whose details were erased after their retention
}

// AccessDocument is a signed art. 15 report.
type AccessDocument struct {
	Evidence  AccessEvidence `json:"evidence"`
	Signature string         `json:"signature"`
}

// StaffInfo names a staff member's roles and name for the report.
type StaffInfo func(ctx context.Context, id string) (roles []string, name string, err error)

// AccessBuilder produces art. 15 reports.
type AccessBuilder struct {
	Audit  audit.Storage
	Signer note.Signer
	Clock  coupole.Clock
	Staff  StaffInfo
	// ShowStaff: the operator's policy lets the report name staff members
	// (and carry the events' payloads, which name them).
	ShowStaff bool
}

// Build gathers the accesses to customer's data in [from, to). The
// caller traces the production first (ActionAccessReport).
func (b *AccessBuilder) Build(ctx context.Context, customer, lang string, from, to time.Time) (*AccessDocument, error) {
	if strings.TrimSpace(customer) == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: a customer id is required")
	}
	if !knownLanguage(lang) {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: language %q is not one of fr, nl, de, en", lang)
	}
	if !to.After(from) {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: the period ends before it starts")
	}
	cp, err := audit.SignCheckpoint(ctx, b.Audit, b.Signer, b.Clock)
	if err != nil {
		return nil, err
	}
	ev := AccessEvidence{Version: EvidenceVersion, Kind: "access", Origin: b.Signer.Name(), Customer: customer, Language: lang,
		From: from.UTC(), To: to.UTC(), GeneratedAt: b.Clock.Now().UTC(), StaffShown: b.ShowStaff, Checkpoint: string(cp.Note), Accesses: []Access{}}
	r := audit.NewReader(b.Audit)
	roles := map[string][2]string{}
	after := int64(-1)
	for {
		page, err := r.Query(ctx, audit.Query{Customer: customer, From: from, To: to, After: after, Limit: audit.MaxQueryLimit})
		if err != nil {
			return nil, err
		}
		for _, f := range page {
			after = int64(f.Index)
			if f.Index >= cp.Size {
				continue // logged after the checkpoint: in the next report
			}
			if f.Erased() {
				ev.Erased++
				continue
			}
			a := Access{Index: f.Index, Time: f.Time.UTC(), Action: f.Event.Action, Interaction: f.Event.Interaction, CallReason: f.Event.CallReason,
				Data: f.Event.Data, Leaf: f.Leaf().Marshal()}
			if d := f.Event.Decision; d != nil {
				a.Outcome, a.Reason = d.Outcome, d.Reason
			}
			rn, ok := roles[f.Event.Actor]
			if !ok {
				rs, name, err := b.Staff(ctx, f.Event.Actor)
				if err != nil && coupole.ErrorCode(err) != coupole.ENOTFOUND {
					return nil, err
				}
				if len(rs) == 0 {
					rs = []string{"system"}
				}
				rn = [2]string{strings.Join(rs, ","), name}
				roles[f.Event.Actor] = rn
			}
			a.Role = rn[0]
			if b.ShowStaff {
				a.Staff = rn[1]
				if a.Staff == "" {
					a.Staff = f.Event.Actor
				}
				a.Salt, a.Payload = f.Salt, f.Payload
			}
			if a.Proof, err = r.InclusionProof(ctx, f.Index, cp.Size); err != nil {
				return nil, err
			}
			ev.Accesses = append(ev.Accesses, a)
		}
		if len(page) < audit.MaxQueryLimit {
			break
		}
	}
	return SignAccess(ev, b.Signer)
}

// SignAccess signs an art. 15 report's content with the audit key.
func SignAccess(ev AccessEvidence, s note.Signer) (*AccessDocument, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "access report: encode: %v", err)
	}
	h := sha256.Sum256(b)
	sig, err := note.Sign(&note.Note{Text: accessSignedText(ev, h[:])}, s)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "access report: sign: %v", err)
	}
	return &AccessDocument{Evidence: ev, Signature: string(sig)}, nil
}

func accessSignedText(ev AccessEvidence, h []byte) string {
	return fmt.Sprintf("coupole-access-report v1\n%s %s\nsha256 %s\n", ev.Origin, ev.Customer, base64.StdEncoding.EncodeToString(h))
}

// JSON returns the signed report as JSON (the form VerifyAccess reads).
func (d *AccessDocument) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "access report: encode: %v", err)
	}
	return append(b, '\n'), nil
}

// VerifyAccess checks an art. 15 report offline with the operator's public
// key: its signature, its checkpoint's, and for every access that its leaf
// is in the checkpoint's tree (and, when the payload is given, that the
// payload is the leaf's and says what the report says).
func VerifyAccess(data []byte, v note.Verifier) (*AccessDocument, error) {
	var d struct {
		Evidence  json.RawMessage `json:"evidence"`
		Signature string          `json:"signature"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: not a Coupole access report: %v", err)
	}
	var ev AccessEvidence
	dec := json.NewDecoder(bytes.NewReader(d.Evidence))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil || ev.Kind != "access" {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: evidence unreadable: %v", err)
	}
	n, err := note.Open([]byte(d.Signature), note.VerifierList(v))
	if err != nil {
		return nil, coupole.Errorf(coupole.ECONFLICT, "access report: SIGNATURE INVALID: %v", err)
	}
	canon, err := json.Marshal(ev)
	if err != nil {
		return nil, coupole.Errorf(coupole.EINTERNAL, "access report: encode")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, d.Evidence); err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "access report: evidence unreadable")
	}
	h := sha256.Sum256(canon)
	if n.Text != accessSignedText(ev, h[:]) || !bytes.Equal(canon, compact.Bytes()) {
		return nil, coupole.Errorf(coupole.ECONFLICT, "access report: the content does not match its signature (an access was changed, added or removed)")
	}
	cp, err := verify.OpenCheckpoint([]byte(ev.Checkpoint), v)
	if err != nil {
		return nil, coupole.Errorf(coupole.ECONFLICT, "access report: checkpoint: %v", err)
	}
	for i, a := range ev.Accesses {
		l, err := verify.ParseLeaf(a.Leaf)
		if err != nil || l.Index != a.Index || l.Time != a.Time.UnixNano() {
			return nil, coupole.Errorf(coupole.ECONFLICT, "access %d: the leaf record does not match its index and time", i+1)
		}
		if !bytes.Equal(l.Hash(), a.Proof.LeafHash) || a.Proof.Index != a.Index {
			return nil, coupole.Errorf(coupole.ECONFLICT, "access %d: the proof is for another leaf", i+1)
		}
		if err := a.Proof.Verify(cp); err != nil {
			return nil, coupole.Errorf(coupole.ECONFLICT, "access %d: not in the signed log: %v", i+1, err)
		}
		if a.Payload != nil {
			if verify.Commit(a.Salt, a.Payload) != l.Commitment {
				return nil, coupole.Errorf(coupole.ECONFLICT, "access %d: the payload is not the logged one", i+1)
			}
			e, err := verify.DecodePayload(a.Payload)
			if err != nil || e.Action != a.Action || e.Interaction != a.Interaction || !slices.Contains(e.Customers, ev.Customer) {
				return nil, coupole.Errorf(coupole.ECONFLICT, "access %d: the logged event says something else", i+1)
			}
		}
	}
	return &AccessDocument{Evidence: ev, Signature: d.Signature}, nil
}
