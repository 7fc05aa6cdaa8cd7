package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/textfold"
)

const accessPointCols = `ean, energy, regime, street, house_number, box, postcode, town`

func scanAccessPoint(row rowScanner) (coupole.AccessPoint, error) {
	var ap coupole.AccessPoint
	var ean, energy, regime string
	a := &ap.Address
	err := row.Scan(&ean, &energy, &regime, &a.Street, &a.Number, &a.Box, &a.Postcode, &a.Town)
	ap.EAN, ap.Energy, ap.Regime = coupole.EAN(ean), coupole.Energy(energy), coupole.ReadingRegime(regime)
	return ap, err
}

func parseEANArg(ean coupole.EAN) (coupole.EAN, error) {
	return coupole.ParseEAN(string(ean))
}

// AccessPoint implements coupole.GridStore.
func (db *DB) AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error) {
	ean, err := parseEANArg(ean)
	if err != nil {
		return coupole.AccessPoint{}, err
	}
	ap, err := scanAccessPoint(db.read.QueryRowContext(ctx, `SELECT `+accessPointCols+` FROM access_points WHERE ean = $1`, string(ean)))
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.AccessPoint{}, coupole.Errorf(coupole.ENOTFOUND, "no access point with EAN %s", ean.Masked())
	} else if err != nil {
		return coupole.AccessPoint{}, storageError(err, "read access point")
	}
	aps := []coupole.AccessPoint{ap}
	if err := db.attachMeters(ctx, aps); err != nil {
		return coupole.AccessPoint{}, err
	}
	return aps[0], nil
}

// attachMeters fills the Meters of each access point, oldest first.
func (db *DB) attachMeters(ctx context.Context, aps []coupole.AccessPoint) error {
	if len(aps) == 0 {
		return nil
	}
	idx := make(map[coupole.EAN]int, len(aps))
	args := make([]any, len(aps))
	for i, ap := range aps {
		idx[ap.EAN] = i
		args[i] = string(ap.EAN)
	}
	q := `SELECT ean, installed_on, number, removed_on FROM meters WHERE ean = $1 ORDER BY installed_on`
	if len(aps) > 1 {
		q = `SELECT ean, installed_on, number, removed_on FROM meters WHERE ean IN (` + placeholders(1, len(args)) + `) ORDER BY ean, installed_on`
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return storageError(err, "read meters")
	}
	defer rows.Close()
	for rows.Next() {
		var ean, number string
		var m coupole.MeterInstallation
		if err := rows.Scan(&ean, timeCol{&m.From}, &number, timeCol{&m.To}); err != nil {
			return storageError(err, "read meters")
		}
		m.Number = coupole.MeterNumber(number)
		i := idx[coupole.EAN(ean)]
		aps[i].Meters = append(aps[i].Meters, m)
	}
	return storageError(rows.Err(), "read meters")
}

// accessPoints runs a query returning accessPointCols and attaches meters.
func (db *DB) accessPoints(ctx context.Context, q string, args ...any) ([]coupole.AccessPoint, error) {
	aps, err := queryList(ctx, db, "read access points", scanAccessPoint, q, args...)
	if err != nil {
		return nil, err
	}
	if err := db.attachMeters(ctx, aps); err != nil {
		return nil, err
	}
	return aps, nil
}

// AccessPointsByMeter implements coupole.GridStore: the access points on
// which the meter is or was installed.
func (db *DB) AccessPointsByMeter(ctx context.Context, meter coupole.MeterNumber) ([]coupole.AccessPoint, error) {
	m, err := coupole.ParseMeterNumber(string(meter))
	if err != nil {
		return nil, err
	}
	return db.accessPoints(ctx, `SELECT `+accessPointCols+` FROM access_points
		WHERE ean IN (SELECT ean FROM meters WHERE number = $1) ORDER BY ean LIMIT 100`, string(m))
}

// Limits of the searches: a screen shows a short list of candidates.
const (
	defaultSearchLimit = 20
	maxSearchLimit     = 200
)

