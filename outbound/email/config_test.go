package email_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound/email"
)

// TestNewSMTPRefusesUnsafeConfigurations: a configuration that would send
// in clear across the network, send credentials in clear, or cannot work is
// refused at start-up, with the setting to fix, and never the password.
func TestNewSMTPRefusesUnsafeConfigurations(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	mustWrite(t, pw, []byte(testPassword+"\n"))
	empty := filepath.Join(dir, "empty")
	mustWrite(t, empty, []byte("\n"))
	notPEM := filepath.Join(dir, "ca.pem")
	mustWrite(t, notPEM, []byte("not a certificate"))
	ok := email.Config{Host: "smtp.example.be", TLS: email.STARTTLS, User: "coupole", PasswordFile: pw, From: testFrom}
	tests := []struct {
		name   string
		change func(c *email.Config)
		says   string
	}{
		{"no host", func(c *email.Config) { c.Host = " " }, "--smtp-host is empty"},
		{"unknown TLS mode", func(c *email.Config) { c.TLS = "ssl" }, "--smtp-tls must be starttls, tls or none"},
		{"clear text across the network", func(c *email.Config) { c.TLS, c.User, c.PasswordFile = email.NoTLS, "", "" }, "messages would cross the network in clear"},
		{"credentials in clear, even on loopback", func(c *email.Config) { c.TLS, c.Host = email.NoTLS, "127.0.0.1" }, "credentials are never sent in clear"},
		{"user without password file", func(c *email.Config) { c.PasswordFile = "" }, "--smtp-user needs --smtp-password-file"},
		{"password file without user", func(c *email.Config) { c.User = "" }, "--smtp-password-file needs --smtp-user"},
		{"unreadable password file", func(c *email.Config) { c.PasswordFile = filepath.Join(dir, "missing") }, "--smtp-password-file: cannot read"},
		{"empty password file", func(c *email.Config) { c.PasswordFile = empty }, "is empty"},
		{"no sender", func(c *email.Config) { c.From = "" }, "--smtp-from is empty"},
		{"sender not an address", func(c *email.Config) { c.From = "Customer service" }, "--smtp-from is not an e-mail address"},
		{"port out of range", func(c *email.Config) { c.Port = 70000 }, "--smtp-port must be between 1 and 65535"},
		{"negative timeout", func(c *email.Config) { c.Timeout = -time.Second }, "--smtp-timeout must be a positive duration"},
		{"CA file without a certificate", func(c *email.Config) { c.CAFile = notPEM }, "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			_, err := email.NewSMTP(c)
			if err == nil {
				t.Fatal("NewSMTP accepted the configuration")
			}
			if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q, want invalid saying %q", err, tt.says)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error %q holds the password", err)
			}
		})
	}
	if _, err := email.NewSMTP(ok); err != nil {
		t.Errorf("the good configuration is refused: %v", err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "[::1]", "localhost"} {
		if _, err := email.NewSMTP(email.Config{Host: host, TLS: email.NoTLS, From: testFrom}); err != nil {
			t.Errorf("none on loopback %s refused: %v", host, err)
		}
	}
}

// TestMessageIDIsTheDeliverysOwn: the same delivery id gives the same
// Message-ID, in the sender's domain; another id another one.
func TestMessageIDIsTheDeliverysOwn(t *testing.T) {
	p, err := email.NewSMTP(email.Config{Host: "localhost", TLS: email.NoTLS, From: testFrom})
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.MessageID("d-01"), p.MessageID("d-02")
	if a != "d-01.coupole@coupole.example" || a != p.MessageID("d-01") || a == b {
		t.Errorf("MessageID(d-01) = %q, MessageID(d-02) = %q", a, b)
	}
}

func TestParseTLSMode(t *testing.T) {
	for in, want := range map[string]email.TLSMode{"starttls": email.STARTTLS, "tls": email.ImplicitTLS, " none ": email.NoTLS} {
		if got, err := email.ParseTLSMode(in); err != nil || got != want {
			t.Errorf("ParseTLSMode(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ssl", "STARTTLS", "opportunistic"} {
		if _, err := email.ParseTLSMode(in); err == nil {
			t.Errorf("ParseTLSMode(%q) accepted", in)
		}
	}
}
