package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// staff is one signed-in demo account talking to one base URL (a node or the
// load balancer).
type staff struct {
	base   string
	client *http.Client
	csrf   string
	id     string
}

// mustSignIn signs the demo account in through base.
func mustSignIn(t *testing.T, base, account string) *staff {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for attempt := 0; ; attempt++ {
		s, err := signIn(c, base, account)
		if err == nil {
			return s
		}
		if attempt == 5 {
			t.Fatalf("sign in %s at %s: %v", account, base, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func signIn(c *http.Client, base, account string) (*staff, error) {
	resp, err := c.Get(base + "/signin")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	u, _ := url.Parse(base + "/signin/demo")
	var pre string
	for _, ck := range c.Jar.Cookies(u) {
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
		return nil, fmt.Errorf("demo sign-in: status %d", resp.StatusCode)
	}
	s := &staff{base: base, client: c}
	var me struct {
		ID   string `json:"id"`
		CSRF string `json:"csrf_token"`
	}
	if code, err := s.call("GET", "/api/v1/me", "", &me); err != nil || code != 200 {
		return nil, fmt.Errorf("me: %d %v", code, err)
	}
	s.csrf, s.id = me.CSRF, me.ID
	return s, nil
}

// at returns the same signed-in staff member talking to another base URL
// (another node): the session lives in the database.
func (s *staff) at(base string) *staff {
	jar, _ := cookiejar.New(nil)
	from, _ := url.Parse(s.base)
	to, _ := url.Parse(base)
	jar.SetCookies(to, s.client.Jar.Cookies(from))
	c := &http.Client{Jar: jar, Timeout: s.client.Timeout, CheckRedirect: s.client.CheckRedirect}
	return &staff{base: base, client: c, csrf: s.csrf, id: s.id}
}

// call sends one API request; the status is 0 when no response came.
func (s *staff) call(method, path, body string, out any, hdr ...string) (int, error) {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		first, _, _ := bytes.Cut(b, []byte("\n"))
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, first)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}
