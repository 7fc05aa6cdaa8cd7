package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestReadingPageAsksThePolicy: C3, D1, D8 — issue 10, items 2 and 3, on the
// pages. A landlord who knows the meter number gives an index: nothing is
// stored, the page says why in the staff member's language, and no earlier
// reading or consumption is shown. The occupant's index is confirmed with
// the consumption per day since their previous reading.
func TestReadingPageAsksThePolicy(t *testing.T) {
	f := mustDemoFixture(t)
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "adv")
	ctx := context.Background()
	for _, tc := range []struct {
		requester string
		status    int
		notice    string // catalogue key of the notice shown
		stored    int
	}{
		{"landlord", http.StatusSeeOther, "err.index_refused", 0},
		{"customer", http.StatusSeeOther, "", 1},
	} {
		resp := f.form(t, s, "/interactions", url.Values{"channel": {"phone"}, "requester": {tc.requester}})
		ia := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(ia, "/interactions/") {
			t.Fatalf("open: %d", resp.StatusCode)
		}
		if resp := f.form(t, s, ia+"/identify", url.Values{"by": {"ean"}, "ean": {string(storetest.EANElecNamur)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("identify: %d", resp.StatusCode)
		}
		if resp := f.form(t, s, ia+"/select", url.Values{"ref": {"c1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("select: %d", resp.StatusCode)
		}
		if resp := f.form(t, s, ia+"/verify", url.Values{"meter_number": {"9876543A"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", resp.StatusCode)
		}
		resp, body := f.step(t, s, ia+"/reading", url.Values{"day_kwh": {"17500"}, "night_kwh": {"7300"}})
		body = html.UnescapeString(body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: index answered %d, want %d", tc.requester, resp.StatusCode, tc.status)
		}
		fr := coupole.French
		if tc.notice != "" && !strings.Contains(body, Message(fr, tc.notice)) {
			t.Errorf("%s: the page lacks %q", tc.requester, Message(fr, tc.notice))
		}
		confirmed := strings.Contains(body, "Index du ") && strings.Contains(body, "par jour depuis le relevé précédent")
		if confirmed != (tc.stored == 1) || strings.Contains(body, "2024-01-10") {
			t.Errorf("%s: confirmation shown = %v, or the previous reading's date is on the page", tc.requester, confirmed)
		}
		rs, err := f.db.Readings(ctx, storetest.EANElecNamur, f.clock.Now().AddDate(0, 0, -1), f.clock.Now().AddDate(0, 0, 1))
		if err != nil || len(rs) != tc.stored {
			t.Errorf("%s: %d reading(s) stored today, want %d (%v)", tc.requester, len(rs), tc.stored, err)
		}
	}
}
