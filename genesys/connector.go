// Package genesys connects Coupole to Genesys Cloud, the contact-center
// platform (issue 13, items 1 and 5): its recording notifications (see
// webhook.go) and its conversations' recordings API, reached with an OAuth
// client-credentials token.
package genesys

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coupole/coupole"
)

// Recording is a recording's metadata in the platform.
type Recording struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversationId"`
	Media          string    `json:"media"` // "audio", "email", "chat"…
	StartTime      time.Time `json:"startTime"`
	EndTime        time.Time `json:"endTime"`
	FileState      string    `json:"fileState"` // "AVAILABLE", "DELETED"…
	DeleteDate     time.Time `json:"deleteDate"`
}

// Connector is what Coupole asks of a contact-center platform. A Genesys
// Cloud client is one; a test fake can be another.
type Connector interface {
	// Recordings lists the recordings of a conversation.
	Recordings(ctx context.Context, conversationID string) ([]Recording, error)
	// Recording reads one recording's metadata (ENOTFOUND if none).
	Recording(ctx context.Context, conversationID, recordingID string) (Recording, error)
	// DeleteRecording deletes a recording named by ExternalID; a recording
	// already gone is not an error (a resumed purge deletes again).
	DeleteRecording(ctx context.Context, externalID string) error
}

// Client is the Genesys Cloud implementation of Connector:
//   - token: POST {LoginURL}/oauth/token, grant_type=client_credentials,
//     the client id and secret in HTTP Basic authentication; the bearer
//     token is kept until a minute before it expires;
//   - list: GET {APIURL}/api/v2/conversations/{conversationId}/recordingmetadata;
//   - read: GET {APIURL}/api/v2/conversations/{conversationId}/recordingmetadata/{recordingId};
//   - delete: PUT {APIURL}/api/v2/conversations/{conversationId}/recordings/{recordingId}
//     with {"deleteDate": now}: the platform deletes a recording whose
//     delete date has passed, which is how its own retention policies act.
type Client struct {
	LoginURL     string // e.g. https://login.mypurecloud.de
	APIURL       string // e.g. https://api.mypurecloud.de
	ClientID     string
	ClientSecret string
	HTTP         *http.Client
	Clock        coupole.Clock

	mu      sync.Mutex
	token   string
	expires time.Time
}

var _ Connector = (*Client)(nil)

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// bearer returns a valid access token, fetching one when needed.
func (c *Client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Clock.Now()
	if c.token != "" && now.Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(c.LoginURL, "/")+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", coupole.Wrap(err, coupole.EINTERNAL, "genesys: token request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", coupole.Wrap(err, coupole.EUNAVAILABLE, "genesys: the login service cannot be reached")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", coupole.Errorf(coupole.EUNAVAILABLE, "genesys: token refused (%d): check the OAuth client id and secret", resp.StatusCode)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&tok); err != nil || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		return "", coupole.Errorf(coupole.EUNAVAILABLE, "genesys: the token answer is not a bearer token")
	}
	c.token, c.expires = tok.AccessToken, now.Add(time.Duration(tok.ExpiresIn)*time.Second-time.Minute)
	return c.token, nil
}

// call sends one API request; on 401 it fetches a new token once.
func (c *Client) call(ctx context.Context, method, path string, body any, out any) (int, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.bearer(ctx)
		if err != nil {
			return 0, err
		}
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
		req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.APIURL, "/")+path, rd)
		if err != nil {
			return 0, coupole.Wrap(err, coupole.EINTERNAL, "genesys: request: %v", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.httpClient().Do(req)
		if err != nil {
			return 0, coupole.Wrap(err, coupole.EUNAVAILABLE, "genesys: the API cannot be reached")
		}
		status := resp.StatusCode
		if status == http.StatusUnauthorized && attempt == 0 {
			resp.Body.Close()
			c.mu.Lock()
			c.token = ""
			c.mu.Unlock()
			continue
		}
		defer resp.Body.Close()
		switch {
		case status == http.StatusNotFound:
			return status, coupole.Errorf(coupole.ENOTFOUND, "genesys: %s not found", path)
		case status >= 300:
			return status, coupole.Errorf(coupole.EUNAVAILABLE, "genesys: %s %s answered %d", method, path, status)
		}
		if out != nil {
			if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out); err != nil {
				return status, coupole.Errorf(coupole.EUNAVAILABLE, "genesys: %s %s: the answer is not the documented JSON", method, path)
			}
		}
		return status, nil
	}
}

func (c *Client) Recordings(ctx context.Context, conversationID string) ([]Recording, error) {
	var out []Recording
	_, err := c.call(ctx, "GET", fmt.Sprintf("/api/v2/conversations/%s/recordingmetadata", url.PathEscape(conversationID)), nil, &out)
	return out, err
}

func (c *Client) Recording(ctx context.Context, conversationID, recordingID string) (Recording, error) {
	var out Recording
	_, err := c.call(ctx, "GET", fmt.Sprintf("/api/v2/conversations/%s/recordingmetadata/%s", url.PathEscape(conversationID), url.PathEscape(recordingID)), nil, &out)
	return out, err
}

func (c *Client) DeleteRecording(ctx context.Context, externalID string) error {
	conv, rec, ok := strings.Cut(externalID, "/")
	if !ok || conv == "" || rec == "" {
		return coupole.Errorf(coupole.EINVALID, "genesys: recording %q is not conversationId/recordingId", externalID)
	}
	body := map[string]string{"deleteDate": c.Clock.Now().UTC().Format(time.RFC3339)}
	_, err := c.call(ctx, "PUT", fmt.Sprintf("/api/v2/conversations/%s/recordings/%s", url.PathEscape(conv), url.PathEscape(rec)), body, nil)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return nil // gone already
	}
	return err
}
