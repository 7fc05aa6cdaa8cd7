package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// enableOversight wires issue 16: the anomaly detector, reading the trace
// every Config.Every (≤ 1 minute) on every node (alerts are raised once,
// the cursor moves by compare-and-set); the alerts, team lead's,
// dashboard and redaction routes. The returned function stops the
// detector; call it before the audit log closes.
func enableOversight(ctx context.Context, env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log, access *web.StaffAccess, logger *slog.Logger) (func(), error) {
	oc, err := oversight.LoadConfig(cfg.OversightConfig)
	if err != nil {
		return nil, err
	}
	svc := &oversight.Service{Store: db, Audit: alog, Clock: env.Clock, Interactions: db, OpenTooLong: oc.OpenTooLong}
	dash := &oversight.Dashboard{Store: db, Deliveries: db, Audit: alog, Clock: env.Clock, Location: oc.Location, OpenTooLong: oc.OpenTooLong}
	access.EnableOversight(svc, dash)
	det := &oversight.Detector{Store: db, Trace: audit.NewReader(sqlstore.NewAuditStore(db)), Audit: alog, Clock: env.Clock, Config: oc, Logger: logger}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		det.Run(ctx)
	}()
	logger.Info("oversight: anomaly detector running", "every", oc.Every.String())
	return func() {
		cancel()
		wg.Wait()
	}, nil
}