func searchLimit(n int) int {
	if n <= 0 {
		return defaultSearchLimit
	}
	return min(n, maxSearchLimit)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

const customerCols = `c.id, c.given_name, c.family_name, c.language, c.mobile, c.mobile_registered_at, c.email, c.street, c.house_number, c.box, c.postcode, c.town`

func scanCustomer(row interface{ Scan(...any) error }, extra ...any) (coupole.Customer, error) {
	var c coupole.Customer
	var lang string
	a := &c.PostalAddress
	dest := append(extra, &c.ID, &c.GivenName, &c.FamilyName, &lang, nullStr{&c.Mobile}, timeCol{&c.MobileRegisteredAt}, nullStr{&c.Email},
		&a.Street, &a.Number, &a.Box, &a.Postcode, &a.Town)
	err := row.Scan(dest...)
	c.Language = coupole.Language(lang)
	return c, err
}

// Customer implements coupole.GridStore.
func (db *DB) Customer(ctx context.Context, id string) (coupole.Customer, error) {
	if strings.TrimSpace(id) == "" {
		return coupole.Customer{}, coupole.Errorf(coupole.EINVALID, "customer id is required")
	}
	c, err := scanCustomer(db.read.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers c WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.Customer{}, coupole.Errorf(coupole.ENOTFOUND, "no such customer")
	} else if err != nil {
		return coupole.Customer{}, storageError(err, "read customer")
	}
	return c, nil
}

// CustomersByName implements coupole.GridStore.
//
// A name has one key per word: its words rotated to start at that word
// ("gerard dupont", "dupont gerard"; see nameKeys). Two index range probes
// answer a search, each in key order:
//
//  1. The whole typed text as a prefix ("dupont g" → keys from "dupont g" to
//     "dupont h"): a narrow range that finds every name typed in order from
//     any of its words, the last word possibly cut short — the way advisors
//     type a family name and the start of a given name.
//  2. The longest typed word alone as a prefix ("dup g" → keys from "dup" to
//     "duq"), each other typed word required to begin a word of the same
//     key: partial words, other orders. A common word ("jean") has tens of
//     thousands of keys, so this probe reads at most nameScanCap of them: it
//     bounds the time of any search (issue 6) at the cost of missing rare
//     combinations of common words typed out of order, which typing more
//     letters finds.
//
// Each customer appears once.
func (db *DB) CustomersByName(ctx context.Context, name string, limit int) ([]coupole.Customer, error) {
	words := strings.Fields(textfold.Fold(name))
	if len(words) == 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "name search: type at least one letter of the name")
	}
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	limit = searchLimit(limit)
	var ids []string
	seen := map[string]bool{}
	if len(words) >= 2 {
		if err := db.searchNameKeys(ctx, strings.Join(words, " "), nil, limit, 0, &ids, seen); err != nil {
			return nil, err
		}
	}
	if len(ids) < limit {
		probe := 0
		for i, w := range words {
			if len(w) > len(words[probe]) {
				probe = i
			}
		}
		others := append(append([]string{}, words[:probe]...), words[probe+1:]...)
		if err := db.searchNameKeys(ctx, words[probe], others, limit, nameScanCap, &ids, seen); err != nil {
			return nil, err
		}
	}
	return db.customersByID(ctx, ids)
}

// nameScanCap bounds the keys one name probe reads.
const nameScanCap = 1000

// searchNameKeys appends to ids, up to limit, the customers not yet seen
// with a key that starts with prefix and has a word starting with each of
// others. scanCap, when not zero, bounds the keys read. It reads the keys
// only; customers are read once the list is known.
func (db *DB) searchNameKeys(ctx context.Context, prefix string, others []string, limit, scanCap int, ids *[]string, seen map[string]bool) error {
	lo, hi := prefixRange(prefix)
	keys := `customer_name_keys`
	if scanCap > 0 {
		keys = `(SELECT name_key, customer_id FROM customer_name_keys WHERE name_key >= $1 AND name_key < $2
			ORDER BY name_key, customer_id LIMIT ` + itoa(scanCap) + `)`
	}
	q := `SELECT k.customer_id FROM ` + keys + ` k WHERE k.name_key >= $1 AND k.name_key < $2`
	args := []any{lo, hi}
	for _, w := range others {
		args = append(args, "% "+w+"%")
		q += ` AND ' ' || k.name_key LIKE $` + itoa(len(args))
	}
	// A customer can match through two of its keys ("d" matches Dominique
	// Dupont twice): ask for more than needed, keep each once.
	q += ` ORDER BY k.name_key, k.customer_id LIMIT ` + itoa(2*limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return storageError(err, "search customers")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return storageError(err, "search customers")
		}
		if seen[id] || len(*ids) == limit {
			continue
		}
		seen[id] = true
		*ids = append(*ids, id)
	}
	return storageError(rows.Err(), "search customers")
}

