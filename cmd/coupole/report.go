package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/register"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
	"golang.org/x/mod/sumdb/note"
)

var reportCommands = []command{
	{"yearly", "produce the signed yearly confidentiality report (html, md or pdf)", runReportYearly},
	{"verify", "verify a report's signature and, given an audit export, recompute its trace figures", runReportVerify},
	{"requirements", "list every requirement with the tests that cite it and the report figures that evidence it", runReportRequirements},
	{"access", "who saw my data: the accesses to one customer's data, with proofs (GDPR art. 15), as PDF letter or JSON", runReportAccess},
}

func runReport(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "report", reportCommands, args)
}

// reportSources lists the parts of Coupole that give figures to the yearly
// report besides the trace: each part that owns records gives its own
// coupole.FigureSource.
func reportSources(db *sqlstore.DB, clock coupole.Clock) []coupole.FigureSource {
	return []coupole.FigureSource{
		db.RecordFigures(),
		&register.Service{Store: db, Clock: clock},
		governance.Figures{Store: db},               // issue 12: joiners, movers, leavers, SoD refusals
		retention.Figures{Store: db},                // issue 13: recordings by class, purged on time or late, held
		&oversight.Service{Store: db, Clock: clock}, // issue 16: alerts by kind and acknowledgement
	}
}

// registerLines lists the register entries for the report's chapters.
func registerLines(db *sqlstore.DB, clock coupole.Clock) func(context.Context) ([]report.RegisterLine, error) {
	return func(ctx context.Context) ([]report.RegisterLine, error) {
		ls, err := (&register.Service{Store: db, Clock: clock}).Lines(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]report.RegisterLine, len(ls))
		for i, l := range ls {
			out[i] = report.RegisterLine{Kind: string(l.Kind), ID: l.ID, Title: l.Title, Version: l.Version, Status: l.Status}
		}
		return out, nil
	}
}

func runReportYearly(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "report yearly", "--year YYYY [--format html|md|pdf] [--lang fr|nl|de|en] [-o FILE] [--operator NAME] [--db DSN] [--data-dir DIR]")
	year := fs.Int("year", 0, "the calendar year (UTC) the report covers")
	format := fs.String("format", "html", "html, md or pdf")
	lang := fs.String("lang", "fr", "language of the report: fr, nl, de or en")
	out := fs.String("o", "", "file to write (default: confidentiality-report-YEAR.FORMAT; - for standard output)")
	operator := fs.String("operator", "", "the operator's name, printed on the cover")
	load := registerConfig(fs, env.Getenv, "db", "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *year == 0 {
		return usagef("report yearly takes --year and no arguments")
	}
	if *format != report.FormatHTML && *format != report.FormatMarkdown && *format != report.FormatPDF {
		return usagef("--format: %q is not html, md or pdf", *format)
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	signer, err := audit.LoadSigner(cfg.DataDir)
	if err != nil {
		return err
	}
	vkey, err := audit.VerifierOf(cfg.DataDir)
	if err != nil {
		return err
	}
	verifier, err := audit.ParseVerifier(vkey)
	if err != nil {
		return err
	}
	db, store, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// Trace first: producing the report reads the whole trace; the report
	// of the following year counts it.
	e := coupole.StaffEvent{Type: report.ActionYearlyReport, Actor: "cli:" + cliUser(env), Outcome: "ok",
		Details: map[string]string{"year": strconv.Itoa(*year), "format": *format}}
	if err := traceCLI(ctx, env, db, e); err != nil {
		return err
	}
	b := &report.Builder{Audit: store, Signer: signer, Verifier: verifier, Sources: reportSources(db, env.Clock), Clock: env.Clock,
		Operator: *operator, Registers: registerLines(db, env.Clock)}
	doc, err := b.Yearly(ctx, *year, *lang)
	if err != nil {
		return err
	}
	text, err := doc.Render(*format)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = fmt.Sprintf("confidentiality-report-%d.%s", *year, *format)
	}
	if path == "-" {
		_, err = env.Stdout.Write(text)
		return err
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(text); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s: %d figures, year-end checkpoint of %d events; %s\n", path, len(doc.Evidence.Figures), sizeOf(doc), doc.Evidence.Verification)
	if len(doc.Evidence.Missing) > 0 {
		fmt.Fprintf(env.Stderr, "not available yet (said so in the report): %s\n", strings.Join(doc.Evidence.Missing, ", "))
	}
	return nil
}

func sizeOf(d *report.Document) int64 {
	f, _ := d.Figure("audit.log_size")
	return f.Value
}

func runReportVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "report verify", "REPORT --key VERIFIER [--export BUNDLE]")
	key := fs.String("key", "", "the operator's verifier key (name+hash+key), or a file holding it (default: DATA_DIR/"+audit.VerifierFile+")")
	export := fs.String("export", "", "an audit export (`coupole audit export`): every trace figure is recomputed from it")
	dataDir := fs.String("data-dir", "", "data directory holding the verifier file, when --key is not given")
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 1 {
		return usagef("report verify takes one report file")
	}
	keyText := *key
	if keyText == "" {
		dir := *dataDir
		if dir == "" {
			dir = env.Getenv("COUPOLE_DATA_DIR")
		}
		keyText = filepath.Join(dir, audit.VerifierFile)
	}
	if !strings.Contains(keyText, "+") {
		b, err := os.ReadFile(keyText)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--key: %q is neither a verifier key nor a readable file", keyText)
		}
		keyText = string(b)
	}
	v, err := audit.ParseVerifier(keyText)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(positional[0])
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "cannot read report %s", positional[0])
	}
	var bundle io.Reader
	if *export != "" {
		f, err := os.Open(*export)
		if err != nil {
			return coupole.Errorf(coupole.EINVALID, "--export: cannot read %s", *export)
		}
		defer f.Close()
		bundle = f
	}
	if bytes.HasPrefix(bytes.TrimSpace(text), []byte("{")) {
		d, err := report.VerifyAccess(text, v)
		if err != nil {
			return coupole.Wrap(err, coupole.ECONFLICT, "VERIFICATION FAILED: %s: %s", positional[0], coupole.ErrorMessage(err))
		}
		fmt.Fprintf(env.Stdout, "OK %s: access report of customer %s, %d accesses, each proven in the log of %s under its signed checkpoint\n",
			positional[0], d.Evidence.Customer, len(d.Evidence.Accesses), d.Evidence.Origin)
		return nil
	}
	c, err := report.Verify(text, v, bundle)
	if err != nil {
		return coupole.Wrap(err, coupole.ECONFLICT, "VERIFICATION FAILED: %s: %s", positional[0], coupole.ErrorMessage(err))
	}
	ev := c.Document.Evidence
	fmt.Fprintf(env.Stdout, "OK %s: %s report %d of %s, %d figures, signature and year-end checkpoint valid, text matches its evidence", positional[0], ev.Kind, ev.Year, ev.Origin, len(ev.Figures))
	if c.Bundle != nil {
		fmt.Fprintf(env.Stdout, "; the export verifies (%d events) and gives the same value for all %d trace figures", c.Bundle.Leaves, c.Recomputed)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

// enableCompliance turns on the privacy officer's screens (issue 14): the
// registers always, the yearly report when this node holds the audit key.
func enableCompliance(env *Env, cfg *Config, db *sqlstore.DB, access *web.StaffAccess, alog *audit.Log) {
	c := web.CompliancePages{Registers: &register.Service{Store: db, Clock: env.Clock}, Figures: figureCatalog()}
	signer, err := audit.LoadSigner(cfg.DataDir)
	var verifier note.Verifier
	if err == nil {
		var vkey string
		if vkey, err = audit.VerifierOf(cfg.DataDir); err == nil {
			verifier, err = audit.ParseVerifier(vkey)
		}
	}
	if err == nil {
		c.Yearly = func(ctx context.Context, actor string, year int, lang string) (*report.Document, error) {
			// Trace first: the report reads the whole trace.
			ev := web.StaffAuditEvent(coupole.StaffEvent{Type: report.ActionYearlyReport, Actor: actor, Outcome: "ok",
				Details: map[string]string{"year": strconv.Itoa(year)}})
			if _, err := alog.Append(ctx, ev); err != nil {
				return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: no report produced")
			}
			b := &report.Builder{Audit: sqlstore.NewAuditStore(db), Signer: signer, Verifier: verifier, Sources: reportSources(db, env.Clock),
				Clock: env.Clock, Registers: registerLines(db, env.Clock)}
			return b.Yearly(ctx, year, lang)
		}
	}
	if err == nil {
		c.Access = func(ctx context.Context, actor, customer string, from, to time.Time) (*report.AccessDocument, error) {
			cust, err := db.Customer(ctx, customer)
			if err != nil {
				return nil, err
			}
			ev := web.StaffAuditEvent(coupole.StaffEvent{Type: report.ActionAccessReport, Actor: actor, Outcome: "ok",
				Details: map[string]string{"customer": cust.ID}})
			if _, err := alog.Append(ctx, ev); err != nil {
				return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: no report produced")
			}
			lang := string(cust.Language)
			if lang == "" {
				lang = string(coupole.French)
			}
			b := &report.AccessBuilder{Audit: sqlstore.NewAuditStore(db), Signer: signer, Clock: env.Clock, Staff: staffInfo(db)}
			return b.Build(ctx, cust.ID, lang, from, to)
		}
	}
	access.EnableCompliancePages(c)
}

// staffInfo names a staff member's roles and display name for the art. 15
// report.
func staffInfo(db *sqlstore.DB) report.StaffInfo {
	return func(ctx context.Context, id string) ([]string, string, error) {
		st, err := db.Staff(ctx, id)
		if err != nil {
			return nil, "", err
		}
		roles := make([]string, len(st.Roles))
		for i, r := range st.Roles {
			roles[i] = string(r)
		}
		return roles, st.DisplayName, nil
	}
}

func runReportAccess(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "report access", "--customer ID [--from DATE] [--to DATE] [--format pdf|json] [-o FILE] [--staff-names] [--db DSN] [--data-dir DIR]")
	customer := fs.String("customer", "", "the customer's id")
	fromFlag := fs.String("from", "", "start of the period (default: one year before --to)")
	toFlag := fs.String("to", "", "end of the period, excluded (default: now)")
	format := fs.String("format", "pdf", "pdf (a letter in the customer's language) or json (with the proofs, for offline verification)")
	out := fs.String("o", "", "file to write (default: access-report-CUSTOMER.FORMAT; - for standard output)")
	staffNames := fs.Bool("staff-names", false, "name the staff members (only if the operator's policy allows it; roles are always given)")
	load := registerConfig(fs, env.Getenv, "db", "data-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *customer == "" {
		return usagef("report access takes --customer and no arguments")
	}
	if *format != "pdf" && *format != "json" {
		return usagef("--format: %q is not pdf or json", *format)
	}
	to := env.Clock.Now().UTC()
	var err error
	if *toFlag != "" {
		if to, err = parseDay("to", *toFlag); err != nil {
			return err
		}
	}
	from := to.AddDate(-1, 0, 0)
	if *fromFlag != "" {
		if from, err = parseDay("from", *fromFlag); err != nil {
			return err
		}
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	signer, err := audit.LoadSigner(cfg.DataDir)
	if err != nil {
		return err
	}
	db, store, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cust, err := db.Customer(ctx, *customer)
	if err != nil {
		return err
	}
	// Trace first: the report reads the customer's data; it shows in the
	// next reports, the customer's own included.
	e := coupole.StaffEvent{Type: report.ActionAccessReport, Actor: "cli:" + cliUser(env), Outcome: "ok",
		Details: map[string]string{"customer": cust.ID, "format": *format}}
	if err := traceCLI(ctx, env, db, e); err != nil {
		return err
	}
	b := &report.AccessBuilder{Audit: store, Signer: signer, Clock: env.Clock, ShowStaff: *staffNames,
		Staff: staffInfo(db)}
	lang := string(cust.Language)
	if lang == "" {
		lang = string(coupole.French)
	}
	doc, err := b.Build(ctx, cust.ID, lang, from, to)
	if err != nil {
		return err
	}
	var data []byte
	if *format == "json" {
		data, err = doc.JSON()
	} else {
		a := cust.PostalAddress
		data, err = doc.PDF(cust.Name(), []string{strings.TrimSpace(a.Street + " " + a.Number), strings.TrimSpace(a.Postcode + " " + a.Town)})
	}
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = fmt.Sprintf("access-report-%s.%s", cust.ID, *format)
	}
	if path == "-" {
		_, err = env.Stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s: %d accesses to the data of customer %s, %d more erased after their retention\n", path, len(doc.Evidence.Accesses), cust.ID, doc.Evidence.Erased)
	return nil
}

// figureCatalog is every figure the report can give, for the coverage.
func figureCatalog() []report.FigureDecl {
	out := report.TraceCatalog()
	for _, m := range []map[string]string{register.FigureCatalog(), sqlstore.RecordFigureCatalog()} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, report.FigureDecl{Key: k, Requirement: m[k]})
		}
	}
	return out
}

