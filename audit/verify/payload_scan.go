package verify

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// PayloadScanner decodes canonical payloads without encoding/json: it reads
// exactly the grammar EncodePayload writes — members in their one order,
// present only when not empty, JCS string escapes, "v":1 last — and refuses
// anything else, so it accepts what DecodePayload accepts and gives the
// same Event (FuzzPayloadScanner checks both on every input). Decoding a
// year's payloads with encoding/json and encoding them again to check the
// form took about 7 µs per event, more than half of the yearly report's
// CPU (issue 14, item 6); the report's tally with this scanner takes
// 1.3 µs per event against 9.3 (bench/yearly BenchmarkTally).
//
// A scanner reuses its Event and interns the strings that repeat across
// events (actions, data items, decisions): the Event Scan returns is valid
// until the next Scan. A scanner is not safe for concurrent use.
type PayloadScanner struct {
	ev      Event
	dec     Decision
	strs    map[string]string
	scratch []byte
	b       []byte
	i       int
}

// maxInterned bounds the strings a scanner keeps: values that do not
// repeat (ids) are copied, not kept.
const maxInterned = 8192

var errNotCanonical = errors.New("payload: not in canonical form")

// Scan decodes p. Its errors are those of DecodePayload's kind: not
// canonical, too large, not UTF-8.
func (s *PayloadScanner) Scan(p []byte) (*Event, error) {
	if len(p) > MaxPayload {
		return nil, fmt.Errorf("event: payload is %d bytes, more than %d", len(p), MaxPayload)
	}
	if !utf8.Valid(p) {
		return nil, errNotCanonical
	}
	if s.strs == nil {
		s.strs = make(map[string]string, 256)
	}
	s.b, s.i = p, 0
	ev := &s.ev
	*ev = Event{AccessPoints: ev.AccessPoints[:0], Customers: ev.Customers[:0], Data: ev.Data[:0]}
	if !s.lit("{") {
		return nil, errNotCanonical
	}
	first := true
	var err error
	list := func(key string, out *[]string, keep bool) {
		if err == nil && s.key(key, &first) {
			*out, err = s.list(*out, keep)
		}
	}
	str := func(key string, out *string, keep bool) {
		if err == nil && s.key(key, &first) {
			*out, err = s.str(keep)
			if err == nil && *out == "" {
				err = errNotCanonical // an empty member is left out
			}
		}
	}
	// Members in the order EncodePayload writes them.
	list("access_points", &ev.AccessPoints, false)
	str("action", &ev.Action, true)
	str("actor", &ev.Actor, true)
	str("call_reason", &ev.CallReason, true)
	str("client", &ev.Client, true)
	list("customers", &ev.Customers, false)
	list("data", &ev.Data, true)
	if err == nil && s.key("decision", &first) {
		d := &s.dec
		*d = Decision{Policies: d.Policies[:0]}
		if !s.lit("{") {
			return nil, errNotCanonical
		}
		inner := true
		str := func(key string, out *string) {
			if err == nil && s.key(key, &inner) {
				*out, err = s.str(true)
				if err == nil && *out == "" {
					err = errNotCanonical
				}
			}
		}
		str("outcome", &d.Outcome)
		if err == nil && s.key("policies", &inner) {
			d.Policies, err = s.list(d.Policies, true)
		}
		str("policy_set", &d.PolicySet)
		str("reason", &d.Reason)
		if err == nil && !s.lit("}") {
			err = errNotCanonical
		}
		ev.Decision = d
		if len(d.Policies) == 0 {
			d.Policies = nil
		}
	}
	str("interaction", &ev.Interaction, false)
	if err != nil {
		return nil, err
	}
	if !first && !s.lit(",") || !s.lit(`"v":1}`) || s.i != len(p) {
		return nil, errNotCanonical
	}
	// Absent lists are nil, as DecodePayload gives them.
	if len(ev.AccessPoints) == 0 {
		ev.AccessPoints = nil
	}
	if len(ev.Customers) == 0 {
		ev.Customers = nil
	}
	if len(ev.Data) == 0 {
		ev.Data = nil
	}
	return ev, nil
}

// lit consumes the literal text t if it comes next.
func (s *PayloadScanner) lit(t string) bool {
	if len(s.b)-s.i < len(t) || string(s.b[s.i:s.i+len(t)]) != t {
		return false
	}
	s.i += len(t)
	return true
}

// key consumes `,"k":` (no comma for the first member) if member k comes
// next, and reports whether it did.
func (s *PayloadScanner) key(k string, first *bool) bool {
	j := s.i
	if !*first {
		if j >= len(s.b) || s.b[j] != ',' {
			return false
		}
		j++
	}
	if len(s.b)-j < len(k)+3 || s.b[j] != '"' || string(s.b[j+1:j+1+len(k)]) != k || s.b[j+1+len(k)] != '"' || s.b[j+2+len(k)] != ':' {
		return false
	}
	s.i, *first = j+len(k)+3, false
	return true
}

// list reads a non-empty array of strings (an empty one is left out by the
// encoder) and appends its elements to out.
func (s *PayloadScanner) list(out []string, keep bool) ([]string, error) {
	if !s.lit("[") || s.lit("]") {
		return nil, errNotCanonical
	}
	for {
		v, err := s.str(keep)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if s.lit("]") {
			return out, nil
		}
		if !s.lit(",") {
			return nil, errNotCanonical
		}
	}
}

// str reads a string in RFC 8785 form: '"' and '\' escaped, control
// characters as \b \f \n \r \t or else \u00xx in lower-case hex, nothing
// else escaped. keep interns the value (it is likely to repeat).
func (s *PayloadScanner) str(keep bool) (string, error) {
	if !s.lit(`"`) {
		return "", errNotCanonical
	}
	start := s.i
	end := bytes.IndexByte(s.b[start:], '"')
	if end < 0 {
		return "", errNotCanonical
	}
	raw := s.b[start : start+end]
	if bytes.IndexByte(raw, '\\') < 0 {
		for _, c := range raw {
			if c < 0x20 {
				return "", errNotCanonical
			}
		}
		s.i = start + end + 1
		return s.text(raw, keep), nil
	}
	// Escapes: unescape into scratch, checking each is the canonical one.
	out := s.scratch[:0]
	i := start
	for {
		if i >= len(s.b) {
			return "", errNotCanonical
		}
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			s.scratch = out
			return s.text(out, keep), nil
		case c < 0x20:
			return "", errNotCanonical
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			return "", errNotCanonical
		}
		switch e := s.b[i+1]; e {
		case '"', '\\':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(s.b) || s.b[i+2] != '0' || s.b[i+3] != '0' {
				return "", errNotCanonical
			}
			hi, lo := lowerHex(s.b[i+4]), lowerHex(s.b[i+5])
			if hi < 0 || hi > 1 || lo < 0 {
				return "", errNotCanonical
			}
			v := byte(hi<<4 | lo)
			switch v {
			case '\b', '\f', '\n', '\r', '\t': // these have short forms
				return "", errNotCanonical
			}
			out = append(out, v)
			i += 6
			continue
		default:
			return "", errNotCanonical
		}
		i += 2
	}
}

func lowerHex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// text returns b as a string, interned if keep.
func (s *PayloadScanner) text(b []byte, keep bool) string {
	if !keep {
		return string(b)
	}
	if v, ok := s.strs[string(b)]; ok {
		return v
	}
	v := string(b)
	if len(s.strs) < maxInterned {
		s.strs[v] = v
	}
	return v
}
