package retention

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// CSV import of recordings (R1, issue 13 item 1 way b): a recording system
// that cannot notify Coupole exports its recordings, and IT imports the
// file. The import is all or nothing: every line is checked first and every
// problem is named by its line and column; then, with Apply, all the items
// are registered in one transaction with one audit event. A dry run (the
// default of `coupole retention import`) checks and reports without writing.

// ImportColumns are the columns a file may have, in any order; the first
// line names them. recording_id, channel and start are required.
var ImportColumns = []string{"recording_id", "source", "channel", "start", "end", "interaction_id", "customer_id", "call_reason", "media_ref", "size", "sha256"}

var requiredImportColumns = []string{"recording_id", "channel", "start"}

// MaxImportProblems bounds how many problems a refused file reports.
const MaxImportProblems = 50

// ActionImport is the audit action of an applied import.
const ActionImport = "retention.import"

// ImportStore registers a batch and says which recordings it knows already;
// sqlstore.DB is one.
type ImportStore interface {
	// RegisterItems adds all the items in one transaction, or none.
	RegisterItems(ctx context.Context, its []Item) error
	// KnownExternalIDs returns those of ids already registered from source.
	KnownExternalIDs(ctx context.Context, source string, ids []string) ([]string, error)
}

// ImportProblems is a refused file: each problem names its line and column.
type ImportProblems struct {
	Problems []string
	More     int // problems not listed beyond MaxImportProblems
}

func (p *ImportProblems) Error() string {
	s := fmt.Sprintf("import refused, nothing registered: %d problem(s)", len(p.Problems)+p.More)
	if p.More > 0 {
		s += fmt.Sprintf(" (the first %d listed)", len(p.Problems))
	}
	return s + ":\n  " + strings.Join(p.Problems, "\n  ")
}

func (p *ImportProblems) add(line int, column, format string, args ...any) {
	if len(p.Problems) >= MaxImportProblems {
		p.More++
		return
	}
	where := fmt.Sprintf("line %d", line)
	if column != "" {
		where += ", column " + column
	}
	p.Problems = append(p.Problems, where+": "+fmt.Sprintf(format, args...))
}

// ImportResult says what an import did or, in a dry run, would do.
type ImportResult struct {
	Items   []Item
	ByClass map[string]int
	SHA256  string // of the file, in the audit event
	Applied bool
}

// Importer checks and registers a CSV file of recordings.
type Importer struct {
	Service *Service
	Store   ImportStore
}

// Import reads a file; with apply, it registers the items (actor is who
// imports, traced). Values are never repeated in problems: a column may
// hold a customer id.
func (im *Importer) Import(ctx context.Context, actor string, r io.Reader, apply bool) (ImportResult, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 256<<20+1))
	if err != nil {
		return ImportResult{}, coupole.Errorf(coupole.EINVALID, "import: the file cannot be read")
	}
	if len(raw) > 256<<20 {
		return ImportResult{}, coupole.Errorf(coupole.EINVALID, "import: the file is larger than 256 MiB; split it")
	}
	sum := sha256.Sum256(raw)
	res := ImportResult{ByClass: map[string]int{}, SHA256: hex.EncodeToString(sum[:])}
	items, lines, probs := im.parse(string(raw))
	if len(probs.Problems) == 0 {
		if err := im.checkKnown(ctx, items, lines, probs); err != nil {
			return res, err
		}
	}
	if len(probs.Problems) > 0 {
		return res, coupole.Wrap(probs, coupole.EINVALID, "%s", probs.Error())
	}
	for _, it := range items {
		res.ByClass[it.Class]++
	}
	res.Items = items
	if !apply || len(items) == 0 {
		return res, nil
	}
	classes := make([]string, 0, len(res.ByClass))
	for k := range res.ByClass {
		classes = append(classes, k)
	}
	slices.Sort(classes)
	ev := audit.Event{Actor: actor, Action: ActionImport, Data: []string{"file_sha256:" + res.SHA256, "items:" + strconv.Itoa(len(items)),
		"first:" + items[0].ID, "last:" + items[len(items)-1].ID}}
	for _, k := range classes {
		ev.Data = append(ev.Data, "rule:"+k+"="+strconv.Itoa(res.ByClass[k]))
	}
	if _, err := im.Service.Audit.AppendThen(ctx, ev, func(ctx context.Context, _ uint64) error { return im.Store.RegisterItems(ctx, items) }); err != nil {
		return res, err
	}
	res.Applied = true
	return res, nil
}

