package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestFailedDeliveriesForTheBackOffice: issue 11 — a dead delivery is
// listed for the back office and team leads, its recipient masked, and
// shown to the advisor in the interaction with its status and attempts;
// an advisor may not list the dead letter (staff policy).
func TestFailedDeliveriesForTheBackOffice(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t), AuthConfig{})
	mustStaff(t, f.db, "s-back", coupole.StaffOIDC, coupole.RoleBackOffice)
	mustStaff(t, f.db, "s-lead", coupole.StaffOIDC, coupole.RoleTeamLead)
	mustStaff(t, f.db, "s-adv", coupole.StaffOIDC, coupole.RoleAdvisor)
	ctx := context.Background()
	storetest.MustInteraction(t, f.db, "i-1", "s-adv", f.clock.T)
	d := coupole.Delivery{ID: "d-1", InteractionID: "i-1", StaffID: "s-adv", Kind: coupole.DeliverySMS, Item: "ean", EAN: storetest.EAN(1), CustomerID: "C-1",
		Recipient: "+32470123456", IdempotencyKey: "k", RequestHash: "h", CreatedAt: f.clock.T}
	if _, _, err := f.db.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	if ds, err := f.db.ClaimDeliveries(ctx, coupole.OutboxClaim{Owner: "w", Kinds: []string{"sms"}, Now: f.clock.T, Lease: time.Minute, Limit: 1}); err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v %v", ds, err)
	}
	if err := f.db.MarkDeliverySending(ctx, "d-1", "w", f.clock.T.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkDeliveryDead(ctx, "d-1", "w", "http_400"); err != nil {
		t.Fatal(err)
	}
	for _, staff := range []string{"s-back", "s-lead"} {
		resp := f.do(t, f.mustSession(t, staff), "GET", "/api/v1/deliveries/failed", "")
		body := readBody(t, resp)
		var list []map[string]any
		if err := json.Unmarshal([]byte(body), &list); resp.StatusCode != http.StatusOK || err != nil || len(list) != 1 {
			t.Fatalf("%s: %d %s", staff, resp.StatusCode, body)
		}
		if strings.Contains(body, "470123456") || list[0]["status"] != "dead" || list[0]["attempts"] != 1.0 || list[0]["last_error"] != "http_400" || list[0]["interaction"] != "i-1" {
			t.Errorf("%s: %s", staff, body)
		}
	}
	// The page, in French by default.
	resp := f.do(t, f.mustSession(t, "s-back"), "GET", "/deliveries/failed", "")
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "abandonné") || !strings.Contains(page, "••• •• •• 56") || !strings.Contains(page, ">SMS<") || !strings.Contains(page, "http_400") || strings.Contains(page, "470123456") {
		t.Errorf("the back office's page: %d %s", resp.StatusCode, page)
	}
	if resp := f.do(t, f.mustSession(t, "s-adv"), "GET", "/api/v1/deliveries/failed", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("advisor: %d; want 403", resp.StatusCode)
	}
	resp = f.do(t, f.mustSession(t, "s-adv"), "GET", "/api/v1/interactions/i-1", "")
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"dead"`) || !strings.Contains(body, `"recipient":"+32 ••• •• •• 56"`) || strings.Contains(body, "470123456") {
		t.Errorf("the advisor's view: %d %s", resp.StatusCode, body)
	}
}
