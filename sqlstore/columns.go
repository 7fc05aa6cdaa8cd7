package sqlstore

import (
	"fmt"
	"strings"
	"time"
)

// Column values as both engines store them, and their scanners.

func placeholders(first, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}

// day formats a date as stored: 'YYYY-MM-DD' (a DATE on PostgreSQL).
func day(t time.Time) string { return t.Format(time.DateOnly) }

func nullDay(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return day(t)
}

// instant formats an instant as stored: RFC 3339 in UTC (a TIMESTAMPTZ on
// PostgreSQL), fixed width so that text comparison orders it.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeCol scans a DATE, TIMESTAMPTZ or their SQLite TEXT form; NULL gives the
// zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T as a time", v)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	layout := time.RFC3339Nano
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return err
	}
	*c.t = t.UTC()
	return nil
}

// nullStr scans a nullable text column into a string, "" for NULL.
type nullStr struct{ s *string }

func (c nullStr) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T as text", v)
	}
	return nil
}
