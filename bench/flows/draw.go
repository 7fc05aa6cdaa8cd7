package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
)

type sample struct{ ean, meter string }

// draw picks n access points with a meter in place, each on its own: a
// random EAN-shaped value between the smallest and the largest EAN of the
// database, then the first metered EAN at or after it. The flows thus
// spread over the whole seed, as calls do, instead of a few warm runs of
// neighbouring EANs.
func draw(ctx context.Context, db *sqlstore.DB, n int, seed uint64) ([]sample, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	rd := db.Reader()
	var lo, hi string
	if err := rd.QueryRowContext(ctx, "SELECT min(ean), max(ean) FROM meters WHERE removed_on IS NULL").Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("no meters in the database: %w", err)
	}
	// 17 digits (without the check digit) fit in a uint64.
	a, err1 := strconv.ParseUint(lo[:17], 10, 64)
	b, err2 := strconv.ParseUint(hi[:17], 10, 64)
	if err1 != nil || err2 != nil || b < a {
		return nil, fmt.Errorf("EANs are not digits")
	}
	out := make([]sample, 0, n)
	for len(out) < n {
		start := fmt.Sprintf("%017d", a+rng.Uint64N(b-a+1))
		var s sample
		err := rd.QueryRowContext(ctx, `SELECT ean, number FROM meters WHERE removed_on IS NULL AND ean >= $1 ORDER BY ean LIMIT 1`, start).Scan(&s.ean, &s.meter)
		if err != nil {
			return nil, fmt.Errorf("draw an access point: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// advisorLogin names the i-th benchmark advisor account.
func advisorLogin(i int) string { return fmt.Sprintf("bench-advisor-%03d", i) }

// ensureAdvisors creates n demo-kind advisor accounts if they are missing,
// so that the flows are spread over many staff members (sessions, roles
// and need-to-know of each), not one account's warm rows.
func ensureAdvisors(ctx context.Context, db *sqlstore.DB, n int) error {
	for i := range n {
		login := advisorLogin(i)
		_, err := db.StaffByLogin(ctx, coupole.StaffDemo, login)
		if coupole.ErrorCode(err) != coupole.ENOTFOUND {
			if err != nil {
				return err
			}
			continue
		}
		st := coupole.Staff{ID: login, Kind: coupole.StaffDemo, Login: login, DisplayName: "Bench advisor " + strconv.Itoa(i),
			Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: time.Now()}
		if err := db.CreateStaff(ctx, st); err != nil {
			return fmt.Errorf("create %s: %w", login, err)
		}
	}
	return acknowledgeCharter(ctx, db, n)
}

// acknowledgeCharter acknowledges the charter serve --demo published for
// the bench advisors, as the demo accounts have it acknowledged at seed:
// without it every flow would stop at the charter (issue 12, S1). Like the
// accounts themselves, it is written directly, untraced: they are the
// bench's, not staff members'.
func acknowledgeCharter(ctx context.Context, db *sqlstore.DB, n int) error {
	ch, err := db.CurrentCharter(ctx)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	now := time.Now()
	for i := range n {
		at, err := db.LastAcknowledgement(ctx, advisorLogin(i), ch.Version)
		if err != nil {
			return err
		}
		if !at.IsZero() && now.Sub(at) < coupole.CharterValidity/2 {
			continue
		}
		if err := db.AcknowledgeCharter(ctx, advisorLogin(i), ch.Version, now); err != nil {
			return fmt.Errorf("acknowledge the charter for %s: %w", advisorLogin(i), err)
		}
	}
	return nil
}
