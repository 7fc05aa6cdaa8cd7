package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/coupole/coupole"
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
				v := fs.String(cf.name, "", fmt.Sprintf("%s (env %s, default %q)", cf.usage, cf.env, cf.def))
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
