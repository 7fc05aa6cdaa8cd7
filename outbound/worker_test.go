package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

var start = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)

var adv = interaction.Actor{StaffID: "s-adv", Client: "127.0.0.1"}

// bed is a real store, audit log, interaction service and local SMS gateway.
type bed struct {
	db    *sqlstore.DB
	log   *audit.Log
	clock *coupole.FixedClock
	svc   *interaction.Service
	gw    *sms.LocalGateway
	sms   *sms.Provider
}

func mustBed(tb testing.TB, db *sqlstore.DB) *bed {
	tb.Helper()
	ctx := context.Background()
	storetest.MustLoad(tb, db, storetest.Fixture())
	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adv", Kind: coupole.StaffOIDC, Login: "s-adv", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: start}); err != nil {
		tb.Fatal(err)
	}
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		tb.Fatal(err)
	}
	b := &bed{db: db, clock: &coupole.FixedClock{T: start}}
	b.log, err = audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: b.clock})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.log.Close() })
	b.svc = &interaction.Service{Grid: db, Store: db, Policy: pol, Audit: b.log, Clock: b.clock}
	if b.gw, err = sms.StartLocalGateway(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.gw.Close() })
	if b.sms, err = sms.New(sms.Config{URL: b.gw.URL, Timeout: "5s"}, nil); err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustVerifiedCall opens a call, identifies Gérard Dupont by his EAN and
// verifies him by his meter: the ean item is then decided "sms".
func (b *bed) mustVerifiedCall(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	v, err := b.svc.Open(ctx, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer", CallerNumber: "+32499000000"})
	if err != nil {
		tb.Fatal(err)
	}
	res, err := b.svc.Identify(ctx, adv, v.ID, interaction.IdentifyRequest{EAN: string(storetest.EANElecNamur)})
	if err != nil {
		tb.Fatal(err)
	}
	ref := ""
	for _, c := range res.Candidates {
		if c.Customer == "G••• D•••" && ref == "" {
			ref = c.Ref
		}
	}
	if _, err := b.svc.Select(ctx, adv, v.ID, ref); err != nil {
		tb.Fatal(err)
	}
	if r, err := b.svc.Verify(ctx, adv, v.ID, interaction.VerifyRequest{MeterNumber: "9876543a-01"}); err != nil || !r.Verified {
		tb.Fatalf("verify: %+v, %v", r, err)
	}
	return v.ID
}

// mustExecuteSMS decides and executes the ean item: one SMS delivery.
func (b *bed) mustExecuteSMS(tb testing.TB, id, key string) string {
	tb.Helper()
	ctx := context.Background()
	if d, err := b.svc.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"}); err != nil || d.Outcome != "sms" {
		tb.Fatalf("decide: %+v, %v", d, err)
	}
	del, err := b.svc.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: key})
	if err != nil || del.Kind != coupole.DeliverySMS {
		tb.Fatalf("execute: %+v, %v", del, err)
	}
	return del.ID
}

func (b *bed) worker(owner string, tr outbound.Tracer, p outbound.Provider) *outbound.Worker {
	if tr == nil {
		tr = b.log
	}
	if p == nil {
		p = b.sms
	}
	return &outbound.Worker{Store: b.db, Grid: b.db, Audit: tr, Clock: b.clock, Owner: owner,
		Providers: map[string]outbound.Provider{coupole.DeliverySMS: p}, MaxAttempts: 3, Lease: time.Minute,
		Rand: func() float64 { return 0.5 }}
}

func mustDelivery(tb testing.TB, db *sqlstore.DB, id string) coupole.Delivery {
	tb.Helper()
	d, err := db.Delivery(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// deliveryEvents returns the worker's audit events about delivery id, in order.
func deliveryEvents(tb testing.TB, b *bed, id string) []audit.Event {
	tb.Helper()
	ctx := context.Background()
	found, err := b.log.Query(ctx, audit.Query{Actor: outbound.Actor, Limit: audit.MaxQueryLimit})
	if err != nil {
		tb.Fatal(err)
	}
	var out []audit.Event
	for _, f := range found {
		ev := f.Event
		if slices.Contains(ev.Data, "delivery="+id) {
			out = append(out, ev)
		}
		if s := fmt.Sprint(ev); strings.Contains(s, "470123456") || strings.Contains(s, "réseau") {
			tb.Errorf("a delivery event holds the number or the text: %+v", ev)
		}
	}
	return out
}

func actions(evs []audit.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// TestSMSDeliveredOnce: D4, issue 11 Done when — decide → execute → the
// local gateway receives one message, to the registered mobile, in the
// customer's language with the EAN; the state changes are traced first,
// masked; a second pass sends nothing.
func TestSMSDeliveredOnce(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		did := b.mustExecuteSMS(t, id, "k1")
		w := b.worker("node-a", nil, nil)
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second RunOnce = %d, %v; want nothing to do", n, err)
		}
		got := b.gw.Received()
		want := "Votre gestionnaire de réseau : le code EAN de votre point de fourniture est " + string(storetest.EANElecNamur) + ". Réf. " + did
		if len(got) != 1 || got[0].To != "+32470123456" || got[0].Text != want || got[0].Key != did {
			t.Fatalf("gateway received %+v; want one message to +32470123456: %q", got, want)
		}
		d := mustDelivery(t, db, did)
		if d.Status != coupole.DeliverySent || d.ProviderID != got[0].ID || d.Attempts != 1 || d.SentAt.IsZero() || d.LeaseOwner != "" {
			t.Errorf("delivery = %+v", d)
		}
		evs := deliveryEvents(t, b, did)
		if a := actions(evs); !slices.Equal(a, []string{"delivery.attempt", "delivery.sent"}) {
			t.Errorf("traced %v", a)
		}
		if !slices.Contains(evs[len(evs)-1].Data, "provider_id="+got[0].ID) {
			t.Errorf("sent event without the provider id: %+v", evs[len(evs)-1])
		}
	})
}

