package importcsv

import (
	"slices"
	"strings"

	"github.com/coupole/coupole"
)

// unique reports a natural key seen before in files of the same kind.
func (st *state) unique(r *row, key, field string) bool {
	k := string(r.kind) + "|" + key
	if first, dup := st.seen[k]; dup {
		r.fail(field, "the same record is on line %d", first)
		return false
	}
	st.seen[k] = r.line
	return true
}

func (st *state) record(r *row) {
	f := batchField[r.kind]
	st.im.origins[f] = append(st.im.origins[f], r.origin())
}

func (st *state) readRow(k Kind, r *row) {
	b := st.im.Batch
	switch k {
	case Suppliers:
		s := coupole.Supplier{ID: r.req("id"), Name: r.req("name")}
		if !r.bad && st.unique(r, s.ID, "id") {
			b.Suppliers = append(b.Suppliers, s)
			st.record(r)
		}
	case CPAS:
		c := coupole.CPAS{ID: r.req("id"), Name: r.req("name"), Town: r.str("town")}
		if !r.bad && st.unique(r, c.ID, "id") {
			b.CPAS = append(b.CPAS, c)
			st.record(r)
		}
	case AccessPoints:
		ap := coupole.AccessPoint{
			EAN:    r.ean("ean"),
			Energy: enum(r, "energy", coupole.Energies),
			Regime: enum(r, "regime", coupole.ReadingRegimes),
			Address: coupole.Address{Street: r.req("street"), Number: r.req("number"), Box: r.str("box"),
				Postcode: r.postcode("postcode"), Town: r.req("town")},
		}
		m := coupole.MeterInstallation{Number: r.meter("meter_number", true), From: r.date("meter_installed_on", true)}
		ap.Meters = []coupole.MeterInstallation{m}
		if !r.bad {
			r.check(ap.Validate())
		}
		if !r.bad && st.unique(r, string(ap.EAN), "ean") {
			st.apIndex[ap.EAN] = len(b.AccessPoints)
			b.AccessPoints = append(b.AccessPoints, ap)
			st.record(r)
		}
	case Meters:
		ean := r.ean("ean")
		m := coupole.MeterInstallation{Number: r.meter("meter_number", true), From: r.date("installed_on", true), To: r.date("removed_on", true)}
		if !r.bad && !m.To.After(m.From) {
			r.fail("removed_on", "the removal day must be after the installation day")
		}
		if r.bad {
			return
		}
		if _, ok := st.apIndex[ean]; !ok {
			r.fail("ean", "this access point is not in the access points file of the same import")
			return
		}
		if st.unique(r, string(ean)+"|"+m.From.String(), "installed_on") {
			if st.meters == nil {
				st.meters = map[coupole.EAN][]meterRow{}
			}
			st.meters[ean] = append(st.meters[ean], meterRow{m, r.origin()})
		}
	case Customers:
		c := coupole.Customer{
			ID: r.req("id"), GivenName: r.str("given_name"), FamilyName: r.req("family_name"),
			Language: coupole.French, Mobile: r.mobile("mobile"), Email: r.str("email"),
			PostalAddress: coupole.Address{Street: r.req("street"), Number: r.req("number"), Box: r.str("box"),
				Postcode: r.postcode("postcode"), Town: r.req("town")},
		}
		if s := r.str("language"); s != "" {
			l := coupole.Language(strings.ToLower(s))
			if slices.Contains(coupole.Languages, l) {
				c.Language = l
			} else {
				r.fail("language", "unknown value (expected one of fr, nl, de, en)")
			}
		}
		c.MobileRegisteredAt = r.date("mobile_registered_on", false)
		if c.Mobile != "" && c.MobileRegisteredAt.IsZero() && !r.bad {
			r.fail("mobile_registered_on", "required with a mobile number: an SMS goes only to a number registered before the call (D4)")
		}
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			r.fail("email", "not an e-mail address")
		}
		if p, err := coupole.ParseProtection(strings.ToLower(r.str("protection"))); err != nil {
			r.fail("protection", "unknown value (expected staff, protected or nothing)")
		} else {
			c.Protection = p
		}
		if !r.bad {
			r.check(c.Validate())
		}
		if !r.bad && st.unique(r, c.ID, "id") {
			b.Customers = append(b.Customers, c)
			st.record(r)
		}
	case Occupancies:
		o := coupole.Occupancy{
			CustomerID: r.req("customer_id"), EAN: r.ean("ean"),
			MoveIn: r.date("move_in", true), MoveOut: r.date("move_out", false),
			MoveInIndex: coupole.Registers{DayKWh: r.index("move_in_day_kwh"), NightKWh: r.index("move_in_night_kwh"),
				ExclusiveNightKWh: r.index("move_in_excl_night_kwh"), GasM3: r.index("move_in_gas_m3")},
			MoveOutIndex: coupole.Registers{DayKWh: r.index("move_out_day_kwh"), NightKWh: r.index("move_out_night_kwh"),
				ExclusiveNightKWh: r.index("move_out_excl_night_kwh"), GasM3: r.index("move_out_gas_m3")},
		}
		if o.MoveOut.IsZero() && o.MoveOutIndex.Total() != 0 && !r.bad {
			r.fail("move_out", "a move-out index is given without a move-out day")
		}
		if !r.bad {
			r.check(o.Validate())
		}
		if !r.bad && st.unique(r, string(o.EAN)+"|"+o.CustomerID+"|"+o.MoveIn.String(), "move_in") {
			b.Occupancies = append(b.Occupancies, o)
			st.record(r)
		}
	case SupplyPeriods:
		p := coupole.SupplyPeriod{EAN: r.ean("ean"), SupplierID: r.req("supplier_id"), From: r.date("starts_on", true), To: r.date("ends_on", false)}
		if !r.bad {
			r.check(p.Validate())
		}
		if !r.bad && st.unique(r, string(p.EAN)+"|"+p.From.String(), "starts_on") {
			b.SupplyPeriods = append(b.SupplyPeriods, p)
			st.record(r)
		}
	case Mandates:
		m := coupole.Mandate{
			ID: r.req("id"), CustomerID: r.req("customer_id"), MandataryName: r.req("mandatary_name"), CPASID: r.str("cpas_id"),
			Scope:     enum(r, "scope", coupole.MandateScopes),
			ValidFrom: r.date("valid_from", true), ValidTo: r.date("valid_to", false),
		}
		if !r.bad {
			r.check(m.Validate())
		}
		if !r.bad && st.unique(r, m.ID, "id") {
			b.Mandates = append(b.Mandates, m)
			st.record(r)
		}
	case Readings:
		rd := coupole.Reading{
			EAN: r.ean("ean"), Date: r.date("date", true), Meter: r.meter("meter_number", false),
			Source: enum(r, "source", coupole.ReadingSources),
			Regime: enum(r, "regime", coupole.ReadingRegimes),
			Registers: coupole.Registers{DayKWh: r.index("day_kwh"), NightKWh: r.index("night_kwh"),
				ExclusiveNightKWh: r.index("excl_night_kwh"), GasM3: r.index("gas_m3")},
		}
		if !r.bad {
			r.check(rd.Validate())
		}
		if !r.bad && st.unique(r, string(rd.EAN)+"|"+rd.Date.String()+"|"+string(rd.Meter)+"|"+string(rd.Source), "date") {
			b.Readings = append(b.Readings, rd)
			st.record(r)
		}
	}
}