// customersByID reads the customers of ids, in that order.
func (db *DB) customersByID(ctx context.Context, ids []string) ([]coupole.Customer, error) {
	cs := make([]coupole.Customer, 0, len(ids))
	if len(ids) == 0 {
		return cs, nil
	}
	args := make([]any, len(ids))
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		args[i] = id
		pos[id] = i
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+customerCols+` FROM customers c WHERE c.id IN (`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, storageError(err, "read customers")
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, storageError(err, "read customers")
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read customers")
	}
	slices.SortFunc(cs, func(a, b coupole.Customer) int { return pos[a.ID] - pos[b.ID] })
	return cs, nil
}

const occupancyCols = `customer_id, ean, move_in, move_out, in_day_kwh, in_night_kwh, in_excl_night_kwh, in_gas_m3, out_day_kwh, out_night_kwh, out_excl_night_kwh, out_gas_m3`

func (db *DB) occupancies(ctx context.Context, q string, arg string) ([]coupole.Occupancy, error) {
	return queryList(ctx, db, "read occupancies", scanOccupancy, q, arg)
}

func scanOccupancy(row rowScanner) (coupole.Occupancy, error) {
	var o coupole.Occupancy
	var ean string
	in, out := &o.MoveInIndex, &o.MoveOutIndex
	err := row.Scan(&o.CustomerID, &ean, timeCol{&o.MoveIn}, timeCol{&o.MoveOut},
		&in.DayKWh, &in.NightKWh, &in.ExclusiveNightKWh, &in.GasM3,
		&out.DayKWh, &out.NightKWh, &out.ExclusiveNightKWh, &out.GasM3)
	o.EAN = coupole.EAN(ean)
	return o, err
}

// OccupanciesOfAccessPoint implements coupole.GridStore: oldest first.
func (db *DB) OccupanciesOfAccessPoint(ctx context.Context, ean coupole.EAN) ([]coupole.Occupancy, error) {
	ean, err := parseEANArg(ean)
	if err != nil {
		return nil, err
	}
	return db.occupancies(ctx, `SELECT `+occupancyCols+` FROM occupancies WHERE ean = $1 ORDER BY move_in, customer_id`, string(ean))
}

// OccupanciesOfCustomer implements coupole.GridStore: oldest first.
func (db *DB) OccupanciesOfCustomer(ctx context.Context, customerID string) ([]coupole.Occupancy, error) {
	if strings.TrimSpace(customerID) == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "customer id is required")
	}
	return db.occupancies(ctx, `SELECT `+occupancyCols+` FROM occupancies WHERE customer_id = $1 ORDER BY move_in, ean`, customerID)
}

const mandateCols = `id, customer_id, mandatary_name, cpas_id, scope, valid_from, valid_to`

func (db *DB) mandates(ctx context.Context, q string, arg string) ([]coupole.Mandate, error) {
	return queryList(ctx, db, "read mandates", scanMandate, q, arg)
}

func scanMandate(row rowScanner) (coupole.Mandate, error) {
	var m coupole.Mandate
	var scope string
	err := row.Scan(&m.ID, &m.CustomerID, &m.MandataryName, nullStr{&m.CPASID}, &scope, timeCol{&m.ValidFrom}, timeCol{&m.ValidTo})
	m.Scope = coupole.MandateScope(scope)
	return m, err
}

// MandatesOfCustomer implements coupole.GridStore: all the customer's
// mandates, valid or not, oldest first.
func (db *DB) MandatesOfCustomer(ctx context.Context, customerID string) ([]coupole.Mandate, error) {
	if strings.TrimSpace(customerID) == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "customer id is required")
	}
	return db.mandates(ctx, `SELECT `+mandateCols+` FROM mandates WHERE customer_id = $1 ORDER BY valid_from, id`, customerID)
}

// MandatesOfCPAS implements coupole.GridStore.
func (db *DB) MandatesOfCPAS(ctx context.Context, cpasID string) ([]coupole.Mandate, error) {
	if strings.TrimSpace(cpasID) == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "CPAS id is required")
	}
	return db.mandates(ctx, `SELECT `+mandateCols+` FROM mandates WHERE cpas_id = $1 ORDER BY valid_from, id`, cpasID)
}