// crashAfterAccept lets the provider accept, then fails the "sent" event as
// a process killed at that instant would: the status is not written.
type crashAfterAccept struct {
	log *audit.Log
}

var errKilled = errors.New("killed")

func (c crashAfterAccept) AppendThen(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	if ev.Action == "delivery.sent" {
		return 0, errKilled
	}
	return c.log.AppendThen(ctx, ev, then)
}

// TestSMSWorkerKilledAfterAcceptance: issue 11 Done when — the worker dies
// between the gateway's acceptance and the status write; the delivery stays
// leased, then claimable once the lease expires; the restarted worker
// sends it again under the same idempotency key and the gateway dedupes:
// one message, no loss, no double send.
func TestSMSWorkerKilledAfterAcceptance(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		did := b.mustExecuteSMS(t, id, "k1")
		if _, err := b.worker("node-a", crashAfterAccept{b.log}, nil).RunOnce(ctx); !errors.Is(err, errKilled) {
			t.Fatalf("first worker: %v; want it killed", err)
		}
		if d := mustDelivery(t, db, did); d.Status != coupole.DeliverySending || d.LeaseOwner != "node-a" {
			t.Fatalf("after the crash: %+v", d)
		}
		restarted := b.worker("node-b", nil, nil)
		if n, err := restarted.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("while the lease runs: %d, %v; want nothing claimed", n, err)
		}
		b.clock.T = b.clock.T.Add(time.Minute + time.Second)
		if n, err := restarted.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("after the lease: %d, %v", n, err)
		}
		got := b.gw.Received()
		if len(got) != 1 || b.gw.Requests() != 2 {
			t.Fatalf("gateway: %d requests, received %+v; want 2 requests, 1 message", b.gw.Requests(), got)
		}
		d := mustDelivery(t, db, did)
		if d.Status != coupole.DeliverySent || d.Attempts != 2 || d.ProviderID != got[0].ID {
			t.Errorf("delivery = %+v", d)
		}
		if a := actions(deliveryEvents(t, b, did)); !slices.Equal(a, []string{"delivery.attempt", "delivery.attempt", "delivery.sent"}) {
			t.Errorf("traced %v", a)
		}
	})
}

// TestFailingGatewayDeadLetter: issue 11 Done when — a gateway that keeps
// failing leads to retries with backoff, then the dead letter, which the
// back office's list shows; a refusal (4xx) is dead at once.
func TestFailingGatewayDeadLetter(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		did := b.mustExecuteSMS(t, id, "k1")
		b.gw.Fail(503, -1)
		w := b.worker("node-a", nil, nil)
		for attempt := 1; attempt <= 3; attempt++ {
			if n, err := w.RunOnce(ctx); err != nil || n != 1 {
				t.Fatalf("attempt %d: %d, %v", attempt, n, err)
			}
			d := mustDelivery(t, db, did)
			if attempt < 3 {
				// Full jitter at 0.5 of min(1h, 10s·2ⁿ⁻¹).
				wantNext := b.clock.T.Add(time.Duration(float64(10*time.Second) * float64(int(1)<<(attempt-1)) * 0.5))
				if d.Status != coupole.DeliveryFailed || d.LastError != "http_503" || !d.NextAttemptAt.Equal(wantNext) {
					t.Fatalf("after attempt %d: %+v; want failed until %v", attempt, d, wantNext)
				}
				if n, _ := w.RunOnce(ctx); n != 0 {
					t.Fatalf("retried before its time")
				}
				b.clock.T = d.NextAttemptAt
			} else if d.Status != coupole.DeliveryDead || d.Attempts != 3 {
				t.Fatalf("after the last attempt: %+v; want dead", d)
			}
		}
		if len(b.gw.Received()) != 0 || b.gw.Requests() != 3 {
			t.Errorf("gateway: %d requests", b.gw.Requests())
		}
		troubled, err := db.TroubledDeliveries(ctx, 100)
		if err != nil || len(troubled) != 1 || troubled[0].ID != did {
			t.Errorf("back office list = %+v, %v", troubled, err)
		}
		if a := actions(deliveryEvents(t, b, did)); !slices.Equal(a, []string{"delivery.attempt", "delivery.failed", "delivery.attempt", "delivery.failed", "delivery.attempt", "delivery.dead"}) {
			t.Errorf("traced %v", a)
		}

		// A refusal no retry will cure: dead at the first attempt.
		refused := b.mustExecuteSMS(t, id, "k2")
		b.gw.Fail(400, 1)
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if d := mustDelivery(t, db, refused); d.Status != coupole.DeliveryDead || d.Attempts != 1 || d.LastError != "http_400" {
			t.Errorf("refused: %+v; want dead after one attempt", d)
		}
	})
}

