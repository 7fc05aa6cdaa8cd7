package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/textfold"
)

// Writing a validated batch: multi-row upserts per table, the customers'
// name keys and protection flags.

// batchWriter writes one batch inside one transaction, preparing each
// multi-row statement once and reusing it for every chunk.
type batchWriter struct {
	dialect Dialect
	ctx     context.Context
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	args    []any
	// skipNameKeys: a bulk load builds the name keys at its end.
	skipNameKeys bool
}

func (w *batchWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

func (w *batchWriter) stmt(t *gridTable, n int) (*sql.Stmt, error) {
	k := fmt.Sprintf("%s/%d", t.name, n)
	if s, ok := w.stmts[k]; ok {
		return s, nil
	}
	s, err := w.tx.PrepareContext(w.ctx, t.upsertSQL(w.dialect, n))
	if err != nil {
		return nil, storageError(err, "prepare insert into "+t.name)
	}
	w.stmts[k] = s
	return s, nil
}

// rows writes n rows of t; row(i, args) appends the values of row i.
func (w *batchWriter) rows(t *gridTable, n int, row func(i int, args []any) []any) (int64, error) {
	var changed int64
	for start := 0; start < n; start += t.rowsPerStmt {
		end := min(n, start+t.rowsPerStmt)
		args := w.args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		w.args = args
		s, err := w.stmt(t, end-start)
		if err != nil {
			return changed, err
		}
		res, err := s.ExecContext(w.ctx, args...)
		if err != nil {
			return changed, storageError(err, "insert into "+t.name)
		}
		if c, err := res.RowsAffected(); err == nil {
			changed += c
		}
	}
	return changed, nil
}

func (w *batchWriter) write(b *coupole.Batch) (int64, error) {
	var total int64
	add := func(c int64, err error) error {
		total += c
		return err
	}
	if err := add(w.rows(tblSuppliers, len(b.Suppliers), func(i int, a []any) []any {
		s := b.Suppliers[i]
		return append(a, s.ID, s.Name)
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblCPAS, len(b.CPAS), func(i int, a []any) []any {
		c := b.CPAS[i]
		return append(a, c.ID, c.Name, c.Town)
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblAccessPoints, len(b.AccessPoints), func(i int, a []any) []any {
		ap := b.AccessPoints[i]
		ad := ap.Address
		return append(a, string(ap.EAN), string(ap.Energy), string(ap.Regime), ad.Street, ad.Number, ad.Box, ad.Postcode, ad.Town, textfold.Fold(ad.Street))
	})); err != nil {
		return 0, err
	}
	type meterRow struct {
		ean coupole.EAN
		m   coupole.MeterInstallation
	}
	var meters []meterRow
	for _, ap := range b.AccessPoints {
		for _, m := range ap.Meters {
			meters = append(meters, meterRow{ap.EAN, m})
		}
	}
	if err := add(w.rows(tblMeters, len(meters), func(i int, a []any) []any {
		m := meters[i]
		return append(a, string(m.ean), day(m.m.From), string(normMeter(m.m.Number)), nullDay(m.m.To))
	})); err != nil {
		return 0, err
	}
	if err := add(w.customers(b.Customers)); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblOccupancies, len(b.Occupancies), func(i int, a []any) []any {
		o := b.Occupancies[i]
		in, out := o.MoveInIndex, o.MoveOutIndex
		return append(a, string(o.EAN), day(o.MoveIn), o.CustomerID, nullDay(o.MoveOut),
			in.DayKWh, in.NightKWh, in.ExclusiveNightKWh, in.GasM3,
			out.DayKWh, out.NightKWh, out.ExclusiveNightKWh, out.GasM3)
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblSupplyPeriods, len(b.SupplyPeriods), func(i int, a []any) []any {
		p := b.SupplyPeriods[i]
		return append(a, string(p.EAN), day(p.From), p.SupplierID, nullDay(p.To))
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblMandates, len(b.Mandates), func(i int, a []any) []any {
		m := b.Mandates[i]
		return append(a, m.ID, m.CustomerID, m.MandataryName, nullString(m.CPASID), string(m.Scope), day(m.ValidFrom), nullDay(m.ValidTo))
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblReadings, len(b.Readings), func(i int, a []any) []any {
		r := b.Readings[i]
		g := r.Registers
		return append(a, string(r.EAN), day(r.Date), string(normMeter(r.Meter)), string(r.Source), string(r.Regime),
			g.DayKWh, g.NightKWh, g.ExclusiveNightKWh, g.GasM3)
	})); err != nil {
		return 0, err
	}
	if err := add(w.rows(tblNotices, len(b.PublicNotices), func(i int, a []any) []any {
		n := b.PublicNotices[i]
		return append(a, n.ID, string(n.Kind), string(n.Energy), n.Postcode, n.Town, n.Street, textfold.Fold(n.Street),
			instant(n.From), instant(n.To), n.Description)
	})); err != nil {
		return 0, err
	}
	return total, nil
}

// customers upserts customers and keeps their name keys in step: the keys
// of a customer whose name changed are replaced.
func (w *batchWriter) customers(cs []coupole.Customer) (int64, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	if w.skipNameKeys {
		changed, err := w.rows(tblCustomers, len(cs), func(i int, a []any) []any { return customerRow(cs[i], a) })
		if err != nil {
			return 0, err
		}
		return changed, flagProtections(w.ctx, w.tx, cs)
	}
	old := map[string]storedName{}
	const perQuery = 500
	for start := 0; start < len(cs); start += perQuery {
		end := min(len(cs), start+perQuery)
		args := make([]any, 0, end-start)
		for _, c := range cs[start:end] {
			args = append(args, c.ID)
		}
		if err := readStoredNames(w.ctx, w.tx, old, `SELECT id, given_name, family_name FROM customers WHERE id IN (`+placeholders(1, len(args))+`)`, args...); err != nil {
			return 0, err
		}
	}
	type keyRow struct{ key, id string }
	var stale, fresh []keyRow
	for _, c := range cs {
		o, existed := old[c.ID]
		if existed && o.given == c.GivenName && o.family == c.FamilyName {
			continue
		}
		if existed {
			for _, k := range nameKeys(o.given, o.family) {
				stale = append(stale, keyRow{k, c.ID})
			}
		}
		for _, k := range nameKeys(c.GivenName, c.FamilyName) {
			fresh = append(fresh, keyRow{k, c.ID})
		}
	}
	if len(stale) > 0 {
		del, err := w.tx.PrepareContext(w.ctx, `DELETE FROM customer_name_keys WHERE name_key = $1 AND customer_id = $2`)
		if err != nil {
			return 0, storageError(err, "prepare name key update")
		}
		defer del.Close()
		for _, k := range stale {
			if _, err := del.ExecContext(w.ctx, k.key, k.id); err != nil {
				return 0, storageError(err, "update name keys")
			}
		}
	}
	changed, err := w.rows(tblCustomers, len(cs), func(i int, a []any) []any { return customerRow(cs[i], a) })
	if err != nil {
		return 0, err
	}
	if _, err := w.rows(tblNameKeys, len(fresh), func(i int, a []any) []any {
		return append(a, fresh[i].key, fresh[i].id)
	}); err != nil {
		return 0, err
	}
	return changed, flagProtections(w.ctx, w.tx, cs)
}

// customerRow appends c's columns of the customers table to a.
func customerRow(c coupole.Customer, a []any) []any {
	ad := c.PostalAddress
	var reg any
	if c.Mobile != "" {
		reg = instant(c.MobileRegisteredAt)
	}
	return append(a, c.ID, c.GivenName, c.FamilyName, string(c.Language), nullString(c.Mobile), reg, nullString(c.Email),
		ad.Street, ad.Number, ad.Box, ad.Postcode, ad.Town)
}

// flagProtections flags the customers the batch flags (issue 16); a
// customer without a flag in the batch keeps the one it has. Both load
// paths (row inserts and PostgreSQL's COPY) call it.
func flagProtections(ctx context.Context, tx *sql.Tx, cs []coupole.Customer) error {
	for _, c := range cs {
		if c.Protection == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_protection (customer_id, flag) VALUES ($1, $2)
			ON CONFLICT (customer_id) DO UPDATE SET flag = excluded.flag`, c.ID, c.Protection); err != nil {
			return storageError(err, "flag customer")
		}
	}
	return nil
}

// maxNameWords bounds the keys of one customer.
const maxNameWords = 6

// nameKeys returns the search keys of a name: its words rotated to start at
// each word in turn. "Éloïse Van den Berg" → "eloise van den berg", "van den
// berg eloise", "den berg eloise van", "berg eloise van den". A name typed
// from any of its words on, in order — given name first, or family name
// first as advisors do ("van den berg el") — is a prefix of one of its keys.
func nameKeys(given, family string) []string {
	words := strings.Fields(textfold.Fold(given + " " + family))
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	keys := make([]string, 0, len(words))
	seen := map[string]bool{}
	for i := range words {
		k := strings.Join(append(append([]string{}, words[i:]...), words[:i]...), " ")
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// normMeter stores meter numbers as ParseMeterNumber normalises them, so that
// a lookup by what an advisor types finds them. validateBatch has checked
// that they parse.
func normMeter(m coupole.MeterNumber) coupole.MeterNumber {
	if n, err := coupole.ParseMeterNumber(string(m)); err == nil {
		return n
	}
	return m
}

// storedName is a customer's name as stored before a load changes it: a
// changed name replaces its search keys.
type storedName struct{ given, family string }

// readStoredNames adds to names the (id, given_name, family_name) rows query
// returns.
func readStoredNames(ctx context.Context, tx *sql.Tx, names map[string]storedName, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return storageError(err, "read customers")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n storedName
		if err := rows.Scan(&id, &n.given, &n.family); err != nil {
			return storageError(err, "read customers")
		}
		names[id] = n
	}
	if err := rows.Close(); err != nil {
		return storageError(err, "read customers")
	}
	return nil
}
