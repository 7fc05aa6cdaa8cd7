package web

// Fuzz targets of the web package's parsers (issue 10, item 9;
// docs/fuzzing.md): network prefixes, the client address behind proxies,
// JSON request bodies and session cookies.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// FuzzParsePrefixes: every accepted range is valid, masked, without zone,
// and the list printed back parses again to the same ranges.
func FuzzParsePrefixes(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8, 192.0.2.7", "::1, fc00::/7", "10.1.2.3/8", "::ffff:10.0.0.1", "fe80::1%eth0", "10.0.0.0/33", ",,", "", "1.2.3.4/0", "::/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParsePrefixes(s)
		if err != nil {
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("error code %s, want EINVALID", coupole.ErrorCode(err))
			}
			return
		}
		names := make([]string, len(ps))
		for i, p := range ps {
			if !p.IsValid() || p != p.Masked() || p.Addr().Zone() != "" {
				t.Fatalf("ParsePrefixes(%q) gave %v: not a valid masked range", s, p)
			}
			names[i] = p.String()
		}
		again, err := ParsePrefixes(strings.Join(names, ","))
		if err != nil || !slices.Equal(again, ps) {
			t.Fatalf("ParsePrefixes(%q) = %v, %v; want %v", strings.Join(names, ","), again, err, ps)
		}
	})
}

// FuzzClientAddr: the client address is invalid (refused) or a plain address
// (no zone, IPv4 not mapped into IPv6); a peer that is not a trusted proxy is
// the client whatever X-Forwarded-For says; behind a trusted proxy, the
// client is the peer or one of the hops written in X-Forwarded-For.
func FuzzClientAddr(f *testing.F) {
	for _, s := range [][2]string{
		{"203.0.113.9:5000", "10.0.0.1"}, {"192.0.2.10:5000", "203.0.113.5, 10.0.0.1"}, {"192.0.2.10:5000", "10.0.0.1, 192.0.2.11"},
		{"192.0.2.10:5000", ""}, {"192.0.2.10:5000", "garbage"}, {"[::ffff:10.0.0.7]:5000", ""}, {"192.0.2.10:5000", "fe80::1%eth0"},
		{"[fe80::1%lo]:80", ""}, {"192.0.2.10", "::ffff:192.0.2.1"}, {"[2001:db8::1]:443", "2001:db8::2"},
	} {
		f.Add(s[0], s[1])
	}
	a := &StaffAccess{Config: AuthConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::/32")}}}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		got := a.ClientAddr(r)
		if !got.IsValid() {
			return
		}
		if got.Zone() != "" || got.Is4In6() {
			t.Fatalf("ClientAddr(%q, XFF %q) = %q: not a plain address", remote, xff, got)
		}
		peer := got
		r.Header.Del("X-Forwarded-For")
		if p := a.ClientAddr(r); !p.IsValid() {
			t.Fatalf("ClientAddr(%q, XFF %q) = %q from an unusable peer", remote, xff, got)
		} else {
			peer = p
		}
		if !inAny(peer, a.Config.TrustedProxies) {
			if got != peer {
				t.Fatalf("ClientAddr(%q, XFF %q) = %q, want the untrusted peer %q", remote, xff, got, peer)
			}
			return
		}
		isHop := false
		for _, h := range strings.Split(xff, ",") {
			if a, err := netip.ParseAddr(strings.TrimSpace(h)); err == nil && a.Unmap() == got {
				isHop = true
			}
		}
		if got != peer && !isHop {
			t.Fatalf("ClientAddr(%q, XFF %q) = %q: neither the peer nor a hop", remote, xff, got)
		}
	})
}

