package verify

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// toV1 rewrites a version 2 bundle as version 1: payload lines base64 as a
// whole, salt ‖ payload.
func toV1(tb testing.TB, v2 []byte) []byte {
	tb.Helper()
	lines := strings.SplitAfter(string(v2), "\n")
	if strings.TrimSuffix(lines[0], "\n") != BundleHeader {
		tb.Fatalf("not a version 2 bundle: %q", lines[0])
	}
	lines[0] = BundleHeaderV1 + "\n"
	for i, l := range lines {
		if !strings.HasPrefix(l, "P ") {
			continue
		}
		salt, payload, _ := strings.Cut(strings.TrimSuffix(l[2:], "\n"), " ")
		raw, err := base64.StdEncoding.DecodeString(salt)
		if err != nil {
			tb.Fatal(err)
		}
		lines[i] = "P " + base64.StdEncoding.EncodeToString(append(raw, payload...)) + "\n"
	}
	return []byte(strings.Join(lines, ""))
}

// badSalt puts a character outside base64 in the first salt of a bundle.
func badSalt(b []byte) []byte {
	b = bytes.Clone(b)
	i := bytes.Index(b, []byte("\nP "))
	b[i+3] = '!'
	return b
}

// TestBundleVersions: the writer writes version 2 (payloads as they are,
// issue 17); bundles exported before, version 1, verify the same; payload
// lines that are not "P <salt> <payload>" are refused.
func TestBundleVersions(t *testing.T) {
	s, v := MustKey(t, "test/versions")
	v2 := MustBundle(t, s, 300, 30, []uint64{100, 200})
	if !bytes.HasPrefix(v2, []byte(BundleHeader+"\n")) || !bytes.Contains(v2, []byte(`,"v":1}`+"\n")) {
		t.Fatalf("the writer does not write version 2 with payloads as they are:\n%.300s", v2)
	}
	v1 := toV1(t, v2)
	for _, tc := range []struct {
		name   string
		bundle []byte
		want   string // "" when it must verify
	}{
		{"version 2", v2, ""},
		{"version 1", v1, ""},
		{"version 1 header on version 2 lines", bytes.Replace(v2, []byte(BundleHeader), []byte(BundleHeaderV1), 1), "bad base64"},
		{"version 2 header on version 1 lines", bytes.Replace(v1, []byte(BundleHeaderV1), []byte(BundleHeader), 1), "malformed payload line"},
		{"salt not base64", bytes.Replace(v2, []byte("\nP "), []byte("\nP !"), 1), "malformed payload line"},
		{"salt's character not base64", badSalt(v2), "bad base64 salt"},
		{"payload changed", bytes.Replace(v2, []byte(`"v":1}`), []byte(`"v":2}`), 1), "commitment"},
		{"unknown version", bytes.Replace(v2, []byte(BundleHeader), []byte("coupole-audit-bundle v3"), 1), "not a Coupole audit bundle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyBundle(bytes.NewReader(tc.bundle), Options{Verifier: v})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("VerifyBundle: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("VerifyBundle: %v, want an error with %q", err, tc.want)
			}
		})
	}
	var buf bytes.Buffer
	w := NewBundleWriter(&buf)
	if err := w.Payload(make([]byte, SaltSize), []byte("{\n}")); err == nil {
		t.Error("the writer wrote a payload holding a newline")
	}
}
