// Package oversight gives supervisors and security their instruments
// (issue 16): an anomaly detector that reads the audit trace near real
// time and raises alerts a reviewer can read, the acknowledgement of those
// alerts, the supervisor dashboard's figures and the yearly report's.
package oversight

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Config holds the detector's thresholds. Every threshold is configuration
// (COUPOLE_OVERSIGHT_CONFIG names a JSON file, see docs/oversight.md);
// DefaultConfig is what runs without one.
type Config struct {
	// Every is how often the detector reads the new events of the trace
	// (at most a minute: alerts are near real time).
	Every time.Duration
	// Location is where working hours are counted.
	Location *time.Location

	// Customer views per hour (an advisor's distinct customers in a
	// clock hour) against the advisor's own and their team's baseline:
	// the active hours of the BaselineDays before. An hour departs when it
	// exceeds median + MADFactor × 1.4826 × MAD of both baselines (the own
	// one only once it holds MinBaselineHours hours) and MinViewsPerHour.
	BaselineDays     int
	MinBaselineHours int
	MADFactor        float64
	MinViewsPerHour  int
	// Teams maps a staff id to their team; staff not listed form one team.
	Teams map[string]string

	// Hours is when staff may work; StaffHours overrides it per member.
	Hours      Schedule
	StaffHours map[string]Schedule
	// Networks are the addresses staff work from (empty: not checked);
	// StaffNetworks overrides them per member.
	Networks      []netip.Prefix
	StaffNetworks map[string][]netip.Prefix

	// Lockouts (verifications locked after repeated failures) within
	// LockoutWindow: LockoutsPerAdvisor interactions of one advisor, or
	// LockoutsPerPoint interactions on one access point, raise an alert.
	LockoutWindow      time.Duration
	LockoutsPerAdvisor int
	LockoutsPerPoint   int

	// OpenTooLong: an interaction open longer than this holds its
	// need-to-know too long.
	OpenTooLong time.Duration
}

// Schedule is a weekly window of working hours in Config.Location.
type Schedule struct {
	Days     [7]bool // by time.Weekday
	From, To int     // minutes since midnight, From < To
}

// Contains reports whether t (in loc) falls in the schedule.
func (s Schedule) Contains(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	m := t.Hour()*60 + t.Minute()
	return s.Days[t.Weekday()] && m >= s.From && m < s.To
}

// String renders the schedule as the configuration writes it.
func (s Schedule) String() string {
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var days []string
	for d, on := range s.Days {
		if on {
			days = append(days, names[d])
		}
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", strings.Join(days, ","), s.From/60, s.From%60, s.To/60, s.To%60)
}

// DefaultConfig returns the thresholds documented in docs/oversight.md.
func DefaultConfig() Config {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		loc = time.UTC
	}
	return Config{
		Every:              30 * time.Second,
		Location:           loc,
		BaselineDays:       28,
		MinBaselineHours:   20,
		MADFactor:          6,
		MinViewsPerHour:    30,
		Hours:              Schedule{Days: [7]bool{false, true, true, true, true, true, true}, From: 7 * 60, To: 20 * 60},
		LockoutWindow:      24 * time.Hour,
		LockoutsPerAdvisor: 3,
		LockoutsPerPoint:   2,
		OpenTooLong:        4 * time.Hour,
	}
}

// fileConfig is the JSON form of Config.
type fileConfig struct {
	Every              string              `json:"every"`
	Location           string              `json:"location"`
	BaselineDays       *int                `json:"baseline_days"`
	MinBaselineHours   *int                `json:"min_baseline_hours"`
	MADFactor          *float64            `json:"mad_factor"`
	MinViewsPerHour    *int                `json:"min_views_per_hour"`
	Teams              map[string]string   `json:"teams"`
	Hours              string              `json:"hours"`
	StaffHours         map[string]string   `json:"staff_hours"`
	Networks           []string            `json:"networks"`
	StaffNetworks      map[string][]string `json:"staff_networks"`
	LockoutWindow      string              `json:"lockout_window"`
	LockoutsPerAdvisor *int                `json:"lockouts_per_advisor"`
	LockoutsPerPoint   *int                `json:"lockouts_per_access_point"`
	OpenTooLong        string              `json:"open_too_long"`
}