// FuzzDecodeBody: a JSON request body of the interaction API or of the
// staff routes either decodes
// (it is then one JSON object, null or empty, and the decoded request encodes and
// decodes again to itself) or is refused with EINVALID and a one-line
// message that names no Go type and repeats no value of the body.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"ean":"541448820000123456"}`, `{"meter_number":"9876543A","ref":"r1"}`, `{"item":"ean"}`, `{"day_kwh":17500.5,"night_kwh":7300}`,
		`{"channel":"phone","requester":"customer"}`, ``, `{}`, `null`, `[]`, `"x"`, `{"ean":123}`, `{"unknown":1}`, `{"item":"ean"} {"item":"supplier"}`,
		`{"item":"ean"}garbage`, `{"ean":"54144882`, `{"day_kwh":"12"}`, `{"date":{"a":1}}`, "{\"a\nb\":1}",
		`{"0000000000":"00000000"}`, `{"roles":["advisor"]}`, `{"roles":"advisor"}`, `{"customer_id":"C-1","reason":"outage","minutes":30}`, `{"reason":42}`,
	} {
		for _, kind := range []byte{0, 1, 2, 3, 0x84, 0x85} {
			f.Add(kind, []byte(s))
		}
	}
	type roles struct {
		Roles []string `json:"roles"`
	}
	type breakGlass struct {
		CustomerID string `json:"customer_id"`
		Reason     string `json:"reason"`
		Minutes    int    `json:"minutes"`
	}
	f.Fuzz(func(t *testing.T, kind byte, body []byte) {
		decode := decodeJSON // the one decoder of the API and the staff routes
		switch kind % 8 {
		case 0:
			checkDecodeBody[interaction.IdentifyRequest](t, decode, body)
		case 1:
			checkDecodeBody[interaction.VerifyRequest](t, decode, body)
		case 2:
			checkDecodeBody[interaction.ReadingRequest](t, decode, body)
		case 3:
			checkDecodeBody[interaction.OpenRequest](t, decode, body)
		case 4:
			checkDecodeBody[roles](t, decode, body)
		default:
			checkDecodeBody[breakGlass](t, decode, body)
		}
	})
}

// jsonRequest is a POST of body declared application/json, as every API
// client sends it.
func jsonRequest(body []byte) *http.Request {
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func checkDecodeBody[Req any](t *testing.T, decode func(*http.Request, any) error, body []byte) {
	var req Req
	err := decode(jsonRequest(body), &req)
	if err != nil {
		msg := coupole.ErrorMessage(err)
		if coupole.ErrorCode(err) != coupole.EINVALID {
			t.Fatalf("decoding %q: code %s, want EINVALID", body, coupole.ErrorCode(err))
		}
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("decoding %q: message on more than one line: %q", body, msg)
		}
		for _, internal := range []string{"json:", "interaction.", "struct", "map[", "[]", "Go "} {
			if strings.Contains(msg, internal) {
				t.Fatalf("decoding %q: message names Go internals (%q): %q", body, internal, msg)
			}
		}
		values, names := jsonStrings(body)
		shown := msg // less the member names it may repeat ("unknown field")
		for _, n := range names {
			if n != "" {
				shown = strings.ReplaceAll(shown, n, "")
			}
		}
		for _, v := range values {
			if len(v) >= 6 && strings.Contains(shown, v) {
				t.Fatalf("decoding %q: message repeats the value %q: %q", body, v, msg)
			}
		}
		return
	}
	if text := bytes.TrimSpace(body); len(text) > 0 && !bytes.Equal(text, []byte("null")) && (text[0] != '{' || !json.Valid(text)) {
		t.Fatalf("decoded %q: not one JSON object (or empty, or null)", body)
	}
	enc, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("re-encoding %+v: %v", req, err)
	}
	var again Req
	if err := decode(jsonRequest(enc), &again); err != nil || !reflect.DeepEqual(again, req) {
		t.Fatalf("%q decoded to %+v; its encoding %s decodes to %+v, %v", body, req, enc, again, err)
	}
}

// jsonStrings returns the string values and the member names of a JSON
// text (best effort: the text may be anything).
func jsonStrings(body []byte) (values, names []string) {
	var inObject []bool // per open container: is it an object
	key := false        // the next string in the object is a member name
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return values, names
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				inObject = append(inObject, tok == '{')
				key = tok == '{'
				continue
			default:
				inObject = inObject[:len(inObject)-1]
			}
		case string:
			if key {
				names = append(names, tok)
			} else {
				values = append(values, tok)
			}
		}
		key = len(inObject) > 0 && inObject[len(inObject)-1] && !key
	}
}

// FuzzSessionCookie: whatever a Cookie header holds, looking the session up
// never panics and signs in only the holder of the one live session's id.
func FuzzSessionCookie(f *testing.F) {
	db := sqltest.MustOpenSQLite(f)
	fx := mustFixture(f, db, AuthConfig{})
	st := mustStaff(f, db, "fuzz-advisor", coupole.StaffOIDC, coupole.RoleAdvisor)
	live := fx.mustSession(f, st.ID)
	name := fx.access.sessionCookieName()
	for _, s := range []string{
		name + "=" + live.cookie.Value, name + "=" + live.cookie.Value + "x", name + "=" + live.cookie.Value[:20], name + "=",
		name + `="` + live.cookie.Value + `"`, name + "=" + live.cookie.Value + "; " + name + "=other", name + "=other; " + name + "=" + live.cookie.Value,
		"other=" + live.cookie.Value, name + "=" + strings.ToUpper(live.cookie.Value), "", ";;;", name + "=%00", name + "=" + hashSessionID(live.cookie.Value),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", header)
		p, err := fx.access.loadSession(r)
		if err != nil {
			if p != nil {
				t.Fatalf("Cookie %q: a principal and an error", header)
			}
			return
		}
		c, cerr := r.Cookie(name)
		if cerr != nil || c.Value != live.cookie.Value || p.Staff.ID != st.ID {
			t.Fatalf("Cookie %q signed in %q without the session id", header, p.Staff.ID)
		}
	})
}

