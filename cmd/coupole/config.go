package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/outbound/email"
	"github.com/coupole/coupole/web"
)

// Config is Coupole's configuration, loaded once per command from flags and
// COUPOLE_* environment variables (a flag wins over the environment), then
// validated before anything starts. It holds no secret values that could be
// logged: secrets are read from files it names.
type Config struct {
	DB              string        // COUPOLE_DB: SQLite file path or postgres:// URL
	Listen          string        // COUPOLE_LISTEN: address the server listens on
	DataDir         string        // COUPOLE_DATA_DIR: keys and other local state
	PolicyDir       string        // COUPOLE_POLICY_DIR: reviewed policy set replacing the embedded one
	LogLevel        slog.Level    // COUPOLE_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // COUPOLE_LOG_FORMAT: text or json
	ShutdownTimeout time.Duration // COUPOLE_SHUTDOWN_TIMEOUT: grace period on SIGTERM
	RequestTimeout  time.Duration // COUPOLE_REQUEST_TIMEOUT: deadline of every HTTP request

	// Staff access (issue 5); see docs/security.md.
	OIDCIssuer           string                    // COUPOLE_OIDC_ISSUER: identity provider; empty disables OIDC sign-in
	OIDCClientID         string                    // COUPOLE_OIDC_CLIENT_ID
	OIDCClientSecretFile string                    // COUPOLE_OIDC_CLIENT_SECRET_FILE: file holding the client secret
	OIDCRedirectURL      string                    // COUPOLE_OIDC_REDIRECT_URL: https://…/auth/oidc/callback
	OIDCGroupsClaim      string                    // COUPOLE_OIDC_GROUPS_CLAIM
	OIDCGroupRoles       map[string][]coupole.Role // COUPOLE_OIDC_GROUP_ROLES: group=role[+role],…
	AllowedNetworks      []netip.Prefix            // COUPOLE_ALLOWED_NETWORKS (C5)
	TrustedProxies       []netip.Prefix            // COUPOLE_TRUSTED_PROXIES
	SessionIdle          time.Duration             // COUPOLE_SESSION_IDLE
	SessionMax           time.Duration             // COUPOLE_SESSION_MAX
	SecureCookies        string                    // COUPOLE_SECURE_COOKIES: auto, true or false
	BreakGlassAccounts   []string                  // COUPOLE_BREAK_GLASS_ACCOUNTS
	StaffPolicyDir       string                    // COUPOLE_STAFF_POLICY_DIR

	// Transport (issue 10, item 11); see docs/operations.md.
	TLSCertFile    string // COUPOLE_TLS_CERT: PEM certificate chain for built-in TLS
	TLSKeyFile     string // COUPOLE_TLS_KEY: its private key
	BehindTLSProxy bool   // COUPOLE_BEHIND_TLS_PROXY: a TLS-terminating proxy is in front

	// Interactions (issue 6); see docs/api.md.
	CallReasonsFile string // COUPOLE_CALL_REASONS: JSON taxonomy file; empty: the built-in taxonomy

	// Issue 16: the anomaly detector's thresholds (docs/oversight.md).
	OversightConfig string // COUPOLE_OVERSIGHT_CONFIG: JSON file; empty: the documented defaults
	// Retention (issue 13); see docs/retention.md.
	RetentionClasses string        // COUPOLE_RETENTION_CLASSES: JSON classes file; empty: the built-in classes
	RetentionEvery   time.Duration // COUPOLE_RETENTION_EVERY: how often serve purges what is due
	// COUPOLE_RECORDING_WEBHOOK_SECRET_FILE: the HMAC secret of the platform's notifications; empty: no intake
	RecordingWebhookSecretFile string
	// COUPOLE_BLOB: where media and bodies Coupole keeps go: "" (DATA_DIR/media)
	// or s3://bucket[/prefix]?endpoint=…&region=…; credentials from AWS_* variables.
	Blob           string
	RecordingGrace time.Duration // COUPOLE_RECORDING_GRACE: a call without a recording after this raises an alert (R1)

	// E-mail over SMTP (issue 11, item 4); see docs/email.md and email.go.
	SMTPHost         string        // COUPOLE_SMTP_HOST: the relay; empty: no e-mail provider
	SMTPPort         int           // COUPOLE_SMTP_PORT: 0 is the TLS mode's port (587, 465, 25)
	SMTPTLS          email.TLSMode // COUPOLE_SMTP_TLS: starttls, tls or none (loopback only)
	SMTPUser         string        // COUPOLE_SMTP_USER
	SMTPPasswordFile string        // COUPOLE_SMTP_PASSWORD_FILE: file holding the relay password
	SMTPFrom         string        // COUPOLE_SMTP_FROM: sender, "Name <address>"
	SMTPCAFile       string        // COUPOLE_SMTP_CA_FILE: PEM roots trusted for the relay instead of the system's
	SMTPTimeout      time.Duration // COUPOLE_SMTP_TIMEOUT: bound of connecting, then of sending

	// Issue 10: need-to-know that ends, and the verification budget.
	InteractionIdle    time.Duration              // COUPOLE_INTERACTION_IDLE: an interaction without a step for this long is closed
	VerificationBudget coupole.VerificationBudget // COUPOLE_VERIFICATION_BUDGET: failures/window per access point, e.g. 5/24h

	// Issue 11: nominative letters (docs/letters.md).
	LetterSpool         string          // COUPOLE_LETTER_SPOOL: where letters are printed; empty: DATA_DIR/letters
	LetterSenderName    string          // COUPOLE_LETTER_SENDER_NAME: the operator who signs the letters
	LetterSenderAddress coupole.Address // COUPOLE_LETTER_SENDER_ADDRESS: "Street Number, Postcode Town"
	LetterSenderContact string          // COUPOLE_LETTER_SENDER_CONTACT: one line under the sender, e.g. a phone number
	// Issue 11: the delivery worker and its providers (docs/delivery.md).
	DeliveryMaxAttempts int           // COUPOLE_DELIVERY_MAX_ATTEMPTS: attempts before the dead letter
	DeliveryEvery       time.Duration // COUPOLE_DELIVERY_EVERY: how often the worker looks for due deliveries
	SMSGatewayConfig    string        // COUPOLE_SMS_GATEWAY_CONFIG: JSON file describing the HTTP SMS gateway

	// Issue 12: SCIM provisioning (docs/scim.md).
	SCIMGroupRoles map[string][]coupole.Role // COUPOLE_SCIM_GROUP_ROLES: SCIM group=role[+role],…; empty: oidc-group-roles
	// Issue 12, item 5: business validation and access reviews (docs/governance.md).
	GrantValidationDays int           // COUPOLE_GRANT_VALIDATION_DAYS: days a granted role waits for validation before suspension
	ReviewEvery         time.Duration // COUPOLE_REVIEW_EVERY: how often an access-review campaign starts (0: never by itself)
	ReviewLength        time.Duration // COUPOLE_REVIEW_LENGTH: how long a campaign stays open
	// Issue 12: the HR file (docs/governance.md).
	HRGroupRoles map[string][]coupole.Role // COUPOLE_HR_GROUP_ROLES: role group=role[+role],…; empty: scim-group-roles, then oidc-group-roles
	HRTimezone   *time.Location            // COUPOLE_HR_TIMEZONE: the zone of the HR file's dates
	// Issue 12: bounds of privileged access and break-glass grants (S3).
	PrivilegedMax time.Duration // COUPOLE_PRIVILEGED_MAX
	BreakGlassMax time.Duration // COUPOLE_BREAK_GLASS_MAX
}

