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

// TestContactPage: D7 — on the interaction page, a landlord who knows the
// meter number is refused (409, in words, nothing changed); the verified
// occupant sees the current details masked on demand, changes them, and the
// page shows the new details masked and the notice to the previous contact;
// a bad value is named in words and changes nothing.
func TestContactPage(t *testing.T) {
	f := mustDemoFixture(t)
	mustStaff(t, f.db, "adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	s := f.mustSession(t, "adv")
	ctx := context.Background()
	fr := coupole.French
	reach := func(requester string) string {
		resp := f.form(t, s, "/interactions", url.Values{"channel": {"phone"}, "requester": {requester}})
		ia := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(ia, "/interactions/") {
			t.Fatalf("open: %d", resp.StatusCode)
		}
		f.form(t, s, ia+"/identify", url.Values{"by": {"ean"}, "ean": {string(storetest.EANElecNamur)}})
		f.form(t, s, ia+"/select", url.Values{"ref": {"c1"}})
		if resp := f.form(t, s, ia+"/verify", url.Values{"meter_number": {"9876543A"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("verify: %d", resp.StatusCode)
		}
		return ia
	}
	before, err := f.db.Customer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}

	ia := reach("landlord")
	resp, body := f.step(t, s, ia+"/contact", url.Values{"email": {"landlord@example.be"}})
	body = html.UnescapeString(body)
	if !strings.Contains(body, Message(fr, "err.contact_refused")) {
		t.Errorf("landlord: %d, page lacks the refusal", resp.StatusCode)
	}
	resp, body = f.step(t, s, ia+"/contact", url.Values{"op": {"show"}})
	if !strings.Contains(html.UnescapeString(body), Message(fr, "err.contact_refused")) || strings.Contains(body, "g•••@e•••.be") {
		t.Errorf("landlord asks to see the details: %d", resp.StatusCode)
	}

	ia = reach("customer")
	resp, body = f.step(t, s, ia+"/contact", url.Values{"op": {"show"}})
	body = html.UnescapeString(body)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, "04•• •• •• 56") || !strings.Contains(body, "g•••@e•••.be") || strings.Contains(body, "gd@example.be") {
		t.Errorf("current details: %d, want them masked", resp.StatusCode)
	}
	resp, body = f.step(t, s, ia+"/contact", url.Values{"mobile": {"081 22 33 44"}, "email": {"ok@example.be"}})
	body = html.UnescapeString(body)
	if !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, Message(fr, "err.contact_mobile")) {
		t.Errorf("landline as mobile: %d", resp.StatusCode)
	}
	if after, _ := f.db.Customer(ctx, "C-1"); after != before {
		t.Errorf("refused or invalid changes wrote: %+v", after)
	}
	resp, body = f.step(t, s, ia+"/contact", url.Values{"mobile": {"0471 23 45 78"}, "language": {"nl"}})
	body = html.UnescapeString(body)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(body, Message(fr, "ia.contact_ok")) || !strings.Contains(body, "04•• •• •• 78") ||
		!strings.Contains(body, Message(fr, "ia.contact_notice")) || strings.Contains(body, "471234578") || strings.Contains(body, "470123456") {
		t.Errorf("change: %d, want the new details masked and the notice", resp.StatusCode)
	}
	if after, _ := f.db.Customer(ctx, "C-1"); after.Mobile != "+32471234578" || after.Language != coupole.Dutch {
		t.Errorf("customer after the change: %+v", after)
	}
}

// TestContactTextsInEveryLanguage: D7 — every text of the contact section
// exists in French, Dutch, German and English, and no two languages share a
// sentence by mistake.
func TestContactTextsInEveryLanguage(t *testing.T) {
	for k, v := range contactMessages {
		for _, l := range coupole.Languages {
			if strings.TrimSpace(v[l]) == "" {
				t.Errorf("%s has no %s text", k, l)
			}
		}
		if len(v[coupole.French]) > 30 && v[coupole.French] == v[coupole.English] {
			t.Errorf("%s: the English text is the French one", k)
		}
	}
	for _, p := range contactProblemKeys {
		if _, ok := contactMessages[p.key]; !ok {
			t.Errorf("problem key %s has no text", p.key)
		}
	}
}
