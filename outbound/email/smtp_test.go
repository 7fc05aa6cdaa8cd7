package email_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/email"
)

// Issue 11, item 4: e-mail over SMTP with TLS, against a real SMTP server.

const (
	testUser     = "coupole"
	testPassword = "relay-secret-7f3a"
	testFrom     = "Service clientèle <no-reply@coupole.example>"
	recipientOK  = "gerard.dupont@example.test"
)

// relayMode is one way of reaching mailpit: the flags mailpit needs and the
// Config that reaches it.
type relayMode struct {
	name    string
	mailpit func(tls testTLS, authFile string) []string
	config  func(tls testTLS, passwordFile string) email.Config
}

var relayModes = []relayMode{
	{"starttls with authentication",
		func(t testTLS, auth string) []string {
			return []string{"--smtp-tls-cert", t.certFile, "--smtp-tls-key", t.keyFile, "--smtp-require-starttls", "--smtp-auth-file", auth}
		},
		func(t testTLS, pw string) email.Config {
			return email.Config{TLS: email.STARTTLS, User: testUser, PasswordFile: pw, CAFile: t.certFile}
		}},
	{"implicit tls with authentication",
		func(t testTLS, auth string) []string {
			return []string{"--smtp-tls-cert", t.certFile, "--smtp-tls-key", t.keyFile, "--smtp-require-tls", "--smtp-auth-file", auth}
		},
		func(t testTLS, pw string) email.Config {
			return email.Config{TLS: email.ImplicitTLS, User: testUser, PasswordFile: pw, CAFile: t.certFile}
		}},
	{"no tls on loopback, no authentication",
		func(testTLS, string) []string { return nil },
		func(testTLS, string) email.Config { return email.Config{TLS: email.NoTLS} }},
}

// relay is a running mailpit and a provider configured to reach it.
type relay struct {
	mp       *mailpit
	tls      testTLS
	password string // the password file
	cfg      email.Config
}

// mustRelay starts mailpit in mode with extra flags, and returns the
// Config that reaches it.
func mustRelay(tb testing.TB, mode relayMode, extra ...string) relay {
	tb.Helper()
	tl := mustTestTLS(tb)
	dir := tb.TempDir()
	auth, pw := filepath.Join(dir, "mailpit-auth"), filepath.Join(dir, "smtp-password")
	mustWrite(tb, auth, []byte(testUser+":"+testPassword+"\n"))
	mustWrite(tb, pw, []byte(testPassword+"\n"))
	mp := MustStartMailpit(tb, append(mode.mailpit(tl, auth), extra...)...)
	cfg := mode.config(tl, pw)
	cfg.Host, cfg.Port, cfg.From, cfg.Timeout = "127.0.0.1", mp.smtpPort, testFrom, 10*time.Second
	return relay{mp: mp, tls: tl, password: pw, cfg: cfg}
}