// parse reads the file and builds its items; problems name line and column.
func (im *Importer) parse(text string) ([]Item, []int, *ImportProblems) {
	probs := &ImportProblems{}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		probs.add(1, "", "the first line must name the columns (%s)", strings.Join(ImportColumns, ", "))
		return nil, nil, probs
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(ImportColumns, h):
			probs.add(1, strconv.Itoa(i+1), "unknown column %q (want %s)", h, strings.Join(ImportColumns, ", "))
		case col[h] > 0:
			probs.add(1, h, "the column appears twice")
		default:
			col[h] = i + 1 // 0: absent
		}
	}
	for _, h := range requiredImportColumns {
		if col[h] == 0 {
			probs.add(1, h, "required column missing")
		}
	}
	if len(probs.Problems) > 0 {
		return nil, nil, probs
	}
	now := im.Service.Clock.Now()
	seen := map[string]int{}
	var items []Item
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs.add(pe.Line, strconv.Itoa(pe.Column), "not valid CSV: %v", pe.Err)
				return nil, nil, probs
			}
			probs.add(line, "", "not valid CSV")
			return nil, nil, probs
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			probs.add(line, "", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		get := func(name string) string {
			if col[name] == 0 {
				return ""
			}
			return strings.TrimSpace(rec[col[name]-1])
		}
		it, ok := im.row(line, get, now, probs)
		if !ok {
			continue
		}
		key := it.Source + "\x00" + it.ExternalID
		if first, dup := seen[key]; dup {
			probs.add(line, "recording_id", "the same recording as line %d", first)
			continue
		}
		seen[key] = line
		items, lines = append(items, it), append(lines, line)
	}
	if len(items) == 0 && len(probs.Problems) == 0 {
		probs.add(2, "", "the file has no recordings")
	}
	return items, lines, probs
}

// row checks one line and builds its item with its class and due date.
func (im *Importer) row(line int, get func(string) string, now time.Time, probs *ImportProblems) (Item, bool) {
	n := len(probs.Problems) + probs.More
	it := Item{ID: NewID("ret_"), Source: SourceCSV, ExternalID: get("recording_id"), InteractionID: get("interaction_id"),
		CustomerID: get("customer_id"), CallReason: get("call_reason"), MediaRef: get("media_ref"), State: StateKept, EvidenceIndex: -1, RegisteredAt: now}
	if it.ExternalID == "" {
		probs.add(line, "recording_id", "required")
	} else if len(it.ExternalID) > 200 {
		probs.add(line, "recording_id", "longer than 200 characters")
	}
	switch s := get("source"); s {
	case "", SourceCSV:
	case SourceGenesys:
		it.Source = s
		if conv, rec, ok := strings.Cut(it.ExternalID, "/"); !ok || conv == "" || rec == "" {
			probs.add(line, "recording_id", "a genesys recording is conversationId/recordingId")
		}
	default:
		probs.add(line, "source", "want csv or genesys")
	}
	switch c := strings.ToLower(get("channel")); c {
	case "call", "phone":
		it.Kind, it.Channel = KindRecording, "call"
	case "email", "chat":
		it.Kind, it.Channel = c, c
	case "":
		probs.add(line, "channel", "required (call, email or chat)")
	default:
		probs.add(line, "channel", "want call, email or chat")
	}
	var err error
	if it.Start, err = time.Parse(time.RFC3339, get("start")); err != nil {
		probs.add(line, "start", "not a date-time like 2026-03-02T09:00:00Z")
	} else if it.Start.After(now) {
		probs.add(line, "start", "in the future")
	}
	if e := get("end"); e != "" {
		if it.End, err = time.Parse(time.RFC3339, e); err != nil {
			probs.add(line, "end", "not a date-time like 2026-03-02T09:06:00Z")
		} else if !it.Start.IsZero() && it.End.Before(it.Start) {
			probs.add(line, "end", "before the start")
		}
	}
	if s := get("size"); s != "" {
		if it.Size, err = strconv.ParseInt(s, 10, 64); err != nil || it.Size < 0 {
			probs.add(line, "size", "not a whole number of bytes")
		}
	}
	if h := strings.ToLower(get("sha256")); h != "" {
		if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
			probs.add(line, "sha256", "not 64 hexadecimal digits")
		}
		it.SHA256 = h
	}
	if len(probs.Problems)+probs.More > n {
		return Item{}, false
	}
	c := im.Service.Config.ForCallReason(it.CallReason)
	it.ClassReason = "default"
	if c.Name != im.Service.Config.Default {
		it.ClassReason = "call_reason:" + it.CallReason
	}
	it.Start = it.Start.UTC()
	if !it.End.IsZero() {
		it.End = it.End.UTC()
	}
	it.Class, it.Due = c.Name, c.Due(it.Start)
	return it, true
}

// checkKnown refuses recordings the registry already has: an import is
// all or nothing, so a repeated file is refused whole, not half-applied.
func (im *Importer) checkKnown(ctx context.Context, items []Item, lines []int, probs *ImportProblems) error {
	bySource := map[string][]string{}
	for _, it := range items {
		bySource[it.Source] = append(bySource[it.Source], it.ExternalID)
	}
	known := map[string]bool{}
	for src, ids := range bySource {
		got, err := im.Store.KnownExternalIDs(ctx, src, ids)
		if err != nil {
			return err
		}
		for _, id := range got {
			known[src+"\x00"+id] = true
		}
	}
	for i, it := range items {
		if known[it.Source+"\x00"+it.ExternalID] {
			probs.add(lines[i], "recording_id", "already registered (imported before?)")
		}
	}
	return nil
}