// TestUnknownItemIsDead: an item no composer knows (a helper's new item not
// yet wired) goes to the dead letter, traced; the worker does not panic.
func TestUnknownItemIsDead(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		d := coupole.Delivery{ID: "d-unknown", InteractionID: id, StaffID: "s-adv", Kind: coupole.DeliverySMS, Item: "horoscope", EAN: storetest.EANElecNamur,
			CustomerID: "C1", Recipient: "+32470123456", IdempotencyKey: "x", RequestHash: "h", Status: coupole.DeliveryPending, CreatedAt: start}
		if _, _, err := db.CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := b.worker("node-a", nil, nil).RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got := mustDelivery(t, db, d.ID); got.Status != coupole.DeliveryDead || got.LastError != "refused" {
			t.Errorf("unknown item: %+v", got)
		}
		if b.gw.Requests() != 0 {
			t.Errorf("the gateway was called")
		}
	})
}

// TestTwoWorkersNeverSendTwice: issue 11 item 1 — two nodes (two handles on
// the database, each its own group committer) work the same outbox at once;
// every delivery reaches the gateway exactly once (one request per id).
func TestTwoWorkersNeverSendTwice(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		const n = 40
		for i := range n {
			b.mustExecuteSMS(t, id, fmt.Sprintf("k%02d", i))
		}
		other := secondNode(t, db)
		wa := b.worker("node-a", nil, nil)
		otherLog, err := audit.Open(ctx, sqlstore.NewAuditStore(other), audit.Options{Clock: b.clock})
		if err != nil {
			t.Fatal(err)
		}
		defer otherLog.Close()
		wb := b.worker("node-b", otherLog, nil)
		wb.Store, wb.Grid = other, other
		wa.Batch, wb.Batch = 4, 4
		wa.Parallel, wb.Parallel = 4, 4
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i, w := range []*outbound.Worker{wa, wb} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = w.RunOnce(ctx)
			}()
		}
		wg.Wait()
		t.Logf("node-a handled %d, node-b %d", counts[0], counts[1])
		// While both ran, no delivery was requested twice: the gateway
		// accepts every request, so a second request for a key would be
		// counted without a second message.
		if r, m := b.gw.Requests(), len(b.gw.Received()); r != m {
			t.Fatalf("two nodes at once: %d requests for %d messages: a delivery was sent twice", r, m)
		}
		if errs[0] == nil && errs[1] == nil {
			if got := b.gw.Received(); len(got) != n || b.gw.Requests() != n || counts[0]+counts[1] != n {
				t.Fatalf("gateway: %d requests, %d messages, workers handled %v; want %d each", b.gw.Requests(), len(got), counts, n)
			}
			return
		}
		// Two audit logs appending to one store at full speed may run out
		// of retries (audit.Log.commit tries five times): the event is not
		// traced, so nothing changes and the worker reports it. The leases
		// of what it held expire and a later pass finishes; no message is
		// sent without its traced attempt, and none reaches the customer
		// twice.
		for _, err := range errs {
			if err != nil && coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
				t.Fatal(err)
			}
		}
		t.Logf("a node could not trace (%v, %v): finishing after the leases expire", errs[0], errs[1])
		b.clock.T = b.clock.T.Add(2 * time.Minute)
		if _, err := wa.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		ds, err := db.Deliveries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		attempts := 0
		for _, d := range ds {
			attempts += d.Attempts
			if d.Status != coupole.DeliverySent {
				t.Errorf("delivery %s: %s", d.ID, d.Status)
			}
		}
		if got := b.gw.Received(); len(got) != n || b.gw.Requests() > attempts {
			t.Fatalf("gateway: %d requests for %d traced attempts, %d messages; want %d messages", b.gw.Requests(), attempts, len(got), n)
		}
	})
}

// secondNode opens another handle on db's database: another server process
// with its own group committer.
func secondNode(tb testing.TB, db *sqlstore.DB) *sqlstore.DB {
	tb.Helper()
	dsn := strings.TrimPrefix(strings.TrimPrefix(db.Describe(), "SQLite file "), "PostgreSQL ")
	if strings.Contains(dsn, "xxxxx") {
		tb.Skip("the PostgreSQL test URL carries a password: no second node")
	}
	other, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { other.Close() })
	return other
}
