// Package demo generates synthetic grid data that looks like Wallonia: real
// postcodes and towns, plausible streets and names, valid EANs, six years of
// occupancies, supplier switches and meter readings, mandates, CPAS with
// their beneficiaries and public notices.
//
// The data is deterministic: the same Config gives the same records, byte for
// byte, on every run and machine. It is produced in batches of about
// Config.BatchSize access points with every related row, so that two million
// access points never sit in memory at once. See docs/demo.md.
package demo

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// DefaultReference is the demo's "now": history runs for six years up to it.
// A fixed date keeps the data deterministic; the demo server's clock should
// be set near it for the data to look current.
var DefaultReference = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const (
	// DefaultBatchSize is how many access points a batch holds: big enough
	// that commits (each one a disk sync) do not dominate loading, small
	// enough that a batch with its related rows takes a few tens of MB.
	DefaultBatchSize = 10000
	// HistoryYears is how far back occupancies, supply periods and readings go.
	HistoryYears = 6
	// MonthlyYears caps monthly readings (monthly, remote and smart regimes) to
	// the last years, the consumption history a customer may get (D8); before
	// that those points have one reading a year. It keeps two million access
	// points at about ten readings each.
	MonthlyYears = coupole.HistoryYears
)

// Config says what to generate.
type Config struct {
	AccessPoints int       // how many access points in all
	Seed         uint64    // same seed, same data
	Reference    time.Time // the demo's "now"; zero: DefaultReference
	BatchSize    int       // access points per batch; zero: DefaultBatchSize
}

// Counts is how many records of each kind were generated.
type Counts struct {
	Suppliers, CPAS, AccessPoints, Customers, Occupancies, SupplyPeriods, Mandates, Readings, PublicNotices int
}

// Add counts the records of b.
func (c *Counts) Add(b *coupole.Batch) {
	c.Suppliers += len(b.Suppliers)
	c.CPAS += len(b.CPAS)
	c.AccessPoints += len(b.AccessPoints)
	c.Customers += len(b.Customers)
	c.Occupancies += len(b.Occupancies)
	c.SupplyPeriods += len(b.SupplyPeriods)
	c.Mandates += len(b.Mandates)
	c.Readings += len(b.Readings)
	c.PublicNotices += len(b.PublicNotices)
}

// Total is the number of records of every kind.
func (c Counts) Total() int {
	return c.Suppliers + c.CPAS + c.AccessPoints + c.Customers + c.Occupancies + c.SupplyPeriods +
		c.Mandates + c.Readings + c.PublicNotices
}

