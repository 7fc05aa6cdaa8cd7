package email

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// TLSMode says how the connection to the SMTP relay is protected.
type TLSMode string

const (
	// STARTTLS connects in clear and upgrades with STARTTLS before anything
	// else is said; a relay that does not offer STARTTLS is refused (port
	// 587, the submission port).
	STARTTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS speaks in clear. Accepted only towards a relay on the loopback
	// interface (a local MTA or a test server), and never with credentials.
	NoTLS TLSMode = "none"
)

// ParseTLSMode validates a TLS mode: starttls, tls or none.
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(strings.TrimSpace(s)); m {
	case STARTTLS, ImplicitTLS, NoTLS:
		return m, nil
	}
	return "", coupole.Errorf(coupole.EINVALID, "must be starttls, tls or none")
}

// DefaultTimeout bounds each of the two phases of a send: connecting (TCP,
// greeting, TLS, authentication), then handing over the message.
const DefaultTimeout = 30 * time.Second

// Config is how Coupole reaches its SMTP relay; cmd/coupole fills it from the
// --smtp-* settings (docs/email.md). It holds no secret: the password is read
// from PasswordFile by NewSMTP.
type Config struct {
	Host         string        // --smtp-host: the relay's host name, also checked in its certificate
	Port         int           // --smtp-port: 0 means 587 for starttls, 465 for tls, 25 for none
	TLS          TLSMode       // --smtp-tls: starttls (default), tls or none (loopback only)
	User         string        // --smtp-user: empty sends without authentication
	PasswordFile string        // --smtp-password-file: file holding the password of User
	From         string        // --smtp-from: the sender, "Name <address>" or an address
	CAFile       string        // --smtp-ca-file: PEM roots to trust instead of the system's
	Timeout      time.Duration // --smtp-timeout: bound of each phase of a send; 0 means DefaultTimeout

	// Clock dates a message that carries no creation time; nil is the
	// system clock.
	Clock coupole.Clock
}

// settings is a validated Config, ready to dial.
type settings struct {
	host     string
	port     int
	mode     TLSMode
	user     string
	password string
	from     *mail.Address
	domain   string // of the sender: the right-hand side of every Message-ID
	tls      *tls.Config
	timeout  time.Duration
	clock    coupole.Clock
}

// check validates c and reads its files. Every message names the setting to
// fix; none holds the password.
func (c Config) check() (settings, error) {
	var problems []string
	refuse := func(format string, args ...any) {
		problems = append(problems, coupole.Errorf(coupole.EINVALID, format, args...).Message)
	}
	s := settings{host: strings.TrimSpace(c.Host), port: c.Port, mode: c.TLS, user: c.User, timeout: c.Timeout, clock: c.Clock}
	if s.mode == "" {
		s.mode = STARTTLS
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.clock == nil {
		s.clock = coupole.SystemClock{}
	}
	if s.host == "" {
		refuse("--smtp-host is empty: name the SMTP relay")
	}
	if _, err := ParseTLSMode(string(s.mode)); err != nil {
		refuse("--smtp-tls must be starttls, tls or none")
	}
	if s.port == 0 {
		s.port = map[TLSMode]int{STARTTLS: 587, ImplicitTLS: 465, NoTLS: 25}[s.mode]
	}
	if s.port < 1 || s.port > 65535 {
		refuse("--smtp-port must be between 1 and 65535")
	}
	if s.timeout < 0 {
		refuse("--smtp-timeout must be a positive duration")
	}
	if s.mode == NoTLS {
		if s.host != "" && !isLoopback(s.host) {
			refuse("--smtp-tls none towards %s: messages would cross the network in clear; use starttls or tls (none is accepted only for a relay on the loopback interface)", s.host)
		}
		if c.User != "" || c.PasswordFile != "" {
			refuse("--smtp-tls none with --smtp-user or --smtp-password-file: credentials are never sent in clear; use starttls or tls")
		}
	}
	switch {
	case c.User != "" && c.PasswordFile == "":
		refuse("--smtp-user needs --smtp-password-file")
	case c.User == "" && c.PasswordFile != "":
		refuse("--smtp-password-file needs --smtp-user")
	case c.PasswordFile != "" && s.mode != NoTLS:
		b, err := os.ReadFile(c.PasswordFile)
		s.password = strings.TrimRight(string(b), "\r\n")
		if err != nil {
			refuse("--smtp-password-file: cannot read %s", c.PasswordFile)
		} else if s.password == "" {
			refuse("--smtp-password-file: %s is empty", c.PasswordFile)
		}
	}
	if strings.TrimSpace(c.From) == "" {
		refuse("--smtp-from is empty: give the sender address, like \"Customer service <no-reply@example.be>\"")
	} else if from, err := mail.ParseAddress(c.From); err != nil {
		refuse("--smtp-from is not an e-mail address: give it like \"Customer service <no-reply@example.be>\"")
	} else {
		s.from = from
		_, s.domain, _ = strings.Cut(from.Address, "@")
	}
	s.tls = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		pool := x509.NewCertPool()
		switch {
		case err != nil:
			refuse("--smtp-ca-file: cannot read %s", c.CAFile)
		case !pool.AppendCertsFromPEM(pem):
			refuse("--smtp-ca-file: %s holds no PEM certificate", c.CAFile)
		default:
			s.tls.RootCAs = pool
		}
	}
	if len(problems) > 0 {
		return settings{}, coupole.Errorf(coupole.EINVALID, "e-mail: this SMTP configuration cannot be used:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return s, nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
