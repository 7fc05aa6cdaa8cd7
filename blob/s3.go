package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// S3 keeps objects in a bucket of an S3-compatible object store, the
// production option (issue 13, item 1): every node of a deployment sees
// the same media. Objects are sealed client-side exactly as Local seals its
// files (AES-256-GCM under the data directory's blob key, the object key as
// additional data), so the object store — and whoever runs it — never
// holds a body or a recording in clear. Requests are signed with AWS
// Signature Version 4 and use path-style addressing
// (endpoint/bucket/key), which AWS S3, Ceph RGW, Garage, SeaweedFS and the
// like all accept.
type S3 struct {
	cfg    S3Config
	creds  Credentials
	client *http.Client
	now    func() time.Time
	sealer
}

// S3Config says where the bucket is; it holds no secret and may be logged.
type S3Config struct {
	Endpoint *url.URL // scheme and host, e.g. https://s3.eu-west-3.amazonaws.com
	Bucket   string
	Prefix   string // prepended to every key, "" or ending in '/'
	Region   string
}

// String describes the store without credentials.
func (c S3Config) String() string {
	return "s3://" + c.Bucket + "/" + c.Prefix + " at " + c.Endpoint.String() + " (" + c.Region + ")"
}

// ParseS3URL reads s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION.
// Without endpoint, AWS S3's regional endpoint; without region, us-east-1.
// The endpoint must be https, except on a loopback address (tests, a
// sidecar gateway). Credentials never go in this URL.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: want s3://bucket[/prefix]?endpoint=https://host&region=name")
	}
	if u.User != nil {
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: no credentials in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	c := S3Config{Bucket: u.Host, Region: "us-east-1"}
	if strings.Trim(c.Bucket, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" || len(c.Bucket) < 3 || len(c.Bucket) > 63 {
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: bucket %q: 3 to 63 of a-z 0-9 - .", c.Bucket)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if err := ValidKey(p); err != nil {
			return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: prefix %q: 1 to 200 of a-z 0-9 - _ . /", p)
		}
		c.Prefix = p + "/"
	}
	q := u.Query()
	for k := range q {
		if k != "endpoint" && k != "region" {
			return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: unknown parameter %q (want endpoint, region)", k)
		}
	}
	if r := q.Get("region"); r != "" {
		c.Region = r
	}
	ep := q.Get("endpoint")
	if ep == "" {
		ep = "https://s3." + c.Region + ".amazonaws.com"
	}
	e, err := url.Parse(ep)
	if err == nil && e.User != nil {
		// Not echoed: the endpoint would carry the secret into the
		// start-up log and every error naming a request's URL.
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: no credentials in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if err != nil || e.Host == "" || (e.Path != "" && e.Path != "/") || e.RawQuery != "" {
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: endpoint %q must be a URL like https://host:port", ep)
	}
	switch e.Scheme {
	case "https":
	case "http":
		ip := net.ParseIP(e.Hostname())
		if e.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: endpoint %q: plain http only on a loopback address", ep)
		}
	default:
		return S3Config{}, coupole.Errorf(coupole.EINVALID, "blob store: endpoint %q must be https", ep)
	}
	e.Path = ""
	c.Endpoint = e
	return c, nil
}

// CredentialsFromEnv reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, the names every S3 tool uses.
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN")}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Credentials{}, coupole.Errorf(coupole.EINVALID, "blob store: an S3 store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
	}
	return c, nil
}

// NewS3 opens the store with its 32-byte sealing key. client nil: a
// client with a two-minute timeout.
func NewS3(cfg S3Config, creds Credentials, key []byte, client *http.Client) (*S3, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	return &S3{cfg: cfg, creds: creds, client: client, now: time.Now, sealer: s}, nil
}

// Config returns where the store is (no secret).
func (s *S3) Config() S3Config { return s.cfg }

func (s *S3) objectURL(key string) string {
	return s.cfg.Endpoint.String() + "/" + s.cfg.Bucket + "/" + s.cfg.Prefix + key
}

// do sends one signed request; body nil for GET and DELETE.
func (s *S3) do(ctx context.Context, method, key string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.objectURL(key), bytes.NewReader(body))
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "blob: %s %s", method, key)
	}
	hash := emptySHA256
	if body != nil {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/octet-stream")
	} else {
		req.Body, req.ContentLength = nil, 0
	}
	signV4(req, s.creds, s.cfg.Region, "s3", hash, s.now())
	resp, err := s.client.Do(req)
	if err != nil {
		// The url.Error names the URL: endpoint, bucket and key, no secret.
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: the object store does not answer (%s %s)", method, key)
	}
	return resp, nil
}

// s3Error turns a failed answer into a domain error naming the S3 error
// code, never the answer's message (it may echo request details).
func s3Error(resp *http.Response, op, key string) error {
	var e struct {
		Code string `xml:"Code"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	xml.Unmarshal(b, &e)
	code := coupole.EUNAVAILABLE
	if resp.StatusCode == http.StatusNotFound && e.Code == "NoSuchBucket" {
		code = coupole.EINTERNAL
	}
	if e.Code == "" {
		e.Code = "no S3 error code"
	}
	return coupole.Errorf(code, "blob: %s %s: the object store answered %d (%s)", op, key, resp.StatusCode, e.Code)
}

func (s *S3) Put(ctx context.Context, key string, data []byte) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	sealed := s.seal(key, data)
	resp, err := s.do(ctx, http.MethodPut, key, sealed)
	if err != nil {
		return Info{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return Info{}, s3Error(resp, "put", key)
	}
	io.Copy(io.Discard, resp.Body)
	return infoOf(key, data), nil
}

func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		if err := s3Error(resp, "get", key); coupole.ErrorCode(err) == coupole.EINTERNAL {
			return nil, err // the bucket itself is missing
		}
		return nil, coupole.Errorf(coupole.ENOTFOUND, "blob %s not found", key)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, s3Error(resp, "get", key)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot read %s from the object store", key)
	}
	return s.open(key, b)
}

func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	resp, err := s.do(ctx, http.MethodDelete, key, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// S3 answers 204 whether or not the key existed; some servers 404.
	if resp.StatusCode/100 == 2 {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	err = s3Error(resp, "delete", key)
	if resp.StatusCode == http.StatusNotFound && coupole.ErrorCode(err) != coupole.EINTERNAL {
		return nil
	}
	return err
}

var (
	_ Store = (*S3)(nil)
	_ Store = (*Local)(nil)
)
