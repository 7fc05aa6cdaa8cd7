package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
	"github.com/coupole/coupole/web/apitest"
)

// End-to-end tests of the interaction API (issue 6, point 8): the real
// `coupole serve --demo` on a freshly seeded SQLite database, walked as an
// advisor would through the real sign-in, checking the answers and the
// audit log. One test per D and C rule, sharing one server.

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type e2eServer struct {
	base   string
	db     *sqlstore.DB // the same file, read beside the server
	audit  *audit.Reader
	stderr *syncBuffer
	stdout *syncBuffer
	ref    time.Time
}

var (
	e2eOnce sync.Once
	e2eSrv  *e2eServer
	e2eErr  error
)

// mustE2EServer starts one server for the package's E2E tests; it stops
// when the test binary exits.
func mustE2EServer(t *testing.T) *e2eServer {
	t.Helper()
	e2eOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			e2eErr = err
			return
		}
		ref := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		out, errOut := &syncBuffer{}, &syncBuffer{}
		env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }, Clock: &coupole.FixedClock{T: ref}}
		dbPath := dir + "/e2e.db"
		go run(context.Background(), env, []string{"serve", "--demo", "--db", dbPath, "--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--log-level", "debug"})
		deadline := time.Now().Add(90 * time.Second)
		for time.Now().Before(deadline) {
			if _, rest, ok := strings.Cut(out.String(), "Coupole is running at "); ok {
				base := strings.TrimSuffix(strings.Fields(rest)[0], "/")
				db, err := sqlstore.Open(context.Background(), dbPath)
				if err != nil {
					e2eErr = err
					return
				}
				e2eSrv = &e2eServer{base: base, db: db, audit: audit.NewReader(sqlstore.NewAuditStore(db)), stderr: errOut, stdout: out, ref: ref}
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		e2eErr = fmt.Errorf("server did not start: %s", errOut.String())
	})
	if e2eErr != nil {
		t.Fatal(e2eErr)
	}
	return e2eSrv
}

// openAPIChecked is the transport of the E2E clients: every exchange under
// /api/ is checked against web/openapi.json (issue 10, item 9).
var openAPIChecked = apitest.Transport(web.OpenAPIDocument(), "/api/", nil)

// client is a signed-in browser-less API client.
type client struct {
	t    *testing.T
	srv  *e2eServer
	http *http.Client
	csrf string
}

