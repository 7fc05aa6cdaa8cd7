package email_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/email"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestWorkerSendsABackOfficeAnswerByEmail: issue 11 end to end on the
// e-mail side — a back-office answer recorded as a delivery (as casework
// writes it) is sent by the outbound worker through the SMTP provider and
// arrives, once, in a real SMTP server, to the customer's registered
// address, in their language; the delivery is then sent, with the
// Message-ID as the provider's id, traced.
func TestWorkerSendsABackOfficeAnswerByEmail(t *testing.T) {
	mp := MustStartMailpit(t)
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		mp.DeleteAll()
		storetest.MustLoad(t, db, storetest.Fixture())
		clock := &coupole.FixedClock{T: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-bo", Kind: coupole.StaffOIDC, Login: "s-bo", Roles: []coupole.Role{coupole.RoleBackOffice}, Status: coupole.StaffActive, CreatedAt: clock.T}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateInteraction(ctx, coupole.Interaction{ID: "i-mail", StaffID: "s-bo", Channel: "email", Requester: "customer", OpenedAt: clock.T}); err != nil {
			t.Fatal(err)
		}
		const answer = "Votre dossier est traité : le relevé de novembre a été corrigé."
		d := coupole.Delivery{ID: "d-mail-1", InteractionID: "i-mail", StaffID: "s-bo", Kind: coupole.DeliveryEmail, Item: email.ItemCaseAnswer,
			EAN: storetest.EANElecNamur, CustomerID: "C-1", Recipient: "gd@example.be", IdempotencyKey: "k-mail-1", RequestHash: "h",
			Status: coupole.DeliveryPending, CreatedAt: clock.T, Text: answer}
		if _, created, err := db.CreateDelivery(ctx, d); err != nil || !created {
			t.Fatalf("create delivery: %v, %v", created, err)
		}
		log, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()
		p := mustSMTP(t, email.Config{Host: "127.0.0.1", Port: mp.smtpPort, TLS: email.NoTLS, From: testFrom})
		w := &outbound.Worker{Store: db, Grid: db, Audit: log, Clock: clock, Owner: "t", Providers: map[string]outbound.Provider{coupole.DeliveryEmail: p},
			MaxAttempts: 3, Lease: time.Minute, Rand: func() float64 { return 0.5 }}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("worker pass: %d, %v; want 1 delivery handled", n, err)
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second pass: %d, %v; want nothing left", n, err)
		}
		msg, _ := mp.MustOnlyMessage()
		if len(msg.To) != 1 || msg.To[0].Address != "gd@example.be" {
			t.Errorf("sent to %+v, want the registered address", msg.To)
		}
		if !strings.Contains(msg.Text, answer) {
			t.Errorf("the e-mail does not hold the answer: %q", msg.Text)
		}
		got, err := db.Delivery(ctx, d.ID)
		if err != nil || got.Status != coupole.DeliverySent || !strings.Contains(got.ProviderID, d.ID) {
			t.Errorf("delivery after the pass: %+v, %v; want sent with the Message-ID", got, err)
		}
	})
}
