package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/sqlstore"
)

// newProviders returns the outbound providers by delivery kind, and a
// function that releases them. This is the one place where a provider is
// wired: letters (outbound/letter) and e-mail (outbound/email) go here
// beside SMS. A kind left out stays pending (see outboxCollector).
//
// Under --demo nothing leaves the machine: SMS go to a local gateway on
// loopback unless a gateway is configured, and a configured gateway must
// be on loopback too.
func newProviders(cfg *Config, demo bool, clock coupole.Clock, logger *slog.Logger) (map[string]outbound.Provider, func(), error) {
	providers := map[string]outbound.Provider{}
	var closers []func()
	release := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	switch {
	case cfg.SMSGatewayConfig != "":
		c, err := sms.LoadConfig(cfg.SMSGatewayConfig)
		if err != nil {
			return nil, release, err
		}
		if demo && !sms.IsLoopback(c.URL) {
			return nil, release, coupole.Errorf(coupole.EINVALID, "--sms-gateway-config: under --demo the SMS gateway must be on this machine (loopback): demo numbers may belong to real people")
		}
		p, err := sms.New(c, nil)
		if err != nil {
			return nil, release, err
		}
		providers[coupole.DeliverySMS] = p
		logger.Info("SMS go to the configured gateway", "url", p.URL())
	case demo:
		gw, err := sms.StartLocalGateway()
		if err != nil {
			return nil, release, err
		}
		closers = append(closers, func() { gw.Close() })
		p, err := sms.New(sms.Config{URL: gw.URL}, nil)
		if err != nil {
			release()
			return nil, release, err
		}
		providers[coupole.DeliverySMS] = p
		logger.Info("demo: SMS go to a local gateway on this machine and are never sent", "url", gw.URL)
	}
	// Letters are printed into the spool once the operator who signs them
	// is configured (a made-up one under --demo); the mail house takes the
	// day's batch (coupole letters batch).
	if demo || cfg.LetterSenderName != "" || cfg.LetterSenderAddress != (coupole.Address{}) {
		spool, err := newLetterSpool(cfg, demo, clock)
		if err != nil {
			release()
			return nil, release, err
		}
		providers[coupole.DeliveryLetter] = spool
	}
	// E-mails go to the SMTP relay; any --smtp-* setting means the operator
	// wants e-mail, so an incomplete one stops start-up.
	if cfg.smtpConfigured() {
		p, err := cfg.newEmailProvider()
		if err != nil {
			release()
			return nil, release, err
		}
		providers[coupole.DeliveryEmail] = p
	}
	return providers, release, nil
}

// newWorker builds the delivery worker of this process.
func newWorker(env *Env, cfg *Config, db *sqlstore.DB, alog *audit.Log, providers map[string]outbound.Provider, logger *slog.Logger) *outbound.Worker {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	for _, kind := range []string{coupole.DeliverySMS, coupole.DeliveryLetter, coupole.DeliveryEmail} {
		if providers[kind] == nil {
			logger.Warn("no provider for this kind of delivery: they stay pending (metric coupole_deliveries_waiting)", "kind", kind)
		}
	}
	return &outbound.Worker{Store: db, Grid: db, Audit: alog, Clock: env.Clock, Providers: providers, Logger: logger,
		Owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])), MaxAttempts: cfg.DeliveryMaxAttempts}
}

// startWorker runs w every cfg.DeliveryEvery until the returned function
// is called; it waits for the pass under way to end (the audit log must
// still be open then).
func startWorker(ctx context.Context, cfg *Config, w *outbound.Worker) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx, cfg.DeliveryEvery)
	}()
	return func() {
		cancel()
		<-done
	}
}

// outboxCollector exports the deliveries still to send, by kind and by
// whether a provider is configured for it: a kind without one shows as
// coupole_deliveries_waiting{provider="missing"} on /metrics.
type outboxCollector struct {
	db        *sqlstore.DB
	providers map[string]outbound.Provider
	desc      *prometheus.Desc
}

func newOutboxCollector(db *sqlstore.DB, providers map[string]outbound.Provider) *outboxCollector {
	return &outboxCollector{db: db, providers: providers, desc: prometheus.NewDesc("coupole_deliveries_waiting",
		"Deliveries not yet sent (pending, sending or failed with a retry scheduled), by kind and whether a provider is configured.",
		[]string{"kind", "provider"}, nil)}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.db.PendingDeliveriesByKind(ctx)
	if err != nil {
		return
	}
	for _, kind := range []string{coupole.DeliverySMS, coupole.DeliveryLetter, coupole.DeliveryEmail} {
		state := "configured"
		if c.providers[kind] == nil {
			state = "missing"
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[kind]), kind, state)
	}
}
