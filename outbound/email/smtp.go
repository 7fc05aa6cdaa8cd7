// Package email sends e-mails through the operator's SMTP relay (issue 11,
// item 4): the back office's answers to cases (D4) and the notice that
// contact details changed, sent to the previous address (D7). It is an
// outbound.Provider for the kind coupole.DeliveryEmail; the delivery worker
// is its only caller.
//
// SMTP cannot promise that a message is delivered once: a relay may accept a
// message and the answer be lost, and the worker then sends it again. Every
// message therefore carries a Message-ID made from the delivery's id, the
// same on every try, so the receiving side can recognise a repeat
// (docs/email.md, "Sent once?").
package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"regexp"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
)

// SMTP is the e-mail provider: one connection to the relay per message,
// protected by TLS (STARTTLS or implicit), authenticated when a user is set.
type SMTP struct {
	s    settings
	helo string
}

var _ outbound.Provider = (*SMTP)(nil)

// NewSMTP checks cfg, reads its password and CA files, and returns the
// provider. It does not connect: a relay that is down at start-up delays
// e-mails, it does not stop Coupole.
func NewSMTP(cfg Config) (*SMTP, error) {
	s, err := cfg.check()
	if err != nil {
		return nil, err
	}
	helo, err := os.Hostname()
	if err != nil || helo == "" {
		helo = "localhost"
	}
	return &SMTP{s: s, helo: helo}, nil
}

// idPattern is what a delivery id may hold to become a Message-ID's left part.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// MessageID is the Message-ID of the delivery id: the same on every try, so
// a receiving system that keeps Message-IDs recognises a repeat.
func (p *SMTP) MessageID(deliveryID string) string {
	return deliveryID + ".coupole@" + p.s.domain
}

// Send renders m and hands it to the relay. It returns the Message-ID as the
// receipt's ProviderID once the relay has accepted the message (250 after
// DATA). Errors never quote the relay's reply text nor the recipient: only
// the stage and the reply codes.
//
// A 5xx reply about this message (RCPT TO, DATA, end of DATA) is
// outbound.Permanent. Everything else is retryable: 4xx replies, network
// errors, and also 5xx replies before the message (greeting, EHLO,
// STARTTLS, AUTH, MAIL FROM), which say the relay or its configuration is
// wrong, not the message: fixing the configuration delivers the waiting
// e-mails instead of sending them all to the dead letter.
func (p *SMTP) Send(ctx context.Context, m outbound.Message) (outbound.Receipt, error) {
	if m.Kind != coupole.DeliveryEmail {
		return outbound.Receipt{}, permanentf("e-mail: delivery %s is of kind %q, not %s", m.ID, truncate(m.Kind, 40), coupole.DeliveryEmail)
	}
	msg, id, err := p.compose(m)
	if err != nil {
		return outbound.Receipt{}, err
	}
	if err := ctx.Err(); err != nil {
		return outbound.Receipt{}, coupole.Wrap(err, coupole.EUNAVAILABLE, "e-mail: delivery %s not sent: %v", m.ID, err)
	}
	client, err := mail.NewClient(p.s.host, p.options(ctx)...)
	if err != nil {
		return outbound.Receipt{}, permanentf("e-mail: the SMTP client cannot be set up: %v", err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return outbound.Receipt{}, p.connectError(err)
	}
	err = client.SendWithSMTPClient(conn, msg)
	_ = client.CloseWithSMTPClient(conn) // the message is accepted or not by now
	if msg.IsDelivered() {               // accepted: a failure after that (RSET, QUIT) does not matter
		return outbound.Receipt{ProviderID: id}, nil
	}
	return outbound.Receipt{}, sendError(m.ID, err)
}

// options are go-mail's settings for one send. Each phase (connecting, then
// sending) is bounded by the configured timeout, or by what is left of the
// caller's deadline if that is shorter.
func (p *SMTP) options(ctx context.Context) []mail.Option {
	timeout := p.s.timeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	opts := []mail.Option{
		mail.WithPort(p.s.port),
		mail.WithTimeout(timeout),
		mail.WithHELO(p.helo),
		mail.WithTLSConfig(p.s.tls),
		// One message per connection: no NOOP before it, no RSET after it
		// (RSET would renew the deadline: a send would last three timeouts).
		mail.WithoutNoop(),
		mail.WithoutRset(),
	}
	switch p.s.mode {
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case STARTTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if p.s.user != "" {
		// The strongest mechanism the relay offers; PLAIN and LOGIN only
		// once TLS is up (go-mail's auto-discovery refuses them otherwise).
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(p.s.user), mail.WithPassword(p.s.password))
	} else {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthNoAuth))
	}
	return opts
}

