package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/governance"
)

// The confidentiality charter from the terminal (issue 12, item 6: S1):
// the privacy officer publishes versions and records awareness campaigns,
// acting as a named staff member (--as) checked by the staff policy.

var charterCommands = []command{
	{"publish", "publish a new version of the charter: one file per language (fr, nl, de, en)", runCharterPublish},
	{"show", "print the current charter (or a version) in a language", runCharterShow},
	{"awareness", "record and list awareness campaigns (title, date, audience, attendance)", runCharterAwareness},
}

func runCharter(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, "charter", charterCommands, args)
}

// languageTag finds the language of a charter file in its name:
// charter.fr.md, charte_fr.txt, nl-charter.txt…
var languageTag = regexp.MustCompile(`(?:^|[._-])(fr|nl|de|en)(?:[._-]|$)`)

// charterFiles reads "LANG=FILE" or FILE arguments whose name carries the
// language, and returns the four texts.
func charterFiles(args []string) (map[coupole.Language]string, error) {
	out := map[coupole.Language]string{}
	for _, a := range args {
		lang, path, ok := strings.Cut(a, "=")
		if !ok {
			path = a
			m := languageTag.FindStringSubmatch(strings.ToLower(filepath.Base(a)))
			if m == nil {
				return nil, coupole.Errorf(coupole.EINVALID, "%s: say its language in its name (charter.fr.md) or as fr=%s", a, a)
			}
			lang = m[1]
		}
		l, err := coupole.ParseLanguage(lang)
		if err != nil {
			return nil, err
		}
		if _, dup := out[l]; dup {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: two files for the %s text", a, l)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: cannot read the file", path)
		}
		out[l] = string(b)
	}
	return out, nil
}

func runCharterPublish(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "charter publish", "FILE... --version V --as STAFF_ID [--db DSN]")
	version := fs.String("version", "", "the version's label, e.g. 2026.1 (required)")
	as := fs.String("as", "", "the privacy officer who publishes (required)")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir")
	var files []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		files, args = append(files, args[0]), args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files = append(files, fs.Args()...)
	if len(files) == 0 || strings.TrimSpace(*version) == "" || strings.TrimSpace(*as) == "" {
		return usagef("charter publish: want the four files (fr, nl, de, en), --version V and --as STAFF_ID")
	}
	texts, err := charterFiles(files)
	if err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	ch, err := (&governance.Charters{Lifecycle: lc, Store: db}).Publish(ctx, cliActor(env, *as), *version, texts)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "charter %s published: every staff member acknowledges it before opening customer data again\n", ch.Version)
	return nil
}

func runCharterShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "charter show", "[--lang fr|nl|de|en] [--version V] [--db DSN]")
	lang := fs.String("lang", "fr", "the language of the text")
	version := fs.String("version", "", "a published version (default: the current one)")
	load := registerConfig(fs, env.Getenv, "db")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := coupole.ParseLanguage(*lang)
	if err != nil {
		return err
	}
	_, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.ListCharters(ctx)
	if err != nil {
		return err
	}
	for i, ch := range list {
		if (*version == "" && i == 0) || ch.Version == *version {
			fmt.Fprintf(env.Stdout, "Version %s, published %s by %s\n\n%s\n", ch.Version, ch.PublishedAt.Format(time.RFC3339), ch.PublishedBy, ch.In(l))
			return nil
		}
	}
	if *version == "" {
		return coupole.Errorf(coupole.ENOTFOUND, "no confidentiality charter is published")
	}
	return coupole.Errorf(coupole.ENOTFOUND, "no charter version %s", *version)
}

// runCharterAwareness records or lists awareness campaigns:
//
//	coupole charter awareness add --title T --date 2026-11-20 --audience A [--attendees s-1,s-2] --as STAFF_ID
//	coupole charter awareness list
func runCharterAwareness(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return usagef("charter awareness: want add or list")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet(env, "charter awareness "+verb, "[--title T --date YYYY-MM-DD --audience A --attendees IDS --as STAFF_ID] [--db DSN]")
	title := fs.String("title", "", "the campaign's title")
	date := fs.String("date", "", "the day it was held (YYYY-MM-DD)")
	audience := fs.String("audience", "", "who it was for, e.g. \"advisors, back office\"")
	attendees := fs.String("attendees", "", "comma-separated staff ids of who attended")
	as := fs.String("as", "", "the privacy officer who records it")
	load := registerConfig(fs, env.Getenv, "db", "staff-policy-dir")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openConfiguredDB(ctx, load)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		list, err := db.ListAwareness(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tDATE\tTITLE\tAUDIENCE\tATTENDANCE")
		for _, c := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", c.ID, c.HeldOn.Format(time.DateOnly), c.Title, c.Audience, len(c.Attendees))
		}
		return w.Flush()
	}
	if strings.TrimSpace(*as) == "" {
		return usagef("charter awareness add: --as STAFF_ID is required")
	}
	day, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "--date: want YYYY-MM-DD")
	}
	lc, closeLC, err := openLifecycle(ctx, env, cfg, db)
	if err != nil {
		return err
	}
	defer closeLC()
	var ids []string
	if *attendees != "" {
		ids = strings.Split(*attendees, ",")
	}
	c, err := (&governance.Charters{Lifecycle: lc, Store: db}).RecordAwareness(ctx, cliActor(env, *as),
		coupole.AwarenessCampaign{Title: *title, HeldOn: day, Audience: *audience, Attendees: ids})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "awareness campaign %s recorded: %d attendee(s)\n", c.ID, len(c.Attendees))
	return nil
}

// ensureDemoCharter publishes the demo's charter, as the demo privacy
// officer, when none is published, and acknowledges it for the demo
// accounts, so that the demo call of the README works at once; both are
// traced like any publication and acknowledgement.
func ensureDemoCharter(ctx context.Context, lc *governance.Lifecycle, db governance.CharterStore, accounts []string, now time.Time) error {
	ch := &governance.Charters{Lifecycle: lc, Store: db}
	if _, err := db.CurrentCharter(ctx); coupole.ErrorCode(err) == coupole.ENOTFOUND {
		if _, err := ch.Publish(ctx, "demo-privacy-officer", demo.CharterVersion, demo.CharterTexts()); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	for _, id := range accounts {
		s, err := ch.StatusOf(ctx, id, now)
		if err != nil {
			return err
		}
		if !s.Cleared {
			if err := ch.Acknowledge(ctx, id, s.Charter.Version); err != nil {
				return err
			}
		}
	}
	return nil
}
