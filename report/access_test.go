package report_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

func staffInfo(ctx context.Context, id string) ([]string, string, error) {
	if id == "s-adv" {
		return []string{"advisor"}, "Agent Adv", nil
	}
	return nil, "", coupole.Errorf(coupole.ENOTFOUND, "no staff %s", id)
}

// TestAccessReport: GDPR art. 15 — every access to one customer's data in
// the period, matching a direct count over the log, each proven against a
// signed checkpoint and verified offline; changes are caught (T1, T2).
func TestAccessReport(t *testing.T) {
	ctx := context.Background()
	w := MustSeedYear(t, sqltest.MustOpenSQLite(t), 6)
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	w.clock.T = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)

	// The independent count: every stored event of 2026 naming C-2.
	size, _ := w.store.Size(ctx)
	var want []uint64
	w.store.Entries(ctx, 0, size, func(e audit.Entry) error {
		if e.Time.Before(from) || !e.Time.Before(to) {
			return nil
		}
		ev, err := verify.DecodePayload(e.Payload)
		if err == nil && slices.Contains(ev.Customers, "C-2") {
			want = append(want, e.Index)
		}
		return nil
	})
	if len(want) < 12 {
		t.Fatalf("test setup: only %d events name C-2", len(want))
	}
	for _, show := range []bool{false, true} {
		b := &report.AccessBuilder{Audit: w.store, Signer: w.signer, Clock: w.clock, Staff: staffInfo, ShowStaff: show}
		doc, err := b.Build(ctx, "C-2", "nl", from, to)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, a := range doc.Evidence.Accesses {
			got = append(got, a.Index)
			if a.Role != "advisor" || (a.Staff != "") != show || (a.Payload != nil) != show {
				t.Errorf("access %d: role %q staff %q payload %v (staff shown: %v)", a.Index, a.Role, a.Staff, a.Payload != nil, show)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("accesses = %v, want %v", got, want)
		}
		js, err := doc.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := report.VerifyAccess(js, w.verifier); err != nil {
			t.Fatalf("verify: %v", err)
		}
		// The same check through `report verify`'s entry point.
		if _, err := report.VerifyAccess(js, MustVerifier(t)); err == nil {
			t.Error("verified with another key")
		}
		// A time changed: the signature no longer matches.
		changed := bytes.Replace(js, []byte(`"time": "2026-`), []byte(`"time": "2025-`), 1)
		if _, err := report.VerifyAccess(changed, w.verifier); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("changed time: %v", err)
		}
		// The key holder re-signs with a forged proof: the proof fails.
		forged := doc.Evidence
		forged.Accesses = slices.Clone(forged.Accesses)
		forged.Accesses[0].Proof.LeafHash = bytes.Repeat([]byte{1}, 32)
		mustFailAccess(t, w, forged, "proof is for another leaf")
		forged.Accesses[0] = doc.Evidence.Accesses[0]
		forged.Accesses[0].Time = forged.Accesses[0].Time.Add(time.Hour)
		mustFailAccess(t, w, forged, "does not match its index and time")
		if show {
			forged.Accesses[0] = doc.Evidence.Accesses[0]
			forged.Accesses[0].Action = "interaction.read"
			forged.Accesses[0].Leaf = doc.Evidence.Accesses[0].Leaf
			if doc.Evidence.Accesses[0].Action != "interaction.read" {
				mustFailAccess(t, w, forged, "says something else")
			}
		}

		pdf, err := doc.PDF("Gérard Dupont", []string{"Rue de l'Église 12", "5000 Namur"})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "a.pdf")
		os.WriteFile(path, pdf, 0o644)
		out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Wie heeft uw gegevens geraadpleegd", "Gérard Dupont", "controle van het meternummer", "advisor"} {
			if !strings.Contains(string(out), s) {
				t.Errorf("letter (staff shown %v) lacks %q", show, s)
			}
		}
		if strings.Contains(string(out), "Agent Adv") != show {
			t.Errorf("staff name shown = %v, policy says %v", !show, show)
		}
	}
}

func MustVerifier(tb testing.TB) note.Verifier {
	_, v := MustKeys(tb)
	return v
}

func mustFailAccess(t *testing.T, w *world, ev report.AccessEvidence, want string) {
	t.Helper()
	doc, err := report.SignAccess(ev, w.signer)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := doc.JSON()
	if _, err := report.VerifyAccess(js, w.verifier); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("forged report: %v, want %q", err, want)
	}
}
