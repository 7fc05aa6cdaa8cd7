package blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/blob/blobtest"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testAccessKey = "AKIDCOUPOLETEST"
	testSecretKey = "s3cr3t-never-on-the-wire-or-in-errors"
)

// fakeS3 runs gofakes3, an in-memory server speaking the S3 REST protocol
// over real HTTP, in front of a recorder that keeps every request's
// headers and bodies so the tests can look at what went over the wire.
type fakeS3 struct {
	srv     *httptest.Server
	backend *s3mem.Backend
	mu      sync.Mutex
	wire    bytes.Buffer // every request's headers and body
	unauth  int          // requests without a SigV4 Authorization for testAccessKey
}

func mustFakeS3(tb testing.TB, bucket string) *fakeS3 {
	f := &fakeS3{backend: s3mem.New()}
	if err := f.backend.CreateBucket(bucket); err != nil {
		tb.Fatal(err)
	}
	faker := gofakes3.New(f.backend)
	h := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		r.Header.Write(&f.wire)
		f.wire.Write(body)
		if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") {
			f.unauth++
		}
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(f.srv.Close)
	return f
}

func mustS3(tb testing.TB, f *fakeS3, rawURL string, fill byte) *blob.S3 {
	cfg, err := blob.ParseS3URL(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := blob.NewS3(cfg, blob.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, bytes.Repeat([]byte{fill}, 32), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The S3 store passes the conformance suite against a real S3 protocol
// server over HTTP (issue 13, item 1), and every request was signed.
func TestS3Conformance(t *testing.T) {
	f := mustFakeS3(t, "coupole-media")
	blobtest.Run(t, mustS3(t, f, "s3://coupole-media?endpoint="+f.srv.URL+"&region=eu-west-3", 7))
	if f.unauth != 0 {
		t.Errorf("%d requests without a SigV4 signature for the access key", f.unauth)
	}
	if bytes.Contains(f.wire.Bytes(), []byte(testSecretKey)) {
		t.Error("the secret key went over the wire")
	}
}

// A prefix keeps Coupole's objects under one folder of a shared bucket.
func TestS3Prefix(t *testing.T) {
	f := mustFakeS3(t, "shared-bucket")
	s := mustS3(t, f, "s3://shared-bucket/coupole/prod?endpoint="+f.srv.URL, 7)
	if _, err := s.Put(context.Background(), "rec/a.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.backend.HeadObject("shared-bucket", "coupole/prod/rec/a.txt"); err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
}

// What the object store holds is sealed: no plaintext on the wire or at
// rest, another key does not open it, nor does an object copied under
// another key.
func TestS3EncryptsClientSide(t *testing.T) {
	ctx := context.Background()
	f := mustFakeS3(t, "coupole-media")
	url := "s3://coupole-media?endpoint=" + f.srv.URL
	s := mustS3(t, f, url, 7)
	secret := []byte("Bonjour, je sens une odeur de gaz rue des Alouettes 12")
	if _, err := s.Put(ctx, "mail/m1.eml", secret); err != nil {
		t.Fatal(err)
	}
	obj, err := f.backend.GetObject("coupole-media", "mail/m1.eml", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if bytes.Contains(raw, []byte("odeur")) || len(raw) != len(secret)+12+16 {
		t.Fatalf("stored object: %d bytes, plaintext visible: %v", len(raw), bytes.Contains(raw, []byte("odeur")))
	}
	if bytes.Contains(f.wire.Bytes(), []byte("odeur")) {
		t.Fatal("plaintext went over the wire")
	}
	if _, err := mustS3(t, f, url, 8).Get(ctx, "mail/m1.eml"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Fatalf("opened with another key: %v", err)
	}
	if _, err := f.backend.PutObject("coupole-media", "mail/other.eml", nil, bytes.NewReader(raw), int64(len(raw)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "mail/other.eml"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Fatalf("opened under another key name: %v", err)
	}
}

// A missing bucket or an unreachable endpoint is an error that names the
// problem, never the secret.
func TestS3Errors(t *testing.T) {
	ctx := context.Background()
	f := mustFakeS3(t, "coupole-media")
	s := mustS3(t, f, "s3://no-such-bucket?endpoint="+f.srv.URL, 7)
	_, err := s.Put(ctx, "a", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") || strings.Contains(err.Error(), testSecretKey) {
		t.Errorf("put to a missing bucket: %v", err)
	}
	if _, err := s.Get(ctx, "a"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Errorf("get from a missing bucket: %v, want internal (not not_found)", err)
	}
	f.srv.Close()
	err = mustS3(t, f, "s3://coupole-media?endpoint="+f.srv.URL, 7).Delete(ctx, "a")
	if coupole.ErrorCode(err) != coupole.EUNAVAILABLE || strings.Contains(err.Error(), testSecretKey) {
		t.Errorf("delete with the server down: %v", err)
	}
}

func TestParseS3URL(t *testing.T) {
	c, err := blob.ParseS3URL("s3://media-prod/coupole?region=eu-west-3")
	if err != nil || c.Endpoint.String() != "https://s3.eu-west-3.amazonaws.com" || c.Bucket != "media-prod" || c.Prefix != "coupole/" || c.Region != "eu-west-3" {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	for _, bad := range []string{
		"s3://",
		"file:///tmp",
		"s3://UPPER",
		"s3://key:secret@bucket",
		"s3://bucket?endpoint=https://key:secret@h",  // credentials in the endpoint
		"s3://bucket?endpoint=http://s3.example.com", // clear text off loopback
		"s3://bucket?endpoint=ftp://127.0.0.1",       // not http
		"s3://bucket?endpoint=https://h/path",        // endpoint with a path
		"s3://bucket?endpoint=https://h&acl=public",  // unknown parameter
		"s3://bucket/../x?endpoint=https://h",        // bad prefix
	} {
		if _, err := blob.ParseS3URL(bad); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("%s: %v, want invalid", bad, err)
		} else if strings.Contains(err.Error(), "secret") && !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
			t.Errorf("%s: the error repeats the credentials: %v", bad, err)
		}
	}
	if _, err := blob.ParseS3URL("s3://bucket?endpoint=http://127.0.0.1:9000"); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "id"}
	if _, err := blob.CredentialsFromEnv(func(k string) string { return env[k] }); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("without a secret: %v", err)
	}
	env["AWS_SECRET_ACCESS_KEY"] = "sec"
	if c, err := blob.CredentialsFromEnv(func(k string) string { return env[k] }); err != nil || c.SecretAccessKey != "sec" {
		t.Errorf("%+v, %v", c, err)
	}
}
