package outbound_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Environment of the child process of the kill test.
const (
	killDSNEnv     = "COUPOLE_OUTBOX_KILL_DSN"
	killGatewayEnv = "COUPOLE_OUTBOX_KILL_GATEWAY"
	killTimeEnv    = "COUPOLE_OUTBOX_KILL_TIME"
)

// stallAfterAccept lets the gateway accept, says so on stdout, and never
// returns: the parent kills the process there, between the acceptance and
// the status write.
type stallAfterAccept struct{ inner outbound.Provider }

func (s stallAfterAccept) Send(ctx context.Context, m outbound.Message) (outbound.Receipt, error) {
	r, err := s.inner.Send(ctx, m)
	if err == nil {
		os.Stdout.WriteString("accepted " + m.ID + "\n")
		select {}
	}
	return r, err
}

// TestOutboxKillChild is the child of TestSMSWorkerProcessKilled: a worker
// process that sends and is killed before it records.
func TestOutboxKillChild(t *testing.T) {
	dsn := os.Getenv(killDSNEnv)
	if dsn == "" {
		t.Skip("child process of TestSMSWorkerProcessKilled")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339Nano, os.Getenv(killTimeEnv))
	if err != nil {
		t.Fatal(err)
	}
	clock := &coupole.FixedClock{T: at}
	log, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sms.New(sms.Config{URL: os.Getenv(killGatewayEnv)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &outbound.Worker{Store: db, Grid: db, Audit: log, Clock: clock, Owner: "child", Lease: time.Minute,
		Providers: map[string]outbound.Provider{coupole.DeliverySMS: stallAfterAccept{p}}}
	w.RunOnce(ctx)
	t.Fatal("the worker returned: it should have been killed")
}

// TestSMSWorkerProcessKilled: issue 11 Done when — a worker process is
// killed (SIGKILL) after the gateway accepted the SMS and before the status
// write; a worker started afterwards sends it again once the lease expires,
// under the same idempotency key: the gateway has one message.
func TestSMSWorkerProcessKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := mustBed(t, db)
		id := b.mustVerifiedCall(t)
		did := b.mustExecuteSMS(t, id, "k1")
		dsn := strings.TrimPrefix(strings.TrimPrefix(db.Describe(), "SQLite file "), "PostgreSQL ")
		if strings.Contains(dsn, "xxxxx") {
			t.Skip("the PostgreSQL test URL carries a password: no child process")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxKillChild$", "-test.v")
		cmd.Env = append(os.Environ(), killDSNEnv+"="+dsn, killGatewayEnv+"="+b.gw.URL, killTimeEnv+"="+b.clock.T.Format(time.RFC3339Nano))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Process.Kill()
		lines := bufio.NewScanner(out)
		accepted := false
		for lines.Scan() {
			if lines.Text() == "accepted "+did {
				accepted = true
				break
			}
		}
		if !accepted {
			t.Fatalf("the child never got the gateway's acceptance")
		}
		cmd.Process.Kill()
		cmd.Wait()
		if d := mustDelivery(t, db, did); d.Status != coupole.DeliverySending || d.LeaseOwner != "child" || len(b.gw.Received()) != 1 {
			t.Fatalf("after the kill: %+v, gateway %d", d, len(b.gw.Received()))
		}
		w := b.worker("restarted", nil, nil)
		if n, err := w.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("while the dead worker's lease runs: %d, %v", n, err)
		}
		b.clock.T = b.clock.T.Add(time.Minute + time.Second)
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("after the lease: %d, %v", n, err)
		}
		if got := b.gw.Received(); len(got) != 1 || b.gw.Requests() != 2 || got[0].To != "+32470123456" {
			t.Fatalf("gateway: %d requests, %+v; want one message", b.gw.Requests(), got)
		}
		if d := mustDelivery(t, db, did); d.Status != coupole.DeliverySent || d.Attempts != 2 {
			t.Errorf("delivery = %+v", d)
		}
	})
}