// LoadConfig reads a JSON configuration file over DefaultConfig; an empty
// path gives DefaultConfig.
func LoadConfig(path string) (Config, error) {
	if path == "" {
		return DefaultConfig(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, coupole.Wrap(err, coupole.EINVALID, "oversight configuration %s: %v", path, err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, coupole.Wrap(err, coupole.EINVALID, "oversight configuration %s: %v", path, err)
	}
	return c, nil
}

// ParseConfig parses the JSON configuration over DefaultConfig and
// validates it; the error names the field at fault.
func ParseConfig(b []byte) (Config, error) {
	var f fileConfig
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Config{}, coupole.Errorf(coupole.EINVALID, "%v", err)
	}
	c := DefaultConfig()
	var err error
	dur := func(name, v string, into *time.Duration) {
		if v == "" || err != nil {
			return
		}
		d, e := time.ParseDuration(v)
		if e != nil || d <= 0 {
			err = coupole.Errorf(coupole.EINVALID, "%s: %q is not a positive duration (e.g. 30s, 4h)", name, v)
			return
		}
		*into = d
	}
	dur("every", f.Every, &c.Every)
	dur("lockout_window", f.LockoutWindow, &c.LockoutWindow)
	dur("open_too_long", f.OpenTooLong, &c.OpenTooLong)
	if err != nil {
		return Config{}, err
	}
	if f.Location != "" {
		if c.Location, err = time.LoadLocation(f.Location); err != nil {
			return Config{}, coupole.Errorf(coupole.EINVALID, "location: unknown time zone %q", f.Location)
		}
	}
	setInt := func(p *int, into *int) {
		if p != nil {
			*into = *p
		}
	}
	setInt(f.BaselineDays, &c.BaselineDays)
	setInt(f.MinBaselineHours, &c.MinBaselineHours)
	setInt(f.MinViewsPerHour, &c.MinViewsPerHour)
	setInt(f.LockoutsPerAdvisor, &c.LockoutsPerAdvisor)
	setInt(f.LockoutsPerPoint, &c.LockoutsPerPoint)
	if f.MADFactor != nil {
		c.MADFactor = *f.MADFactor
	}
	c.Teams = f.Teams
	if f.Hours != "" {
		if c.Hours, err = ParseSchedule(f.Hours); err != nil {
			return Config{}, coupole.Errorf(coupole.EINVALID, "hours: %v", err)
		}
	}
	for id, v := range f.StaffHours {
		s, err := ParseSchedule(v)
		if err != nil {
			return Config{}, coupole.Errorf(coupole.EINVALID, "staff_hours[%s]: %v", id, err)
		}
		if c.StaffHours == nil {
			c.StaffHours = map[string]Schedule{}
		}
		c.StaffHours[id] = s
	}
	if c.Networks, err = parsePrefixes("networks", f.Networks); err != nil {
		return Config{}, err
	}
	for id, v := range f.StaffNetworks {
		ps, err := parsePrefixes("staff_networks["+id+"]", v)
		if err != nil {
			return Config{}, err
		}
		if c.StaffNetworks == nil {
			c.StaffNetworks = map[string][]netip.Prefix{}
		}
		c.StaffNetworks[id] = ps
	}
	return c, c.Validate()
}

// Validate checks the thresholds make sense.
func (c Config) Validate() error {
	switch {
	case c.Every <= 0 || c.Every > time.Minute:
		return coupole.Errorf(coupole.EINVALID, "every: between 1s and 1m (alerts are near real time), not %s", c.Every)
	case c.Location == nil:
		return coupole.Errorf(coupole.EINVALID, "location: missing")
	case c.BaselineDays < 1:
		return coupole.Errorf(coupole.EINVALID, "baseline_days: at least 1")
	case c.MinBaselineHours < 1:
		return coupole.Errorf(coupole.EINVALID, "min_baseline_hours: at least 1")
	case c.MADFactor <= 0:
		return coupole.Errorf(coupole.EINVALID, "mad_factor: must be positive")
	case c.MinViewsPerHour < 1:
		return coupole.Errorf(coupole.EINVALID, "min_views_per_hour: at least 1")
	case c.LockoutWindow <= 0:
		return coupole.Errorf(coupole.EINVALID, "lockout_window: must be positive")
	case c.LockoutsPerAdvisor < 2 || c.LockoutsPerPoint < 2:
		return coupole.Errorf(coupole.EINVALID, "lockouts_per_advisor and lockouts_per_access_point: at least 2 (one lockout already raises its own alert)")
	case c.OpenTooLong <= 0:
		return coupole.Errorf(coupole.EINVALID, "open_too_long: must be positive")
	}
	return nil
}

// ParseSchedule parses "mon-fri 07:00-19:00" or "mon,wed,sat 08:30-12:00".
func ParseSchedule(s string) (Schedule, error) {
	days, hours, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Schedule{}, fmt.Errorf("%q: want days and hours, e.g. \"mon-fri 07:00-19:00\"", s)
	}
	names := map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
	var sc Schedule
	for _, part := range strings.Split(days, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, ok1 := names[a]
		to, ok2 := names[b]
		if !isRange {
			to, ok2 = from, ok1
		}
		if !ok1 || !ok2 {
			return Schedule{}, fmt.Errorf("%q: unknown day in %q (mon, tue, wed, thu, fri, sat, sun)", s, part)
		}
		for d := from; ; d = (d + 1) % 7 {
			sc.Days[d] = true
			if d == to {
				break
			}
		}
	}
	a, b, ok := strings.Cut(strings.TrimSpace(hours), "-")
	var err1, err2 error
	sc.From, err1 = minutes(a)
	sc.To, err2 = minutes(b)
	if !ok || err1 != nil || err2 != nil || sc.From >= sc.To {
		return Schedule{}, fmt.Errorf("%q: hours must be HH:MM-HH:MM, the first before the second", s)
	}
	return sc, nil
}

func minutes(hm string) (int, error) {
	h, m, ok := strings.Cut(hm, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad time %q", hm)
	}
	return hh*60 + mm, nil
}

func parsePrefixes(field string, vs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vs {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, err2 := netip.ParseAddr(v)
			if err2 != nil {
				return nil, coupole.Errorf(coupole.EINVALID, "%s: %q is neither an address nor a prefix (CIDR)", field, v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
