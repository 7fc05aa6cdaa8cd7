package email_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The e-mail tests send through a real SMTP server: mailpit, built from its
// Go module (`GOBIN=DIR go install github.com/axllent/mailpit@v1.33.1`, as
// .ci/run does) and named by COUPOLE_TEST_MAILPIT. Coupole's module does not
// import it. Each test starts its own mailpit on free loopback ports and
// reads what arrived through mailpit's HTTP API (/api/v1/messages,
// /api/v1/message/{ID}, /api/v1/message/{ID}/headers).

// mailpitPath returns the mailpit binary. COUPOLE_TEST_MAILPIT names it; in
// CI (CI=true) a missing binary fails the test; elsewhere `mailpit` on PATH
// is used, and the tests skip without one.
func mailpitPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("COUPOLE_TEST_MAILPIT"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("COUPOLE_TEST_MAILPIT=%s: %v", p, err)
		}
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("CI=true but no mailpit: .ci/run installs it (GOBIN=DIR go install github.com/axllent/mailpit@v1.33.1) and sets COUPOLE_TEST_MAILPIT")
	}
	tb.Skip("no mailpit: run `GOBIN=$PWD/.bin go install github.com/axllent/mailpit@v1.33.1` and set COUPOLE_TEST_MAILPIT=$PWD/.bin/mailpit to run the SMTP tests")
	return ""
}

// mailpit is one running mailpit: an SMTP port and its HTTP API.
type mailpit struct {
	tb       testing.TB
	smtpPort int
	api      string // http://127.0.0.1:port/api/v1
	cmd      *exec.Cmd
	out      *lockedBuffer
	exited   <-chan error // mailpit's exit, once
	stopped  bool
}

// MustStartMailpit starts mailpit with args added to the defaults (loopback
// ports, a database in a temporary directory, no version check, no reverse
// DNS) and waits until both its SMTP port and its API answer. It is
// stopped when the test ends.
func MustStartMailpit(tb testing.TB, args ...string) *mailpit {
	tb.Helper()
	path := mailpitPath(tb)
	var lastErr error
	for range 3 { // a free port may be taken between choosing and binding it
		mp := &mailpit{tb: tb, smtpPort: mustFreePort(tb), out: &lockedBuffer{}}
		httpPort := mustFreePort(tb)
		mp.api = "http://127.0.0.1:" + strconv.Itoa(httpPort) + "/api/v1"
		all := append([]string{
			"--smtp", "127.0.0.1:" + strconv.Itoa(mp.smtpPort),
			"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
			"--database", filepath.Join(tb.TempDir(), "mailpit.db"),
			"--disable-version-check", "--smtp-disable-rdns",
		}, args...)
		mp.cmd = exec.Command(path, all...)
		mp.cmd.Stdout, mp.cmd.Stderr = mp.out, mp.out
		if err := mp.cmd.Start(); err != nil {
			tb.Fatalf("starting mailpit: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- mp.cmd.Wait() }()
		if lastErr = mp.waitReady(exited); lastErr == nil {
			tb.Cleanup(func() {
				if !mp.stopped {
					mp.cmd.Process.Kill()
					<-exited
				}
			})
			mp.exited = exited
			return mp
		}
		mp.cmd.Process.Kill()
		<-exited
	}
	tb.Fatalf("mailpit did not start: %v", lastErr)
	return nil
}

// waitReady waits until the API answers and the SMTP port accepts.
func (mp *mailpit) waitReady(exited <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("mailpit exited (%v): %s", err, mp.out.String())
		default:
		}
		resp, err := http.Get(mp.api + "/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", mp.smtpAddr(), time.Second); err == nil {
				c.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("mailpit not ready after 30s: %s", mp.out.String())
}

func (mp *mailpit) smtpAddr() string { return "127.0.0.1:" + strconv.Itoa(mp.smtpPort) }

// Stop kills mailpit: the SMTP port no longer answers.
func (mp *mailpit) Stop() {
	mp.tb.Helper()
	mp.cmd.Process.Kill()
	<-mp.exited
	mp.stopped = true
}

// mailpitMessage is a message as mailpit's API shows it.
type mailpitMessage struct {
	ID        string
	MessageID string
	From      struct{ Name, Address string }
	To        []struct{ Name, Address string }
	Subject   string
	Text      string
	HTML      string
}

// Messages lists the messages mailpit received, newest first.
func (mp *mailpit) Messages() []mailpitMessage {
	mp.tb.Helper()
	var list struct{ Messages []mailpitMessage }
	mp.getJSON("/messages", &list)
	return list.Messages
}

// Message reads one message in full, with its headers.
func (mp *mailpit) Message(id string) (mailpitMessage, map[string][]string) {
	mp.tb.Helper()
	var m mailpitMessage
	mp.getJSON("/message/"+id, &m)
	headers := map[string][]string{}
	mp.getJSON("/message/"+id+"/headers", &headers)
	return m, headers
}

// MustOnlyMessage is the one message mailpit received.
func (mp *mailpit) MustOnlyMessage() (mailpitMessage, map[string][]string) {
	mp.tb.Helper()
	list := mp.Messages()
	if len(list) != 1 {
		mp.tb.Fatalf("mailpit holds %d messages, want 1", len(list))
	}
	return mp.Message(list[0].ID)
}

// DeleteAll empties mailpit.
func (mp *mailpit) DeleteAll() {
	mp.tb.Helper()
	mp.do(http.MethodDelete, "/messages", nil, nil)
}

// SetChaos sets mailpit's error triggers (needs --enable-chaos), e.g.
// {"Recipient": {"ErrorCode": 451, "Probability": 100}}; {} clears them.
func (mp *mailpit) SetChaos(triggers string) {
	mp.tb.Helper()
	mp.do(http.MethodPut, "/chaos", []byte(triggers), nil)
}

func (mp *mailpit) getJSON(path string, v any) { mp.do(http.MethodGet, path, nil, v) }

func (mp *mailpit) do(method, path string, body []byte, v any) {
	mp.tb.Helper()
	req, err := http.NewRequest(method, mp.api+path, bytes.NewReader(body))
	if err != nil {
		mp.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		mp.tb.Fatalf("mailpit API %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		mp.tb.Fatalf("mailpit API %s %s: %s: %s", method, path, resp.Status, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			mp.tb.Fatalf("mailpit API %s %s: %v: %s", method, path, err, b)
		}
	}
}

// mustFreePort returns a loopback TCP port nobody listens on right now.
func mustFreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// testTLS is a self-signed certificate for 127.0.0.1 only (not localhost), written
// as PEM files: the server's certificate and key, and the same certificate
// as the CA the client trusts.
type testTLS struct{ certFile, keyFile string }

func mustTestTLS(tb testing.TB) testTLS {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "coupole test SMTP relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	t := testTLS{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem")}
	mustWrite(tb, t.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	mustWrite(tb, t.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	return t
}

func mustWrite(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// lockedBuffer collects mailpit's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
