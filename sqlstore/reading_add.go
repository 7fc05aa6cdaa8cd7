package sqlstore

import (
	"context"

	"github.com/coupole/coupole"
)

// AddReading stores one new reading, as index intake takes it (C3): unlike
// Load, which upserts, it refuses a second reading of the same meter, day
// and source with ECONFLICT, so that an index given twice at once (a double
// click) is stored and acknowledged once. In a step's context it joins the
// audit event's transaction.
func (db *DB) AddReading(ctx context.Context, r coupole.Reading) error {
	if err := r.Validate(); err != nil {
		return err
	}
	g := r.Registers
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO readings (ean, read_on, meter_number, source, regime, day_kwh, night_kwh, excl_night_kwh, gas_m3)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			string(r.EAN), day(r.Date), string(normMeter(r.Meter)), string(r.Source), string(r.Regime), g.DayKWh, g.NightKWh, g.ExclusiveNightKWh, g.GasM3)
		return err
	})
	if isUniqueViolation(err) {
		return coupole.Wrap(err, coupole.ECONFLICT, "date: this meter already has a reading on the day given")
	}
	return storageError(err, "add reading")
}
