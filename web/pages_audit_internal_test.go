package web

import (
	"strings"
	"testing"

	"github.com/coupole/coupole/audit"
)

// Auditors see traces, never consumption (issue 10, item 8): an index-intake
// event written by an earlier Coupole, which recorded the per-day use, shows
// without it on the trace screen.
func TestTraceRowHidesConsumption(t *testing.T) {
	f := audit.Found{Entry: audit.Entry{Payload: []byte("{}")}, Event: audit.Event{Action: "interaction.reading", Actor: "s-adv",
		Data: []string{"reading_date=2026-11-30", "source=contact_center", "per_day=12.5"}}}
	row := traceRowOf(f)
	if strings.Contains(row.Data, "per_day") || strings.Contains(row.Data, "12.5") {
		t.Errorf("trace row data = %q: shows consumption", row.Data)
	}
	if !strings.Contains(row.Data, "reading_date=2026-11-30") || !strings.Contains(row.Data, "source=contact_center") {
		t.Errorf("trace row data = %q: lost the rest of the event", row.Data)
	}
}
