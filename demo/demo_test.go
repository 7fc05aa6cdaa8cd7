package demo

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// MustGenerate generates cfg and returns every batch.
func MustGenerate(tb testing.TB, cfg Config) []*coupole.Batch {
	tb.Helper()
	var bs []*coupole.Batch
	if _, err := Generate(context.Background(), cfg, func(b *coupole.Batch) error {
		bs = append(bs, b)
		return nil
	}); err != nil {
		tb.Fatalf("generate: %v", err)
	}
	return bs
}

func digest(tb testing.TB, bs []*coupole.Batch) string {
	tb.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, b := range bs {
		if err := enc.Encode(b); err != nil {
			tb.Fatal(err)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := Config{AccessPoints: 3000, Seed: 42, BatchSize: 700}
	a, b := digest(t, MustGenerate(t, cfg)), digest(t, MustGenerate(t, cfg))
	if a != b {
		t.Fatalf("same seed, different data: %s vs %s", a, b)
	}
	cfg.Seed = 43
	if c := digest(t, MustGenerate(t, cfg)); c == a {
		t.Fatalf("different seeds gave the same data")
	}
}

// The exact output is pinned so that a change to the generator is a
// deliberate one: update the digest and say why in the commit.
func TestGenerateIsStable(t *testing.T) {
	got := digest(t, MustGenerate(t, Config{AccessPoints: 500, Seed: 1}))
	const want = "57e4e32d1332fc350ac983ffa732b5fac3da692662c47c5d1be11b02116fdd22"
	if got != want {
		t.Fatalf("seed 1, 500 access points: digest %s, want %s", got, want)
	}
}

func TestConfigIsValidated(t *testing.T) {
	for _, cfg := range []Config{{AccessPoints: 0}, {AccessPoints: -1}, {AccessPoints: 10, BatchSize: -1}} {
		_, err := Generate(context.Background(), cfg, func(*coupole.Batch) error { return nil })
		if coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("%+v: got %v, want EINVALID", cfg, err)
		}
	}
}

func TestBatchesAreBoundedAndExact(t *testing.T) {
	for _, n := range []int{1, 2, 999, 2500} {
		bs := MustGenerate(t, Config{AccessPoints: n, Seed: 3, BatchSize: 400})
		total := 0
		for i, b := range bs {
			if len(b.AccessPoints) > 401 {
				t.Errorf("n=%d batch %d holds %d access points, more than the batch size + 1", n, i, len(b.AccessPoints))
			}
			if (i == 0) != (len(b.Suppliers) > 0) || (i == 0) != (len(b.CPAS) > 0) {
				t.Errorf("n=%d batch %d: suppliers and CPAS must come in the first batch only", n, i)
			}
			total += len(b.AccessPoints)
		}
		if total != n {
			t.Errorf("asked for %d access points, got %d", n, total)
		}
	}
}

// world is every record of a generation, for checks across batches.
type world struct {
	cfg   Config
	ref   time.Time
	bs    []*coupole.Batch
	aps   map[coupole.EAN]coupole.AccessPoint
	custs map[string]coupole.Customer
}

func newWorld(t *testing.T, cfg Config) *world {
	w := &world{cfg: cfg, ref: DefaultReference, bs: MustGenerate(t, cfg), aps: map[coupole.EAN]coupole.AccessPoint{}, custs: map[string]coupole.Customer{}}
	for _, b := range w.bs {
		for _, ap := range b.AccessPoints {
			w.aps[ap.EAN] = ap
		}
		for _, c := range b.Customers {
			w.custs[c.ID] = c
		}
	}
	return w
}

func TestEveryRecordIsValid(t *testing.T) {
	w := newWorld(t, Config{AccessPoints: 6000, Seed: 11, BatchSize: 1500})
	meters := map[coupole.MeterNumber]coupole.EAN{}
	var apCount, custCount int
	for bi, b := range w.bs {
		custs := map[string]bool{}
		for _, c := range b.Customers {
			custCount++
			if err := c.Validate(); err != nil {
				t.Fatalf("batch %d customer %s: %v", bi, c.ID, err)
			}
			if c.Mobile != "" && (!strings.HasPrefix(c.Mobile, "+324") || len(c.Mobile) != 12) {
				t.Errorf("customer %s: mobile is not a Belgian mobile in E.164", c.ID)
			}
			if c.Mobile != "" && !c.MobileRegisteredAt.Before(w.ref) {
				t.Errorf("customer %s: mobile registered after the reference date", c.ID)
			}
			if c.Email != "" && !strings.HasSuffix(c.Email, ".example") {
				t.Errorf("customer %s: e-mail outside the reserved .example domain", c.ID)
			}
			custs[c.ID] = true
		}
		apsHere := map[coupole.EAN]bool{}
		for _, ap := range b.AccessPoints {
			apCount++
			if err := ap.Validate(); err != nil {
				t.Fatalf("access point %s: %v", ap.EAN.Masked(), err)
			}
			if !strings.HasPrefix(string(ap.EAN), "5414") {
				t.Errorf("EAN %s does not start with 5414", ap.EAN.Masked())
			}
			pc, _ := strconv.Atoi(ap.Address.Postcode)
			if !(pc >= 1300 && pc <= 1499 || pc >= 4000 && pc <= 7999) {
				t.Errorf("postcode %d is not in Wallonia", pc)
			}
			if len(ap.Meters) == 0 || !ap.Meters[len(ap.Meters)-1].To.IsZero() {
				t.Errorf("access point %s has no meter in place", ap.EAN.Masked())
			}
			for _, m := range ap.Meters {
				if n, err := coupole.ParseMeterNumber(string(m.Number)); err != nil || n != m.Number {
					t.Errorf("meter number %s is not in normal form: %v", m.Number.Masked(), err)
				}
				if other, dup := meters[m.Number]; dup {
					t.Errorf("meter number %s on two access points (%s, %s)", m.Number.Masked(), other.Masked(), ap.EAN.Masked())
				}
				meters[m.Number] = ap.EAN
			}
			apsHere[ap.EAN] = true
		}
		for _, o := range b.Occupancies {
			if err := o.Validate(); err != nil {
				t.Fatalf("occupancy: %v", err)
			}
			if !custs[o.CustomerID] || !apsHere[o.EAN] {
				t.Fatalf("occupancy refers to a customer or access point outside its batch")
			}
			ap := w.aps[o.EAN]
			checkIndexAt(t, "move-in", ap, o.MoveIn, o.MoveInIndex)
		}
		for _, p := range b.SupplyPeriods {
			if err := p.Validate(); err != nil {
				t.Fatalf("supply period: %v", err)
			}
			if !apsHere[p.EAN] {
				t.Fatalf("supply period of an access point outside its batch")
			}
		}
		for _, m := range b.Mandates {
			if err := m.Validate(); err != nil {
				t.Fatalf("mandate %s: %v", m.ID, err)
			}
			if !custs[m.CustomerID] {
				t.Fatalf("mandate %s of a customer outside its batch", m.ID)
			}
		}
		for _, r := range b.Readings {
			if err := r.Validate(); err != nil {
				t.Fatalf("reading: %v", err)
			}
			if !apsHere[r.EAN] {
				t.Fatalf("reading of an access point outside its batch")
			}
			ap := w.aps[r.EAN]
			if m, ok := ap.MeterOn(r.Date); !ok || m.Number != r.Meter {
				t.Fatalf("reading of %s on %s names a meter not in place that day", r.EAN.Masked(), r.Date.Format(time.DateOnly))
			}
			if r.Date.Before(w.ref.AddDate(-HistoryYears, 0, 0)) || !r.Date.Before(w.ref) {
				t.Fatalf("reading dated %s outside the history", r.Date.Format(time.DateOnly))
			}
		}
		for _, n := range b.PublicNotices {
			if err := n.Validate(); err != nil {
				t.Fatalf("public notice %s: %v", n.ID, err)
			}
		}
		for _, s := range b.Suppliers {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range b.CPAS {
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if apCount != len(w.aps) || custCount != len(w.custs) {
		t.Fatalf("EANs or customer IDs repeat: %d access points, %d distinct EANs; %d customers, %d distinct IDs", apCount, len(w.aps), custCount, len(w.custs))
	}
}

func checkIndexAt(t *testing.T, what string, ap coupole.AccessPoint, day time.Time, r coupole.Registers) {
	t.Helper()
	if ap.Energy == coupole.Gas && (r.DayKWh != 0 || r.NightKWh != 0 || r.GasM3 < 0) {
		t.Fatalf("%s index of a gas point has electricity registers", what)
	}
	if ap.Energy == coupole.Electricity && r.GasM3 != 0 {
		t.Fatalf("%s index of an electricity point has a gas register", what)
	}
}

// Per meter, indexes never go down; each regime has its reading rhythm, and
// yearly consumption is plausible.
func TestReadingsFollowTheRegimes(t *testing.T) {
	w := newWorld(t, Config{AccessPoints: 4000, Seed: 5})
	type key struct {
		ean   coupole.EAN
		meter coupole.MeterNumber
	}
	last := map[key]coupole.Reading{}
	perYear := map[string]int{} // ean|year|regime
	var elecYear, gasYear []float64
	for _, b := range w.bs {
		for _, r := range b.Readings {
			k := key{r.EAN, r.Meter}
			if p, ok := last[k]; ok {
				if !p.Date.Before(r.Date) {
					t.Fatalf("readings of %s are not in date order", r.EAN.Masked())
				}
				g, h := p.Registers, r.Registers
				if h.DayKWh < g.DayKWh || h.NightKWh < g.NightKWh || h.ExclusiveNightKWh < g.ExclusiveNightKWh || h.GasM3 < g.GasM3 {
					t.Fatalf("index of %s went down from %v to %v", r.EAN.Masked(), g, h)
				}
				if days := r.Date.Sub(p.Date).Hours() / 24; days > 300 && days < 430 && r.Regime == coupole.RegimeAnnual && p.Regime == coupole.RegimeAnnual {
					used := (h.Total() - g.Total()) * 365 / days
					if w.aps[r.EAN].Energy == coupole.Gas {
						gasYear = append(gasYear, used)
					} else {
						elecYear = append(elecYear, h.DayKWh+h.NightKWh-g.DayKWh-g.NightKWh)
					}
				}
			}
			last[k] = r
			if r.Source != coupole.SourceTechnician { // technicians also read at meter changes
				perYear[fmt.Sprintf("%s|%d|%s", r.EAN, r.Date.Year(), r.Regime)]++
			}
		}
	}
	monthlyFrom := w.ref.AddDate(-MonthlyYears, 0, 0).Year() + 1
	for k, n := range perYear {
		parts := strings.Split(k, "|")
		year, _ := strconv.Atoi(parts[1])
		switch coupole.ReadingRegime(parts[2]) {
		case coupole.RegimeAnnual:
			if n > 1 {
				t.Fatalf("annual regime read %d times in %d", n, year)
			}
		default:
			if year >= monthlyFrom && year < w.ref.Year() && n > 12 {
				t.Fatalf("%s regime read %d times in %d", parts[2], n, year)
			}
		}
	}
	if m := median(elecYear); m < 2000 || m > 5000 {
		t.Errorf("median household electricity %0.f kWh a year, want about 3,500", m)
	}
	if m := median(gasYear); m < 900 || m > 2500 {
		t.Errorf("median gas %0.f m³ a year, want about 1,400", m)
	}
	t.Logf("median a year: electricity %.0f kWh, gas %.0f m³", median(elecYear), median(gasYear))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}

// Occupancies of one access point never overlap, and neither do one
// customer's occupancies of different premises; supply periods of one
// access point never overlap.
func TestPeriodsDoNotOverlap(t *testing.T) {
	w := newWorld(t, Config{AccessPoints: 5000, Seed: 9})
	type span struct{ from, to time.Time }
	overlap := func(a, b span) bool {
		aEnd, bEnd := a.to, b.to
		return (aEnd.IsZero() || b.from.Before(aEnd)) && (bEnd.IsZero() || a.from.Before(bEnd))
	}
	byAP := map[coupole.EAN][]span{}
	byCustomer := map[string]map[string][]span{} // customer → address → spans
	supply := map[coupole.EAN][]span{}
	for _, b := range w.bs {
		for _, o := range b.Occupancies {
			s := span{o.MoveIn, o.MoveOut}
			for _, x := range byAP[o.EAN] {
				if overlap(x, s) {
					t.Fatalf("two occupancies of %s overlap", o.EAN.Masked())
				}
			}
			byAP[o.EAN] = append(byAP[o.EAN], s)
			addr := w.aps[o.EAN].Address.String()
			if byCustomer[o.CustomerID] == nil {
				byCustomer[o.CustomerID] = map[string][]span{}
			}
			for a, spans := range byCustomer[o.CustomerID] {
				if a == addr {
					continue
				}
				for _, x := range spans {
					if overlap(x, s) {
						t.Fatalf("customer %s occupies two addresses at once", o.CustomerID)
					}
				}
			}
			byCustomer[o.CustomerID][addr] = append(byCustomer[o.CustomerID][addr], s)
		}
		for _, p := range b.SupplyPeriods {
			s := span{p.From, p.To}
			for _, x := range supply[p.EAN] {
				if overlap(x, s) {
					t.Fatalf("two supply periods of %s overlap", p.EAN.Masked())
				}
			}
			supply[p.EAN] = append(supply[p.EAN], s)
		}
	}
	for ean := range w.aps {
		if len(supply[ean]) == 0 {
			t.Fatalf("access point %s never had a supplier", ean.Masked())
		}
	}
}

func between(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.3f, want between %.3f and %.3f", what, got, lo, hi)
	} else {
		t.Logf("%s = %.3f", what, got)
	}
}

// The shares the issue asks for, within tolerances.
func TestProportions(t *testing.T) {
	w := newWorld(t, Config{AccessPoints: 20000, Seed: 7})
	var c Counts
	for _, b := range w.bs {
		c.Add(b)
	}
	n := float64(c.AccessPoints)
	between(t, "access points per customer", n/float64(c.Customers), 1.2, 1.4)

	var mobile, german, germanArea, french, email int
	for _, cu := range w.custs {
		if cu.Mobile != "" {
			mobile++
		}
		if cu.Email != "" {
			email++
		}
		if cu.Language == coupole.French {
			french++
		}
		if strings.HasPrefix(cu.PostalAddress.Postcode, "47") {
			germanArea++
			if cu.Language == coupole.German {
				german++
			}
		}
	}
	nc := float64(len(w.custs))
	between(t, "customers with a registered mobile", float64(mobile)/nc, 0.67, 0.73)
	between(t, "customers with an e-mail address", float64(email)/nc, 0.25, 0.45)
	between(t, "French-speaking customers", float64(french)/nc, 0.80, 0.95)
	between(t, "German speakers in the East Cantons", float64(german)/float64(germanArea), 0.70, 0.95)

	var gas, smart, monthly, replaced int
	for _, ap := range w.aps {
		if ap.Energy == coupole.Gas {
			gas++
		}
		switch ap.Regime {
		case coupole.RegimeSmart:
			smart++
		case coupole.RegimeMonthly:
			monthly++
		}
		if len(ap.Meters) > 1 {
			replaced++
		}
	}
	between(t, "gas share of access points", float64(gas)/n, 0.20, 0.30)
	between(t, "smart share", float64(smart)/n, 0.15, 0.35)
	between(t, "monthly share", float64(monthly)/n, 0.02, 0.08)
	between(t, "access points whose meter was replaced", float64(replaced)/n, 0.15, 0.40)

	// Movers: customers who occupied two addresses; vacant points now.
	addrs := map[string]map[string]bool{}
	current := map[coupole.EAN]bool{}
	for _, b := range w.bs {
		for _, o := range b.Occupancies {
			if addrs[o.CustomerID] == nil {
				addrs[o.CustomerID] = map[string]bool{}
			}
			addrs[o.CustomerID][w.aps[o.EAN].Address.String()] = true
			if o.Current(w.ref) {
				current[o.EAN] = true
			}
		}
	}
	movers := 0
	for _, a := range addrs {
		if len(a) > 1 {
			movers++
		}
	}
	between(t, "customers who moved within the region", float64(movers)/nc, 0.05, 0.40)
	between(t, "access points vacant now", 1-float64(len(current))/n, 0.01, 0.10)
	between(t, "occupancies per access point", float64(c.Occupancies)/n, 1.2, 2.2)
	between(t, "supply periods per access point", float64(c.SupplyPeriods)/n, 1.3, 3)
	between(t, "readings per access point", float64(c.Readings)/n, 6, 16)

	var private, cpas, expired, permanent int
	for _, b := range w.bs {
		for _, m := range b.Mandates {
			if m.CPASID != "" {
				cpas++
				if m.ValidTo.IsZero() {
					permanent++
				}
			} else {
				private++
			}
			if m.ValidityOn(w.ref) == coupole.MandateExpired {
				expired++
			}
		}
	}
	between(t, "customers with a private mandate", float64(private)/nc, 0.01, 0.05)
	if cpas == 0 || permanent*10 < cpas*8 {
		t.Errorf("CPAS mandates: %d, of which %d permanent; want some, mostly permanent", cpas, permanent)
	}
	if expired == 0 {
		t.Errorf("no expired mandate")
	}
	if c.PublicNotices == 0 {
		t.Errorf("no public notice")
	}
	t.Logf("counts %+v", c)
}
