package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// premises is a dwelling or business at one address with an electricity
// access point and, for about a third of them, a gas one. Its occupants move
// in and out together for both energies.
type premises struct {
	place    int
	addr     coupole.Address
	business bool
	aps      []*apModel
	segs     []segment
}

// segment is one occupancy of the premises during [in, out); out 0: current.
type segment struct {
	in, out int
	cust    int // index into the batch's customers
}

type apModel struct {
	ap         coupole.AccessPoint
	baseRegime coupole.ReadingRegime // before any smart meter
	smartFrom  int                   // day the smart meter was installed; 0: none
	meters     []meterModel
	annual     float64 // kWh (day+night) or m³ a year
	amplitude  float64 // seasonal swing of consumption, 0–1
	dayShare   float64 // 1: single-rate meter
	exclAnnual float64 // exclusive-night kWh a year; 0: none
	readMonth  int     // month of the yearly reading tour
	readDay    int
}

type meterModel struct {
	number               coupole.MeterNumber
	from, to             int     // to 0: in place
	day, night, excl, m3 float64 // index when installed
}

type customerModel struct {
	first, last int // premises of first and last occupancy
	firstIn     int
	current     bool
}

// batch generates the next batch.
func (g *generator) batch() *coupole.Batch {
	g.r = rand.New(rand.NewPCG(g.cfg.Seed, 0x9E3779B97F4A7C15^g.batchNo))
	b := &coupole.Batch{}
	if g.batchNo == 0 {
		for _, s := range suppliers {
			b.Suppliers = append(b.Suppliers, coupole.Supplier{ID: s.id, Name: s.name})
		}
		for _, t := range cpasTowns {
			b.CPAS = append(b.CPAS, coupole.CPAS{ID: g.cpasByTown[t], Name: cpasName(t), Town: t})
		}
	}
	g.batchNo++

	var ps []*premises
	n := 0
	for n < g.cfg.BatchSize && g.nextAP < g.cfg.AccessPoints {
		p := g.premises()
		ps = append(ps, p)
		n += len(p.aps)
	}
	customers := g.assignCustomers(ps)

	for _, p := range ps {
		for _, a := range p.aps {
			b.AccessPoints = append(b.AccessPoints, a.ap)
		}
	}
	firstCustomer := g.nextCustomer
	g.nextCustomer += len(customers)
	custID := func(i int) string { return fmt.Sprintf("%d", 3_000_000_001+firstCustomer+i) }
	for i, c := range customers {
		b.Customers = append(b.Customers, g.customer(custID(i), c, ps))
	}
	for _, p := range ps {
		for _, a := range p.aps {
			for _, s := range p.segs {
				o := coupole.Occupancy{
					CustomerID:  custID(s.cust),
					EAN:         a.ap.EAN,
					MoveIn:      dateOf(s.in),
					MoveInIndex: a.index(s.in),
				}
				if s.out != 0 {
					o.MoveOut = dateOf(s.out)
					o.MoveOutIndex = a.index(s.out)
				}
				b.Occupancies = append(b.Occupancies, o)
			}
		}
		b.SupplyPeriods = append(b.SupplyPeriods, g.supplyPeriods(p)...)
		for _, a := range p.aps {
			b.Readings = append(b.Readings, g.readings(a)...)
		}
	}
	for i, c := range customers {
		b.Mandates = append(b.Mandates, g.mandates(custID(i), c, ps, b.Customers[i])...)
	}
	b.PublicNotices = g.notices(ps, n)
	return b
}

func cpasName(town string) string {
	if town == "Eupen" {
		return "ÖSHZ Eupen"
	}
	if strings.ContainsAny(town[:1], "AEIOUÉ") {
		return "CPAS d'" + town
	}
	return "CPAS de " + town
}

// ---- premises, access points, meters ----

func (g *generator) premises() *premises {
	p := &premises{}
	p.place, p.addr = g.address()
	p.business = g.chance(0.04)
	p.segs = g.segments(p.business)

	earliest := min(p.segs[0].in, g.startDay)
	nAP := 1
	if g.chance(0.34) && g.nextAP+1 < g.cfg.AccessPoints {
		nAP = 2
	}
	for k := range nAP {
		energy := coupole.Electricity
		if k == 1 {
			energy = coupole.Gas
		}
		p.aps = append(p.aps, g.accessPoint(p, energy, earliest))
	}
	return p
}

