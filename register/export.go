package register

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"time"

	"github.com/coupole/coupole"
)

// ExportCSV writes a register's current entries as CSV: id, version,
// title, status, review date, every field of the schema in order, who
// changed it last and when. The header row names the columns.
func (s *Service) ExportCSV(ctx context.Context, kind Kind, w io.Writer) error {
	ls, err := s.List(ctx, kind)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"id", "version", "title", "status", "review_due"}
	for _, f := range Schemas[kind] {
		head = append(head, f.Name)
	}
	head = append(head, "changed_by", "changed_at")
	cw.Write(head)
	for _, l := range ls {
		row := []string{l.ID, itoa(l.Version), csvSafe(l.Title), l.Status, l.ReviewDue}
		for _, f := range Schemas[kind] {
			row = append(row, csvSafe(l.Fields[f.Name]))
		}
		row = append(row, l.ChangedBy, l.ChangedAt.Format(time.RFC3339))
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "register: export: %v", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a leading =, +, - or @ gets a quote before it.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// ExportJSON writes a register's current entries, with their status, and
// each one's full history when history is true.
func (s *Service) ExportJSON(ctx context.Context, kind Kind, history bool, w io.Writer) error {
	ls, err := s.List(ctx, kind)
	if err != nil {
		return err
	}
	type item struct {
		Listed
		History []Entry `json:"history,omitempty"`
	}
	out := struct {
		Register   Kind      `json:"register"`
		ExportedAt time.Time `json:"exported_at"`
		Entries    []item    `json:"entries"`
	}{Register: kind, ExportedAt: s.Clock.Now().UTC(), Entries: []item{}}
	for _, l := range ls {
		it := item{Listed: l}
		if history {
			if it.History, err = s.History(ctx, kind, l.ID); err != nil {
				return err
			}
		}
		out.Entries = append(out.Entries, it)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "register: export: %v", err)
	}
	return nil
}

// Figures gives the yearly report the registers' state at the end of the
// period (or today, if earlier): entries, reviews overdue, checklists
// incomplete, findings open and overdue (G1–G3).
func (s *Service) Figures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	var out []coupole.Figure
	req := map[Kind]string{Processing: "G1", DPIA: "G2", Subprocessor: "G3", Assessment: "G3", Finding: "G3"}
	for _, k := range Kinds {
		ls, err := s.List(ctx, k)
		if err != nil {
			return nil, err
		}
		day := coupole.Date(s.Clock.Now()).Format(time.DateOnly)
		counts := map[string]int64{"entries": int64(len(ls))}
		for _, l := range ls {
			if l.ReviewDue != "" && l.ReviewDue < day {
				counts["review_overdue"]++
			}
			if k == Subprocessor && len(MissingClauses(l.Entry)) > 0 {
				counts["incomplete"]++
			}
			if k == Finding && l.Fields["status"] == "open" {
				counts["open"]++
				if l.Fields["due"] < day {
					counts["overdue"]++
				}
			}
		}
		q := "register_versions: latest version of each entry of register " + string(k) + ", not deleted"
		add := func(name, what string) {
			out = append(out, coupole.Figure{Key: "registers." + string(k) + "." + name, Requirement: req[k], Query: q + what, Value: counts[name], Unit: "count"})
		}
		add("entries", "")
		add("review_overdue", ", review date before the day the report was made")
		switch k {
		case Subprocessor:
			add("incomplete", ", art. 28 checklist or transfer clauses incomplete")
		case Finding:
			add("open", ", status open")
			add("overdue", ", status open and due date passed")
		}
	}
	return out, nil
}

// Lines lists every current entry with its status, for the report.
func (s *Service) Lines(ctx context.Context) ([]Listed, error) {
	var out []Listed
	for _, k := range Kinds {
		ls, err := s.List(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
}

// FigureCatalog lists the figures Figures gives (key → requirement), for
// the requirement coverage (issue 14, item 5).
func FigureCatalog() map[string]string {
	out := map[string]string{}
	req := map[Kind]string{Processing: "G1", DPIA: "G2", Subprocessor: "G3", Assessment: "G3", Finding: "G3"}
	for _, k := range Kinds {
		p := "registers." + string(k) + "."
		out[p+"entries"], out[p+"review_overdue"] = req[k], req[k]
	}
	out["registers.subprocessor.incomplete"] = "G3"
	out["registers.finding.open"], out["registers.finding.overdue"] = "G3", "G3"
	return out
}