// signIn signs a demo account in through GET /signin and POST /signin/demo,
// with a cookie jar, and reads the CSRF token from /api/v1/me.
func (s *e2eServer) signIn(t *testing.T, account string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, srv: s, http: &http.Client{Jar: jar, Transport: openAPIChecked, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := c.http.Get(s.base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(s.base + "/signin/demo")
	var pre string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "coupole_signin_csrf" {
			pre = ck.Value
		}
	}
	resp, err = c.http.PostForm(s.base+"/signin/demo", url.Values{"account": {account}, "csrf_token": {pre}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo sign-in of %s: status %d", account, resp.StatusCode)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if st := c.do("GET", "/api/v1/me", "", &me); st != 200 {
		t.Fatalf("/api/v1/me: %d", st)
	}
	c.csrf = me.CSRF
	return c
}

// do sends a JSON request and decodes the answer into out (if not nil);
// it returns the status.
func (c *client) do(method, path, body string, out any, headers ...string) int {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.srv.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if method != "GET" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

type apiInteraction struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	CallReasons []struct {
		Code           string `json:"code"`
		LegalRetention bool   `json:"legal_retention"`
	} `json:"call_reasons"`
}

type apiDecision struct {
	Outcome    string   `json:"outcome"`
	Reason     string   `json:"reason"`
	Policies   []string `json:"policies"`
	Facts      map[string]any
	Disclosure *struct {
		Periods []struct {
			From string `json:"from"`
		} `json:"periods"`
		Readings []struct {
			Date string `json:"date"`
		} `json:"readings"`
		Suppliers []struct {
			Supplier string `json:"supplier"`
		} `json:"suppliers"`
	} `json:"disclosure"`
}

func (c *client) open(channel, requester string) string {
	c.t.Helper()
	var in apiInteraction
	if st := c.do("POST", "/api/v1/interactions", fmt.Sprintf(`{"channel":%q,"requester":%q}`, channel, requester), &in); st != 201 {
		c.t.Fatalf("open: %d", st)
	}
	return in.ID
}

// identifyAndVerify identifies ean, chooses the first candidate (the most
// recent occupant), and verifies with meter.
func (c *client) identifyAndVerify(id string, ean coupole.EAN, meter string) (ref string, verified bool) {
	c.t.Helper()
	var res struct {
		Candidates []struct {
			Ref string `json:"ref"`
			EAN string `json:"ean"`
		} `json:"candidates"`
	}
	if st := c.do("POST", "/api/v1/interactions/"+id+"/identify", fmt.Sprintf(`{"ean":%q}`, ean), &res); st != 200 || len(res.Candidates) == 0 {
		c.t.Fatalf("identify: %d %+v", st, res)
	}
	if res.Candidates[0].EAN != ean.Masked() {
		c.t.Errorf("candidate EAN %q is not masked", res.Candidates[0].EAN)
	}
	var v struct {
		Verified bool `json:"verified"`
	}
	if st := c.do("POST", "/api/v1/interactions/"+id+"/verify", fmt.Sprintf(`{"ref":%q,"meter_number":%q}`, res.Candidates[0].Ref, meter), &v); st != 200 {
		c.t.Fatalf("verify: %d", st)
	}
	return res.Candidates[0].Ref, v.Verified
}

func (c *client) decide(id, item string) apiDecision {
	c.t.Helper()
	var d apiDecision
	if st := c.do("POST", "/api/v1/interactions/"+id+"/decide", fmt.Sprintf(`{"item":%q}`, item), &d); st != 200 {
		c.t.Fatalf("decide %s: %d", item, st)
	}
	return d
}

// traced returns the actions traced for an interaction, checking that each
// names the advisor.
func (s *e2eServer) traced(t *testing.T, id, actor string) []audit.Event {
	t.Helper()
	fs, err := s.audit.Query(context.Background(), audit.Query{Interaction: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Event
	for _, f := range fs {
		// The delivery worker acts as the system on the interaction's
		// deliveries (issue 11).
		if f.Event.Actor != actor && !(f.Event.Actor == outbound.Actor && strings.HasPrefix(f.Event.Action, "delivery.")) {
			t.Errorf("event %s by %q, want %q", f.Event.Action, f.Event.Actor, actor)
		}
		out = append(out, f.Event)
	}
	return out
}

func actions(evs []audit.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// pick runs a query for one row of test data in the seeded database.
func (s *e2eServer) pick(t *testing.T, q string, dst ...any) {
	t.Helper()
	if err := s.db.Reader().QueryRow(q).Scan(dst...); err != nil {
		t.Fatalf("no test data for %q: %v", q, err)
	}
}

// currentOccupant finds a current occupant of a point of the given regime
// and energy, with or without a registered mobile, and the meter in place.
func (s *e2eServer) currentOccupant(t *testing.T, regime, energy string, mobile bool) (coupole.EAN, string, string) {
	t.Helper()
	var ean, cust, meter string
	cond := "c.mobile IS NULL"
	if mobile {
		cond = "c.mobile IS NOT NULL"
	}
	s.pick(t, `SELECT o.ean, o.customer_id, m.number FROM occupancies o
		JOIN access_points a ON a.ean = o.ean JOIN customers c ON c.id = o.customer_id
		JOIN meters m ON m.ean = o.ean AND m.removed_on IS NULL
		WHERE o.move_out IS NULL AND a.regime = '`+regime+`' AND a.energy = '`+energy+`' AND `+cond+`
		AND m.installed_on < '2026-11-01' AND o.move_in < '2026-11-01'
		AND NOT EXISTS (SELECT 1 FROM occupancies o2 WHERE o2.ean = o.ean AND o2.move_in > o.move_in)
		ORDER BY o.ean LIMIT 1`, &ean, &cust, &meter)
	return coupole.EAN(ean), cust, meter
}

// TestE2E_D1_D4_D5_T1: a customer must give the meter number first; then
// the EAN goes by SMS to the registered mobile, once per idempotency key,
// and every step is in the audit log with the decision and the call reason.
func TestE2E_D1_D4_D5_T1(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	ean, cust, meter := s.currentOccupant(t, "annual", "electricity", true)
	id := c.open("phone", "customer")

	// Identified, not verified: nothing personal (D1).
	var res struct{ Candidates []struct{ Ref string } }
	c.do("POST", "/api/v1/interactions/"+id+"/identify", fmt.Sprintf(`{"ean":%q}`, ean), &res)
	c.do("POST", "/api/v1/interactions/"+id+"/select", fmt.Sprintf(`{"ref":%q}`, res.Candidates[0].Ref), nil)
	if d := c.decide(id, "ean"); d.Outcome != "refuse" || d.Reason != "not_verified" {
		t.Errorf("before verification: %+v", d)
	}
	// C1: the customer's record is not readable before verification.
	if st := c.do("GET", "/api/v1/customers/"+cust, "", nil); st != 403 {
		t.Errorf("customer read before verification: %d", st)
	}
	if _, ok := c.identifyAndVerify(id, ean, meter); !ok {
		t.Fatal("right meter number not verified")
	}
	if st := c.do("GET", "/api/v1/customers/"+cust, "", &map[string]any{}); st != 200 {
		t.Errorf("customer read after verification: %d", st)
	}
	d := c.decide(id, "ean")
	if d.Outcome != "sms" || d.Facts["occupancy"] != "current" || d.Facts["registered_mobile"] != true {
		t.Fatalf("ean: %+v", d)
	}
	var del struct {
		ID, Kind, Recipient string
		Replayed            bool
	}
	if st := c.do("POST", "/api/v1/interactions/"+id+"/deliveries", `{"item":"ean"}`, &del, "Idempotency-Key", "e2e-1"); st != 201 || del.Kind != "sms" || !strings.Contains(del.Recipient, "•••") {
		t.Fatalf("delivery: %d %+v", st, del)
	}
	first := del.ID
	if st := c.do("POST", "/api/v1/interactions/"+id+"/deliveries", `{"item":"ean"}`, &del, "Idempotency-Key", "e2e-1"); st != 200 || del.ID != first || !del.Replayed {
		t.Errorf("replay: %d %+v", st, del)
	}
	var p struct{ Code string }
	if st := c.do("POST", "/api/v1/interactions/"+id+"/deliveries", `{"item":"ean"}`, &p); st != 400 || p.Code != "invalid" {
		t.Errorf("delivery without Idempotency-Key: %d %+v", st, p)
	}
	// The worker inside serve sends it, under --demo to the local gateway
	// on loopback only (issue 11).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		d, err := s.db.Delivery(context.Background(), first)
		if err == nil && d.Status == coupole.DeliverySent && d.ProviderID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMS was not sent by the worker inside serve: %+v, %v", d, err)
		}
	}
	if !strings.Contains(s.stderr.String(), "demo: SMS go to a local gateway") {
		t.Error("serve --demo did not say where SMS go")
	}
	var closed apiInteraction
	if st := c.do("POST", "/api/v1/interactions/"+id+"/close", `{"call_reasons":["ean_request"]}`, &closed); st != 200 || closed.Status != "closed" {
		t.Fatalf("close: %d %+v", st, closed)
	}

	evs := s.traced(t, id, "demo-advisor")
	got := actions(evs)
	for _, want := range []string{"interaction.open", "interaction.identify", "interaction.verify", "interaction.decide", "interaction.deliver", "interaction.close", "delivery.attempt", "delivery.sent"} {
		if !slices.Contains(got, want) {
			t.Errorf("trace lacks %s: %v", want, got)
		}
	}
	for _, e := range evs {
		if e.Action == "interaction.deliver" && (e.Decision == nil || e.Decision.Outcome != "sms" || e.Decision.PolicySet == "" || !slices.Contains(e.AccessPoints, string(ean))) {
			t.Errorf("delivery trace: %+v", e)
		}
		if e.Action == "interaction.close" && e.CallReason != "ean_request" {
			t.Errorf("close trace: %+v", e)
		}
	}
	// Personal data never in the server's logs (the demo runs at debug).
	if logs := s.stderr.String(); strings.Contains(logs, string(ean)) || strings.Contains(logs, meter) {
		t.Error("the server log contains an EAN or a meter number")
	}
}

// TestE2E_D2_D4_written: the supplier question goes by letter to the
// installation address (D2); a written EAN request too (D4).
func TestE2E_D2_D4_written(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	ean, _, meter := s.currentOccupant(t, "annual", "electricity", true)
	id := c.open("email", "customer")
	c.identifyAndVerify(id, ean, meter)
	if d := c.decide(id, "supplier"); d.Outcome != "letter" || d.Disclosure != nil {
		t.Errorf("supplier: %+v", d)
	}
	if d := c.decide(id, "ean"); d.Outcome != "letter" || d.Reason != "ean_by_letter" {
		t.Errorf("written ean: %+v", d)
	}
	var del struct{ Kind, Recipient string }
	if st := c.do("POST", "/api/v1/interactions/"+id+"/deliveries", `{"item":"supplier"}`, &del, "Idempotency-Key", "e2e-d2"); st != 201 || del.Kind != "letter" {
		t.Errorf("letter: %d %+v", st, del)
	}
	// No mobile registered: by letter, even by phone (D4).
	ean2, _, meter2 := s.currentOccupant(t, "annual", "electricity", false)
	id2 := c.open("phone", "customer")
	c.identifyAndVerify(id2, ean2, meter2)
	if d := c.decide(id2, "ean"); d.Outcome != "letter" || d.Facts["registered_mobile"] != false {
		t.Errorf("no mobile: %+v", d)
	}
}

// TestE2E_D3_D10: a supplier is sent to the CMS portal; an unknown third
// party is refused with a reason to read out.
func TestE2E_D3_D10(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	id := c.open("phone", "supplier")
	if d := c.decide(id, "consumption_history"); d.Outcome != "cms_portal" {
		t.Errorf("supplier: %+v", d)
	}
	id = c.open("phone", "third_party")
	if d := c.decide(id, "ean"); d.Outcome != "refuse" || d.Reason != "no_relation" {
		t.Errorf("third party: %+v", d)
	}
	evs := s.traced(t, id, "demo-advisor")
	if len(evs) < 2 || evs[len(evs)-1].Decision == nil || evs[len(evs)-1].Decision.Outcome != "refuse" {
		t.Errorf("refusal not traced: %+v", evs)
	}
}

// TestE2E_D6_CPAS: a CPAS advisor answers the CPAS line, reaches a
// beneficiary through the permanent mandate without a meter number; an
// advisor cannot open the line; the same CPAS on the phone is a stranger.
func TestE2E_D6_CPAS(t *testing.T) {
	s := mustE2EServer(t)
	var cpasID, ean string
	s.pick(t, `SELECT m.cpas_id, o.ean FROM mandates m JOIN occupancies o ON o.customer_id = m.customer_id AND o.move_out IS NULL
		WHERE m.cpas_id IS NOT NULL AND m.valid_to IS NULL AND m.valid_from < '2026-11-01'
		AND NOT EXISTS (SELECT 1 FROM occupancies o2 WHERE o2.ean = o.ean AND o2.move_in > o.move_in)
		ORDER BY o.ean LIMIT 1`, &cpasID, &ean)
	adv := s.signIn(t, "demo-advisor")
	if st := adv.do("POST", "/api/v1/cpas-line/interactions", fmt.Sprintf(`{"cpas_id":%q}`, cpasID), nil); st != 403 {
		t.Errorf("advisor opens the CPAS line: %d", st)
	}
	c := s.signIn(t, "demo-cpas-advisor")
	var in apiInteraction
	if st := c.do("POST", "/api/v1/cpas-line/interactions", fmt.Sprintf(`{"cpas_id":%q}`, cpasID), &in); st != 201 {
		t.Fatalf("cpas line: %d", st)
	}
	var res struct{ Candidates []struct{ Ref string } }
	c.do("POST", "/api/v1/interactions/"+in.ID+"/identify", fmt.Sprintf(`{"ean":%q}`, ean), &res)
	c.do("POST", "/api/v1/interactions/"+in.ID+"/select", fmt.Sprintf(`{"ref":%q}`, res.Candidates[0].Ref), nil)
	d := c.decide(in.ID, "supplier")
	if d.Outcome != "oral" || d.Facts["mandate"] != "valid" || d.Disclosure == nil || len(d.Disclosure.Suppliers) == 0 {
		t.Errorf("cpas supplier: %+v", d)
	}
	if d := c.decide(in.ID, "ean"); d.Outcome != "refuse" {
		t.Errorf("cpas ean: %+v", d)
	}
	id := c.open("phone", "cpas")
	c.do("POST", "/api/v1/interactions/"+id+"/identify", fmt.Sprintf(`{"ean":%q}`, ean), &res)
	c.do("POST", "/api/v1/interactions/"+id+"/select", fmt.Sprintf(`{"ref":%q}`, res.Candidates[0].Ref), nil)
	if d := c.decide(id, "supplier"); d.Outcome != "refuse" || d.Reason != "no_relation" {
		t.Errorf("cpas off the line: %+v", d)
	}
}

// TestE2E_D7_D8: consumption history by regime (D8), scoped to the
// occupancy and three years (D1); a landlord gets nothing; changing data
// needs a signed-in staff member (D7).
func TestE2E_D7_D8(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	for _, tc := range []struct{ regime, outcome string }{{"annual", "oral"}, {"remote", "website"}, {"smart", "customer_portal"}} {
		ean, _, meter := s.currentOccupant(t, tc.regime, "electricity", true)
		id := c.open("phone", "customer")
		c.identifyAndVerify(id, ean, meter)
		d := c.decide(id, "consumption_history")
		if d.Outcome != tc.outcome {
			t.Errorf("%s: %+v", tc.regime, d)
		}
		if tc.outcome == "oral" {
			if d.Disclosure == nil || len(d.Disclosure.Periods) == 0 {
				t.Fatalf("no scope: %+v", d)
			}
			for _, r := range d.Disclosure.Readings {
				if r.Date < "2023-11-02" || r.Date < d.Disclosure.Periods[0].From {
					t.Errorf("reading of %s outside the scope from %s", r.Date, d.Disclosure.Periods[0].From)
				}
			}
		}
	}
	id := c.open("phone", "landlord")
	if d := c.decide(id, "consumption_history"); d.Outcome != "refuse" || d.Reason != "private_data" {
		t.Errorf("landlord: %+v", d)
	}
	anon := &client{t: t, srv: s, http: &http.Client{Transport: openAPIChecked}}
	if st := anon.do("POST", "/api/v1/interactions/"+id+"/readings", `{"day_kwh":1}`, nil); st != 401 {
		t.Errorf("anonymous index intake: %d", st)
	}
}

// TestE2E_D9: planned works and outages without identification.
func TestE2E_D9(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	var postcode string
	s.pick(t, `SELECT postcode FROM public_notices ORDER BY id LIMIT 1`, &postcode)
	var info struct {
		Notices []struct{ Kind string }
	}
	if st := c.do("POST", "/api/v1/public-info", fmt.Sprintf(`{"postcode":%q}`, postcode), &info); st != 200 || len(info.Notices) == 0 {
		t.Errorf("public info: %d %+v", st, info)
	}
}

// TestE2E_C1_C2: another advisor cannot work in my interaction; three wrong
// meter numbers lock the point and alert team leads.
func TestE2E_C1_C2(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	other := s.signIn(t, "demo-back-office")
	ean, _, meter := s.currentOccupant(t, "annual", "gas", true)
	id := c.open("phone", "customer")
	if st := other.do("GET", "/api/v1/interactions/"+id, "", nil); st != 403 {
		t.Errorf("another staff member reads my interaction: %d", st)
	}
	ref, _ := c.identifyAndVerify(id, ean, "000")
	var v struct {
		Locked       bool `json:"locked"`
		AttemptsLeft int  `json:"attempts_left"`
	}
	c.do("POST", "/api/v1/interactions/"+id+"/verify", `{"meter_number":"001"}`, &v)
	c.do("POST", "/api/v1/interactions/"+id+"/verify", fmt.Sprintf(`{"ref":%q,"meter_number":"002"}`, ref), &v)
	if !v.Locked || v.AttemptsLeft != 0 {
		t.Errorf("after three failures: %+v", v)
	}
	var p struct{ Code string }
	if st := c.do("POST", "/api/v1/interactions/"+id+"/verify", fmt.Sprintf(`{"meter_number":%q}`, meter), &p); st != 403 || p.Code != "forbidden" {
		t.Errorf("right number after the lock: %d %+v", st, p)
	}
	lead := s.signIn(t, "demo-team-lead")
	var alerts []struct {
		InteractionID string `json:"interaction_id"`
		EAN           string `json:"ean"`
	}
	lead.do("GET", "/api/v1/alerts", "", &alerts)
	if !slices.ContainsFunc(alerts, func(a struct {
		InteractionID string `json:"interaction_id"`
		EAN           string `json:"ean"`
	}) bool {
		return a.InteractionID == id && a.EAN == ean.Masked()
	}) {
		t.Errorf("no alert for %s: %+v", id, alerts)
	}
	if st := c.do("GET", "/api/v1/alerts", "", nil); st != 403 {
		t.Errorf("advisor reads alerts: %d", st)
	}
}

// TestE2E_C3_C4: an index given by phone is checked and stored; closing
// needs a reason, and a gas-odour call is flagged for legal retention.
func TestE2E_C3_C4(t *testing.T) {
	s := mustE2EServer(t)
	c := s.signIn(t, "demo-advisor")
	ean, _, meter := s.currentOccupant(t, "annual", "gas", true)
	id := c.open("phone", "customer")
	c.identifyAndVerify(id, ean, meter)
	var last float64
	s.pick(t, `SELECT gas_m3 FROM readings WHERE ean = '`+string(ean)+`' AND meter_number = '`+meter+`' ORDER BY read_on DESC LIMIT 1`, &last)
	var p struct{ Code, Detail string }
	if st := c.do("POST", "/api/v1/interactions/"+id+"/readings", fmt.Sprintf(`{"gas_m3":%v}`, last-1), &p); st != 400 || !strings.Contains(p.Detail, "lower") {
		t.Errorf("decreasing index: %d %+v", st, p)
	}
	var r struct {
		Source string `json:"source"`
	}
	if st := c.do("POST", "/api/v1/interactions/"+id+"/readings", fmt.Sprintf(`{"gas_m3":%v}`, last+5), &r); st != 201 || r.Source != "contact_center" {
		t.Errorf("index: %d %+v", st, r)
	}
	if st := c.do("POST", "/api/v1/interactions/"+id+"/close", `{"call_reasons":[]}`, &p); st != 400 {
		t.Errorf("close without a reason: %d", st)
	}
	var in apiInteraction
	if st := c.do("POST", "/api/v1/interactions/"+id+"/close", `{"call_reasons":["emergency_gas_odour","metering_index"]}`, &in); st != 200 || !in.CallReasons[0].LegalRetention {
		t.Errorf("close: %d %+v", st, in)
	}
	if !slices.Contains(actions(s.traced(t, id, "demo-advisor")), "interaction.reading") {
		t.Error("index intake not traced")
	}
}

// osMkdirTemp makes the server's directory; it outlives single tests since
// the server is shared.
func osMkdirTemp() (string, error) { return os.MkdirTemp("", "coupole-e2e-") }
