package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// `--blob s3://…` (issue 13, item 1): the purge deletes the media of a due
// call from an S3-compatible server (gofakes3 over HTTP), credentials come
// from the environment and appear in no output; a bad URL or missing
// credentials stop the command with a message naming the setting.
func TestRetentionRunS3Blob(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("coupole-media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	const secret = "s3-secret-never-printed"
	dir := t.TempDir()
	dataDir, dbPath := filepath.Join(dir, "data"), filepath.Join(dir, "c.db")
	env := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir,
		"COUPOLE_BLOB":      "s3://coupole-media/prod?endpoint=" + srv.URL + "&region=eu-west-3",
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": secret}
	for _, args := range [][]string{{"init"}, {"migrate"}} {
		if r := runCLI(t, env, "", args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := &coupole.FixedClock{T: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	media, err := openMediaStore(&Env{Getenv: func(k string) string { return env[k] }}, &Config{DataDir: dataDir, Blob: env["COUPOLE_BLOB"]})
	if err != nil {
		t.Fatal(err)
	}
	info, err := media.Put(ctx, "rec/outage.wav", []byte("RIFF outage call"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backend.HeadObject("coupole-media", "prod/rec/outage.wav"); err != nil {
		t.Fatalf("not in the bucket: %v", err)
	}
	svc := &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	if _, err := svc.Register(ctx, "system:test", retention.Item{Kind: retention.KindRecording, Source: retention.SourceCoupole, CallReason: "outage",
		Start: clock.T, MediaRef: info.Key, Size: info.Size, SHA256: info.SHA256}); err != nil {
		t.Fatal(err)
	}
	l.Close()

	r := runCLI(t, env, "", "retention", "run")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "purged 1") || strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatalf("retention run: %+v", r)
	}
	if _, err := backend.HeadObject("coupole-media", "prod/rec/outage.wav"); err == nil {
		t.Fatal("the media is still in the bucket after the purge")
	}

	noCreds := map[string]string{"COUPOLE_DB": dbPath, "COUPOLE_DATA_DIR": dataDir, "COUPOLE_BLOB": env["COUPOLE_BLOB"]}
	if r := runCLI(t, noCreds, "", "retention", "run"); r.code == 0 || !strings.Contains(r.stderr, "AWS_ACCESS_KEY_ID") {
		t.Fatalf("without credentials: %+v", r)
	}
	if r := runCLI(t, env, "", "retention", "run", "--blob", "s3://bucket?endpoint=http://s3.example.com"); r.code != 2 || !strings.Contains(r.stderr, "blob") || !strings.Contains(r.stderr, "loopback") {
		t.Fatalf("clear-text endpoint: %+v", r)
	}
}
