package interaction_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

const gasMail = "Bonjour, ça sent le gaz devant chez moi, rue des Alouettes 12. Gérard Dupont"

type messageFixture struct {
	svc   *interaction.Service
	ret   *retention.Service
	log   *audit.Log
	media *blob.Local
	clock *coupole.FixedClock
	logs  *bytes.Buffer
}

// mustMessageService is the interaction service with a real audit log and
// a retention registry keeping bodies in an encrypted local blob store.
func mustMessageService(t *testing.T, db *sqlstore.DB) *messageFixture {
	t.Helper()
	s, _ := mustService(t, db)
	clock := s.Clock.(*coupole.FixedClock)
	l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	media, err := blob.NewLocal(t.TempDir(), bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &messageFixture{log: l, media: media, clock: clock, logs: &bytes.Buffer{}}
	f.ret = &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig(), Bodies: media}
	s.Audit, s.Messages, s.Logger = l, f.ret, slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.svc = s
	return f
}

// verifiedInteraction opens an e-mail interaction about EANElecNamur and
// verifies its customer (C-1).
func (f *messageFixture) verifiedInteraction(t *testing.T) string {
	t.Helper()
	id := mustOpen(t, f.svc, adv, interaction.OpenRequest{Channel: "email", Requester: "customer"})
	if _, err := f.svc.Select(context.Background(), adv, id, refFor(t, f.svc, id, storetest.EANElecNamur, "G••• D•••")); err != nil {
		t.Fatal(err)
	}
	if v, err := f.svc.Verify(context.Background(), adv, id, interaction.VerifyRequest{MeterNumber: "9876543a-01"}); err != nil || !v.Verified {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	return id
}

func (f *messageFixture) events(t *testing.T, q audit.Query) []audit.Event {
	t.Helper()
	q.After, q.Limit = -1, audit.MaxQueryLimit
	found, err := f.log.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]audit.Event, len(found))
	for i, e := range found {
		out[i] = e.Event
	}
	return out
}

