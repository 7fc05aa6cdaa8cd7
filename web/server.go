// Package web serves Coupole over HTTP: health and readiness probes, metrics,
// and (as they arrive) the pages, the JSON API and SCIM. Routes use the
// standard library's ServeMux patterns; errors become HTTP statuses in one
// place (Error).
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Readiness is what /readyz asks: is the store reachable, is its schema the
// one this build expects.
type Readiness interface {
	Ping(ctx context.Context) error
	CheckSchema(ctx context.Context) error
}

// Server is Coupole's HTTP server.
type Server struct {
	Logger *slog.Logger
	// PageNotFound answers a GET of a page path no route matches (the
	// staff pages' 404 in the staff member's language, issue 15); the
	// mux's plain 404 when nil. Never under /api/ (a problem there).
	PageNotFound http.HandlerFunc
	Ready        Readiness
	// TLS, when set, makes ListenAndServe serve HTTPS (LoadTLS).
	TLS *tls.Config
	// BehindTLSProxy says that a TLS-terminating proxy is in front: every
	// response then carries HSTS, as it does over built-in TLS.
	BehindTLSProxy bool
	// RequestTimeout bounds every request (DefaultRequestTimeout if zero):
	// its context ends then, so whatever it waits for — a pool connection,
	// a query, the audit log — gives up and it is answered (503) instead of
	// waiting forever (issue 10, item 1).
	RequestTimeout time.Duration

	mux      *http.ServeMux
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewServer builds the routes. ready may not be nil.
func NewServer(logger *slog.Logger, ready Readiness) *Server {
	s := &Server{Logger: logger, Ready: ready, mux: http.NewServeMux(), registry: prometheus.NewRegistry()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coupole_http_requests_total", Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "coupole_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"route"})
	s.registry.MustRegister(s.requests, s.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	return s
}

// DefaultRequestTimeout is the request deadline unless configured
// (--request-timeout).
const DefaultRequestTimeout = 15 * time.Second

// Registry lets other packages register their metrics next to the server's.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Handle adds a route; pattern follows http.ServeMux.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP records metrics by route pattern — never by raw path, which could
// carry an identifier — and serves the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w = unmatchedProblems(w, r, s.mux) // no route under /api/: the 404 or 405 is a problem
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		pattern = "unmatched"
	}
	if r.TLS != nil || s.BehindTLSProxy {
		w.Header().Set("Strict-Transport-Security", HSTS)
	}
	timeout := s.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if pattern == "unmatched" && s.PageNotFound != nil && r.Method == http.MethodGet && !problemPath(r.URL.Path) {
		s.PageNotFound(rec, r.WithContext(ctx))
	} else {
		s.mux.ServeHTTP(rec, r.WithContext(ctx))
	}
	s.requests.WithLabelValues(pattern, strconv.Itoa(rec.code)).Inc()
	s.duration.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyWithin bounds /readyz: a probe that waits is worse than one that
// says "not ready".
const readyWithin = 2 * time.Second

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyWithin)
	defer cancel()
	// The checks run aside, so that one that overstays its context (a
	// stuck database, issue 10 item 1) cannot hold the probe.
	checked := make(chan error, 1)
	go func() {
		err := s.Ready.Ping(ctx)
		if err == nil {
			err = s.Ready.CheckSchema(ctx)
		}
		checked <- err
	}()
	var err error
	select {
	case err = <-checked:
	case <-ctx.Done():
		err = coupole.Errorf(coupole.EUNAVAILABLE, "database: no answer within %s", readyWithin)
	}
	if err != nil {
		s.Error(w, r, coupole.Wrap(err, coupole.EUNAVAILABLE, "not ready: %s", coupole.ErrorMessage(err)))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ready\n"))
}

// Status maps a domain error code to its HTTP status. It is the only place
// that does.
func Status(code string) int {
	switch code {
	case coupole.EINVALID:
		return http.StatusBadRequest
	case coupole.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case coupole.EFORBIDDEN:
		return http.StatusForbidden
	case coupole.ENOTFOUND:
		return http.StatusNotFound
	case coupole.ECONFLICT:
		return http.StatusConflict
	case coupole.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Error answers err with the status its code maps to, and logs internal
// errors: an RFC 9457 problem under /api/, /audit/ and /scim/, plain text
// elsewhere (web/problem.go). The body is the user-safe message only.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	writeError(s.Logger, w, r, err)
}

// ListenAndServe serves on addr until ctx is cancelled, then lets running
// requests finish for up to grace before closing. ready, if not nil, is called
// with the bound address once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, addr string, grace time.Duration, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "cannot listen on %s: %v", addr, err)
	}
	if s.TLS != nil {
		ln = tls.NewListener(ln, s.TLS)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return coupole.Wrap(err, coupole.EINTERNAL, "server stopped: %v", err)
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down", "grace", grace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Requests still running after the grace period: close their
		// connections, which ends their contexts, so that nothing they
		// wait for keeps the process alive.
		s.Logger.Warn("shutdown: requests still running after the grace period; closing their connections")
		srv.Close()
		err = nil
	}
	if err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "shutdown: %v", err)
	}
	return nil
}
