package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func mustExport(tb testing.TB, w *world) []byte {
	tb.Helper()
	var b bytes.Buffer
	if _, err := audit.Export(context.Background(), w.store, w.signer, w.clock, &b, audit.ExportOptions{}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func mustRender(tb testing.TB, d *report.Document, format string) []byte {
	tb.Helper()
	b, err := d.Render(format)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestVerifyDetectsChanges: a signed report verifies, alone and against an
// audit export that recomputes its trace figures; a changed figure (in the
// text, in the evidence, or re-signed by the key holder) and a changed
// checkpoint are detected (G4, T2).
func TestVerifyDetectsChanges(t *testing.T) {
	ctx := context.Background()
	w := MustSeedYear(t, sqltest.MustOpenSQLite(t), 8)
	w.clock.T = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	doc, err := w.builder().Yearly(ctx, 2026, "fr")
	if err != nil {
		t.Fatal(err)
	}
	bundle := mustExport(t, w)
	for _, format := range []string{"md", "html"} {
		t.Run(format, func(t *testing.T) {
			text := mustRender(t, doc, format)
			c, err := report.Verify(text, w.verifier, bytes.NewReader(bundle))
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if c.Recomputed < 20 {
				t.Errorf("only %d figures recomputed from the export", c.Recomputed)
			}

			// A figure changed in the text only.
			f, _ := doc.Figure("interactions.opened")
			var changed []byte
			if format == "html" {
				changed = bytes.Replace(text, []byte(`data-key="interactions.opened">8<`), []byte(`data-key="interactions.opened">9<`), 1)
			} else {
				changed = bytes.Replace(text, []byte("| interactions.opened | 8 |"), []byte("| interactions.opened | 9 |"), 1)
			}
			if f.Value != 8 || bytes.Equal(changed, text) {
				t.Fatalf("test setup: interactions.opened = %d, or not found in the text", f.Value)
			}
			mustFail(t, "figure changed in the text", changed, w, nil, "changed after signing")

			// A figure changed in the evidence, signature kept.
			ev := doc.Evidence
			ev.Figures = append([]coupole.Figure(nil), ev.Figures...)
			for i := range ev.Figures {
				if ev.Figures[i].Key == "interactions.opened" {
					ev.Figures[i].Value = 9
				}
			}
			forged := &report.Document{Evidence: ev, Signature: doc.Signature}
			mustFail(t, "figure changed in the evidence", mustRender(t, forged, format), w, nil, "does not match its signature")

			// The same, re-signed by the key holder: only the export catches it.
			resigned, err := report.Sign(ev, w.signer)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := report.Verify(mustRender(t, resigned, format), w.verifier, nil); err != nil {
				t.Fatalf("a re-signed report does not verify alone: %v", err)
			}
			mustFail(t, "re-signed changed figure", mustRender(t, resigned, format), w, bundle, "figure interactions.opened says 9, the audit export gives 8")

			// Another checkpoint (validly signed, of a smaller tree).
			ev = doc.Evidence
			cp, err := verify.OpenCheckpoint([]byte(ev.Checkpoint), w.verifier)
			if err != nil {
				t.Fatal(err)
			}
			root, err := audit.NewReader(w.store).RootAt(ctx, cp.Size-1)
			if err != nil {
				t.Fatal(err)
			}
			other, err := verify.SignCheckpoint(verify.Checkpoint{Origin: cp.Origin, Size: cp.Size - 1, Root: root}, w.signer)
			if err != nil {
				t.Fatal(err)
			}
			ev.Checkpoint = string(other)
			forged = &report.Document{Evidence: ev, Signature: doc.Signature}
			mustFail(t, "checkpoint changed", mustRender(t, forged, format), w, nil, "does not match its signature")
			resigned, err = report.Sign(ev, w.signer)
			if err != nil {
				t.Fatal(err)
			}
			mustFail(t, "checkpoint changed and re-signed", mustRender(t, resigned, format), w, bundle, "before the end of the period")

			// A checkpoint whose root is not the log's.
			cp.Root = bytes.Repeat([]byte{7}, 32)
			bad, _ := verify.SignCheckpoint(cp, w.signer)
			ev.Checkpoint = string(bad)
			resigned, _ = report.Sign(ev, w.signer)
			mustFail(t, "checkpoint of another tree", mustRender(t, resigned, format), w, bundle, "does not verify against the report's checkpoint")
		})
	}
	// Another key.
	_, otherKey := MustKeys(t)
	if _, err := report.Verify(mustRender(t, doc, "md"), otherKey, nil); err == nil || !strings.Contains(err.Error(), "SIGNATURE INVALID") {
		t.Errorf("verified with another key: %v", err)
	}
}

func mustFail(t *testing.T, what string, text []byte, w *world, bundle []byte, want string) {
	t.Helper()
	var r *bytes.Reader
	if bundle != nil {
		r = bytes.NewReader(bundle)
	}
	var err error
	if r != nil {
		_, err = report.Verify(text, w.verifier, r)
	} else {
		_, err = report.Verify(text, w.verifier, nil)
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: verify = %v, want an error saying %q", what, err, want)
	}
}