func mustSMTP(tb testing.TB, cfg email.Config) *email.SMTP {
	tb.Helper()
	p, err := email.NewSMTP(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// answer is a back-office answer to a case, in lang.
func answer(lang coupole.Language) outbound.Message {
	return outbound.Message{
		ID: "d-019ae9a1b2c3d4e5f60718293a4b", Kind: coupole.DeliveryEmail, Item: email.ItemCaseAnswer,
		Lang: lang, Reference: "BO-2026-000123", CreatedAt: time.Date(2026, 12, 4, 15, 2, 0, 0, time.UTC),
		Email: recipientOK, Name: "Gérard Dupont",
		Text: "Les codes EAN de vos trois points de fourniture sont :\n541448820000123456\n541448820000654321\n541448820000111112\n\nAvec <nos> salutations & remerciements.",
	}
}

// TestSendThroughMailpit sends an answer through each TLS mode and reads it
// back from mailpit: sender, recipient, subject with the reference,
// language, body, and the Message-ID made from the delivery id. STARTTLS
// and implicit TLS run against a mailpit that refuses clear text
// (--smtp-require-starttls, --smtp-require-tls) and needs a password.
func TestSendThroughMailpit(t *testing.T) {
	for _, mode := range relayModes {
		t.Run(mode.name, func(t *testing.T) {
			r := mustRelay(t, mode)
			p := mustSMTP(t, r.cfg)
			m := answer(coupole.French)
			rc, err := p.Send(context.Background(), m)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if want := m.ID + ".coupole@coupole.example"; rc.ProviderID != want {
				t.Errorf("ProviderID = %q, want the Message-ID %q", rc.ProviderID, want)
			}
			got, headers := r.mp.MustOnlyMessage()
			if got.MessageID != rc.ProviderID {
				t.Errorf("Message-ID = %q, want %q", got.MessageID, rc.ProviderID)
			}
			if got.From.Address != "no-reply@coupole.example" || got.From.Name != "Service clientèle" {
				t.Errorf("From = %+v", got.From)
			}
			if len(got.To) != 1 || got.To[0].Address != recipientOK {
				t.Errorf("To = %+v, want only %s", got.To, recipientOK)
			}
			if want := "Réponse à votre demande — réf. BO-2026-000123"; got.Subject != want {
				t.Errorf("Subject = %q, want %q", got.Subject, want)
			}
			if lang := headers["Content-Language"]; len(lang) != 1 || lang[0] != "fr" {
				t.Errorf("Content-Language = %q, want fr", lang)
			}
			if auto := headers["Auto-Submitted"]; len(auto) != 1 || auto[0] != "auto-generated" {
				t.Errorf("Auto-Submitted = %q", auto)
			}
			if date := headers["Date"]; len(date) != 1 || !strings.Contains(date[0], "4 Dec 2026 15:02:00") {
				t.Errorf("Date = %q, want the delivery's creation time", date)
			}
			for _, want := range []string{"Bonjour Gérard Dupont,", "Voici la réponse à votre demande.", "541448820000654321",
				"Avec <nos> salutations & remerciements.", "Le service clientèle", "Référence à rappeler dans toute correspondance : BO-2026-000123"} {
				if !strings.Contains(got.Text, want) {
					t.Errorf("text body lacks %q:\n%s", want, got.Text)
				}
			}
			for _, want := range []string{`lang="fr"`, "Avec &lt;nos&gt; salutations &amp; remerciements.", "541448820000123456<br>541448820000654321"} {
				if !strings.Contains(got.HTML, want) {
					t.Errorf("HTML body lacks %q:\n%s", want, got.HTML)
				}
			}
		})
	}
}

// TestSendInEveryLanguage sends both items in the four languages through
// STARTTLS and checks what the customer reads in each.
func TestSendInEveryLanguage(t *testing.T) {
	r := mustRelay(t, relayModes[0])
	p := mustSMTP(t, r.cfg)
	tests := []struct {
		lang            coupole.Language
		item            string
		subject, phrase string
	}{
		{coupole.French, email.ItemCaseAnswer, "Réponse à votre demande — réf. BO-2026-000123", "Bonjour Gérard Dupont,"},
		{coupole.Dutch, email.ItemCaseAnswer, "Antwoord op uw aanvraag — ref. BO-2026-000123", "Beste Gérard Dupont,"},
		{coupole.German, email.ItemCaseAnswer, "Antwort auf Ihre Anfrage — Ref. BO-2026-000123", "Guten Tag Gérard Dupont,"},
		{coupole.English, email.ItemCaseAnswer, "Answer to your request — ref. BO-2026-000123", "Dear Gérard Dupont,"},
		{coupole.French, email.ItemContactChanged, "Modification de vos coordonnées — réf. BO-2026-000123", "modifiées le 04/12/2026 à 16:02."},
		{coupole.Dutch, email.ItemContactChanged, "Wijziging van uw contactgegevens — ref. BO-2026-000123", "gewijzigd op 04/12/2026 om 16:02."},
		{coupole.German, email.ItemContactChanged, "Änderung Ihrer Kontaktdaten — Ref. BO-2026-000123", "am 04.12.2026 um 16:02 Uhr geändert."},
		{coupole.English, email.ItemContactChanged, "Your contact details were changed — ref. BO-2026-000123", "were changed on 04/12/2026 at 16:02."},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang)+"/"+tt.item, func(t *testing.T) {
			r.mp.DeleteAll()
			m := answer(tt.lang)
			m.Item = tt.item
			if tt.item == email.ItemContactChanged {
				m.Text = "" // the standard notice
			}
			if _, err := p.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got, headers := r.mp.MustOnlyMessage()
			if got.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", got.Subject, tt.subject)
			}
			if lang := headers["Content-Language"]; len(lang) != 1 || lang[0] != string(tt.lang) {
				t.Errorf("Content-Language = %q, want %s", lang, tt.lang)
			}
			if !strings.Contains(got.Text, tt.phrase) {
				t.Errorf("text body lacks %q:\n%s", tt.phrase, got.Text)
			}
		})
	}
}

