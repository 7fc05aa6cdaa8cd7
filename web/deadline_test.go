package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coupole/coupole/web"
)

// Issue 10, item 1: no request may wait forever. Every request runs under
// a deadline, and /readyz answers even when the store does not.

// hangingReadiness is a store that stopped answering and ignores contexts.
type hangingReadiness struct{ release chan struct{} }

func (h hangingReadiness) Ping(context.Context) error        { <-h.release; return nil }
func (h hangingReadiness) CheckSchema(context.Context) error { <-h.release; return nil }

func TestReadyzAnswersWhenTheStoreHangs(t *testing.T) {
	ready := hangingReadiness{release: make(chan struct{})}
	t.Cleanup(func() { close(ready.release) })
	srv := web.NewServer(quietLogger(), ready)
	answered := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		answered <- rec.Code
	}()
	select {
	case code := <-answered:
		if code != http.StatusServiceUnavailable {
			t.Errorf("/readyz with a hanging store: %d, want 503", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("/readyz still waiting for a hanging store after 5s")
	}
}

func TestEveryRequestHasADeadline(t *testing.T) {
	tests := []struct {
		name      string
		configure time.Duration // Server.RequestTimeout; 0: the default
		want      time.Duration
	}{
		{"default", 0, 15 * time.Second},
		{"configured", 300 * time.Millisecond, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := web.NewServer(quietLogger(), fakeReadiness{})
			srv.RequestTimeout = tt.configure
			var left time.Duration
			var has bool
			srv.Handle("GET /wait", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var d time.Time
				d, has = r.Context().Deadline()
				left = time.Until(d)
			}))
			get(t, srv, "/wait")
			if !has || left > tt.want || left < tt.want-time.Second {
				t.Errorf("request deadline: set %v, %s away; want %s", has, left, tt.want)
			}
		})
	}
}