// DefaultDB is the SQLite file used when nothing else is configured.
const DefaultDB = "coupole.db"

// configFlag describes one setting: its flag, its environment variable and how
// to read it. Keeping them in one table keeps flags, environment and docs in
// step.
type configFlag struct {
	name  string
	env   string
	usage string
	def   string
	set   func(c *Config, v string) error
}

var configFlags = []configFlag{
	{"db", "COUPOLE_DB", "SQLite file path or postgres:// URL", DefaultDB,
		func(c *Config, v string) error { c.DB = v; return nil }},
	{"listen", "COUPOLE_LISTEN", "address to listen on", "127.0.0.1:8080",
		func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port, like 127.0.0.1:8080")
			}
			c.Listen = v
			return nil
		}},
	{"data-dir", "COUPOLE_DATA_DIR", "directory for keys and local state", ".coupole",
		func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"policy-dir", "COUPOLE_POLICY_DIR", "directory of a reviewed policy set (default: the embedded policies)", "",
		func(c *Config, v string) error { c.PolicyDir = v; return nil }},
	{"log-level", "COUPOLE_LOG_LEVEL", "debug, info, warn or error", "info",
		func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"log-format", "COUPOLE_LOG_FORMAT", "text or json", "text",
		func(c *Config, v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("must be text or json")
			}
			c.LogFormat = v
			return nil
		}},
	{"shutdown-timeout", "COUPOLE_SHUTDOWN_TIMEOUT", "how long to let requests finish on SIGTERM", "15s",
		func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("must be a positive duration, like 15s")
			}
			c.ShutdownTimeout = d
			return nil
		}},
	{"request-timeout", "COUPOLE_REQUEST_TIMEOUT", "deadline of every HTTP request: a request waiting longer (for the database, the audit log) is answered 503", "15s",
		func(c *Config, v string) error { return setDuration(&c.RequestTimeout, v) }},
	{"oidc-issuer", "COUPOLE_OIDC_ISSUER", "OIDC issuer URL of the identity provider (empty: no OIDC sign-in)", "",
		func(c *Config, v string) error { c.OIDCIssuer = v; return nil }},
	{"oidc-client-id", "COUPOLE_OIDC_CLIENT_ID", "OIDC client id of Coupole", "",
		func(c *Config, v string) error { c.OIDCClientID = v; return nil }},
	{"oidc-client-secret-file", "COUPOLE_OIDC_CLIENT_SECRET_FILE", "file holding the OIDC client secret", "",
		func(c *Config, v string) error { c.OIDCClientSecretFile = v; return nil }},
	{"oidc-redirect-url", "COUPOLE_OIDC_REDIRECT_URL", "public URL of /auth/oidc/callback", "",
		func(c *Config, v string) error {
			if v != "" && !strings.HasSuffix(v, "/auth/oidc/callback") {
				return fmt.Errorf("must end with /auth/oidc/callback")
			}
			c.OIDCRedirectURL = v
			return nil
		}},
	{"oidc-groups-claim", "COUPOLE_OIDC_GROUPS_CLAIM", "ID-token claim listing the user's groups", "groups",
		func(c *Config, v string) error { c.OIDCGroupsClaim = v; return nil }},
	{"oidc-group-roles", "COUPOLE_OIDC_GROUP_ROLES", "group to roles mapping: group=role[+role],group=role", "",
		func(c *Config, v string) error {
			m, err := web.ParseGroupRoles(v)
			if err != nil {
				return fmt.Errorf("%s", coupole.ErrorMessage(err))
			}
			c.OIDCGroupRoles = m
			return nil
		}},
	{"scim-group-roles", "COUPOLE_SCIM_GROUP_ROLES", "SCIM group to roles mapping: group=role[+role],group=role (empty: oidc-group-roles)", "",
		func(c *Config, v string) error {
			m, err := web.ParseGroupRoles(v)
			if err != nil {
				return fmt.Errorf("%s", coupole.ErrorMessage(err))
			}
			c.SCIMGroupRoles = m
			return nil
		}},
	{"grant-validation-days", "COUPOLE_GRANT_VALIDATION_DAYS", "days a role granted by IT waits for the service delivery manager's validation before it is suspended (S5)", "5",
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 365 {
				return fmt.Errorf("must be a number of days between 1 and 365")
			}
			c.GrantValidationDays = n
			return nil
		}},
	{"review-every", "COUPOLE_REVIEW_EVERY", "how often an access-review campaign starts by itself: days (90d) or a duration; 0 for never (S5)", "90d",
		func(c *Config, v string) error { return setDays(&c.ReviewEvery, v, true) }},
	{"review-length", "COUPOLE_REVIEW_LENGTH", "how long an access-review campaign stays open: days (14d) or a duration (S5)", "14d",
		func(c *Config, v string) error { return setDays(&c.ReviewLength, v, false) }},
	{"privileged-max", "COUPOLE_PRIVILEGED_MAX", "longest an approved elevated role may last (S3)", "8h",
		func(c *Config, v string) error { return setDuration(&c.PrivilegedMax, v) }},
	{"break-glass-max", "COUPOLE_BREAK_GLASS_MAX", "longest an approved break-glass grant may last (S3)", "4h",
		func(c *Config, v string) error {
			if err := setDuration(&c.BreakGlassMax, v); err != nil {
				return err
			}
			if c.BreakGlassMax > 24*time.Hour {
				return fmt.Errorf("at most 24h")
			}
			return nil
		}},
	{"hr-group-roles", "COUPOLE_HR_GROUP_ROLES", "HR file role group to roles mapping: group=role[+role],group=role (empty: scim-group-roles, then oidc-group-roles)", "",
		func(c *Config, v string) error {
			m, err := web.ParseGroupRoles(v)
			if err != nil {
				return fmt.Errorf("%s", coupole.ErrorMessage(err))
			}
			c.HRGroupRoles = m
			return nil
		}},
	{"hr-timezone", "COUPOLE_HR_TIMEZONE", "time zone of the HR file's dates (an end date takes effect at 00:00 there)", "Europe/Brussels",
		func(c *Config, v string) error {
			l, err := time.LoadLocation(v)
			if err != nil && v == "Europe/Brussels" {
				l, err = time.FixedZone("CET", 3600), nil // no zone database on this host
			}
			if err != nil {
				return fmt.Errorf("unknown time zone %q", v)
			}
			c.HRTimezone = l
			return nil
		}},
	{"allowed-networks", "COUPOLE_ALLOWED_NETWORKS", "CIDR ranges staff may use Coupole from (C5)", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
		func(c *Config, v string) error { return setPrefixes(&c.AllowedNetworks, v, true) }},
	{"trusted-proxies", "COUPOLE_TRUSTED_PROXIES", "CIDR ranges of reverse proxies whose X-Forwarded-For is believed", "",
		func(c *Config, v string) error { return setPrefixes(&c.TrustedProxies, v, false) }},
	{"session-idle", "COUPOLE_SESSION_IDLE", "a session ends after this long without activity", "30m",
		func(c *Config, v string) error { return setDuration(&c.SessionIdle, v) }},
	{"session-max", "COUPOLE_SESSION_MAX", "a session ends this long after sign-in, whatever its activity", "10h",
		func(c *Config, v string) error { return setDuration(&c.SessionMax, v) }},
	{"secure-cookies", "COUPOLE_SECURE_COOKIES", "auto (Secure except for --demo on loopback), true or false", "auto",
		func(c *Config, v string) error {
			if v != "auto" && v != "true" && v != "false" {
				return fmt.Errorf("must be auto, true or false")
			}
			c.SecureCookies = v
			return nil
		}},
	{"tls-cert", "COUPOLE_TLS_CERT", "PEM certificate chain: serve HTTPS (with --tls-key)", "",
		func(c *Config, v string) error { c.TLSCertFile = v; return nil }},
	{"tls-key", "COUPOLE_TLS_KEY", "private key of --tls-cert (a file, mode 0600)", "",
		func(c *Config, v string) error { c.TLSKeyFile = v; return nil }},
	{"behind-tls-proxy", "COUPOLE_BEHIND_TLS_PROXY", "a TLS-terminating proxy is in front (needs --trusted-proxies)", "false",
		func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("must be true or false")
			}
			c.BehindTLSProxy = b
			return nil
		}},
	{"break-glass-accounts", "COUPOLE_BREAK_GLASS_ACCOUNTS", "comma-separated local break-glass logins allowed to sign in", "",
		func(c *Config, v string) error {
			c.BreakGlassAccounts = nil
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					c.BreakGlassAccounts = append(c.BreakGlassAccounts, a)
				}
			}
			return nil
		}},
	{"staff-policy-dir", "COUPOLE_STAFF_POLICY_DIR", "directory of a reviewed staff-access policy set (default: the embedded one)", "",
		func(c *Config, v string) error { c.StaffPolicyDir = v; return nil }},
	{"call-reasons", "COUPOLE_CALL_REASONS", "JSON file of the call-reason taxonomy (default: the built-in one)", "",
		func(c *Config, v string) error { c.CallReasonsFile = v; return nil }},
	{"oversight-config", "COUPOLE_OVERSIGHT_CONFIG", "JSON file of the anomaly detector's thresholds (default: docs/oversight.md)", "",
		func(c *Config, v string) error { c.OversightConfig = v; return nil }},
	{"interaction-idle", "COUPOLE_INTERACTION_IDLE", "an interaction without a step for this long gives no access and is closed by the system", "30m",
		func(c *Config, v string) error { return setDuration(&c.InteractionIdle, v) }},
	{"smtp-host", "COUPOLE_SMTP_HOST", "SMTP relay for e-mails (empty: no e-mail is sent)", "",
		func(c *Config, v string) error { c.SMTPHost = v; return nil }},
	{"smtp-port", "COUPOLE_SMTP_PORT", "port of the SMTP relay (empty: 587 for starttls, 465 for tls, 25 for none)", "",
		func(c *Config, v string) error {
			c.SMTPPort = 0
			if v == "" {
				return nil
			}
			p, err := strconv.Atoi(v)
			if err != nil || p < 1 || p > 65535 {
				return fmt.Errorf("must be a port, 1 to 65535")
			}
			c.SMTPPort = p
			return nil
		}},
	{"smtp-tls", "COUPOLE_SMTP_TLS", "starttls, tls (implicit) or none (only for a relay on the loopback interface)", "starttls",
		func(c *Config, v string) error {
			m, err := email.ParseTLSMode(v)
			c.SMTPTLS = m
			return err
		}},
	{"smtp-user", "COUPOLE_SMTP_USER", "user name at the SMTP relay (empty: no authentication)", "",
		func(c *Config, v string) error { c.SMTPUser = v; return nil }},
	{"smtp-password-file", "COUPOLE_SMTP_PASSWORD_FILE", "file holding the SMTP password of --smtp-user", "",
		func(c *Config, v string) error { c.SMTPPasswordFile = v; return nil }},
	{"smtp-from", "COUPOLE_SMTP_FROM", "sender of e-mails, like \"Customer service <no-reply@example.be>\"", "",
		func(c *Config, v string) error { c.SMTPFrom = v; return nil }},
	{"smtp-ca-file", "COUPOLE_SMTP_CA_FILE", "PEM certificates trusted for the SMTP relay instead of the system's", "",
		func(c *Config, v string) error { c.SMTPCAFile = v; return nil }},
	{"smtp-timeout", "COUPOLE_SMTP_TIMEOUT", "bound of connecting to the SMTP relay, then of sending one message", "30s",
		func(c *Config, v string) error { return setDuration(&c.SMTPTimeout, v) }},
	{"verification-budget", "COUPOLE_VERIFICATION_BUDGET", "failed meter-number verifications allowed per access point across interactions, and over how long: failures/window", "5/24h",
		func(c *Config, v string) error { return setBudget(&c.VerificationBudget, v) }},
	{"letter-spool", "COUPOLE_LETTER_SPOOL", "directory where letters are printed, one sub-directory per day (default: letters in the data directory)", "",
		func(c *Config, v string) error { c.LetterSpool = v; return nil }},
	{"letter-sender-name", "COUPOLE_LETTER_SENDER_NAME", "the operator's name printed as the sender of letters", "",
		func(c *Config, v string) error { c.LetterSenderName = strings.TrimSpace(v); return nil }},
	{"letter-sender-address", "COUPOLE_LETTER_SENDER_ADDRESS", "the operator's postal address on letters: Street Number, Postcode Town", "",
		func(c *Config, v string) error { return setSenderAddress(&c.LetterSenderAddress, v) }},
	{"letter-sender-contact", "COUPOLE_LETTER_SENDER_CONTACT", "one line under the sender's address on letters, e.g. a phone number and a website", "",
		func(c *Config, v string) error { c.LetterSenderContact = strings.TrimSpace(v); return nil }},
	{"delivery-max-attempts", "COUPOLE_DELIVERY_MAX_ATTEMPTS", "sending attempts of one SMS, letter or e-mail before it goes to the dead letter the back office sees", "8",
		func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 100 {
				return fmt.Errorf("%q is not a number of attempts between 1 and 100", v)
			}
			c.DeliveryMaxAttempts = n
			return nil
		}},
	{"delivery-every", "COUPOLE_DELIVERY_EVERY", "how often the delivery worker looks for SMS, letters and e-mails to send", "1s",
		func(c *Config, v string) error { return setDuration(&c.DeliveryEvery, v) }},
	{"retention-classes", "COUPOLE_RETENTION_CLASSES", "JSON file of retention classes (docs/retention.md); empty: the built-in classes", "",
		func(c *Config, v string) error { c.RetentionClasses = v; return nil }},
	{"retention-every", "COUPOLE_RETENTION_EVERY", "how often serve purges what is due (at most 1h: a purge may be one hour late at most)", "10m",
		func(c *Config, v string) error {
			if err := setDuration(&c.RetentionEvery, v); err != nil {
				return err
			}
			if c.RetentionEvery > time.Hour {
				return fmt.Errorf("%s is more than an hour: purges would be late (R4)", v)
			}
			return nil
		}},
	{"recording-webhook-secret-file", "COUPOLE_RECORDING_WEBHOOK_SECRET_FILE", "file holding the HMAC secret of the contact-center platform's recording notifications (docs/retention.md); empty: no intake", "",
		func(c *Config, v string) error { c.RecordingWebhookSecretFile = v; return nil }},
	{"blob", "COUPOLE_BLOB", "where media and e-mail/chat bodies are kept, sealed: empty for DATA_DIR/media, or s3://bucket[/prefix]?endpoint=https://host&region=name (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; docs/retention.md)", "",
		func(c *Config, v string) error {
			if v != "" {
				if _, err := blob.ParseS3URL(v); err != nil {
					return fmt.Errorf("%s", coupole.ErrorMessage(err))
				}
			}
			c.Blob = v
			return nil
		}},
	{"recording-grace", "COUPOLE_RECORDING_GRACE", "how long after a phone call its recording may arrive; later, an alert recording_missing is raised (R1, docs/retention.md)", "2h",
		func(c *Config, v string) error {
			if err := setDuration(&c.RecordingGrace, v); err != nil {
				return err
			}
			if c.RecordingGrace <= 0 {
				return fmt.Errorf("%s: must be positive", v)
			}
			return nil
		}},
	{"sms-gateway-config", "COUPOLE_SMS_GATEWAY_CONFIG", "JSON file describing the HTTP SMS gateway (docs/delivery.md); none: SMS stay pending, or go to a local gateway under --demo", "",
		func(c *Config, v string) error { c.SMSGatewayConfig = v; return nil }},
}