// Rows lists the counts by table name, in loading order.
func (c Counts) Rows() []struct {
	Name  string
	Count int
} {
	return []struct {
		Name  string
		Count int
	}{
		{"suppliers", c.Suppliers}, {"cpas", c.CPAS}, {"access_points", c.AccessPoints},
		{"customers", c.Customers}, {"occupancies", c.Occupancies}, {"supply_periods", c.SupplyPeriods},
		{"mandates", c.Mandates}, {"readings", c.Readings}, {"public_notices", c.PublicNotices},
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.AccessPoints < 1 {
		return coupole.Errorf(coupole.EINVALID, "demo: the number of access points must be at least 1")
	}
	if c.AccessPoints > maxAccessPoints {
		return coupole.Errorf(coupole.EINVALID, "demo: at most %d access points", maxAccessPoints)
	}
	if c.BatchSize < 0 {
		return coupole.Errorf(coupole.EINVALID, "demo: batch size cannot be negative")
	}
	return nil
}

// maxAccessPoints keeps EANs (11 free digits) and meter numbers (10) unique.
const maxAccessPoints = 100_000_000

// Generate produces the data of cfg in batches and hands each to yield, in
// order. A batch is fresh memory that yield may keep. Suppliers and CPAS come
// in the first batch; every other record refers only to records of its own
// batch or of the first. Generation stops at the first error of yield or
// when ctx is done.
func Generate(ctx context.Context, cfg Config, yield func(*coupole.Batch) error) (Counts, error) {
	var counts Counts
	if err := cfg.Validate(); err != nil {
		return counts, err
	}
	g := newGenerator(cfg)
	for g.nextAP < cfg.AccessPoints {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		b := g.batch()
		counts.Add(b)
		if err := yield(b); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// ---- places ----

//go:embed places.tsv
var placesTSV string

type place struct {
	Postcode string
	Town     string
	Weight   float64
	German   bool // German-speaking Community (4700–4799)
}

var places = mustParsePlaces(placesTSV)

func mustParsePlaces(s string) []place {
	var ps []place
	sc := bufio.NewScanner(strings.NewReader(s))
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != 3 {
			panic(fmt.Sprintf("places.tsv:%d: want 3 tab-separated fields", line))
		}
		pc, err := strconv.Atoi(f[0])
		if err != nil || !(pc >= 1300 && pc <= 1499 || pc >= 4000 && pc <= 7999) {
			panic(fmt.Sprintf("places.tsv:%d: %q is not a Walloon postcode", line, f[0]))
		}
		w, err := strconv.ParseFloat(f[2], 64)
		if err != nil || w <= 0 {
			panic(fmt.Sprintf("places.tsv:%d: weight must be positive", line))
		}
		ps = append(ps, place{Postcode: f[0], Town: f[1], Weight: w, German: pc >= 4700 && pc <= 4799})
	}
	return ps
}

// ---- generator ----

type generator struct {
	cfg             Config
	refDay          int // days since 1970-01-01
	startDay        int
	monthlyFromDay  int
	cumWeight       []float64
	streets         [][]string // per place, built on first use
	eanBase         uint64
	mtrBase         uint64
	cpasByTown      map[string]string
	nextAP          int
	nextCustomer    int
	nextNotice      int
	batchNo         uint64
	r               *rand.Rand
	building        *buildingState
	supplierCumProb []float64
}

type buildingState struct {
	place  int
	street string
	number string
	left   int
	box    int
}

const (
	eanSpace   = 100_000_000_000 // 11 digits after "541449"
	meterSpace = 10_000_000_000  // 10 digits
	keyStride  = 37              // at most this many keys per access point
)

func newGenerator(cfg Config) *generator {
	if cfg.Reference.IsZero() {
		cfg.Reference = DefaultReference
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	ref := coupole.Date(cfg.Reference)
	g := &generator{
		cfg:            cfg,
		refDay:         dayOf(ref),
		startDay:       dayOf(ref.AddDate(-HistoryYears, 0, 0)),
		monthlyFromDay: dayOf(ref.AddDate(-MonthlyYears, 0, 0)),
		streets:        make([][]string, len(places)),
		cpasByTown:     map[string]string{},
	}
	sum := 0.0
	for _, p := range places {
		sum += p.Weight
		g.cumWeight = append(g.cumWeight, sum)
	}
	acc := 0.0
	for _, s := range suppliers {
		acc += s.share
		g.supplierCumProb = append(g.supplierCumProb, acc)
	}
	// EANs and meter numbers grow with the access point's rank, with a
	// random gap between neighbours: they look scattered, never repeat, and
	// arrive in key order, so the store appends to its indexes instead of
	// inserting all over them (which is what makes two million fast).
	sr := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	g.eanBase = sr.Uint64N(eanSpace / 4)
	g.mtrBase = meterSpace/100 + sr.Uint64N(meterSpace/20) // a leading zero up to a few million
	for _, t := range cpasTowns {
		g.cpasByTown[t] = "cpas-" + slug(t)
	}
	return g
}

func dayOf(t time.Time) int { return int(t.Unix() / 86400) }

func dateOf(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// ean returns the EAN of the i-th access point.
func (g *generator) ean(i int) coupole.EAN {
	body := g.eanBase + uint64(i)*keyStride + g.jitter(uint64(i))
	s := fmt.Sprintf("541449%011d", body)
	return coupole.EAN(s + string(coupole.GS1CheckDigit(s)))
}

// meterCore is the unique numeric part of the k-th meter (0 or 1) of access
// point i: ten digits, the first a zero.
func (g *generator) meterCore(i, k int) string {
	m := uint64(2*i + k)
	return fmt.Sprintf("%010d", g.mtrBase+m*keyStride+g.jitter(m^0xabcdef))
}

// jitter is a deterministic gap in [0, keyStride) for key i.
func (g *generator) jitter(i uint64) uint64 {
	x := (i + g.cfg.Seed) * 0x9E3779B97F4A7C15
	x ^= x >> 29
	return x % keyStride
}

// ---- random helpers ----

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) between(lo, hi int) int { // [lo, hi]
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// expDays draws an exponential duration with the given mean in years.
func (g *generator) expDays(meanYears float64) int {
	return int(g.r.ExpFloat64() * meanYears * 365.25)
}

func (g *generator) place() int {
	x := g.r.Float64() * g.cumWeight[len(g.cumWeight)-1]
	return sort.SearchFloat64s(g.cumWeight, x)
}

func (g *generator) supplier(not string) string {
	for {
		x := g.r.Float64() * g.supplierCumProb[len(g.supplierCumProb)-1]
		s := suppliers[sort.SearchFloat64s(g.supplierCumProb, x)].id
		if s != not {
			return s
		}
	}
}

// streetsOf returns the streets of a place: a subset of the street names,
// the same for every batch.
func (g *generator) streetsOf(pi int) []string {
	if g.streets[pi] != nil {
		return g.streets[pi]
	}
	p := places[pi]
	pc, _ := strconv.Atoi(p.Postcode)
	r := rand.New(rand.NewPCG(g.cfg.Seed, uint64(pc)<<20|1))
	pool := streetsFR
	if p.German {
		pool = streetsDE
	}
	n := min(len(pool), 6+int(p.Weight*2))
	idx := r.Perm(len(pool))[:n]
	sort.Ints(idx)
	var out []string
	seen := map[string]bool{}
	for _, i := range idx {
		s := pool[i]
		if strings.Contains(s, "%s") {
			s = fmt.Sprintf(s, neighbourTown(r, pi))
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	g.streets[pi] = out
	return out
}

func neighbourTown(r *rand.Rand, pi int) string {
	for range 10 {
		j := pi + r.IntN(9) - 4
		if j >= 0 && j < len(places) && places[j].Town != places[pi].Town {
			return places[j].Town
		}
	}
	return "Bruxelles"
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(foldAccents(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

var accentFolds = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u", "ú", "u",
	"œ", "oe", "ß", "ss", "ş", "s", "É", "E", "È", "E", "Ê", "E", "À", "A", "Ö", "O", "Ü", "U", "Ä", "A",
)

func foldAccents(s string) string { return accentFolds.Replace(s) }
