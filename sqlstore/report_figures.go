package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// RecordFigures is the yearly report's source for the records the
// interaction tables keep beside the trace (G4): deliveries by kind and
// status, lockout alerts and their unlocks, back-office cases. Each figure
// carries its SQL.
func (db *DB) RecordFigures() coupole.FigureSource { return recordFigures{db} }

type recordFigures struct{ db *DB }

type groupedQuery struct {
	prefix, req, sql string
}

var recordQueries = []groupedQuery{
	{"records.deliveries.kind.", "D4", `SELECT kind, COUNT(*) FROM deliveries WHERE created_at >= $1 AND created_at < $2 GROUP BY kind`},
	{"records.deliveries.status.", "D4", `SELECT status, COUNT(*) FROM deliveries WHERE created_at >= $1 AND created_at < $2 GROUP BY status`},
	{"records.alerts.kind.", "C2", `SELECT kind, COUNT(*) FROM interaction_alerts WHERE raised_at >= $1 AND raised_at < $2 GROUP BY kind`},
	{"records.alerts.", "C2", `SELECT CASE WHEN unlocked_at > 0 THEN 'unlocked' ELSE 'still_locked' END, COUNT(*) FROM interaction_alerts WHERE raised_at >= $1 AND raised_at < $2 GROUP BY 1`},
	{"records.cases.status.", "D4", `SELECT status, COUNT(*) FROM cases WHERE opened_at >= $1 AND opened_at < $2 GROUP BY status`},
}

func (r recordFigures) Figures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	var out []coupole.Figure
	for _, q := range recordQueries {
		type kv struct {
			k string
			v int64
		}
		rows, err := queryList(ctx, r.db, "report figures", func(row rowScanner) (kv, error) {
			var x kv
			err := row.Scan(&x.k, &x.v)
			return x, err
		}, q.sql, micros(from), micros(to))
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			out = append(out, coupole.Figure{Key: q.prefix + x.k, Requirement: q.req, Query: q.sql, Value: x.v, Unit: "count"})
		}
	}
	return out, nil
}

// RecordFigureCatalog lists the figure families RecordFigures gives
// (prefix → requirement), for the requirement coverage.
func RecordFigureCatalog() map[string]string {
	out := map[string]string{}
	for _, q := range recordQueries {
		out[q.prefix] = q.req
	}
	return out
}
