// Package report produces Coupole's yearly confidentiality report (G4) from
// its own records: every figure is a named query with the requirement it
// evidences, the figures and the year-end audit checkpoint are signed with
// the operator's audit key, and an auditor recomputes every figure that
// comes from the trace from an audit export (`coupole report verify`).
// It also produces the art. 15 "who saw my data" report for one customer
// (access.go). docs/report.md explains both to a privacy officer.
package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"golang.org/x/mod/sumdb/note"
)

// Chapters whose figures other parts of Coupole provide, by key prefix.
// When no source gives a figure under a prefix, the report says that the
// figures are not available yet; it never invents them.
var ExternalChapters = []string{"governance", "retention", "oversight"}

// Builder gathers a report's figures and signs it.
type Builder struct {
	Audit    audit.Storage
	Signer   note.Signer   // the operator's audit key
	Verifier note.Verifier // its public half, to verify the log while counting
	Sources  []coupole.FigureSource
	Clock    coupole.Clock
	Operator string // the operator's name, printed on the cover
	// Registers lists the register entries chapters V and VII show, with
	// their status; nil: none.
	Registers func(ctx context.Context) ([]RegisterLine, error)
}

// Yearly builds the signed report of the calendar year (UTC) in lang.
func (b *Builder) Yearly(ctx context.Context, year int, lang string) (*Document, error) {
	if year < 2000 || year > 9999 {
		return nil, coupole.Errorf(coupole.EINVALID, "report: year %d is not a year (2000–9999)", year)
	}
	if !knownLanguage(lang) {
		return nil, coupole.Errorf(coupole.EINVALID, "report: language %q is not one of fr, nl, de, en", lang)
	}
	if b.Signer == nil || b.Verifier == nil || b.Audit == nil || b.Clock == nil {
		return nil, coupole.Errorf(coupole.EINTERNAL, "report: builder without audit key, storage or clock")
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	ev := Evidence{Version: EvidenceVersion, Kind: "yearly", Origin: b.Signer.Name(), Operator: b.Operator, Year: year,
		From: from, To: to, Language: lang, GeneratedAt: b.Clock.Now().UTC()}

	figs, audited, err := b.traceFigures(ctx, from, to)
	if err != nil {
		return nil, err
	}
	ev.Checkpoint = string(audited.yearEnd)
	ev.Verification = audited.result
	figs = append(figs, audited.figures...)
	for _, s := range b.Sources {
		fs, err := s.Figures(ctx, from, to)
		if err != nil {
			return nil, err
		}
		figs = append(figs, fs...)
	}
	if b.Registers != nil {
		if ev.Registers, err = b.Registers(ctx); err != nil {
			return nil, err
		}
	}
	if err := checkFigures(figs); err != nil {
		return nil, err
	}
	sort.Slice(figs, func(i, j int) bool { return figs[i].Key < figs[j].Key })
	ev.Figures = figs
	for _, c := range ExternalChapters {
		if !hasPrefix(figs, c+".") {
			ev.Missing = append(ev.Missing, c)
		}
	}
	return Sign(ev, b.Signer)
}

func hasPrefix(figs []coupole.Figure, p string) bool {
	for _, f := range figs {
		if strings.HasPrefix(f.Key, p) {
			return true
		}
	}
	return false
}

// checkFigures refuses figures a report cannot stand behind: unnamed,
// without requirement or query, or twice the same key.
func checkFigures(figs []coupole.Figure) error {
	seen := map[string]bool{}
	for _, f := range figs {
		switch {
		case f.Key == "" || strings.ContainsAny(f.Key, " \n"):
			return coupole.Errorf(coupole.EINTERNAL, "report: a figure has no key (or one with spaces): %q", f.Key)
		case f.Requirement == "" || f.Query == "":
			return coupole.Errorf(coupole.EINTERNAL, "report: figure %s names no requirement or no query", f.Key)
		case seen[f.Key]:
			return coupole.Errorf(coupole.EINTERNAL, "report: figure %s is given twice", f.Key)
		}
		seen[f.Key] = true
	}
	return nil
}

type auditResult struct {
	yearEnd []byte // signed checkpoint of the log at the end of the period
	result  string
	figures []coupole.Figure
}

// traceFigures counts the period's events and, in the same pass over the
// whole log, verifies it against every stored checkpoint and the year-end
// checkpoint it signs (T2): the report states the verification's result.
func (b *Builder) traceFigures(ctx context.Context, from, to time.Time) ([]coupole.Figure, auditResult, error) {
	var res auditResult
	// A checkpoint of everything logged so far, so that the year-end one
	// is checked against a later signed state.
	latest, err := audit.SignCheckpoint(ctx, b.Audit, b.Signer, b.Clock)
	if err != nil {
		return nil, res, err
	}
	size := latest.Size
	lo, err := firstAtOrAfter(ctx, b.Audit, size, from)
	if err != nil {
		return nil, res, err
	}
	hi, err := firstAtOrAfter(ctx, b.Audit, size, to)
	if err != nil {
		return nil, res, err
	}
	root, err := audit.NewReader(b.Audit).RootAt(ctx, hi)
	if err != nil {
		return nil, res, err
	}
	res.yearEnd, err = verify.SignCheckpoint(verify.Checkpoint{Origin: b.Signer.Name(), Size: hi, Root: root}, b.Signer)
	if err != nil {
		return nil, res, coupole.Wrap(err, coupole.EINTERNAL, "report: sign the year-end checkpoint: %v", err)
	}
	erasedBelow, err := b.Audit.ErasedBelow(ctx)
	if err != nil {
		return nil, res, err
	}
	st, err := verify.NewStream(verify.Options{Verifier: b.Verifier, Trusted: [][]byte{res.yearEnd}, NoHead: true, PayloadsFrom: erasedBelow})
	if err != nil {
		return nil, res, coupole.Wrap(err, coupole.EINVALID, "report: %v", err)
	}
	var verr error
	err = b.Audit.Checkpoints(ctx, time.Time{}, func(c audit.StoredCheckpoint) error {
		if c.Size > size {
			return nil
		}
		if err := st.Checkpoint(c.Note); err != nil && verr == nil {
			verr = err
		}
		return nil
	})
	if err != nil {
		return nil, res, err
	}
	// Counting (decoding every payload) runs beside the verification, on
	// another core: the two are independent once the entry is read.
	tally := NewTally(from, to)
	batches := make(chan [][]byte, 8)
	counted := make(chan error, 1)
	go func() {
		var terr error
		for batch := range batches {
			for _, p := range batch {
				if terr == nil {
					terr = tally.Add(p)
				}
			}
		}
		counted <- terr
	}()
	const batchSize = 1024
	batch := make([][]byte, 0, batchSize)
	rec := make([]byte, 0, verify.LeafSize)
	err = b.Audit.Entries(ctx, 0, size, func(e audit.Entry) error {
		if verr == nil {
			rec = e.Leaf().AppendTo(rec[:0])
			verr = st.Leaf(rec)
			if verr == nil && e.Payload != nil {
				verr = st.Payload(e.Salt, e.Payload)
			}
		}
		if e.Index >= lo && e.Index < hi {
			// A copy: the store may reuse the entry's memory.
			var p []byte
			if e.Payload != nil {
				p = append(make([]byte, 0, len(e.Payload)), e.Payload...)
			}
			if batch = append(batch, p); len(batch) == batchSize {
				batches <- batch
				batch = make([][]byte, 0, batchSize)
			}
		}
		return nil
	})
	batches <- batch
	close(batches)
	if terr := <-counted; err == nil {
		err = terr
	}
	if err != nil {
		return nil, res, err
	}
	var rep verify.Report
	if verr == nil {
		rep, verr = st.Finish()
	}
	ok := int64(1)
	if verr != nil {
		ok = 0
		res.result = "FAILED: " + verr.Error()
	} else {
		res.result = fmt.Sprintf("OK: %d events recomputed into the tree, %d checkpoints checked (the year-end one included), %d payloads match their leaves, payloads below %d erased",
			rep.Leaves, rep.Checkpoints, rep.Payloads, rep.PayloadsFrom)
	}
	res.figures = []coupole.Figure{
		{Key: "audit.log_size", Requirement: "T2", Query: "leaves of the audit log whose time is before the end of the period (the year-end checkpoint's size)", Value: int64(hi), Unit: "count"},
		{Key: "audit.verified", Requirement: "T2", Query: "1 if the whole log verified against every stored checkpoint and the year-end checkpoint when the report was made, else 0", Value: ok, Unit: "count"},
		{Key: "audit.checkpoints", Requirement: "T2", Query: "signed checkpoints stored when the report was made", Value: int64(rep.Checkpoints), Unit: "count"},
	}
	return tally.Figures(), res, nil
}

// firstAtOrAfter returns the index of the first leaf of [0, size) whose time
// is at or after t (size if none). Times never decrease along the log, so a
// binary search over single entries finds it.
func firstAtOrAfter(ctx context.Context, s audit.Storage, size uint64, t time.Time) (uint64, error) {
	lo, hi := uint64(0), size
	for lo < hi {
		mid := lo + (hi-lo)/2
		var at time.Time
		if err := s.Entries(ctx, mid, mid+1, func(e audit.Entry) error { at = e.Time; return nil }); err != nil {
			return 0, err
		}
		if at.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}