// setBudget parses a verification budget, "5/24h".
func setBudget(dst *coupole.VerificationBudget, v string) error {
	n, w, ok := strings.Cut(v, "/")
	failures, err := strconv.Atoi(strings.TrimSpace(n))
	window, werr := time.ParseDuration(strings.TrimSpace(w))
	if !ok || err != nil || werr != nil || failures <= 0 || window <= 0 {
		return fmt.Errorf("must be failures/window, like 5/24h")
	}
	*dst = coupole.VerificationBudget{Failures: failures, Window: window}
	return nil
}

// setPrefixes parses a list of CIDR ranges; required lists may not be empty.
func setPrefixes(dst *[]netip.Prefix, v string, required bool) error {
	ps, err := web.ParsePrefixes(v)
	if err != nil {
		return fmt.Errorf("%s", coupole.ErrorMessage(err))
	}
	if required && len(ps) == 0 {
		return fmt.Errorf("at least one CIDR range is required")
	}
	*dst = ps
	return nil
}

func setDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("must be a positive duration, like 30m")
	}
	*dst = d
	return nil
}

// setDays reads a number of days ("90d") or a duration ("2160h"); zero is
// allowed only when zeroOK (then it means "never").
func setDays(dst *time.Duration, v string, zeroOK bool) error {
	if zeroOK && (v == "0" || v == "0d") {
		*dst = 0
		return nil
	}
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 {
			return fmt.Errorf("must be a positive number of days, like 14d")
		}
		*dst = time.Duration(d) * 24 * time.Hour
		return nil
	}
	return setDuration(dst, v)
}

