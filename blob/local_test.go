package blob_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/blob"
	"github.com/coupole/coupole/blob/blobtest"
)

func mustLocal(tb testing.TB, dir string, fill byte) *blob.Local {
	s, err := blob.NewLocal(dir, bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestLocalConformance(t *testing.T) { blobtest.Run(t, mustLocal(t, t.TempDir(), 7)) }

// The files hold no plaintext, and another key cannot open them.
func TestLocalEncryptsAtRest(t *testing.T) {
	dir := t.TempDir()
	s := mustLocal(t, dir, 7)
	secret := []byte("Bonjour, je sens une odeur de gaz rue des Alouettes 12")
	if _, err := s.Put(context.Background(), "rec/gas.txt", secret); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "rec", "gas.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("odeur")) || len(raw) != len(secret)+12+16 {
		t.Fatalf("file holds %d bytes, plaintext visible: %v", len(raw), bytes.Contains(raw, []byte("odeur")))
	}
	if _, err := mustLocal(t, dir, 8).Get(context.Background(), "rec/gas.txt"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Fatalf("opened with another key: %v", err)
	}
	// A file renamed to another key does not open either.
	os.Rename(filepath.Join(dir, "rec", "gas.txt"), filepath.Join(dir, "rec", "other.txt"))
	if _, err := s.Get(context.Background(), "rec/other.txt"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Fatalf("opened under another key name: %v", err)
	}
}