// TestRetriedSendIsTheSameMessage: a retry after a crash sends the same
// Message-ID, so a receiver that keeps Message-IDs shows the message once
// (mailpit with --ignore-duplicate-ids), and one that does not shows two
// messages that say they are one.
func TestRetriedSendIsTheSameMessage(t *testing.T) {
	for _, tt := range []struct {
		name  string
		flags []string
		want  int
	}{
		{"receiver drops duplicate Message-IDs", []string{"--ignore-duplicate-ids"}, 1},
		{"receiver keeps everything", nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRelay(t, relayModes[0], tt.flags...)
			p := mustSMTP(t, r.cfg)
			m := answer(coupole.Dutch)
			first, err := p.Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			second, err := p.Send(context.Background(), m)
			if err != nil {
				t.Fatal(err)
			}
			if first != second {
				t.Errorf("receipts differ: %+v then %+v", first, second)
			}
			list := r.mp.Messages()
			if len(list) != tt.want {
				t.Fatalf("mailpit holds %d messages, want %d", len(list), tt.want)
			}
			for _, got := range list {
				if got.MessageID != first.ProviderID {
					t.Errorf("Message-ID = %q, want %q", got.MessageID, first.ProviderID)
				}
			}
		})
	}
}

// TestRelayFailures: what the worker learns when the relay fails. A 5xx
// about the message is Permanent (dead letter at once); 4xx, network and
// TLS failures, and 5xx about Coupole's own configuration (password,
// sender) are retryable. No error repeats the recipient's address.
func TestRelayFailures(t *testing.T) {
	// One mailpit that accepts only @example.test recipients, with chaos
	// triggers for 4xx and 5xx replies on demand.
	r := mustRelay(t, relayModes[0], "--smtp-allowed-recipients", `@example\.test$`, "--enable-chaos")
	tests := []struct {
		name      string
		chaos     string // mailpit's triggers for this case
		config    func(c *email.Config)
		to        string
		permanent bool
		says      string // in the error
	}{
		{"recipient refused with 550", "{}", nil, "marie.peeters@refused.test", true, "550 5.1.0 to RCPT TO"},
		{"recipient deferred with 451", `{"Recipient": {"ErrorCode": 451, "Probability": 100}}`, nil, recipientOK, false, "451 to RCPT TO"},
		{"recipient refused by chaos with 554", `{"Recipient": {"ErrorCode": 554, "Probability": 100}}`, nil, recipientOK, true, "554 to RCPT TO"},
		{"sender refused with 550: our configuration, retried", `{"Sender": {"ErrorCode": 550, "Probability": 100}}`, nil, recipientOK, false, "--smtp-from"},
		{"sender deferred with 421", `{"Sender": {"ErrorCode": 421, "Probability": 100}}`, nil, recipientOK, false, "421 to MAIL FROM"},
		{"wrong password: our configuration, retried", "{}", func(c *email.Config) {
			c.PasswordFile = filepath.Join(t.TempDir(), "wrong")
			mustWrite(t, c.PasswordFile, []byte("not-the-password"))
		}, recipientOK, false, "answered 535 before the message was offered"},
		{"certificate not trusted", "{}", func(c *email.Config) { c.CAFile = "" }, recipientOK, false, "cannot reach or secure"},
		{"certificate for another name", "{}", func(c *email.Config) { c.Host = "localhost" }, recipientOK, false, "cannot reach or secure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.mp.SetChaos(tt.chaos)
			cfg := r.cfg
			if tt.config != nil {
				tt.config(&cfg)
			}
			p := mustSMTP(t, cfg)
			m := answer(coupole.French)
			m.Email = tt.to
			_, err := p.Send(context.Background(), m)
			mustFailLike(t, err, tt.permanent, tt.says, m)
			if n := len(r.mp.Messages()); n != 0 {
				t.Errorf("mailpit holds %d messages after a failure", n)
			}
		})
	}
	r.mp.SetChaos("{}")
}