// CPAS implements coupole.GridStore.
func (db *DB) CPAS(ctx context.Context, id string) (coupole.CPAS, error) {
	var c coupole.CPAS
	err := db.read.QueryRowContext(ctx, `SELECT id, name, town FROM cpas WHERE id = $1`, id).Scan(&c.ID, &c.Name, &c.Town)
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.CPAS{}, coupole.Errorf(coupole.ENOTFOUND, "no such CPAS")
	} else if err != nil {
		return coupole.CPAS{}, storageError(err, "read CPAS")
	}
	return c, nil
}

// SupplyPeriods implements coupole.GridStore: oldest first.
func (db *DB) SupplyPeriods(ctx context.Context, ean coupole.EAN) ([]coupole.SupplyPeriod, error) {
	ean, err := parseEANArg(ean)
	if err != nil {
		return nil, err
	}
	return queryList(ctx, db, "read supply periods", func(row rowScanner) (coupole.SupplyPeriod, error) {
		var p coupole.SupplyPeriod
		var e string
		err := row.Scan(&e, &p.SupplierID, timeCol{&p.From}, timeCol{&p.To})
		p.EAN = coupole.EAN(e)
		return p, err
	}, `SELECT ean, supplier_id, starts_on, ends_on FROM supply_periods WHERE ean = $1 ORDER BY starts_on`, string(ean))
}

// Supplier implements coupole.GridStore.
func (db *DB) Supplier(ctx context.Context, id string) (coupole.Supplier, error) {
	var s coupole.Supplier
	err := db.read.QueryRowContext(ctx, `SELECT id, name FROM suppliers WHERE id = $1`, id).Scan(&s.ID, &s.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.Supplier{}, coupole.Errorf(coupole.ENOTFOUND, "no such supplier")
	} else if err != nil {
		return coupole.Supplier{}, storageError(err, "read supplier")
	}
	return s, nil
}

// Readings implements coupole.GridStore. A zero to means no end.
func (db *DB) Readings(ctx context.Context, ean coupole.EAN, from, to time.Time) ([]coupole.Reading, error) {
	ean, err := parseEANArg(ean)
	if err != nil {
		return nil, err
	}
	if !to.IsZero() && to.Before(from) {
		return nil, coupole.Errorf(coupole.EINVALID, "readings: the end of the period is before its start")
	}
	q := `SELECT ean, read_on, meter_number, source, regime, day_kwh, night_kwh, excl_night_kwh, gas_m3
		FROM readings WHERE ean = $1 AND read_on >= $2`
	args := []any{string(ean), day(coupole.Date(from))}
	if !to.IsZero() {
		// [from, to) in days: a reading dated on to's day is excluded unless
		// to is later in that day.
		end := coupole.Date(to)
		if !to.Equal(end) {
			end = end.AddDate(0, 0, 1)
		}
		q += ` AND read_on < $3`
		args = append(args, day(end))
	}
	q += ` ORDER BY read_on, meter_number, source`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storageError(err, "read readings")
	}
	defer rows.Close()
	rs := []coupole.Reading{}
	for rows.Next() {
		var r coupole.Reading
		var e, meter, source, regime string
		g := &r.Registers
		if err := rows.Scan(&e, timeCol{&r.Date}, &meter, &source, &regime, &g.DayKWh, &g.NightKWh, &g.ExclusiveNightKWh, &g.GasM3); err != nil {
			return nil, storageError(err, "read readings")
		}
		r.EAN, r.Meter, r.Source, r.Regime = coupole.EAN(e), coupole.MeterNumber(meter), coupole.ReadingSource(source), coupole.ReadingRegime(regime)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read readings")
	}
	return rs, nil
}

// PublicNotices implements coupole.GridStore. With a street, notices for
// the whole postcode are included: they concern that street too.
func (db *DB) PublicNotices(ctx context.Context, postcode, street string, at time.Time) ([]coupole.PublicNotice, error) {
	postcode = strings.TrimSpace(postcode)
	if err := coupole.ValidatePostcode(postcode); err != nil {
		return nil, err
	}
	q := `SELECT id, kind, energy, postcode, town, street, starts_at, ends_at, description
		FROM public_notices WHERE postcode = $1 AND ends_at > $2`
	args := []any{postcode, instant(at)}
	if k := textfold.Fold(street); k != "" {
		q += ` AND (street_key = '' OR street_key = $3)`
		args = append(args, k)
	}
	q += ` ORDER BY starts_at, id`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storageError(err, "read public notices")
	}
	defer rows.Close()
	ns := []coupole.PublicNotice{}
	for rows.Next() {
		var n coupole.PublicNotice
		var kind, energy string
		if err := rows.Scan(&n.ID, &kind, &energy, &n.Postcode, &n.Town, &n.Street, timeCol{&n.From}, timeCol{&n.To}, &n.Description); err != nil {
			return nil, storageError(err, "read public notices")
		}
		n.Kind, n.Energy = coupole.PublicNoticeKind(kind), coupole.Energy(energy)
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read public notices")
	}
	return ns, nil
}