// R1 (c): an e-mail attached through the interaction API is kept by
// Coupole, sealed in the blob store, registered with its size and SHA-256
// in the default class (one month, R2); its handler reads it, traced with
// the customer; nobody else does (refused, traced); its body is in no
// event, log or error; on both engines.
func TestMessageAttachAndRead(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustMessageService(t, db)
		id := f.verifiedInteraction(t)
		start := now.Add(-10 * time.Minute)
		v, err := f.svc.AttachMessage(ctx, adv, id, interaction.MessageRequest{Channel: "email", Direction: "inbound", StartedAt: start, Body: gasMail})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(gasMail))
		if v.Size != int64(len(gasMail)) || v.SHA256 != hex.EncodeToString(sum[:]) || v.RetentionClass != "default" ||
			!v.DueAt.Equal(start.AddDate(0, 1, 0)) || v.State != "kept" || v.Direction != "inbound" || !v.EndedAt.Equal(start) {
			t.Fatalf("attached: %+v", v)
		}
		it, err := db.RetentionItem(ctx, v.ID)
		if err != nil || it.Kind != retention.KindEmail || it.CustomerID != "C-1" || it.InteractionID != id || it.MediaRef != retention.BodyKey(v.ID) || it.Body != nil {
			t.Fatalf("registry: %+v, %v", it, err)
		}
		if got, err := f.media.Get(ctx, it.MediaRef); err != nil || string(got) != gasMail {
			t.Fatalf("blob: %q, %v", got, err)
		}

		b, err := f.svc.ReadMessage(ctx, adv, id, v.ID)
		if err != nil || b.Body != gasMail || b.ID != v.ID {
			t.Fatalf("read by the handler: %+v, %v", b, err)
		}
		evs := f.events(t, audit.Query{Customer: "C-1"})
		last := evs[len(evs)-1]
		if last.Action != "interaction.message_read" || last.Actor != adv.StaffID || last.Interaction != id || !strings.Contains(strings.Join(last.Data, " "), "message:"+v.ID) {
			t.Fatalf("read not traced with the customer: %+v", last)
		}

		// Somebody else: not found, and the refusal is traced with its target.
		other := interaction.Actor{StaffID: "s-other", Client: "127.0.0.2"}
		if _, err := f.svc.ReadMessage(ctx, other, id, v.ID); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Fatalf("read by another advisor: %v", err)
		}
		if _, err := f.svc.ListMessages(ctx, other, id); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Fatalf("list by another advisor: %v", err)
		}
		refused := f.events(t, audit.Query{Actor: "s-other"})
		if len(refused) != 2 || refused[0].Action != "interaction.refused" || refused[0].Interaction != id || refused[0].Decision == nil || refused[0].Decision.Reason != "not_handler" {
			t.Fatalf("refusals traced: %+v", refused)
		}
		// A message of another interaction, through this one: refused too.
		id2 := mustOpen(t, f.svc, adv, interaction.OpenRequest{Channel: "chat", Requester: "customer"})
		if _, err := f.svc.ReadMessage(ctx, adv, id2, v.ID); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Fatalf("read through another interaction: %v", err)
		}
		if last := f.events(t, audit.Query{Interaction: id2}); last[len(last)-1].Action != "interaction.refused" {
			t.Fatalf("cross-interaction read not traced as refused: %+v", last[len(last)-1])
		}
		list, err := f.svc.ListMessages(ctx, adv, id)
		if err != nil || len(list) != 1 || list[0].ID != v.ID {
			t.Fatalf("list: %+v, %v", list, err)
		}

		// Bad input names the field, never the body; nothing is registered.
		for name, r := range map[string]interaction.MessageRequest{
			"channel":    {Channel: "pigeon", Direction: "inbound", StartedAt: start, Body: gasMail},
			"direction":  {Channel: "chat", Direction: "sideways", StartedAt: start, Body: gasMail},
			"started_at": {Channel: "chat", Direction: "inbound", Body: gasMail},
			"ended_at":   {Channel: "chat", Direction: "inbound", StartedAt: start, EndedAt: &[]time.Time{start.Add(-time.Minute)}[0], Body: gasMail},
			"body":       {Channel: "chat", Direction: "inbound", StartedAt: start},
			"larger":     {Channel: "chat", Direction: "inbound", StartedAt: start, Body: strings.Repeat(gasMail, retention.MaxBodyBytes/len(gasMail)+1)},
			"future":     {Channel: "chat", Direction: "inbound", StartedAt: now.Add(time.Hour), Body: gasMail},
		} {
			_, err := f.svc.AttachMessage(ctx, adv, id, r)
			if coupole.ErrorCode(err) != coupole.EINVALID || strings.Contains(err.Error(), "Alouettes") {
				t.Errorf("%s: %v", name, err)
			}
		}
		if list, _ := f.svc.ListMessages(ctx, adv, id); len(list) != 1 {
			t.Errorf("bad input registered something: %d messages", len(list))
		}

		// The body is in no audit payload and no log line.
		rows, err := db.Reader().QueryContext(ctx, `SELECT payload FROM audit_log WHERE payload IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var p []byte
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			n++
			if bytes.Contains(p, []byte("Alouettes")) {
				t.Errorf("an audit payload holds the body: %s", p)
			}
		}
		rows.Close()
		if n < 5 || strings.Contains(f.logs.String(), "Alouettes") {
			t.Errorf("%d payloads; logs: %s", n, f.logs.String())
		}
	})
}

// R3 at wrap-up, R2 and R4 with an injected clock: an e-mail of a call
// closed as a gas odour moves to the legal class; a chat of an outage call
// stays one month, is purged a month later with its evidence event and its
// body deleted from the blob store, while the gas-odour e-mail is kept.
func TestMessageRetentionFromCallReason(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustMessageService(t, db)
		gasID := f.verifiedInteraction(t)
		gas, err := f.svc.AttachMessage(ctx, adv, gasID, interaction.MessageRequest{Channel: "email", Direction: "inbound", StartedAt: now, Body: gasMail})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Close(ctx, adv, gasID, interaction.CloseRequest{CallReasons: []string{"outage", "emergency_gas_odour"}}); err != nil {
			t.Fatal(err)
		}
		it, _ := db.RetentionItem(ctx, gas.ID)
		if it.Class != "legal_emergency" || !it.Due.Equal(now.AddDate(0, 60, 0)) || it.ClassReason != "call_reason:emergency_gas_odour" {
			t.Fatalf("gas-odour e-mail after close: %+v", it)
		}
		evs := f.events(t, audit.Query{Interaction: gasID})
		var setClass int
		for _, e := range evs {
			if e.Action == retention.ActionSetClass {
				setClass++
			}
		}
		if setClass != 1 {
			t.Fatalf("%d set_class events, want 1", setClass)
		}

		outID := mustOpen(t, f.svc, adv, interaction.OpenRequest{Channel: "chat", Requester: "customer"})
		chat, err := f.svc.AttachMessage(ctx, adv, outID, interaction.MessageRequest{Channel: "chat", Direction: "outbound", StartedAt: now, Body: "Une panne est en cours dans votre rue."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Close(ctx, adv, outID, interaction.CloseRequest{CallReasons: []string{"outage"}}); err != nil {
			t.Fatal(err)
		}
		p := &retention.Purger{Store: db, Audit: f.log, Clock: f.clock, Media: f.media, Logger: slog.New(slog.DiscardHandler)}
		f.clock.T = now.AddDate(0, 1, 0).Add(-time.Minute)
		if res, err := p.Run(ctx); err != nil || res.Purged != 0 {
			t.Fatalf("a minute early: %+v, %v", res, err)
		}
		f.clock.T = now.AddDate(0, 1, 0).Add(30 * time.Minute)
		if res, err := p.Run(ctx); err != nil || res.Purged != 1 || res.Late != 0 {
			t.Fatalf("a month later: %+v, %v", res, err)
		}
		purged, _ := db.RetentionItem(ctx, chat.ID)
		if purged.State != retention.StatePurged || purged.MediaRef != "" || purged.EvidenceIndex < 0 {
			t.Fatalf("chat after the purge: %+v", purged)
		}
		if _, err := f.media.Get(ctx, retention.BodyKey(chat.ID)); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Fatalf("chat body still in the blob store: %v", err)
		}
		var evidence []audit.Event
		for _, e := range f.events(t, audit.Query{Actor: retention.PurgeActor}) {
			if e.Action == retention.ActionPurge {
				evidence = append(evidence, e)
			}
		}
		if len(evidence) != 1 || !strings.Contains(strings.Join(evidence[0].Data, " "), "item:"+chat.ID) ||
			!strings.Contains(strings.Join(evidence[0].Data, " "), "sha256:"+chat.SHA256) {
			t.Fatalf("evidence: %+v", evidence)
		}
		if k, _ := db.RetentionItem(ctx, gas.ID); k.State != retention.StateKept {
			t.Fatalf("gas-odour e-mail purged: %+v", k)
		}
		if got, err := f.media.Get(ctx, retention.BodyKey(gas.ID)); err != nil || string(got) != gasMail {
			t.Fatalf("gas-odour body: %v", err)
		}
	})
}

// Trace first: when the audit log cannot record the read, no body is served.
func TestMessageReadNeedsItsTrace(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	f := mustMessageService(t, db)
	id := f.verifiedInteraction(t)
	v, err := f.svc.AttachMessage(ctx, adv, id, interaction.MessageRequest{Channel: "chat", Direction: "inbound", StartedAt: now, Body: gasMail})
	if err != nil {
		t.Fatal(err)
	}
	f.log.Close()
	b, err := f.svc.ReadMessage(ctx, adv, id, v.ID)
	if coupole.ErrorCode(err) != coupole.EUNAVAILABLE || b.Body != "" || strings.Contains(err.Error(), "Alouettes") {
		t.Fatalf("read without a trace: %+v, %v", b, err)
	}
}