// TestClientAddrDropsZones is the finding of FuzzClientAddr: a zone ("%…",
// free text) in X-Forwarded-For or in the peer's address reached the client
// address traced with every event.
func TestClientAddrDropsZones(t *testing.T) {
	a := &StaffAccess{Config: AuthConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}
	tests := []struct{ remote, xff, want string }{
		{"192.0.2.10:5000", "fe80::1%eth0", ""},                       // a hop with a zone: garbled, refused
		{"192.0.2.10:5000", "fe80::1%any text, 10.0.0.1", "10.0.0.1"}, // zone left of the client: never read
		{"[fe80::1%lo]:80", "", "fe80::1"},                            // the peer's zone is dropped
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		got := a.ClientAddr(r)
		if (tt.want == "" && got.IsValid()) || (tt.want != "" && got.String() != tt.want) {
			t.Errorf("ClientAddr(%s, XFF %q) = %v, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}

// TestDecodeBodyStrict is the finding of FuzzDecodeBody (issue 10, item 9
// of the security test): data after the object was accepted, and a body that
// is not an object was refused naming a Go type.
func TestDecodeBodyStrict(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"item":"ean"} {"item":"supplier"}`, "request body: data after the JSON object"},
		{`{"item":"ean"}garbage`, "request body: data after the JSON object"},
		{`{"item":"ean"}}`, "request body: data after the JSON object"},
		{`[]`, "request body: must be a JSON object"},
		{`"x"`, "request body: must be a JSON object"},
		{`{"item":1}`, "request body: field item: expected a string, got a number"},
		{"{\"a\\nb\":1}", "request body: unknown field (not shown)"}, // not a field's name: maybe a value
		{`{"item":"ean"}` + "\n", ""},
		{``, ""},
	}
	for _, tt := range tests {
		var req interaction.DecideRequest
		err := decodeJSON(jsonRequest([]byte(tt.body)), &req)
		if got := coupole.ErrorMessage(err); (err == nil) != (tt.want == "") || (err != nil && got != tt.want) {
			t.Errorf("decodeJSON(%q) = %v, want %q", tt.body, err, tt.want)
		}
	}
}

// FuzzLocalPath: the page a redirect goes back to is "/" or the path given,
// and a browser reading it (dropping tabs and newlines, "\\" as "/") stays
// on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/interactions/42", "//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "/%2F/evil.example", "", "/a\x00b", " /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := localPath(s)
		if got != "/" && got != s {
			t.Fatalf("localPath(%q) = %q, neither / nor the path", s, got)
		}
		seen := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		u, err := url.Parse(seen)
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || err == nil && (u.Scheme != "" || u.Host != "") {
			t.Fatalf("localPath(%q) = %q, which a browser reads as %q: another site", s, got, seen)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("localPath(%q) = %q holds a control character", s, got)
		}
	})
}

// TestLocalPathRefusesControlCharacters is the finding of FuzzLocalPath:
// "/\t/evil.example" was kept, and a browser drops the tab and goes to
// evil.example.
func TestLocalPathRefusesControlCharacters(t *testing.T) {
	for _, s := range []string{"/\t/evil.example", "/\x0b/x", "/a\x7f"} {
		if got := localPath(s); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", s, got)
		}
	}
	if got := localPath("/interactions/42?x=1"); got != "/interactions/42?x=1" {
		t.Errorf("a local path: %q", got)
	}
}

// TestDecodeJSONStaffBodies: the staff routes' decoder is as strict as the
// API's and never shows Go's messages ("json: cannot unmarshal number into
// Go struct field .reason"); an empty body is an empty object, whose missing
// fields each handler refuses by name.
func TestDecodeJSONStaffBodies(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"reason":42}`, "request body: field reason: expected a string, got a number"},
		{`{"reason":"x"} trailing`, "request body: data after the JSON object"},
		{``, ""},
		{`{"reason":"left the company"}`, ""},
	}
	for _, tt := range tests {
		var body struct {
			Reason string `json:"reason"`
		}
		err := decodeJSON(jsonRequest([]byte(tt.body)), &body)
		if got := coupole.ErrorMessage(err); (err == nil) != (tt.want == "") || (err != nil && got != tt.want) {
			t.Errorf("decodeJSON(%q) = %v, want %q", tt.body, err, tt.want)
		}
	}
}