func (g *generator) address() (int, coupole.Address) {
	if b := g.building; b != nil && b.left > 0 {
		b.left--
		b.box++
		pl := places[b.place]
		return b.place, coupole.Address{Street: b.street, Number: b.number, Box: fmt.Sprint(b.box),
			Postcode: pl.Postcode, Town: pl.Town}
	}
	pi := g.place()
	pl := places[pi]
	street := pick(g.r, g.streetsOf(pi))
	num := 1 + int(g.r.ExpFloat64()*35)
	if num > 250 {
		num = g.between(1, 250)
	}
	number := fmt.Sprint(num)
	if g.chance(0.03) {
		number += string(rune('A' + g.r.IntN(3)))
	}
	addr := coupole.Address{Street: street, Number: number, Postcode: pl.Postcode, Town: pl.Town}
	// Apartment buildings, more of them in towns: several premises at one
	// number, told apart by their box.
	if g.chance(0.01 * min(pl.Weight, 25) / 2) {
		g.building = &buildingState{place: pi, street: street, number: number, left: g.between(2, 9), box: 1}
		addr.Box = "1"
	}
	return pi, addr
}

// segments draws the occupancies of a premises over the history.
func (g *generator) segments(business bool) []segment {
	var segs []segment
	meanFirst, meanNext := 11.0, 6.0
	if business {
		meanFirst, meanNext = 25, 15
	}
	in := g.startDay - 1 - g.r.IntN(25*365)
	if g.chance(0.03) { // new build or long vacant: first occupant arrives during the history
		in = g.startDay + g.r.IntN(2*365)
	}
	first := true
	for in < g.refDay {
		var out int
		if first && in < g.startDay {
			out = g.startDay + g.expDays(meanFirst)
		} else {
			out = in + max(180, g.expDays(meanNext))
		}
		first = false
		if out >= g.refDay {
			segs = append(segs, segment{in: in})
			break
		}
		segs = append(segs, segment{in: in, out: out})
		switch x := g.r.Float64(); {
		case x < 0.60: // handed over the same day
			in = out
		case x < 0.95:
			in = out + g.between(1, 90)
		default: // left empty
			in = out + g.between(91, 5*365)
		}
	}
	return segs
}

func (g *generator) accessPoint(p *premises, energy coupole.Energy, earliest int) *apModel {
	i := g.nextAP
	g.nextAP++
	a := &apModel{
		ap:        coupole.AccessPoint{EAN: g.ean(i), Energy: energy, Address: p.addr},
		readMonth: 1 + int(p.addr.Postcode[1]-'0'+p.addr.Postcode[2]-'0')%12, // reading tours go by area
		readDay:   1 + g.r.IntN(28),
	}
	switch {
	case p.business:
		a.baseRegime = coupole.RegimeMonthly
	case g.chance(0.03):
		a.baseRegime = coupole.RegimeRemote
	default:
		a.baseRegime = coupole.RegimeAnnual
	}
	// Consumption: log-normal around a typical household, larger for businesses.
	if energy == coupole.Electricity {
		a.annual = 3500 * math.Exp(g.r.NormFloat64()*0.45)
		a.amplitude = 0.2
		a.dayShare = 1
		if g.chance(0.6) {
			a.dayShare = 0.55 + g.r.Float64()*0.1
		}
		if g.chance(0.07) {
			a.exclAnnual = 3000 + g.r.Float64()*6000
		}
		if p.business {
			a.annual *= 10 + g.r.Float64()*40
		}
	} else {
		a.annual = 1400 * math.Exp(g.r.NormFloat64()*0.4) // m³ ≈ 15,000 kWh
		a.amplitude = 0.8
		if p.business {
			a.annual *= 5 + g.r.Float64()*20
		}
	}

	first := meterModel{from: earliest - g.between(30, 15*365)}
	// Classic meters: electricity numbers keep a leading zero, gas numbers
	// are one digit shorter; smart meters carry their maker's prefix.
	classic := func(k int) coupole.MeterNumber {
		core := g.meterCore(i, k)
		if energy == coupole.Gas {
			core = core[1:]
		}
		return coupole.MeterNumber(core)
	}
	first.number = classic(0)
	if energy == coupole.Electricity {
		first.day = math.Floor(g.r.Float64() * 60000)
		if a.dayShare < 1 {
			first.night = math.Floor(g.r.Float64() * 50000)
		}
		if a.exclAnnual > 0 {
			first.excl = math.Floor(g.r.Float64() * 80000)
		}
	} else {
		first.m3 = math.Floor(g.r.Float64() * 30000)
	}
	a.meters = []meterModel{first}

	// Smart meter roll-out: a growing share, most of it recent.
	smartShare := 0.24
	if energy == coupole.Gas {
		smartShare = 0.16
	}
	switch {
	case a.baseRegime == coupole.RegimeAnnual && g.chance(smartShare):
		a.smartFrom = g.refDay - 1 - int(math.Pow(g.r.Float64(), 1.6)*5*365)
		core := g.meterCore(i, 1)
		num := "1SAG" + core
		if energy == coupole.Gas {
			num = "1KFM" + core
		}
		a.replace(a.smartFrom, coupole.MeterNumber(num))
	case g.chance(0.04): // a faulty meter replaced
		a.replace(g.between(g.startDay+30, g.refDay-30), classic(1))
	}

	a.ap.Regime = a.baseRegime
	if a.smartFrom != 0 {
		a.ap.Regime = coupole.RegimeSmart
	}
	for _, m := range a.meters {
		mi := coupole.MeterInstallation{Number: m.number, From: dateOf(m.from)}
		if m.to != 0 {
			mi.To = dateOf(m.to)
		}
		a.ap.Meters = append(a.ap.Meters, mi)
	}
	return a
}

