// Package secretkey keeps the data directory's secret key (issue 10, item
// 11). Coupole uses it for two things the database must not hold in clear:
// it seals secrets stored there (the break-glass accounts' TOTP secrets) with
// AES-256-GCM, and it keys the HMAC of values that are compared but never
// stored (account names in the sign-in counters).
//
// The file holds 32 random bytes (base64), mode 0600, created on first need
// like the audit signing key. Every node of a deployment needs the same file:
// a node with another key cannot open what the first one sealed.
package secretkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/coupole/coupole"
)

// File is the key's file name in the data directory.
const File = "secrets.key"

// sealedPrefix starts every sealed value and names its format: AES-256-GCM,
// 12-byte random nonce, then ciphertext and tag, base64 (RawStd).
const sealedPrefix = "sealed:v1:"

// Key seals and opens secrets and computes keyed hashes. Its sub-keys are
// derived from the file's 32 bytes with HKDF-SHA256, one per use, so a
// sealing key is never also a MAC key.
type Key struct {
	aead cipher.AEAD
	mac  []byte
}

// New returns the key whose 32 bytes are raw.
func New(raw []byte) (*Key, error) {
	if len(raw) != 32 {
		return nil, coupole.Errorf(coupole.EINVALID, "secret key: want 32 bytes, got %d", len(raw))
	}
	sealKey, err := hkdf.Key(sha256.New, raw, nil, "coupole secretkey seal v1", 32)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "secret key: derive: %v", err)
	}
	macKey, err := hkdf.Key(sha256.New, raw, nil, "coupole secretkey mac v1", 32)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "secret key: derive: %v", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "secret key: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "secret key: %v", err)
	}
	return &Key{aead: aead, mac: macKey}, nil
}

// Ephemeral returns a random key that lives as long as the process: for
// tests and for a server wired without a data directory, whose sealed values
// and keyed hashes do not survive a restart.
func Ephemeral() *Key {
	raw := make([]byte, 32)
	rand.Read(raw)
	k, err := New(raw)
	if err != nil {
		panic(err)
	}
	return k
}

// Load reads the key of dir. A missing file is ENOTFOUND; a file readable
// by group or others is refused, like the audit signing key.
func Load(dir string) (*Key, error) {
	path := filepath.Join(dir, File)
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "secret key: no %s", path)
	} else if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "secret key: cannot read %s", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "secret key %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "secret key: cannot read %s", path)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != 32 {
		return nil, coupole.Errorf(coupole.EINVALID, "secret key: %s does not hold 32 base64 bytes", path)
	}
	return New(raw)
}

// LoadOrCreate reads the key of dir, creating it (mode 0600, dir 0700) when
// there is none; created says whether it did.
func LoadOrCreate(dir string) (k *Key, created bool, err error) {
	k, err = Load(dir)
	if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return k, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, coupole.Wrap(err, coupole.EINVALID, "secret key: cannot create data directory %s", dir)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	path := filepath.Join(dir, File)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process created it meanwhile: use theirs
		k, err = Load(dir)
		return k, false, err
	} else if err != nil {
		return nil, false, coupole.Wrap(err, coupole.EINVALID, "secret key: cannot create %s", path)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, false, coupole.Wrap(err, coupole.EINTERNAL, "secret key: cannot write %s", path)
	}
	k, err = New(raw)
	return k, err == nil, err
}

// Seal encrypts plaintext, bound to context: the same context must be given
// to Open, so a sealed value copied to another record (another staff
// member's row) does not open.
func (k *Key) Seal(plaintext, context string) string {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// IsSealed reports whether v looks like a value Seal made (it may still not
// open).
func IsSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// ErrNotSealed and ErrCannotOpen are the two ways Open fails; neither
// carries the value.
var (
	ErrNotSealed  = coupole.Errorf(coupole.EINVALID, "secret key: the value is not sealed")
	ErrCannotOpen = coupole.Errorf(coupole.EINVALID, "secret key: the value does not open with this key and context (another key, another record, or altered)")
)

// Open decrypts a value sealed with this key and the same context.
func (k *Key) Open(sealed, context string) (string, error) {
	if !IsSealed(sealed) {
		return "", ErrNotSealed
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix))
	n := k.aead.NonceSize()
	if err != nil || len(b) < n+k.aead.Overhead() {
		return "", ErrCannotOpen
	}
	pt, err := k.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", ErrCannotOpen
	}
	return string(pt), nil
}

// MAC returns the hex HMAC-SHA256 of value under purpose: a stable stand-in
// for a value that must be compared across nodes and restarts but never
// stored in clear. Different purposes give unrelated hashes.
func (k *Key) MAC(purpose, value string) string {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
