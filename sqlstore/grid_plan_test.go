package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Each lookup of the advisor screens is answered from an index, never by a
// scan of a table or a sort of its rows (issue 6: p99 ≤ 2 ms on 2,000,000
// access points). SQLite's plan says so.
func TestLookupPlansUseIndexes(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	queries := map[string]string{
		"by EAN":        `SELECT ean FROM access_points WHERE ean = '541448000000000011'`,
		"meters of EAN": `SELECT ean, installed_on, number, removed_on FROM meters WHERE ean = 'x' ORDER BY installed_on`,
		"by meter":      `SELECT ean FROM access_points WHERE ean IN (SELECT ean FROM meters WHERE number = 'M') ORDER BY ean LIMIT 100`,
		"by address": `SELECT ean FROM access_points WHERE postcode = '5000' AND street_key >= 'rue' AND street_key < 'ruf'
			ORDER BY postcode, street_key, house_number, ean LIMIT 20`,
		"by address and number": `SELECT ean FROM access_points WHERE postcode = '5000' AND street_key >= 'rue' AND street_key < 'ruf' AND house_number IN ('7b', '7B', '7b')
			ORDER BY postcode, house_number, street_key, ean LIMIT 20`,
		"by name": `SELECT c.id FROM customer_name_keys k JOIN customers c ON c.id = k.customer_id
			WHERE k.name_key >= 'dup' AND k.name_key < 'duq' AND ' ' || k.name_key LIKE '% g%' ORDER BY k.name_key, k.customer_id LIMIT 40`,
		"occupancies of EAN":      `SELECT customer_id FROM occupancies WHERE ean = 'x' ORDER BY move_in, customer_id`,
		"occupancies of customer": `SELECT ean FROM occupancies WHERE customer_id = 'x' ORDER BY move_in, ean`,
		"mandates of customer":    `SELECT id FROM mandates WHERE customer_id = 'x' ORDER BY valid_from, id`,
		"mandates of CPAS":        `SELECT id FROM mandates WHERE cpas_id = 'x' ORDER BY valid_from, id`,
		"supply periods":          `SELECT ean FROM supply_periods WHERE ean = 'x' ORDER BY starts_on`,
		"readings":                `SELECT ean FROM readings WHERE ean = 'x' AND read_on >= '2020-01-01' AND read_on < '2021-01-01' ORDER BY read_on, meter_number, source`,
		"notices":                 `SELECT id FROM public_notices WHERE postcode = '5000' AND ends_at > '2024' AND (street_key = '' OR street_key = 'x') ORDER BY starts_at, id`,
	}
	for name, q := range queries {
		rows, err := db.Reader().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		t.Logf("%s: %s", name, p)
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "USING") {
				t.Errorf("%s scans a table: %s", name, p)
			}
		}
		if name == "by address and number" && !strings.Contains(p, "access_points_number (postcode=? AND house_number=? AND street_key>? AND street_key<?)") {
			t.Errorf("%s does not use the number index: %s", name, p)
		}
		if strings.Contains(p, "TEMP B-TREE") && name != "occupancies of customer" && name != "mandates of customer" && name != "mandates of CPAS" && name != "notices" {
			t.Errorf("%s sorts its rows: %s", name, p)
		}
	}
}
