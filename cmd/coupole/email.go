package main

import "github.com/coupole/coupole/outbound/email"

// smtpSettings are the settings of the e-mail provider, for the commands
// that send (serve, deliver): registerConfig(fs, env.Getenv, append([]string{…}, smtpSettings...)...).
var smtpSettings = []string{"smtp-host", "smtp-port", "smtp-tls", "smtp-user", "smtp-password-file", "smtp-from", "smtp-ca-file", "smtp-timeout"}

// smtpConfigured reports whether any SMTP setting was given: then the
// e-mail provider is built, and an incomplete configuration stops start-up
// instead of silently sending nothing.
func (c *Config) smtpConfigured() bool {
	return c.SMTPHost != "" || c.SMTPPort != 0 || c.SMTPUser != "" || c.SMTPPasswordFile != "" ||
		c.SMTPFrom != "" || c.SMTPCAFile != "" || (c.SMTPTLS != "" && c.SMTPTLS != email.STARTTLS)
}

// newEmailProvider builds the e-mail provider (coupole.DeliveryEmail) from
// the --smtp-* settings; its error names the settings to fix.
func (c *Config) newEmailProvider() (*email.SMTP, error) {
	return email.NewSMTP(email.Config{
		Host: c.SMTPHost, Port: c.SMTPPort, TLS: c.SMTPTLS, User: c.SMTPUser, PasswordFile: c.SMTPPasswordFile,
		From: c.SMTPFrom, CAFile: c.SMTPCAFile, Timeout: c.SMTPTimeout,
	})
}
