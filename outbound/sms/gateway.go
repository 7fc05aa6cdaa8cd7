package sms

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// LocalGateway is an SMS gateway on this machine's loopback: it records
// what it receives instead of sending it. Tests use it, and `coupole serve
// --demo`, so that no demo SMS ever leaves the machine. It dedupes on the
// Idempotency-Key header like a real gateway: a message sent again under
// the same key is accepted with the same id and recorded once. It can be
// told to fail, for tests.
type LocalGateway struct {
	URL string // where to POST, http://127.0.0.1:port/messages

	srv *http.Server
	ln  net.Listener

	mu       sync.Mutex
	received []Received
	byKey    map[string]string
	fail     int // answer this status…
	failN    int // …to this many requests (-1: all)
	requests int
}

// Received is one message the local gateway accepted.
type Received struct {
	ID        string // the gateway's message id
	Key       string // the idempotency key (the delivery id)
	To        string
	Text      string
	Reference string
}

// StartLocalGateway listens on 127.0.0.1 (a random port) and serves until
// Close.
func StartLocalGateway() (*LocalGateway, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &LocalGateway{ln: ln, byKey: map[string]string{}, URL: "http://" + ln.Addr().String() + "/messages"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /messages", g.serve)
	g.srv = &http.Server{Handler: mux}
	go g.srv.Serve(ln)
	return g, nil
}

// Close stops the gateway.
func (g *LocalGateway) Close() error { return g.srv.Close() }

// Fail makes the next n requests (all when n < 0) answer status.
func (g *LocalGateway) Fail(status, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail, g.failN = status, n
}

// Received returns the messages accepted so far, in order.
func (g *LocalGateway) Received() []Received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Received(nil), g.received...)
}

// Requests counts the requests received, accepted or not.
func (g *LocalGateway) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

func (g *LocalGateway) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To, Text, Reference string
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body)
	key := r.Header.Get("Idempotency-Key")
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.failN != 0 {
		if g.failN > 0 {
			g.failN--
		}
		w.WriteHeader(g.fail)
		return
	}
	if err != nil || body.To == "" || body.Text == "" || key == "" {
		http.Error(w, `{"error": "to, text and Idempotency-Key are required"}`, http.StatusBadRequest)
		return
	}
	id, seen := g.byKey[key]
	if !seen {
		id = "lg-" + strconv.Itoa(len(g.received)+1)
		g.byKey[key] = id
		g.received = append(g.received, Received{ID: id, Key: key, To: body.To, Text: body.Text, Reference: body.Reference})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": id})
}