// finishAccessPoints puts the former meters of the meters file before the
// current meter of each access point, and checks that the history holds
// together (one meter at a time).
func (st *state) finishAccessPoints() {
	eans := make([]coupole.EAN, 0, len(st.meters))
	for ean := range st.meters {
		eans = append(eans, ean)
	}
	slices.SortFunc(eans, func(a, b coupole.EAN) int { return st.apIndex[a] - st.apIndex[b] }) // problems in file order
	for _, ean := range eans {
		ms := st.meters[ean]
		i := st.apIndex[ean]
		ap := &st.im.Batch.AccessPoints[i]
		slices.SortFunc(ms, func(a, b meterRow) int { return a.m.From.Compare(b.m.From) })
		history := make([]coupole.MeterInstallation, 0, len(ms)+1)
		for _, m := range ms {
			history = append(history, m.m)
		}
		history = append(history, ap.Meters...)
		for j := 1; j < len(history); j++ {
			if history[j-1].To.After(history[j].From) {
				o := st.im.origins["AccessPoints"][i]
				if j-1 < len(ms) {
					o = ms[j-1].origin
				}
				field := "removed_on"
				if j-1 >= len(ms) {
					field = "meter_installed_on"
				}
				st.im.add(Problem{File: o.file, Line: o.line, Column: o.cols[field], Field: field,
					Reason: "this meter is removed after the next meter of the access point is installed"})
				break
			}
		}
		ap.Meters = history
	}
}
