package verify

import (
	"bytes"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// sameEvent compares two decoded events, an absent list and an empty one
// alike (neither is encoded).
func sameEvent(a, b Event) bool {
	norm := func(e Event) Event {
		for _, l := range []*[]string{&e.AccessPoints, &e.Customers, &e.Data} {
			if len(*l) == 0 {
				*l = nil
			}
		}
		if e.Decision != nil {
			d := *e.Decision
			if len(d.Policies) == 0 {
				d.Policies = nil
			}
			e.Decision = &d
		}
		return e
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// agree checks the scanner against the strict decoder on p: both accept it
// and decode the same event, or both refuse it.
func agree(t *testing.T, s *PayloadScanner, p []byte) bool {
	t.Helper()
	want, werr := DecodePayload(p)
	got, gerr := s.Scan(p)
	switch {
	case (werr == nil) != (gerr == nil):
		t.Fatalf("payload %q: DecodePayload says %v, the scanner %v", p, werr, gerr)
	case werr == nil && !sameEvent(want, *got):
		t.Fatalf("payload %q: DecodePayload gives %+v (%+v), the scanner %+v (%+v)", p, want, want.Decision, *got, got.Decision)
	}
	return werr == nil
}

// serviceEvents are the shapes of event the interaction service, the
// staff and governance code and the report write (interaction/*.go,
// governance/, report/): every member, decisions with and without
// policies, lists of one and several.
func serviceEvents() []Event {
	ps := "9f2c1b7e4d0a3f5e8c6b2a1d0e9f8c7b6a5d4e3f2c1b0a9f8e7d6c5b4a3f2e1d"
	base := Event{Actor: "s-0000000000000000000000000001", Interaction: "i-0190a1b2c3d4e5f60718293a4b5c", Client: "10.20.30.40"}
	with := func(f func(e *Event)) Event { e := base; f(&e); return e }
	return []Event{
		with(func(e *Event) { e.Action, e.Data = "interaction.open", []string{"channel=phone", "requester=customer"} }),
		with(func(e *Event) {
			e.Action, e.Data = "interaction.open", []string{"channel=cpas_line", "requester=cpas", "cpas=CPAS-0042"}
		}),
		with(func(e *Event) {
			e.Action, e.Data = "interaction.identify", []string{"search=ean", "candidates=1", "masked_access_point", "masked_customer_name"}
		}),
		with(func(e *Event) {
			e.Action, e.AccessPoints, e.Customers, e.Data = "interaction.select", []string{"541448820000000017"}, []string{"C-0000042"}, []string{"ref=c1"}
		}),
		with(func(e *Event) {
			e.Action, e.AccessPoints, e.Customers, e.Data = "interaction.verify", []string{"541448820000000017"}, []string{"C-0000042"}, []string{"meter_number"}
			e.Decision = &Decision{Outcome: "failed", Reason: "meter_mismatch"}
		}),
		with(func(e *Event) {
			e.Action, e.CallReason = "interaction.decide", "ean_request,invoice"
			e.AccessPoints, e.Customers = []string{"541448820000000017"}, []string{"C-0000042"}
			e.Data = []string{"item=ean", "meter_verified=true", "occupancy=current", "mandate=none", "mandate_scope=", "registered_mobile=true", "ean_count=1", "reading_regime=smart", "masked_destination"}
			e.Decision = &Decision{Outcome: "sms", Reason: "ean_by_sms", Policies: []string{"ean-by-sms", "own-data"}, PolicySet: ps}
		}),
		with(func(e *Event) {
			e.Action, e.Decision = "interaction.refused", &Decision{Outcome: "refused", Reason: "not_need_to_know"}
		}),
		with(func(e *Event) { e.Action, e.Decision = "interaction.case_opened", &Decision{Outcome: "ok"} }),
		with(func(e *Event) { e.Action, e.CallReason = "interaction.close", "outage" }),
		with(func(e *Event) {
			e.Action, e.Interaction, e.Decision = "interaction.closed_idle", "", &Decision{Outcome: "closed", Reason: "idle"}
		}),
		{Actor: "system", Action: "delivery.sent", Data: []string{"delivery=d-1", "kind=sms"}},
		{Actor: "s-1", Action: "staff.signin_failed", Client: "2001:db8::1", Data: []string{"reason=bad_password"}},
		{Actor: "s-1", Action: "report.yearly", Data: []string{"year=2026"}, Decision: &Decision{}},
		{Action: "audit.export"},
	}
}

// The scanner decodes every event shape the service writes as the strict
// decoder does, and refuses every one-byte change the strict one refuses.
func TestPayloadScannerAgreesOnServiceShapes(t *testing.T) {
	var s PayloadScanner
	for _, e := range serviceEvents() {
		p, err := EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		if !agree(t, &s, p) {
			t.Fatalf("payload %q refused", p)
		}
		got, _ := s.Scan(p)
		if !sameEvent(*got, e) {
			t.Fatalf("payload %q scans to %+v, want %+v", p, *got, e)
		}
		// Every one-byte change: removed, doubled, replaced.
		for i := range p {
			agree(t, &s, append(append([]byte(nil), p[:i]...), p[i+1:]...))
			agree(t, &s, append(append([]byte(nil), p[:i+1]...), p[i:]...))
			for _, c := range []byte{' ', '"', '\\', ',', '}', ']', '0', 'A', 0x00, 0x7f, 0xc3} {
				q := bytes.Clone(p)
				q[i] = c
				agree(t, &s, q)
			}
		}
	}
}

// Random events with strings of awkward characters (quotes, backslashes,
// every control character, non-ASCII, empty list elements) decode alike.
func TestPayloadScannerAgreesOnRandomEvents(t *testing.T) {
	r := mrand.New(mrand.NewPCG(14, 6))
	alphabet := []string{"a", "Z", "=", ".", ",", "\"", "\\", "/", "é", "€", "\u2028", "\x7f", "u", "0"}
	for c := range 0x20 {
		alphabet = append(alphabet, string(rune(c)))
	}
	str := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	list := func() []string {
		var l []string
		for range r.IntN(4) {
			l = append(l, str())
		}
		return l
	}
	var s PayloadScanner
	for range 20_000 {
		e := Event{AccessPoints: list(), Action: str(), Actor: str(), CallReason: str(), Client: str(), Customers: list(), Data: list(), Interaction: str()}
		if r.IntN(2) == 0 {
			e.Decision = &Decision{Outcome: str(), Reason: str(), Policies: list(), PolicySet: str()}
		}
		p, err := EncodePayload(e)
		if err != nil {
			continue // not UTF-8: never written
		}
		if !agree(t, &s, p) {
			t.Fatalf("payload %q of %+v refused", p, e)
		}
		q := bytes.Clone(p)
		q[r.IntN(len(q))] = byte(r.Uint32())
		agree(t, &s, q)
	}
}

// Non-canonical forms the strict decoder refuses, refused here too.
func TestPayloadScannerRefuses(t *testing.T) {
	var s PayloadScanner
	for _, p := range []string{
		``, `{}`, `{"v":1} `, ` {"v":1}`, `{"v":1}{"v":1}`, `{"v":2}`, `{"v":1.0}`, `{"v":01}`, `{"v":"1"}`,
		`{"action":"","v":1}`, `{"data":[],"v":1}`, `{"data":null,"v":1}`, `{"decision":null,"v":1}`,
		`{"actor":"a","action":"b","v":1}`, `{"action":"b","action":"b","v":1}`, `{"Action":"b","v":1}`,
		`{"action":"b","extra":"c","v":1}`, `{"action":"\u0041","v":1}`, `{"action":"\/","v":1}`, `{"action":"\u000a","v":1}`,
		`{"action":"\u001F","v":1}`, "{\"action\":\"\n\",\"v\":1}", `{"action":"\ud83d\ude00","v":1}`, "{\"action\":\"\xff\",\"v\":1}",
		`{"decision":{"reason":"a","outcome":"b"},"v":1}`, `{"decision":{"policies":[]},"v":1}`, `{"action":"a",,"v":1}`,
		`{"action":"a","v":1`, `{"action":"a" ,"v":1}`, `{"data":["a",],"v":1}`, `{"data":["a" ],"v":1}`,
	} {
		if agree(t, &s, []byte(p)) {
			t.Errorf("%q accepted by both", p)
		}
	}
	big := `{"action":"` + strings.Repeat("a", MaxPayload) + `","v":1}`
	if agree(t, &s, []byte(big)) {
		t.Error("a payload over MaxPayload accepted")
	}
	for _, p := range []string{`{"v":1}`, `{"decision":{},"v":1}`, `{"data":[""],"v":1}`, `{"action":"\u0000\b\f\n\r\t\u001f\"\\","v":1}`} {
		if !agree(t, &s, []byte(p)) {
			t.Errorf("%q refused by both", p)
		}
	}
}

// FuzzPayloadScanner: on any input the scanner and the strict decoder
// agree — both refuse, or both accept and give the same event.
func FuzzPayloadScanner(f *testing.F) {
	for _, e := range serviceEvents() {
		p, _ := EncodePayload(e)
		f.Add(p)
	}
	f.Add([]byte(`{"action":"\u0000\b\f\n\r\t\u001f\"\\","decision":{},"v":1}`))
	f.Add([]byte(`{"action":"\u0041","v":1}`))
	var s PayloadScanner
	f.Fuzz(func(t *testing.T, p []byte) {
		agree(t, &s, p)
	})
}