// registerConfig adds the named settings to fs, and returns a function that
// loads the configuration once fs has parsed the command line: defaults, then
// environment, then flags, each value validated with a message that names the
// flag and the variable.
func registerConfig(fs *flag.FlagSet, getenv func(string) string, names ...string) func() (*Config, error) {
	type entry struct {
		cf  configFlag
		val *string
	}
	var entries []entry
	for _, name := range names {
		for _, cf := range configFlags {
			if cf.name == name {
				usage := fmt.Sprintf("%s (env %s, default %q)", cf.usage, cf.env, cf.def)
				v := new(string)
				if cf.def == "false" { // a switch: --behind-tls-proxy alone means true
					fs.Var(boolFlag{v}, cf.name, usage)
				} else {
					fs.StringVar(v, cf.name, "", usage)
				}
				entries = append(entries, entry{cf, v})
			}
		}
	}
	return func() (*Config, error) {
		c := &Config{}
		for _, cf := range configFlags { // defaults for every setting, asked for or not
			if err := cf.set(c, cf.def); err != nil && cf.def != "" {
				panic(fmt.Sprintf("default of --%s: %v", cf.name, err))
			}
		}
		for _, e := range entries {
			v, source := e.cf.def, ""
			if ev := strings.TrimSpace(getenv(e.cf.env)); ev != "" {
				v, source = ev, e.cf.env
			}
			if *e.val != "" {
				v, source = *e.val, "--"+e.cf.name
			}
			if source == "" {
				continue
			}
			if err := e.cf.set(c, v); err != nil {
				return nil, coupole.Errorf(coupole.EINVALID, "%s: %v", source, err)
			}
		}
		return c, nil
	}
}

// boolFlag is a setting whose flag may be given bare (--behind-tls-proxy)
// as well as with a value (--behind-tls-proxy=false).
type boolFlag struct{ v *string }

func (b boolFlag) String() string {
	if b.v == nil {
		return ""
	}
	return *b.v
}
func (b boolFlag) Set(s string) error { *b.v = s; return nil }
func (b boolFlag) IsBoolFlag() bool   { return true }

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("coupole "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: coupole %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns a flag error into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("%v", err)
	}
	return nil
}