// replace removes the meter in place on day and installs a new one whose
// registers start at zero.
func (a *apModel) replace(day int, number coupole.MeterNumber) {
	a.meters[len(a.meters)-1].to = day
	a.meters = append(a.meters, meterModel{number: number, from: day})
}

func (a *apModel) meterOn(day int) *meterModel {
	for i := range a.meters {
		m := &a.meters[i]
		if day >= m.from && (m.to == 0 || day < m.to) {
			return m
		}
	}
	return &a.meters[0]
}

// cumulative is the consumption since 1970 up to day: a year's worth per year
// with a seasonal swing peaking in winter. Its derivative 1 + A·cos(2πT) is
// positive for A < 1, so indexes never go down.
func cumulative(annual, amplitude float64, day int) float64 {
	t := float64(day) / 365.25
	return annual * (t + amplitude/(2*math.Pi)*math.Sin(2*math.Pi*t))
}

// index is the meter index on the morning of day.
func (a *apModel) index(day int) coupole.Registers {
	m := a.meterOn(day)
	if a.ap.Energy == coupole.Gas {
		used := cumulative(a.annual, a.amplitude, day) - cumulative(a.annual, a.amplitude, m.from)
		return coupole.Registers{GasM3: math.Floor(m.m3 + used)}
	}
	used := cumulative(a.annual, a.amplitude, day) - cumulative(a.annual, a.amplitude, m.from)
	r := coupole.Registers{DayKWh: math.Floor(m.day + used*a.dayShare)}
	if a.dayShare < 1 {
		r.NightKWh = math.Floor(m.night + used*(1-a.dayShare))
	}
	if a.exclAnnual > 0 {
		r.ExclusiveNightKWh = math.Floor(m.excl + cumulative(a.exclAnnual, 0.8, day) - cumulative(a.exclAnnual, 0.8, m.from))
	}
	return r
}

func (a *apModel) regimeOn(day int) coupole.ReadingRegime {
	if a.smartFrom != 0 && day >= a.smartFrom {
		return coupole.RegimeSmart
	}
	return a.baseRegime
}

// ---- customers ----

