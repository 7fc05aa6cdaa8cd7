package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/web"
)

type fakeReadiness struct{ ping, schema error }

func (f fakeReadiness) Ping(context.Context) error        { return f.ping }
func (f fakeReadiness) CheckSchema(context.Context) error { return f.schema }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

func TestProbes(t *testing.T) {
	tests := []struct {
		name       string
		ready      web.Readiness
		wantStatus int
		wantBody   string
	}{
		{"ready", fakeReadiness{}, 200, "ready"},
		{"store down", fakeReadiness{ping: coupole.Errorf(coupole.EUNAVAILABLE, "database: x is not reachable")}, 503, "not reachable"},
		{"old schema", fakeReadiness{schema: coupole.Errorf(coupole.EUNAVAILABLE, "run `coupole migrate`")}, 503, "coupole migrate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := web.NewServer(quietLogger(), tt.ready)
			if code, body := get(t, s, "/healthz"); code != 200 || body != "ok\n" {
				t.Errorf("/healthz = %d %q", code, body)
			}
			code, body := get(t, s, "/readyz")
			if code != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("/readyz = %d %q; want %d containing %q", code, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestReadyzAgainstRealDatabase(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		s := web.NewServer(quietLogger(), db)
		if code, body := get(t, s, "/readyz"); code != 200 {
			t.Errorf("/readyz on a migrated database = %d %q", code, body)
		}
	})
}

func TestMetricsUseRoutePatternsNotPaths(t *testing.T) {
	s := web.NewServer(quietLogger(), fakeReadiness{})
	get(t, s, "/healthz")
	get(t, s, "/no/such/path/541448820000123456")
	_, body := get(t, s, "/metrics")
	if !strings.Contains(body, `coupole_http_requests_total{code="200",route="GET /healthz"} 1`) {
		t.Errorf("metrics lack the /healthz counter:\n%s", grep(body, "coupole_http_requests_total"))
	}
	if strings.Contains(body, "541448820000123456") {
		t.Error("a raw path (which may hold an EAN) reached the metrics")
	}
}

func grep(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestStatusMapping(t *testing.T) {
	for code, want := range map[string]int{
		coupole.EINVALID: 400, coupole.EUNAUTHORIZED: 401, coupole.EFORBIDDEN: 403, coupole.ENOTFOUND: 404,
		coupole.ECONFLICT: 409, coupole.EUNAVAILABLE: 503, coupole.EINTERNAL: 500, "something new": 500,
	} {
		if got := web.Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestGracefulShutdownLetsRequestsFinish(t *testing.T) {
	s := web.NewServer(quietLogger(), fakeReadiness{})
	started := make(chan struct{})
	s.Handle("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(200 * time.Millisecond)
		io.WriteString(w, "finished")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0", 5*time.Second, func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc

	resc := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr.String() + "/slow")
		if err != nil {
			resc <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		resc <- string(b)
	}()
	<-started
	cancel() // as SIGTERM would
	if got := <-resc; got != "finished" {
		t.Errorf("in-flight request got %q during shutdown, want it to finish", got)
	}
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe after shutdown: %v", err)
	}
}
