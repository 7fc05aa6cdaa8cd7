package secretkey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
)

func mustLoadOrCreate(tb testing.TB, dir string) (*secretkey.Key, bool) {
	tb.Helper()
	k, created, err := secretkey.LoadOrCreate(dir)
	if err != nil {
		tb.Fatalf("LoadOrCreate: %v", err)
	}
	return k, created
}

// The key is created once, mode 0600, and read back the same on the next
// start (issue 10, item 11).
func TestKeyFileCreatedOnceWithMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, created := mustLoadOrCreate(t, dir)
	if !created {
		t.Fatal("first LoadOrCreate did not create the key")
	}
	st, err := os.Stat(filepath.Join(dir, secretkey.File))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	k2, created := mustLoadOrCreate(t, dir)
	if created {
		t.Error("second LoadOrCreate created another key")
	}
	sealed := k1.Seal("JBSWY3DPEHPK3PXP", "totp:s-1")
	if got, err := k2.Open(sealed, "totp:s-1"); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("reloaded key opens %q, %v", got, err)
	}
	if k1.MAC("account", "bg-admin") != k2.MAC("account", "bg-admin") {
		t.Error("the MAC changes across loads of the same key")
	}
	os.Chmod(filepath.Join(dir, secretkey.File), 0o644)
	if _, err := secretkey.Load(dir); coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(coupole.ErrorMessage(err), "chmod 600") {
		t.Errorf("key readable by others: %v, want a refusal saying chmod 600", err)
	}
}

func TestSealOpen(t *testing.T) {
	k := secretkey.Ephemeral()
	const secret = "JBSWY3DPEHPK3PXP"
	sealed := k.Seal(secret, "totp:s-1")
	if strings.Contains(sealed, secret) || !secretkey.IsSealed(sealed) {
		t.Fatalf("sealed value %q shows the secret or is not marked sealed", sealed)
	}
	if k.Seal(secret, "totp:s-1") == sealed {
		t.Error("two seals of the same secret are equal: the nonce is not random")
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name    string
		key     *secretkey.Key
		sealed  string
		context string
		want    error
	}{
		{"other record (moved ciphertext)", k, sealed, "totp:s-2", secretkey.ErrCannotOpen},
		{"other key", secretkey.Ephemeral(), sealed, "totp:s-1", secretkey.ErrCannotOpen},
		{"tampered ciphertext", k, flip(sealed, len(sealed)-5), "totp:s-1", secretkey.ErrCannotOpen},
		{"tampered nonce", k, flip(sealed, len("sealed:v1:")+2), "totp:s-1", secretkey.ErrCannotOpen},
		{"truncated", k, sealed[:len("sealed:v1:")+10], "totp:s-1", secretkey.ErrCannotOpen},
		{"not base64", k, "sealed:v1:!!!", "totp:s-1", secretkey.ErrCannotOpen},
		{"plaintext", k, secret, "totp:s-1", secretkey.ErrNotSealed},
	}
	for _, tt := range tests {
		got, err := tt.key.Open(tt.sealed, tt.context)
		if err != tt.want || got != "" {
			t.Errorf("%s: Open = %q, %v; want %v", tt.name, got, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the secret", tt.name)
		}
	}
	if got, err := k.Open(sealed, "totp:s-1"); err != nil || got != secret {
		t.Errorf("Open = %q, %v", got, err)
	}
}

func TestMACIsKeyedAndPurposeBound(t *testing.T) {
	k := secretkey.Ephemeral()
	a := k.MAC("signin-account", "bg-admin")
	if len(a) != 64 || strings.Contains(a, "bg-admin") {
		t.Fatalf("MAC = %q", a)
	}
	if a == secretkey.Ephemeral().MAC("signin-account", "bg-admin") {
		t.Error("two keys give the same MAC")
	}
	if a == k.MAC("other", "bg-admin") {
		t.Error("two purposes give the same MAC")
	}
}
