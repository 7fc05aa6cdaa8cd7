package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// cliResult is what one in-process run of the command line produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the coupole command line in-process with the given environment
// variables (nothing else from the real environment) and standard input.
func runCLI(t testing.TB, environ map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return environ[k] },
		Clock:  &coupole.FixedClock{T: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)},
	}
	code := run(context.Background(), env, args)
	return cliResult{code, out.String(), errOut.String()}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	r := runCLI(t, nil, "", "help")
	if r.code != 0 || !strings.Contains(r.stdout, "serve") || !strings.Contains(r.stdout, "migrate") {
		t.Errorf("help: %+v", r)
	}
	r = runCLI(t, nil, "", "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %+v", r)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		want    string
	}{
		{"bad env level", map[string]string{"COUPOLE_LOG_LEVEL": "loud"}, []string{"serve"}, "COUPOLE_LOG_LEVEL"},
		{"bad listen flag", nil, []string{"serve", "--listen", "8080"}, "--listen: must be host:port"},
		{"flag wins over env", map[string]string{"COUPOLE_LISTEN": "127.0.0.1:1"}, []string{"serve", "--listen", "nope"}, "--listen"},
		{"bad timeout", map[string]string{"COUPOLE_SHUTDOWN_TIMEOUT": "-3s"}, []string{"serve"}, "COUPOLE_SHUTDOWN_TIMEOUT: must be a positive duration"},
		{"bad log format", nil, []string{"serve", "--log-format", "xml"}, "--log-format: must be text or json"},
		{"unknown flag", nil, []string{"migrate", "--frobnicate"}, "frobnicate"},
		{"stray argument", nil, []string{"migrate", "extra"}, "no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.environ, "", tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestMigrateCreatesAndChecksSchema(t *testing.T) {
	dbPath := t.TempDir() + "/c.db"
	r := runCLI(t, map[string]string{"COUPOLE_DB": dbPath}, "", "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied migration 1") {
		t.Fatalf("first migrate: %+v", r)
	}
	r = runCLI(t, nil, "", "migrate", "--db", dbPath)
	if r.code != 0 || strings.Contains(r.stdout, "applied") || !strings.Contains(r.stdout, "schema at version") {
		t.Errorf("second migrate: %+v", r)
	}
}

func TestServeRefusesUnmigratedDatabase(t *testing.T) {
	r := runCLI(t, nil, "", "serve", "--db", t.TempDir()+"/empty.db", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--break-glass-accounts", "bg-admin", "--behind-tls-proxy", "--trusted-proxies", "127.0.0.1/32") // a usable configuration (issue 10, item 11)
	if r.code != 1 || !strings.Contains(r.stderr, "coupole migrate") {
		t.Errorf("serve on an empty database: %+v", r)
	}
}
