package sms_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
)

const ean = coupole.EAN("541448000000000011")

func msg(lang coupole.Language, mobile string) outbound.Message {
	return outbound.Message{ID: "d-1", Kind: coupole.DeliverySMS, Item: outbound.ItemEAN, Lang: lang, Reference: "d-1", Mobile: mobile, EAN: ean, Name: "Gérard Dupont"}
}

// TestTextInFourLanguages: D4 — the SMS is in the customer's language and
// holds the EAN, never the name.
func TestTextInFourLanguages(t *testing.T) {
	for _, tc := range []struct {
		lang coupole.Language
		word string
	}{{coupole.French, "gestionnaire"}, {coupole.Dutch, "netbeheerder"}, {coupole.German, "Netzbetreiber"}, {coupole.English, "grid operator"}, {"xx", "gestionnaire"}} {
		text, err := sms.Text(msg(tc.lang, "+32470123456"))
		if err != nil || !strings.Contains(text, tc.word) || !strings.Contains(text, string(ean)) || strings.Contains(text, "Dupont") {
			t.Errorf("%s: %q, %v", tc.lang, text, err)
		}
	}
	m := msg(coupole.French, "+32470123456")
	m.Item = "horoscope"
	if _, err := sms.Text(m); !outbound.IsPermanent(err) {
		t.Errorf("unknown item: %v; want a permanent error", err)
	}
}

// TestGatewayAnswers: the request template, the credentials header, the
// idempotency key and the message id (JSON pointer or header); refusals and
// invalid numbers are permanent, 5xx and 429 are retried; no error message
// holds the number.
func TestGatewayAnswers(t *testing.T) {
	var got *http.Request
	var body string
	status, answer, header := 200, `{"data": {"messages": [{"sid": "SM42"}]}}`, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		if header != "" {
			w.Header().Set("X-Message-Id", header)
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	cred := filepath.Join(t.TempDir(), "token")
	os.WriteFile(cred, []byte("Bearer s3cret\n"), 0o600)
	p, err := sms.New(sms.Config{URL: srv.URL, CredentialsFile: cred, ContentType: "application/x-www-form-urlencoded",
		Template: `To={{form .To}}&Body={{form .Text}}`, MessageID: "json:/data/messages/0/sid", IdempotencyHeader: "X-Request-Id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := p.Send(ctx, msg(coupole.Dutch, "0470 12 34 56"))
	if err != nil || r.ProviderID != "SM42" {
		t.Fatalf("send: %+v, %v", r, err)
	}
	if got.Header.Get("Authorization") != "Bearer s3cret" || got.Header.Get("X-Request-Id") != "d-1" || !strings.HasPrefix(body, "To=%2B32470123456&Body=Uw+netbeheerder") {
		t.Errorf("request: %v %q", got.Header, body)
	}

	p2, err := sms.New(sms.Config{URL: srv.URL, MessageID: "header:X-Message-Id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	header = "hdr-7"
	if r, err := p2.Send(ctx, msg(coupole.French, "+32470123456")); err != nil || r.ProviderID != "hdr-7" {
		t.Errorf("id from header: %+v, %v", r, err)
	}

	for _, tc := range []struct {
		status    int
		permanent bool
		code      string
	}{{400, true, "http_400"}, {401, true, "http_401"}, {429, false, "http_429"}, {503, false, "http_503"}} {
		status = tc.status
		_, err := p.Send(ctx, msg(coupole.French, "+32470123456"))
		if err == nil || outbound.IsPermanent(err) != tc.permanent || outbound.ErrorCode(err) != tc.code || strings.Contains(err.Error(), "470") {
			t.Errorf("status %d: %v (permanent %v, code %s)", tc.status, err, outbound.IsPermanent(err), outbound.ErrorCode(err))
		}
	}
	status = 200
	for _, bad := range []string{"", "12", "+32 12", "not a number"} {
		_, err := p.Send(ctx, msg(coupole.French, bad))
		if !outbound.IsPermanent(err) || outbound.ErrorCode(err) != "invalid_number" {
			t.Errorf("number %q: %v; want a permanent invalid_number", bad, err)
		}
	}
}

// TestLoopbackOnly: --demo refuses a gateway outside the machine.
func TestLoopbackOnly(t *testing.T) {
	for url, want := range map[string]bool{
		"http://127.0.0.1:9000/x": true, "http://localhost/x": true, "http://[::1]:80/": true,
		"https://sms.example.com/send": false, "http://10.0.0.5/": false, "http://127.0.0.1.nip.io/": false,
	} {
		if sms.IsLoopback(url) != want {
			t.Errorf("IsLoopback(%s) = %v", url, !want)
		}
	}
}

// TestLocalGatewayDedupes: the same idempotency key is one message.
func TestLocalGatewayDedupes(t *testing.T) {
	gw, err := sms.StartLocalGateway()
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	p, err := sms.New(sms.Config{URL: gw.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := p.Send(context.Background(), msg(coupole.French, "+32470123456"))
	b, err2 := p.Send(context.Background(), msg(coupole.French, "+32470123456"))
	if err1 != nil || err2 != nil || a != b || len(gw.Received()) != 1 || gw.Requests() != 2 {
		t.Errorf("%v %v %v %v %d", a, b, err1, err2, len(gw.Received()))
	}
}
