package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
	"github.com/prometheus/client_golang/prometheus"
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
	if _, release, err := newProviders(cfg, true, coupole.SystemClock{}, logger); coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("demo with a remote gateway: %v", err)
	} else {
		release()
	}
	if ps, release, err := newProviders(cfg, false, coupole.SystemClock{}, logger); err != nil || ps[coupole.DeliverySMS] == nil {
		t.Errorf("a remote gateway without --demo: %v", err)
	} else {
		release()
	}
	ps, release, err := newProviders(&Config{DataDir: t.TempDir()}, true, coupole.SystemClock{}, logger)
	defer release()
	p, ok := ps[coupole.DeliverySMS].(*sms.Provider)
	if err != nil || !ok || !sms.IsLoopback(p.URL()) {
		t.Errorf("demo without a gateway: %v, %v", ps, err)
	}
	if ps[coupole.DeliveryLetter] == nil { // printed into the data directory's spool, never posted
		t.Errorf("demo: no letter provider")
	}
	if ps, _, err := newProviders(&Config{}, false, coupole.SystemClock{}, logger); err != nil || len(ps) != 0 {
		t.Errorf("no gateway, no demo: %v, %v; want SMS left pending", ps, err)
	}
}

// TestWaitingDeliveriesMetric: a kind without a provider shows on /metrics
// with provider="missing", so that nobody waits for letters that no
// provider will send.
func TestWaitingDeliveriesMetric(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	storetest.MustStaffMember(t, db, "s-a")
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	storetest.MustInteraction(t, db, "i-1", "s-a", at)
	for i, kind := range []string{coupole.DeliveryLetter, coupole.DeliveryLetter, coupole.DeliverySMS} {
		if _, _, err := db.CreateDelivery(ctx, coupole.Delivery{ID: fmt.Sprintf("d-%d", i), InteractionID: "i-1", StaffID: "s-a", Kind: kind, Item: "ean",
			EAN: storetest.EANElecNamur, CustomerID: "C-1", Recipient: "installation_address", IdempotencyKey: fmt.Sprint(i), RequestHash: "h", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	gather := func(providers map[string]outbound.Provider) map[string]float64 {
		reg := prometheus.NewRegistry()
		reg.MustRegister(newOutboxCollector(db, providers))
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, l.GetName()+"="+l.GetValue())
				}
				out[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetGauge().GetValue()
			}
		}
		return out
	}
	want := map[string]float64{
		"coupole_deliveries_waiting{kind=email,provider=missing}":  0,
		"coupole_deliveries_waiting{kind=letter,provider=missing}": 2,
		"coupole_deliveries_waiting{kind=sms,provider=configured}": 1,
	}
	if got := gather(map[string]outbound.Provider{coupole.DeliverySMS: stallProvider{}}); !maps.Equal(got, want) {
		t.Errorf("metrics = %v, want %v", got, want)
	}
}

type stallProvider struct{}

func (stallProvider) Send(context.Context, outbound.Message) (outbound.Receipt, error) {
	return outbound.Receipt{}, nil
}
