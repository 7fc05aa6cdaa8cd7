package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// client is one advisor's keep-alive connection, driven by the advisor's
// goroutine alone: requests are written and responses read on it directly
// (http.Request.Write, http.ReadResponse), without a Transport's two
// goroutines per connection and their hand-offs, or a cookie jar. The load
// program shares the machine's cores with the server, so it must cost
// little.
type client struct {
	host   string
	conn   net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	cookie string // "name=value" of the session cookie
	csrf   string
}

// signIn signs in the demo-kind staff member account with an ordinary
// client (not timed) and returns a client carrying its session cookie and
// form token.
func signIn(base, host, account string) (*client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer c.CloseIdleConnections()
	resp, err := c.Get(base + "/signin")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	u, _ := url.Parse(base + "/signin/demo")
	var pre string
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "coupole_signin_csrf" {
			pre = ck.Value
		}
	}
	resp, err = c.PostForm(base+"/signin/demo", url.Values{"account": {account}, "csrf_token": {pre}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("demo sign-in of %s: status %d (is the server running with --demo?)", account, resp.StatusCode)
	}
	a := &client{host: host}
	for _, ck := range resp.Cookies() {
		if ck.Name == "coupole_session" {
			a.cookie = ck.Name + "=" + ck.Value
		}
	}
	if a.cookie == "" {
		return nil, fmt.Errorf("demo sign-in: no session cookie")
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if _, err := a.call("GET", "/api/v1/me", "", &me); err != nil {
		return nil, err
	}
	a.csrf = me.CSRF
	return a, nil
}

// call sends one request and reads the whole response; the duration is
// from the first byte written to the last byte read.
func (a *client) call(method, path, body string, out any, hdr ...string) (time.Duration, error) {
	req, _ := http.NewRequest(method, "http://"+a.host+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.cookie != "" {
		req.Header.Set("Cookie", a.cookie)
	}
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	t := time.Now()
	if a.conn == nil {
		conn, err := net.Dial("tcp", a.host)
		if err != nil {
			return 0, err
		}
		a.conn, a.br, a.bw = conn, bufio.NewReader(conn), bufio.NewWriter(conn)
	}
	if err := req.Write(a.bw); err != nil {
		a.drop()
		return 0, err
	}
	if err := a.bw.Flush(); err != nil {
		a.drop()
		return 0, err
	}
	resp, err := http.ReadResponse(a.br, req)
	if err != nil {
		a.drop()
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t)
	if err != nil || resp.Close {
		a.drop()
	}
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 300 {
		return d, fmt.Errorf("%s %s: %d %s", method, path[strings.LastIndexByte(path, '/')+1:], resp.StatusCode, firstLine(b))
	}
	if out != nil {
		return d, json.Unmarshal(b, out)
	}
	return d, nil
}

func (a *client) drop() {
	if a.conn != nil {
		a.conn.Close()
		a.conn = nil
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}
