package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/storetest"
)

func writeGatewayConfig(t *testing.T, url string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sms.json")
	if err := os.WriteFile(p, []byte(`{"url": "`+url+`", "timeout": "5s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDeliverOnce: issue 11 — `coupole deliver --once` sends the due SMS
// through the configured gateway, traced, and exits.
func TestDeliverOnce(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "c.db")
	gw, err := sms.StartLocalGateway()
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": filepath.Join(dir, "data"), "COUPOLE_SMS_GATEWAY_CONFIG": writeGatewayConfig(t, gw.URL)}
	if r := runCLI(t, env, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustLoad(t, db, storetest.Fixture())
	storetest.MustStaffMember(t, db, "s-a")
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	storetest.MustInteraction(t, db, "i-1", "s-a", at)
	if _, _, err := db.CreateDelivery(ctx, coupole.Delivery{ID: "d-1", InteractionID: "i-1", StaffID: "s-a", Kind: coupole.DeliverySMS, Item: "ean", EAN: storetest.EANElecNamur,
		CustomerID: "C-1", Recipient: "+32470123456", IdempotencyKey: "k", RequestHash: "h", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := runCLI(t, env, "", "deliver", "--once")
	if r.code != 0 || !strings.Contains(r.stdout, "1 deliveries handled") {
		t.Fatalf("deliver --once: %+v", r)
	}
	if got := gw.Received(); len(got) != 1 || got[0].To != "+32470123456" || got[0].Key != "d-1" {
		t.Errorf("gateway received %+v", got)
	}
	if strings.Contains(r.stderr, "470123456") {
		t.Errorf("the log holds the number: %s", r.stderr)
	}
	if r := runCLI(t, env, "", "deliver", "--once"); r.code != 0 || !strings.Contains(r.stdout, "0 deliveries handled") || len(gw.Received()) != 1 {
		t.Errorf("second pass: %+v", r)
	}
}

// TestDemoSendsNothingOutside: --demo refuses an SMS gateway off this
// machine, and without one starts a local gateway on loopback.
func TestDemoSendsNothingOutside(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &Config{SMSGatewayConfig: writeGatewayConfig(t, "https://sms.example.com/send")}
	if _, release, err := newProviders(cfg, true, logger); coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("demo with a remote gateway: %v", err)
	} else {
		release()
	}
	if ps, release, err := newProviders(cfg, false, logger); err != nil || ps[coupole.DeliverySMS] == nil {
		t.Errorf("a remote gateway without --demo: %v", err)
	} else {
		release()
	}
	ps, release, err := newProviders(&Config{}, true, logger)
	defer release()
	p, ok := ps[coupole.DeliverySMS].(*sms.Provider)
	if err != nil || !ok || !sms.IsLoopback(p.URL()) {
		t.Errorf("demo without a gateway: %v, %v", ps, err)
	}
	if ps, _, err := newProviders(&Config{}, false, logger); err != nil || len(ps) != 0 {
		t.Errorf("no gateway, no demo: %v, %v; want SMS left pending", ps, err)
	}
}
