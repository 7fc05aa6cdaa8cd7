// Package blobtest is the conformance suite every blob.Store passes.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/blob"
)

// Run checks s: put, get, replace, delete (twice), missing keys, bad keys,
// empty and binary objects.
func Run(t *testing.T, s blob.Store) {
	ctx := context.Background()
	big := bytes.Repeat([]byte{0, 1, 2, 250, 255}, 300_000) // 1.5 MB, binary
	for _, tc := range []struct {
		key  string
		data []byte
	}{
		{"rec/2026/03/a.wav", []byte("RIFF a call")},
		{"empty", nil},
		{"rec/big.bin", big},
	} {
		info, err := s.Put(ctx, tc.key, tc.data)
		if err != nil {
			t.Fatalf("put %s: %v", tc.key, err)
		}
		sum := sha256.Sum256(tc.data)
		if info.Key != tc.key || info.Size != int64(len(tc.data)) || info.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("put %s: info %+v", tc.key, info)
		}
		got, err := s.Get(ctx, tc.key)
		if err != nil || !bytes.Equal(got, tc.data) {
			t.Fatalf("get %s: %d bytes, %v; want %d bytes", tc.key, len(got), err, len(tc.data))
		}
	}
	if _, err := s.Put(ctx, "rec/2026/03/a.wav", []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "rec/2026/03/a.wav"); err != nil || string(got) != "replaced" {
		t.Errorf("get after replace: %q, %v", got, err)
	}
	for range 2 { // deleting twice is fine (a resumed purge)
		if err := s.Delete(ctx, "rec/2026/03/a.wav"); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	if _, err := s.Get(ctx, "rec/2026/03/a.wav"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("get after delete: %v, want not_found", err)
	}
	if _, err := s.Get(ctx, "never/put"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("get of a missing key: %v, want not_found", err)
	}
	for _, bad := range []string{"", "../etc/passwd", "a//b", "A.wav", "a/./b", "/abs"} {
		if _, err := s.Put(ctx, bad, []byte("x")); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("put %q: %v, want invalid", bad, err)
		}
	}
}