// assignCustomers gives every occupancy an occupant. Occupants in place when
// the history starts are new customers; later move-ins are mostly customers
// of the batch who moved out shortly before (people move within the region),
// otherwise newcomers. Businesses are never movers.
func (g *generator) assignCustomers(ps []*premises) []customerModel {
	var cs []customerModel
	newCustomer := func(pi, si int) int {
		p := ps[pi]
		cs = append(cs, customerModel{first: pi, last: pi, firstIn: p.segs[si].in, current: p.segs[si].out == 0})
		return len(cs) - 1
	}
	type event struct{ day, kind, prem, seg int } // kind 0: move-out, 1: move-in
	var events []event
	for pi, p := range ps {
		for si, s := range p.segs {
			if si == 0 && s.in < g.startDay {
				p.segs[si].cust = newCustomer(pi, si)
			} else {
				events = append(events, event{s.in, 1, pi, si})
			}
			if s.out != 0 && !p.business {
				events = append(events, event{s.out, 0, pi, si})
			}
		}
	}
	sort.Slice(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if a.day != b.day {
			return a.day < b.day
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.prem != b.prem {
			return a.prem < b.prem
		}
		return a.seg < b.seg
	})
	type mover struct{ cust, prem, day int }
	// People mostly move nearby: one pool of movers per region (the
	// German-speaking Community apart), keyed by the postcode's first digit.
	pools := map[string][]mover{}
	region := func(p *premises) string {
		if places[p.place].German {
			return "de"
		}
		return p.addr.Postcode[:1]
	}
	for _, e := range events {
		p := ps[e.prem]
		if e.kind == 0 {
			if g.chance(0.92) { // stays in the region
				k := region(p)
				pools[k] = append(pools[k], mover{p.segs[e.seg].cust, e.prem, e.day})
			}
			continue
		}
		ci := -1
		if !p.business {
			k := region(p)
			pool := pools[k]
			for tries := 0; tries < 4 && len(pool) > 0 && ci < 0; tries++ {
				j := g.r.IntN(len(pool))
				m := pool[j]
				if e.day-m.day > 180 { // moved out long ago: gone elsewhere
					pool[j] = pool[len(pool)-1]
					pool = pool[:len(pool)-1]
					continue
				}
				if m.prem == e.prem {
					continue
				}
				pool[j] = pool[len(pool)-1]
				pool = pool[:len(pool)-1]
				ci = m.cust
			}
			pools[k] = pool
		}
		if ci < 0 {
			ci = newCustomer(e.prem, e.seg)
		} else {
			cs[ci].last = e.prem
			cs[ci].current = p.segs[e.seg].out == 0
		}
		p.segs[e.seg].cust = ci
	}
	return cs
}

var mobilePrefixes = []string{"60", "65", "68", "70", "71", "72", "73", "75", "76", "77", "78", "79",
	"83", "84", "85", "86", "87", "88", "89", "91", "92", "93", "94", "95", "96", "97", "98", "99"}

var mailDomains = []string{"courriel.example", "mail.example", "boite.example", "wallonie.example"}

func (g *generator) customer(id string, c customerModel, ps []*premises) coupole.Customer {
	first, last := ps[c.first], ps[c.last]
	pl := places[first.place]
	cu := coupole.Customer{ID: id, PostalAddress: last.addr}
	switch x := g.r.Float64(); {
	case pl.German && x < 0.85:
		cu.Language = coupole.German
	case pl.German || x < 0.92:
		cu.Language = coupole.French
	case x < 0.98:
		cu.Language = coupole.Dutch
	default:
		cu.Language = coupole.English
	}
	if first.business {
		cu.Language = coupole.French
		if pl.German {
			cu.Language = coupole.German
		}
		cu.FamilyName = fmt.Sprintf(pick(g.r, businessKinds), g.familyName(cu.Language)) + " " + pick(g.r, businessForms)
	} else {
		cu.GivenName, cu.FamilyName = g.givenName(cu.Language), g.familyName(cu.Language)
	}
	if g.chance(0.70) {
		cu.Mobile = "+324" + pick(g.r, mobilePrefixes) + fmt.Sprintf("%06d", g.r.IntN(1_000_000))
		from := max(c.firstIn, g.refDay-8*365)
		day := g.between(from, g.refDay-1)
		cu.MobileRegisteredAt = dateOf(day).Add(timeOfDay(g.r))
	}
	if g.chance(0.35) {
		local := asciiLower(cu.GivenName)
		if local != "" {
			local += "."
		}
		local += asciiLower(cu.FamilyName)
		if g.chance(0.5) {
			local += fmt.Sprint(g.between(1, 99))
		}
		cu.Email = local + "@" + pick(g.r, mailDomains)
	}
	cu.Protection = demoProtection(id)
	return cu
}

// demoProtection flags about one customer in a thousand as a staff member
// or a protected person (issue 16), from the id alone: the random stream,
// hence the rest of the demo data, is unchanged.
func demoProtection(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	switch h.Sum32() % 1000 {
	case 7:
		return coupole.ProtectionStaff
	case 8:
		return coupole.ProtectionProtected
	}
	return ""
}

// timeOfDay is a moment during office hours.
func timeOfDay(r *rand.Rand) (d time.Duration) {
	return time.Duration(8*3600+r.IntN(12*3600)) * time.Second
}