// TestStoppedRelayIsRetryable: a relay that is down is a retry, not a dead
// letter.
func TestStoppedRelayIsRetryable(t *testing.T) {
	r := mustRelay(t, relayModes[0])
	p := mustSMTP(t, r.cfg)
	if _, err := p.Send(context.Background(), answer(coupole.French)); err != nil {
		t.Fatalf("Send while mailpit runs: %v", err)
	}
	r.mp.Stop()
	_, err := p.Send(context.Background(), answer(coupole.French))
	mustFailLike(t, err, false, "cannot reach or secure the SMTP relay 127.0.0.1:", answer(coupole.French))
}

// TestSTARTTLSIsNeverSkipped: in starttls mode a relay that does not offer
// STARTTLS gets nothing — no fallback to clear text.
func TestSTARTTLSIsNeverSkipped(t *testing.T) {
	r := mustRelay(t, relayModes[2]) // mailpit without TLS
	cfg := r.cfg
	cfg.TLS = email.STARTTLS
	p := mustSMTP(t, cfg)
	_, err := p.Send(context.Background(), answer(coupole.French))
	mustFailLike(t, err, false, "cannot reach or secure", answer(coupole.French))
	if n := len(r.mp.Messages()); n != 0 {
		t.Errorf("mailpit received %d messages in clear", n)
	}
}

// mustFailLike checks err's class and words, and that it holds nothing
// personal from m.
func mustFailLike(t *testing.T, err error, permanent bool, says string, m outbound.Message) {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	t.Logf("error: %v", err)
	if got := outbound.IsPermanent(err); got != permanent {
		t.Errorf("IsPermanent = %v, want %v (%v)", got, permanent, err)
	}
	if !strings.Contains(err.Error(), says) {
		t.Errorf("error %q does not say %q", err, says)
	}
	for _, personal := range []string{m.Email, "gerard", "marie", m.Name, "541448820000", testPassword} {
		if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(personal)) {
			t.Errorf("error %q holds %q", err, personal)
		}
	}
	var ce *coupole.Error
	if !errors.As(err, &ce) {
		t.Errorf("error %v is not a coupole.Error", err)
	}
}

// TestSilentRelayTimesOut: a relay that accepts the connection and never
// answers costs one --smtp-timeout, or what is left of the worker's
// deadline, and is retryable. The silent relay is a bare TCP listener:
// mailpit always greets.
func TestSilentRelayTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the listener closes
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	for _, tt := range []struct {
		name     string
		timeout  time.Duration
		deadline time.Duration // of the caller's context; 0: none
	}{
		{"--smtp-timeout", 300 * time.Millisecond, 0},
		{"the worker's deadline, shorter", time.Hour, 300 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := mustSMTP(t, email.Config{Host: "127.0.0.1", Port: port, TLS: email.NoTLS, From: testFrom, Timeout: tt.timeout})
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			done := make(chan error, 1)
			go func() { _, err := p.Send(ctx, answer(coupole.French)); done <- err }()
			select {
			case err := <-done:
				mustFailLike(t, err, false, "cannot reach or secure", answer(coupole.French))
			case <-time.After(time.Minute): // not a measure: a hang
				t.Fatal("Send still waits on a silent relay after a minute")
			}
		})
	}
}
