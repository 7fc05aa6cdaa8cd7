package web_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/web"
	"github.com/coupole/coupole/web/testcert"
)

// mustServe runs s.ListenAndServe until the test ends and returns its
// address.
func mustServe(t *testing.T, s *web.Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0", 5*time.Second, func(a net.Addr) { addrc <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	})
	select {
	case a := <-addrc:
		return a.String()
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
		return ""
	}
}

// Built-in TLS (issue 10, item 11): a real TLS client gets the probes over
// HTTPS with TLS 1.2 or later and HSTS on the response; TLS 1.1 and plain
// HTTP are refused.
func TestBuiltInTLSWithHSTS(t *testing.T) {
	now := time.Now()
	pair := testcert.MustWrite(t, t.TempDir(), "server", now.Add(-time.Hour), now.Add(24*time.Hour))
	cfg, err := web.LoadTLS(pair.CertFile, pair.KeyFile, now)
	if err != nil {
		t.Fatal(err)
	}
	s := web.NewServer(quietLogger(), fakeReadiness{})
	s.TLS = cfg
	addr := mustServe(t, s)

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pair.Pool}}, Timeout: 5 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("GET /healthz over TLS: %d, TLS %+v", resp.StatusCode, resp.TLS)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
		t.Errorf("Strict-Transport-Security = %q", got)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pair.Pool, MaxVersion: tls.VersionTLS11}}, Timeout: 5 * time.Second}
	if resp, err := old.Get("https://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served on the TLS port")
		}
	}
}

// HSTS is sent behind a declared TLS-terminating proxy, and never over plain
// HTTP otherwise (it would be meaningless there, and wrong for the demo).
func TestHSTSOnlyOverTLS(t *testing.T) {
	tests := []struct {
		name   string
		behind bool
		want   string
	}{
		{"plain HTTP", false, ""},
		{"behind a TLS proxy", true, web.HSTS},
	}
	for _, tt := range tests {
		s := web.NewServer(quietLogger(), fakeReadiness{})
		s.BehindTLSProxy = tt.behind
		resp, err := http.Get("http://" + mustServe(t, s) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != tt.want {
			t.Errorf("%s: Strict-Transport-Security = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// LoadTLS refuses what browsers would refuse, with a message naming the file.
func TestLoadTLSRefusesUnusableCertificates(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	good := testcert.MustWrite(t, dir, "good", now.Add(-time.Hour), now.Add(time.Hour))
	expired := testcert.MustWrite(t, dir, "expired", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	future := testcert.MustWrite(t, dir, "future", now.Add(24*time.Hour), now.Add(48*time.Hour))
	tests := []struct {
		name, cert, key, want string
	}{
		{"expired", expired.CertFile, expired.KeyFile, "expired on"},
		{"not yet valid", future.CertFile, future.KeyFile, "valid only from"},
		{"key of another certificate", good.CertFile, expired.KeyFile, "cannot load the certificate"},
		{"missing file", dir + "/none.crt", good.KeyFile, "none.crt"},
		{"key given as certificate", good.KeyFile, good.KeyFile, "cannot load the certificate"},
	}
	for _, tt := range tests {
		_, err := web.LoadTLS(tt.cert, tt.key, now)
		if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(coupole.ErrorMessage(err), tt.want) {
			t.Errorf("%s: %v, want invalid saying %q", tt.name, err, tt.want)
		}
	}
}