func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(foldAccents(s)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r == ' ' || r == '-' {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func (g *generator) givenName(l coupole.Language) string {
	switch l {
	case coupole.German:
		return pick(g.r, givenNamesDE)
	case coupole.Dutch:
		return pick(g.r, givenNamesNL)
	case coupole.English:
		return pick(g.r, givenNamesEN)
	}
	return pick(g.r, givenNamesFR)
}

func (g *generator) familyName(l coupole.Language) string {
	switch l {
	case coupole.German:
		return pick(g.r, familyNamesDE)
	case coupole.Dutch:
		return pick(g.r, familyNamesNL)
	case coupole.English:
		return pick(g.r, familyNamesEN)
	}
	return pick(g.r, familyNamesFR)
}

// ---- mandates ----

func (g *generator) mandates(id string, c customerModel, ps []*premises, cu coupole.Customer) []coupole.Mandate {
	var ms []coupole.Mandate
	if ps[c.first].business {
		return nil
	}
	if g.chance(0.03) {
		from := g.between(max(c.firstIn, g.startDay), g.refDay-30)
		m := coupole.Mandate{
			ID:            "M" + id + "-1",
			CustomerID:    id,
			MandataryName: fmt.Sprintf(pick(g.r, mandataryTitles), g.givenName(cu.Language)+" "+cu.FamilyName),
			Scope:         coupole.MandateScopes[g.r.IntN(len(coupole.MandateScopes))],
			ValidFrom:     dateOf(from),
		}
		if g.chance(0.65) { // limited in time; some have expired by now
			m.ValidTo = dateOf(from + g.between(180, 4*365))
		}
		ms = append(ms, m)
	}
	if cpas, ok := g.cpasByTown[ps[c.last].addr.Town]; ok && c.current && g.chance(0.04) {
		from := g.between(max(c.firstIn, g.startDay), g.refDay-1)
		m := coupole.Mandate{
			ID:            "M" + id + "-C",
			CustomerID:    id,
			MandataryName: cpasName(ps[c.last].addr.Town),
			CPASID:        cpas,
			Scope:         coupole.ScopeAll,
			ValidFrom:     dateOf(from),
		}
		if g.chance(0.1) && from+365 < g.refDay { // help ended
			m.ValidTo = dateOf(g.between(from+30, g.refDay-1))
		}
		ms = append(ms, m)
	}
	return ms
}

// ---- supply ----

// supplyPeriods gives the electricity point a sequence of suppliers: a
// contract from each move-in, voluntary switches, and no supplier while the
// premises stands empty for long. The gas point mostly follows the same
// supplier (dual-fuel contracts).
func (g *generator) supplyPeriods(p *premises) []coupole.SupplyPeriod {
	type period struct {
		from, to int
		sup      string
	}
	var seq []period
	open := func(day int, sup string) {
		if n := len(seq); n > 0 && seq[n-1].from >= day { // same day: the later contract wins
			seq[n-1].sup = sup
			return
		}
		if n := len(seq); n > 0 && seq[n-1].to == 0 {
			seq[n-1].to = day
		}
		seq = append(seq, period{from: day, sup: sup})
	}
	for i, s := range p.segs {
		from := s.in
		if i == 0 && from < g.startDay {
			from = g.startDay - g.between(1, 4*365)
		}
		cur := ""
		if n := len(seq); n > 0 {
			cur = seq[n-1].sup
		}
		handover := i > 0 && p.segs[i-1].out == s.in && len(seq) > 0 && seq[len(seq)-1].to == 0
		if !handover || g.chance(0.5) {
			open(from, g.supplier(cur))
		}
		end := s.out
		if end == 0 {
			end = g.refDay
		}
		for d := from + max(30, g.expDays(8)); d < end; d += max(30, g.expDays(8)) {
			open(d, g.supplier(seq[len(seq)-1].sup))
		}
		if s.out != 0 && !(i+1 < len(p.segs) && p.segs[i+1].in == s.out) {
			seq[len(seq)-1].to = s.out // the supplier stops when the premises is left empty
		}
	}
	var out []coupole.SupplyPeriod
	emit := func(ean coupole.EAN, ps []period) {
		for _, q := range ps {
			sp := coupole.SupplyPeriod{EAN: ean, SupplierID: q.sup, From: dateOf(q.from)}
			if q.to != 0 {
				sp.To = dateOf(q.to)
			}
			out = append(out, sp)
		}
	}
	emit(p.aps[0].ap.EAN, seq)
	if len(p.aps) > 1 {
		gas := seq
		if !g.chance(0.7) {
			gas = make([]period, len(seq))
			for i, q := range seq {
				gas[i] = period{q.from, q.to, g.supplier("")}
			}
			// merge neighbours that drew the same supplier
			merged := gas[:1]
			for _, q := range gas[1:] {
				last := &merged[len(merged)-1]
				if q.sup == last.sup && q.from == last.to {
					last.to = q.to
				} else {
					merged = append(merged, q)
				}
			}
			gas = merged
		}
		emit(p.aps[1].ap.EAN, gas)
	}
	return out
}

// ---- readings ----

// readings lists the indexes of an access point over the history, oldest
// first: one a year on the reading tour for the annual regime (and for the
// others before the last MonthlyYears), one a month for monthly, remote and
// smart, and the final and first index of each meter replaced.
func (g *generator) readings(a *apModel) []coupole.Reading {
	type due struct {
		day    int
		source coupole.ReadingSource
	}
	var days []due
	for y := dateOf(g.startDay).Year(); y <= dateOf(g.refDay).Year(); y++ {
		d := dayOf(dateYMD(y, a.readMonth, a.readDay))
		if d < g.startDay || d >= g.refDay {
			continue
		}
		if a.regimeOn(d) != coupole.RegimeAnnual && d >= g.monthlyFromDay {
			continue
		}
		src := coupole.SourceCustomer
		switch x := g.r.Float64(); {
		case a.regimeOn(d) != coupole.RegimeAnnual:
			src = coupole.SourceRemote
		case x < 0.25:
			src = coupole.SourceTechnician
		case x < 0.37:
			src = coupole.SourceEstimated
		case x < 0.45:
			src = coupole.SourceContactCenter
		}
		days = append(days, due{d, src})
	}
	from := dateOf(g.monthlyFromDay)
	for t := dateYMD(from.Year(), int(from.Month()), 1); ; t = t.AddDate(0, 1, 0) {
		d := dayOf(t)
		if d >= g.refDay {
			break
		}
		if d >= g.monthlyFromDay && a.regimeOn(d) != coupole.RegimeAnnual {
			days = append(days, due{d, coupole.SourceRemote})
		}
	}
	for _, m := range a.meters[1:] {
		if m.from-1 >= g.startDay && m.from < g.refDay {
			days = append(days, due{m.from - 1, coupole.SourceTechnician}, due{m.from, coupole.SourceTechnician})
		}
	}
	sort.SliceStable(days, func(i, j int) bool { return days[i].day < days[j].day })
	out := make([]coupole.Reading, 0, len(days))
	last := -1
	for _, d := range days {
		if d.day == last {
			continue // one reading a day
		}
		last = d.day
		out = append(out, coupole.Reading{
			EAN:       a.ap.EAN,
			Date:      dateOf(d.day),
			Meter:     a.meterOn(d.day).number,
			Registers: a.index(d.day),
			Source:    d.source,
			Regime:    a.regimeOn(d.day),
		})
	}
	return out
}

// ---- public notices ----

func (g *generator) notices(ps []*premises, aps int) []coupole.PublicNotice {
	var out []coupole.PublicNotice
	n := (aps + 999) / 1000
	for range n {
		p := ps[g.r.IntN(len(ps))]
		g.nextNotice++
		pn := coupole.PublicNotice{
			ID:       fmt.Sprintf("AV%07d", g.nextNotice),
			Postcode: p.addr.Postcode,
			Town:     p.addr.Town,
			Street:   p.addr.Street,
		}
		if g.chance(0.15) {
			pn.Street = "" // the whole postcode
		}
		ref := dateOf(g.refDay)
		if g.chance(0.7) {
			w := pick(g.r, worksDescriptions)
			pn.Kind, pn.Description = coupole.PlannedWorks, w.text
			pn.Energy = energyOf(w.energy, g.r)
			pn.From = ref.AddDate(0, 0, g.between(-20, 60)).Add(7 * time.Hour)
			pn.To = pn.From.AddDate(0, 0, g.between(1, 10)).Add(10 * time.Hour)
		} else {
			o := pick(g.r, outageDescriptions)
			pn.Kind, pn.Description = coupole.Outage, o.text
			pn.Energy = energyOf(o.energy, g.r)
			pn.From = ref.AddDate(0, 0, -g.between(0, 2)).Add(time.Duration(g.r.IntN(86400)) * time.Second)
			pn.To = pn.From.Add(time.Duration(g.between(2, 12)) * time.Hour)
		}
		out = append(out, pn)
	}
	return out
}

func energyOf(s string, r *rand.Rand) coupole.Energy {
	switch s {
	case "gas":
		return coupole.Gas
	case "electricity":
		return coupole.Electricity
	}
	return coupole.Energies[r.IntN(2)]
}

func dateYMD(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