// compose builds the MIME message of m, and returns it with its Message-ID.
func (p *SMTP) compose(m outbound.Message) (*mail.Msg, string, error) {
	if !idPattern.MatchString(m.ID) {
		return nil, "", permanentf("e-mail: a delivery id must be letters, digits, . _ - (it makes the Message-ID)")
	}
	to, err := recipient(m.Email)
	if err != nil {
		return nil, "", err
	}
	r, err := Render(m)
	if err != nil {
		return nil, "", err
	}
	id := p.MessageID(m.ID)
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent(), mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	msg.SetAddrHeaderFromMailAddress(mail.HeaderFrom, p.s.from)
	if err := msg.EnvelopeFrom(p.s.from.Address); err != nil {
		return nil, "", permanentf("e-mail: --smtp-from is refused as envelope sender")
	}
	if err := msg.To(to); err != nil {
		return nil, "", permanentf("e-mail: the recipient address of delivery %s is not a valid address", m.ID)
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(id)
	// The date the message was decided, not sent: a retry is the same
	// message, byte for byte but for the MIME boundaries.
	date := m.CreatedAt
	if date.IsZero() {
		date = p.s.clock.Now()
	}
	msg.SetDateWithValue(date)
	msg.SetGenHeader(mail.HeaderContentLang, string(r.Lang))
	// RFC 3834: out-of-office and other automatic answers stay silent.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	return msg, id, nil
}

// recipient checks that s is one plain address, with nothing around it.
func recipient(s string) (string, error) {
	if s == "" {
		return "", permanentf("e-mail: the delivery has no recipient address")
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", permanentf("e-mail: the recipient address is not a valid address")
	}
	return a.Address, nil
}

// connectError is a failure before the message was offered: network, TLS,
// greeting, EHLO or authentication. It is always retryable, and its text
// may be quoted: nothing of the message has been said yet.
func (p *SMTP) connectError(err error) error {
	addr := net.JoinHostPort(p.s.host, strconv.Itoa(p.s.port))
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return coupole.Errorf(coupole.EUNAVAILABLE, "e-mail: the SMTP relay %s answered %d before the message was offered (greeting, EHLO, STARTTLS or authentication: check --smtp-user, --smtp-password-file and the relay's logs)", addr, tp.Code)
	}
	return coupole.Wrap(err, coupole.EUNAVAILABLE, "e-mail: cannot reach or secure the SMTP relay %s", addr)
}

// sendError classifies a failure once the message was offered. Its text
// holds the stage and the reply codes only: go-mail's own error quotes the
// recipient and the relay's reply, which may repeat the address.
func sendError(deliveryID string, err error) error {
	if err == nil {
		err = errors.New("no answer") // not delivered, yet no error: retry
	}
	var se *mail.SendError
	if !errors.As(err, &se) {
		return coupole.Errorf(coupole.EUNAVAILABLE, "e-mail: delivery %s: the exchange with the SMTP relay failed", deliveryID)
	}
	code, enhanced := se.ErrorCode(), se.EnhancedStatusCode()
	reply := "no reply (the connection failed)"
	if code != 0 {
		reply = strconv.Itoa(code)
		if enhanced != "" {
			reply += " " + enhanced
		}
	}
	stage := stages[se.Reason]
	if stage == "" {
		stage = "the exchange"
	}
	e := coupole.Errorf(coupole.EUNAVAILABLE, "e-mail: delivery %s: the SMTP relay answered %s to %s", deliveryID, reply, stage)
	switch se.Reason {
	case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose, mail.ErrWriteContent:
		if code >= 500 && code <= 599 {
			e.Code = coupole.EINVALID
			return outbound.Permanent(e)
		}
	case mail.ErrSMTPMailFrom:
		if code >= 500 && code <= 599 {
			e.Message += " (the relay refuses --smtp-from: fix the setting, the e-mail is retried)"
		}
	}
	if code == 0 && (se.Reason == mail.ErrSMTPDataClose || se.Reason == mail.ErrWriteContent) {
		e.Message += "; the relay may have accepted the message: a retry carries the same Message-ID"
	}
	return e
}

// stages names the SMTP step of each go-mail failure.
var stages = map[mail.SendErrReason]string{
	mail.ErrGetSender:     "the sender",
	mail.ErrGetRcpts:      "the recipient",
	mail.ErrSMTPMailFrom:  "MAIL FROM",
	mail.ErrSMTPRcptTo:    "RCPT TO",
	mail.ErrSMTPData:      "DATA",
	mail.ErrWriteContent:  "the message content",
	mail.ErrSMTPDataClose: "the end of DATA",
	mail.ErrSMTPReset:     "RSET",
	mail.ErrConnCheck:     "the connection check",
	mail.ErrNoUnencoded:   "8BITMIME",
}

// String names the provider in logs: the relay, never the password.
func (p *SMTP) String() string {
	return fmt.Sprintf("smtp %s:%d (%s)", p.s.host, p.s.port, p.s.mode)
}
