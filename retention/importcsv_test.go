package retention_test

import (
	"context"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

const goodCSV = "\ufeffrecording_id,channel,start,end,interaction_id,call_reason,size,sha256\n" +
	"rec-1,call,2026-03-01T08:00:00Z,2026-03-01T08:05:00Z,int-1,outage,4096," + "AB" + "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab" + "\n" +
	"rec-2,phone,2026-03-01T09:00:00Z,,int-2,emergency_gas_odour,,\n" +
	"\n" +
	"rec-3,email,2026-03-02T10:00:00+01:00,,int-3,,,\n"

// R1 (issue 13 item 3): a CSV file of recordings is checked whole; the dry
// run writes nothing; --apply registers every line with its class (the gas
// odour call in the legal class) in one transaction with one audit event;
// the same file again is refused whole, naming the lines.
func TestR1CSVImportAllOrNothing(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		im := &retention.Importer{Service: f.svc, Store: db}
		res, err := im.Import(ctx, "cli:ops", strings.NewReader(goodCSV), false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || len(res.Items) != 3 || res.ByClass["default"] != 2 || res.ByClass["legal_emergency"] != 1 {
			t.Fatalf("dry run: %+v", res)
		}
		if known, _ := db.KnownExternalIDs(ctx, retention.SourceCSV, []string{"rec-1", "rec-2", "rec-3"}); len(known) != 0 {
			t.Fatalf("the dry run wrote %v", known)
		}
		if n := len(f.events(t, retention.ActionImport)); n != 0 {
			t.Fatalf("the dry run traced %d imports", n)
		}
		res, err = im.Import(ctx, "cli:ops", strings.NewReader(goodCSV), true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Applied {
			t.Fatal("not applied")
		}
		for _, it := range res.Items {
			got := f.mustItem(t, it.ID)
			if got.Source != retention.SourceCSV || got.State != retention.StateKept || got.Class != it.Class || !got.Due.Equal(got.Start.AddDate(0, map[string]int{"default": 1, "legal_emergency": 60}[got.Class], 0)) {
				t.Errorf("registered %+v", got)
			}
			if got.ExternalID == "rec-3" && (got.Kind != retention.KindEmail || got.Start.Hour() != 9) {
				t.Errorf("e-mail of 10:00+01:00: %+v", got)
			}
			if got.ExternalID == "rec-1" && (got.SHA256[:4] != "abab" || got.Size != 4096) {
				t.Errorf("hash and size: %+v", got)
			}
		}
		evs := f.events(t, retention.ActionImport)
		if len(evs) != 1 || evs[0].Event.Actor != "cli:ops" || !strings.HasPrefix(evs[0].Event.Data[0], "file_sha256:"+res.SHA256) {
			t.Fatalf("import events: %+v", evs)
		}
		_, err = im.Import(ctx, "cli:ops", strings.NewReader(goodCSV), true)
		if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), "line 2, column recording_id: already registered") ||
			!strings.Contains(err.Error(), "line 5, column recording_id: already registered") {
			t.Fatalf("same file again: %v", err)
		}
	})
}

// R1: a file with problems registers nothing, even its good lines; every
// problem names its line and column, never the value (it may be personal).
func TestR1CSVImportNamesLineAndColumn(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	f := mustFixture(t, db)
	im := &retention.Importer{Service: f.svc, Store: db}
	bad := "recording_id,channel,start,customer_id,sha256\n" +
		"rec-1,call,2026-03-01T08:00:00Z,C-1,\n" +
		"rec-2,fax,2026-03-01T08:00:00Z,C-1,\n" +
		"rec-3,call,C-SECRET-42,C-1,\n" +
		"rec-4,call,2026-03-01T08:00:00Z,C-1,zz\n" +
		"rec-1,call,2026-03-01T08:00:00Z,C-1,\n" +
		",call,2099-01-01T00:00:00Z,C-1,\n"
	_, err := im.Import(context.Background(), "cli:ops", strings.NewReader(bad), true)
	if coupole.ErrorCode(err) != coupole.EINVALID {
		t.Fatalf("bad file: %v", err)
	}
	for _, want := range []string{
		"line 3, column channel: want call, email or chat",
		"line 4, column start: not a date-time",
		"line 5, column sha256: not 64 hexadecimal digits",
		"line 6, column recording_id: the same recording as line 2",
		"line 7, column recording_id: required",
		"line 7, column start: in the future",
		"6 problem(s)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "C-SECRET") {
		t.Errorf("a value is repeated in the problems: %v", err)
	}
	if known, _ := db.KnownExternalIDs(context.Background(), retention.SourceCSV, []string{"rec-1"}); len(known) != 0 {
		t.Errorf("a refused file registered %v", known)
	}
	for _, c := range []struct{ file, want string }{
		{"recording_id,channel\nr,call\n", "line 1, column start: required column missing"},
		{"recording_id,channel,start,colour\n", "line 1, column 4: unknown column \"colour\""},
		{"recording_id,channel,start\n", "the file has no recordings"},
		{"recording_id,channel,start\nr,call\n", "line 2: 2 fields, the header has 3"},
		{"recording_id,channel,start,source\nc1,call,2026-03-01T08:00:00Z,genesys\n", "line 2, column recording_id: a genesys recording is conversationId/recordingId"},
		{"", "line 1: the first line must name the columns"},
	} {
		if _, err := im.Import(context.Background(), "cli:ops", strings.NewReader(c.file), false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.file, err, c.want)
		}
	}
}