func runReportRequirements(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "report requirements", "[--format text|md|json] [-v]")
	format := fs.String("format", "text", "text, md or json")
	verbose := fs.Bool("v", false, "list every test, not only how many")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("report requirements takes no arguments")
	}
	ix, err := report.EmbeddedIndex()
	if err != nil {
		return err
	}
	cov := report.Coverage(ix, figureCatalog())
	switch *format {
	case "json":
		b, _ := json.MarshalIndent(cov, "", "  ")
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	case "md":
		fmt.Fprintln(env.Stdout, "| ID | requirement | tests | report figures |\n|---|---|---:|---|")
	case "text":
	default:
		return usagef("--format: %q is not text, md or json", *format)
	}
	gaps := 0
	for _, c := range cov {
		figs := strings.Join(c.Figures, ", ")
		if figs == "" {
			figs = "—"
		}
		if len(c.Tests) == 0 && len(c.Figures) == 0 {
			gaps++
			figs = "NOT COVERED"
			if why, ok := report.KnownGaps[c.ID]; ok {
				figs += " (" + why + ")"
			}
		}
		if *format == "md" {
			fmt.Fprintf(env.Stdout, "| %s | %s | %d | %s |\n", c.ID, strings.ReplaceAll(c.Title, "|", "\\|"), len(c.Tests), figs)
			continue
		}
		fmt.Fprintf(env.Stdout, "%-4s %3d tests  figures: %s\n     %s\n", c.ID, len(c.Tests), figs, c.Title)
		if *verbose {
			for _, t := range c.Tests {
				fmt.Fprintf(env.Stdout, "       %s\n", t)
			}
		}
	}
	fmt.Fprintf(env.Stderr, "%d requirements, %d with neither a test nor a figure\n", len(cov), gaps)
	return nil
}
