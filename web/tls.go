package web

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/coupole/coupole"
)

// HSTS is the Strict-Transport-Security value sent over HTTPS: a year, with
// subdomains (issue 10, item 11). Browsers then refuse plain HTTP to the
// host, so a session cookie is never offered over a downgraded link.
const HSTS = "max-age=31536000; includeSubDomains"

// LoadTLS reads a PEM certificate chain and its private key for built-in
// TLS. It refuses a pair that does not match and a certificate outside its
// validity at now: browsers would refuse it, and sign-in would fail. The
// configuration is TLS 1.2 at least, with Go's default cipher suites (AEAD
// and forward-secret only for TLS 1.2) and HTTP/2.
func LoadTLS(certFile, keyFile string, now time.Time) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "cannot load the certificate %s and key %s: %v", certFile, keyFile, err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "cannot parse the certificate %s: %v", certFile, err)
	}
	if now.After(leaf.NotAfter) {
		return nil, coupole.Errorf(coupole.EINVALID, "the certificate %s expired on %s: renew it", certFile, leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return nil, coupole.Errorf(coupole.EINVALID, "the certificate %s is valid only from %s", certFile, leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	cert.Leaf = leaf
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
	}, nil
}
