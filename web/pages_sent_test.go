package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestInteractionPageListsWhatWasSent: the advisor sees, on the call's page,
// every SMS, letter or e-mail the call created and where it stands (issue
// 11: every state change is shown to the advisor), its recipient masked.
func TestInteractionPageListsWhatWasSent(t *testing.T) {
	f := mustDemoFixture(t)
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "adv")
	resp := f.form(t, s, "/interactions", url.Values{"channel": {"phone"}, "requester": {"customer"}})
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
	fr := coupole.French
	before := html.UnescapeString(f.get(t, s, ia, nil))
	if strings.Contains(before, Message(fr, "ia.sent")) {
		t.Fatalf("the page lists deliveries before any was made")
	}
	if resp := f.form(t, s, ia+"/execute", url.Values{"item": {"ean"}, "key": {"k-sent-1"}}); resp.StatusCode >= 400 {
		t.Fatalf("execute: %d", resp.StatusCode)
	}
	body := html.UnescapeString(f.get(t, s, ia, nil))
	for _, want := range []string{Message(fr, "ia.sent"), Message(fr, "deliveries.status.pending"), Message(fr, "item.ean")} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, string(storetest.EANElecNamur)) {
		t.Errorf("the page shows the full EAN")
	}
}
