// Package sms sends SMS through an HTTP gateway (D4): a real operator's
// gateway, configured by IT with a request template, or the local gateway
// that records requests for tests and for `coupole serve --demo`.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// Config describes an HTTP SMS gateway. It is read from a JSON file
// (--sms-gateway-config); docs/delivery.md has an example.
type Config struct {
	// URL receives one POST per message.
	URL string `json:"url"`
	// CredentialsFile holds the value of AuthHeader ("Bearer …", "Basic …"),
	// one line; none when empty. Never in the configuration itself.
	CredentialsFile string `json:"credentials_file"`
	AuthHeader      string `json:"auth_header"` // default Authorization
	// Template renders the request body with .To (E.164), .Text and .ID
	// (the delivery id); the function json quotes a string for JSON, and
	// form escapes it for a form body.
	Template    string `json:"template"`
	ContentType string `json:"content_type"` // default application/json
	// MessageID says where the gateway's message id comes back:
	// "json:/pointer/to/id" (RFC 6901, in the response body) or
	// "header:Name".
	MessageID string `json:"message_id"`
	// Timeout bounds one request ("10s" by default).
	Timeout string `json:"timeout"`
	// IdempotencyHeader carries the delivery id, so that the gateway
	// dedupes a retry after a crash (default Idempotency-Key).
	IdempotencyHeader string `json:"idempotency_header"`
}

// DefaultTemplate is the body the local gateway reads.
const DefaultTemplate = `{"to": {{json .To}}, "text": {{json .Text}}, "reference": {{json .ID}}}`

// LoadConfig reads a gateway configuration file.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, coupole.Wrap(err, coupole.EINVALID, "SMS gateway configuration %s: cannot be read", path)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, coupole.Wrap(err, coupole.EINVALID, "SMS gateway configuration %s: %v", path, err)
	}
	return c, nil
}

// Provider sends SMS through an HTTP gateway.
type Provider struct {
	url        string
	auth       string
	authHeader string
	tmpl       *template.Template
	ctype      string
	idFrom     string
	idemHeader string
	client     *http.Client
}

var _ outbound.Provider = (*Provider)(nil)

// New checks c and returns its provider. A nil client is a new one with
// c's timeout.
func New(c Config, client *http.Client) (*Provider, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "SMS gateway: url must be an http or https URL")
	}
	p := &Provider{url: c.URL, authHeader: c.AuthHeader, ctype: c.ContentType, idFrom: c.MessageID, idemHeader: c.IdempotencyHeader}
	if p.authHeader == "" {
		p.authHeader = "Authorization"
	}
	if p.ctype == "" {
		p.ctype = "application/json"
	}
	if p.idemHeader == "" {
		p.idemHeader = "Idempotency-Key"
	}
	if p.idFrom == "" {
		p.idFrom = "json:/id"
	}
	if !strings.HasPrefix(p.idFrom, "json:/") && !strings.HasPrefix(p.idFrom, "header:") {
		return nil, coupole.Errorf(coupole.EINVALID, "SMS gateway: message_id must be json:/pointer or header:Name")
	}
	if c.CredentialsFile != "" {
		b, err := os.ReadFile(c.CredentialsFile)
		if err != nil {
			return nil, coupole.Wrap(err, coupole.EINVALID, "SMS gateway: credentials file cannot be read")
		}
		p.auth = strings.TrimSpace(string(b))
	}
	body := c.Template
	if body == "" {
		body = DefaultTemplate
	}
	p.tmpl, err = template.New("sms").Option("missingkey=error").Funcs(template.FuncMap{
		"json": func(s string) (string, error) { b, err := json.Marshal(s); return string(b), err },
		"form": url.QueryEscape,
	}).Parse(body)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINVALID, "SMS gateway: template: %v", err)
	}
	timeout := 10 * time.Second
	if c.Timeout != "" {
		if timeout, err = time.ParseDuration(c.Timeout); err != nil || timeout <= 0 {
			return nil, coupole.Errorf(coupole.EINVALID, "SMS gateway: timeout must be a duration such as 10s")
		}
	}
	if client == nil {
		// The worker sends in parallel: keep that many connections open
		// instead of opening one per message.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		client = &http.Client{Timeout: timeout, Transport: t}
	}
	p.client = client
	return p, nil
}

// URL is the gateway's address.
func (p *Provider) URL() string { return p.url }

// IsLoopback reports whether rawURL's host is this machine: under --demo no
// SMS leaves it (demo numbers may belong to real people).
func IsLoopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// failure is a send error with a code for the trace; its message names
// no number.
type failure struct {
	code string
	msg  string
}

func (f failure) Error() string { return "sms: " + f.msg }
func (f failure) Code() string  { return f.code }

// E164 checks that number is a valid international number and returns it
// in E.164; an invalid one is Permanent.
func E164(number string) (string, error) {
	n, err := phonenumbers.Parse(number, "BE")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", outbound.Permanent(failure{"invalid_number", "the number is not a valid phone number"})
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Send posts m to the gateway with m.ID as the idempotency key. A refusal
// the gateway says is final (4xx but 408 and 429) and an invalid number
// are Permanent; a timeout, 5xx, 408 or 429 is retried.
func (p *Provider) Send(ctx context.Context, m outbound.Message) (outbound.Receipt, error) {
	to, err := E164(m.Mobile)
	if err != nil {
		return outbound.Receipt{}, err
	}
	text, err := Text(m)
	if err != nil {
		return outbound.Receipt{}, err
	}
	var body bytes.Buffer
	if err := p.tmpl.Execute(&body, struct{ To, Text, ID string }{to, text, m.ID}); err != nil {
		return outbound.Receipt{}, outbound.Permanent(failure{"template", "the request template failed"})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, &body)
	if err != nil {
		return outbound.Receipt{}, outbound.Permanent(failure{"request", "the request cannot be built"})
	}
	req.Header.Set("Content-Type", p.ctype)
	req.Header.Set(p.idemHeader, m.ID)
	if p.auth != "" {
		req.Header.Set(p.authHeader, p.auth)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return outbound.Receipt{}, failure{"timeout", "the gateway did not answer in time"}
		}
		return outbound.Receipt{}, failure{"unreachable", "the gateway cannot be reached"}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return outbound.Receipt{}, failure{fmt.Sprintf("http_%d", resp.StatusCode), fmt.Sprintf("the gateway answered %d", resp.StatusCode)}
	case resp.StatusCode >= 300:
		return outbound.Receipt{}, outbound.Permanent(failure{fmt.Sprintf("http_%d", resp.StatusCode), fmt.Sprintf("the gateway refused the message (%d)", resp.StatusCode)})
	}
	id, err := p.messageID(resp.Header, b)
	if err != nil {
		// Accepted, but the id is missing: not a reason to send again.
		return outbound.Receipt{ProviderID: "unknown"}, nil
	}
	return outbound.Receipt{ProviderID: id}, nil
}

func (p *Provider) messageID(h http.Header, body []byte) (string, error) {
	if name, ok := strings.CutPrefix(p.idFrom, "header:"); ok {
		if v := h.Get(name); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("no header")
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", err
	}
	ptr := strings.TrimPrefix(p.idFrom, "json:")
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := doc.(type) {
		case map[string]any:
			doc = v[tok]
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(v) {
				return "", fmt.Errorf("bad index")
			}
			doc = v[i]
		default:
			return "", fmt.Errorf("no such member")
		}
	}
	switch v := doc.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("not a string")
}