// checkReferences finds the first record of b that refers to something
// neither in the batch nor in the database, and says which record and
// field. References to records outside the batch are looked up in bulk.
func checkReferences(ctx context.Context, tx *sql.Tx, b *coupole.Batch) error {
	inBatch := func(n int, key func(int) string) map[string]bool {
		m := make(map[string]bool, n)
		for i := 0; i < n; i++ {
			m[key(i)] = true
		}
		return m
	}
	aps := inBatch(len(b.AccessPoints), func(i int) string { return string(b.AccessPoints[i].EAN) })
	customers := inBatch(len(b.Customers), func(i int) string { return b.Customers[i].ID })
	suppliers := inBatch(len(b.Suppliers), func(i int) string { return b.Suppliers[i].ID })
	cpas := inBatch(len(b.CPAS), func(i int) string { return b.CPAS[i].ID })
	type ref struct {
		table, col, what, field string
		key                     string
		batch                   map[string]bool
	}
	// Two walks over the references: the first gathers the keys that are
	// not in the batch, which are then looked up in the database a few
	// hundred at a time and added to the batch's sets; the second reports
	// the first reference still unresolved.
	wanted := map[string]map[string]bool{} // table → keys to look up
	cols := map[string]string{}
	gathering := true
	check := func(kind string, i int, refs ...ref) error {
		for _, r := range refs {
			if r.batch[r.key] {
				continue
			}
			if gathering {
				if wanted[r.table] == nil {
					wanted[r.table] = map[string]bool{}
					cols[r.table] = r.col
				}
				wanted[r.table][r.key] = true
				continue
			}
			err := recordError(kind, i, coupole.Errorf(coupole.EINVALID, "%s is neither in the batch nor in the database", r.what))
			err.Err.(*coupole.BatchRecordError).Field = r.field
			return err
		}
		return nil
	}
	apRef := func(e coupole.EAN) ref { return ref{"access_points", "ean", "the access point", "ean", string(e), aps} }
	custRef := func(id string) ref { return ref{"customers", "id", "the customer", "customer_id", id, customers} }
	sets := map[string]map[string]bool{"access_points": aps, "customers": customers, "suppliers": suppliers, "cpas": cpas}
	walk := func() error {
		for i, o := range b.Occupancies {
			if err := check("Occupancies", i, apRef(o.EAN), custRef(o.CustomerID)); err != nil {
				return err
			}
		}
		for i, p := range b.SupplyPeriods {
			if err := check("SupplyPeriods", i, apRef(p.EAN), ref{"suppliers", "id", "the supplier", "supplier_id", p.SupplierID, suppliers}); err != nil {
				return err
			}
		}
		for i, m := range b.Mandates {
			refs := []ref{custRef(m.CustomerID)}
			if m.CPASID != "" {
				refs = append(refs, ref{"cpas", "id", "the CPAS", "cpas_id", m.CPASID, cpas})
			}
			if err := check("Mandates", i, refs...); err != nil {
				return err
			}
		}
		for i, r := range b.Readings {
			if err := check("Readings", i, apRef(r.EAN)); err != nil {
				return err
			}
		}
		return nil
	}
	walk() // gathers
	for table, keys := range wanted {
		list := make([]any, 0, len(keys))
		for k := range keys {
			list = append(list, k)
		}
		for start := 0; start < len(list); start += 500 {
			part := list[start:min(len(list), start+500)]
			rows, err := tx.QueryContext(ctx, `SELECT `+cols[table]+` FROM `+table+` WHERE `+cols[table]+` IN (`+placeholders(1, len(part))+`)`, part...)
			if err != nil {
				return storageError(err, "check references")
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return storageError(err, "check references")
				}
				sets[table][k] = true
			}
			if err := rows.Close(); err != nil {
				return storageError(err, "check references")
			}
		}
	}
	gathering = false
	return walk()
}
