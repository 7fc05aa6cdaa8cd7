package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole/outbound/email"
)

// TestSMTPSettings: the --smtp-* settings reach the e-mail provider, from
// flags and environment, and a half-given configuration stops start-up
// (issue 11, item 4).
func TestSMTPSettings(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		configured bool
		says       string // in newEmailProvider's error; "" for success
	}{
		{"nothing given: no e-mail", nil, nil, false, ""},
		{"complete, from the environment", map[string]string{"COUPOLE_SMTP_HOST": "smtp.example.be", "COUPOLE_SMTP_USER": "coupole",
			"COUPOLE_SMTP_PASSWORD_FILE": pw, "COUPOLE_SMTP_FROM": "Service <no-reply@example.be>", "COUPOLE_SMTP_TIMEOUT": "5s"}, nil, true, ""},
		{"complete, from flags, implicit TLS", nil, []string{"--smtp-host", "smtp.example.be", "--smtp-tls", "tls", "--smtp-port", "2465",
			"--smtp-from", "no-reply@example.be"}, true, ""},
		{"a sender without a host", nil, []string{"--smtp-from", "no-reply@example.be"}, true, "--smtp-host is empty"},
		{"clear text to a remote relay", nil, []string{"--smtp-host", "smtp.example.be", "--smtp-tls", "none", "--smtp-from", "no-reply@example.be"}, true, "in clear"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			load := registerConfig(fs, func(k string) string { return tt.env[k] }, smtpSettings...)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := load()
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.smtpConfigured(); got != tt.configured {
				t.Fatalf("smtpConfigured = %v, want %v", got, tt.configured)
			}
			if !tt.configured {
				return
			}
			p, err := cfg.newEmailProvider()
			if tt.says != "" {
				if err == nil || !strings.Contains(err.Error(), tt.says) {
					t.Fatalf("newEmailProvider = %v, want an error saying %q", err, tt.says)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.MessageID("d-1"); got != "d-1.coupole@example.be" {
				t.Errorf("MessageID = %q: --smtp-from did not reach the provider", got)
			}
		})
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	load := registerConfig(fs, func(string) string { return "" }, smtpSettings...)
	if err := fs.Parse([]string{"--smtp-port", "2465", "--smtp-tls", "tls", "--smtp-timeout", "7s"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPPort != 2465 || cfg.SMTPTLS != email.ImplicitTLS || cfg.SMTPTimeout != 7*time.Second {
		t.Errorf("port %d, tls %q, timeout %v", cfg.SMTPPort, cfg.SMTPTLS, cfg.SMTPTimeout)
	}
	for _, args := range [][]string{{"--smtp-port", "0"}, {"--smtp-port", "smtp"}, {"--smtp-tls", "ssl"}, {"--smtp-timeout", "0s"}} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		load := registerConfig(fs, func(string) string { return "" }, smtpSettings...)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if _, err := load(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
