// Package verify checks Coupole's audit log without trusting Coupole: it
// defines the formats (event payload, leaf record, checkpoint, export bundle)
// and recomputes everything from them with the operator's public key.
//
// It depends only on the standard library, github.com/transparency-dev/merkle
// and golang.org/x/mod/sumdb/note, so an auditor can read it in an afternoon
// and build it alone. docs/audit.md describes the same formats in prose.
package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/rfc6962"
)

// PayloadVersion is the value of the "v" member of every payload.
const PayloadVersion = 1

// MaxPayload bounds the canonical payload of one event.
const MaxPayload = 64 << 10

// SaltSize is the size of the random salt hashed before each payload.
const SaltSize = 32

// Event is one traced access or decision (T1). The log stamps Time; the rest
// is the payload, which can be erased after its retention while the leaf that
// commits to it stays.
type Event struct {
	Time         time.Time // set by the log when it sequences the event; kept in the leaf, not in the payload
	Actor        string    // staff member's id
	Action       string    // what was done: "read", "disclose", "decide", …
	Interaction  string    // interaction (call, e-mail, chat) id
	CallReason   string    // call-reason code of the interaction
	AccessPoints []string  // EANs concerned, 18 digits each
	Customers    []string  // customer ids concerned
	Data         []string  // data items touched: "ean", "consumption_history", …
	Decision     *Decision // the decision taken, if any
	Client       string    // client (browser) address
}

// Decision is the outcome of a policy decision as it was traced.
type Decision struct {
	Outcome   string   // "oral", "sms", "refuse", …
	Reason    string   // stable reason code
	Policies  []string // ids of the policies that determined the outcome
	PolicySet string   // hash of the policy set that decided
}

// EncodePayload returns the canonical encoding of e (without its Time): the
// RFC 8785 (JCS) serialization of a JSON object whose members are strings,
// arrays of strings, the integer "v" and the "decision" object; members with an
// empty value are left out. The same Event always gives the same bytes.
func EncodePayload(e Event) ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	first := true
	str := func(k, v string) {
		if v == "" {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(append(appendString(b, k), ':'), v)
	}
	list := func(k string, vs []string) {
		if len(vs) == 0 {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(appendString(b, k), ':', '[')
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	// Members in sorted key order, as JCS requires.
	list("access_points", e.AccessPoints)
	str("action", e.Action)
	str("actor", e.Actor)
	str("call_reason", e.CallReason)
	str("client", e.Client)
	list("customers", e.Customers)
	list("data", e.Data)
	if d := e.Decision; d != nil {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(appendString(b, "decision"), ':', '{')
		outer := first
		first = true
		str("outcome", d.Outcome)
		list("policies", d.Policies)
		str("policy_set", d.PolicySet)
		str("reason", d.Reason)
		first = outer
		b = append(b, '}')
	}
	str("interaction", e.Interaction)
	if !first {
		b = append(b, ',')
	}
	b = append(b, `"v":1}`...)
	if !utf8.Valid(b) {
		return nil, errors.New("event: a field is not valid UTF-8")
	}
	if len(b) > MaxPayload {
		return nil, fmt.Errorf("event: payload is %d bytes, more than %d", len(b), MaxPayload)
	}
	return b, nil
}

// appendString appends s as a JSON string the way RFC 8785 does: only '"',
// '\\' and control characters are escaped, with the short forms where JSON has
// them and \u00xx (lower-case hex) otherwise.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

type jsonDecision struct {
	Outcome   string   `json:"outcome"`
	Policies  []string `json:"policies"`
	PolicySet string   `json:"policy_set"`
	Reason    string   `json:"reason"`
}

type jsonEvent struct {
	AccessPoints []string      `json:"access_points"`
	Action       string        `json:"action"`
	Actor        string        `json:"actor"`
	CallReason   string        `json:"call_reason"`
	Client       string        `json:"client"`
	Customers    []string      `json:"customers"`
	Data         []string      `json:"data"`
	Decision     *jsonDecision `json:"decision"`
	Interaction  string        `json:"interaction"`
	V            int           `json:"v"`
}

// DecodePayload parses a canonical payload. It refuses unknown members, other
// versions, and any encoding that is not exactly the canonical one, so a
// payload has one meaning and one form.
func DecodePayload(p []byte) (Event, error) {
	var j jsonEvent
	d := json.NewDecoder(bytes.NewReader(p))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return Event{}, fmt.Errorf("payload: %v", err)
	}
	if j.V != PayloadVersion {
		return Event{}, fmt.Errorf("payload: version %d, want %d", j.V, PayloadVersion)
	}
	e := Event{Actor: j.Actor, Action: j.Action, Interaction: j.Interaction, CallReason: j.CallReason,
		AccessPoints: j.AccessPoints, Customers: j.Customers, Data: j.Data, Client: j.Client}
	if j.Decision != nil {
		e.Decision = &Decision{Outcome: j.Decision.Outcome, Reason: j.Decision.Reason, Policies: j.Decision.Policies, PolicySet: j.Decision.PolicySet}
	}
	again, err := EncodePayload(e)
	if err != nil {
		return Event{}, err
	}
	if !bytes.Equal(again, p) {
		return Event{}, errors.New("payload: not in canonical form")
	}
	return e, nil
}

// LeafVersion is the first byte of every leaf record.
const LeafVersion = 1

// LeafSize is the size of a leaf record.
const LeafSize = 1 + 8 + 8 + 32

// Leaf is what the Merkle tree commits to for one event: its position, its
// time and a salted hash of its payload. It holds no personal data, so it
// stays when the payload is erased.
type Leaf struct {
	Index      uint64
	Time       int64    // nanoseconds since 1970-01-01 UTC
	Commitment [32]byte // SHA-256(salt ‖ payload)
}

// Commit returns SHA-256(salt ‖ payload).
func Commit(salt, payload []byte) [32]byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(payload)
	var c [32]byte
	h.Sum(c[:0])
	return c
}

// Marshal returns the 49-byte leaf record: version 1, index (8 bytes,
// big-endian), time in ns (8 bytes, big-endian, two's complement), commitment.
func (l Leaf) Marshal() []byte {
	return l.AppendTo(make([]byte, 0, LeafSize))
}

// AppendTo appends the leaf record to b.
func (l Leaf) AppendTo(b []byte) []byte {
	b = append(b, LeafVersion)
	b = binary.BigEndian.AppendUint64(b, l.Index)
	b = binary.BigEndian.AppendUint64(b, uint64(l.Time))
	return append(b, l.Commitment[:]...)
}

// ParseLeaf reads a leaf record.
func ParseLeaf(rec []byte) (Leaf, error) {
	if len(rec) != LeafSize {
		return Leaf{}, fmt.Errorf("leaf record is %d bytes, want %d", len(rec), LeafSize)
	}
	if rec[0] != LeafVersion {
		return Leaf{}, fmt.Errorf("leaf record version %d, want %d", rec[0], LeafVersion)
	}
	var l Leaf
	l.Index = binary.BigEndian.Uint64(rec[1:9])
	l.Time = int64(binary.BigEndian.Uint64(rec[9:17]))
	copy(l.Commitment[:], rec[17:])
	return l, nil
}

// Hash returns the RFC 6962 leaf hash of the record: SHA-256(0x00 ‖ record).
func (l Leaf) Hash() []byte {
	return rfc6962.DefaultHasher.HashLeaf(l.Marshal())
}
