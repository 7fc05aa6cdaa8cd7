package blob

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/coupole/coupole"
)

// Local keeps objects as files of a directory, each sealed with
// AES-256-GCM: a 12-byte random nonce, then ciphertext and tag; the key is
// the additional data, so a file moved to another key does not open.
type Local struct {
	dir  string
	aead cipher.AEAD
}

// KeyPurpose names the blob key derived from the data directory's secret
// key (secretkey.Key.MAC(KeyPurpose, "v1")): the blob store shares the
// file every node already holds, never its sealing sub-key.
const KeyPurpose = "coupole blob store AES-256-GCM key"

// NewLocal opens the store in dir (created 0700) with a 32-byte key.
func NewLocal(dir string, key []byte) (*Local, error) {
	if len(key) != 32 {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob: the key must be 32 bytes")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot create %s", dir)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "blob: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "blob: %v", err)
	}
	return &Local{dir: dir, aead: aead}, nil
}

func (l *Local) path(key string) string { return filepath.Join(l.dir, filepath.FromSlash(key)) }

func (l *Local) Put(ctx context.Context, key string, data []byte) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	p := l.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return Info{}, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot store %s", key)
	}
	nonce := make([]byte, l.aead.NonceSize(), l.aead.NonceSize()+len(data)+l.aead.Overhead())
	rand.Read(nonce)
	sealed := l.aead.Seal(nonce, nonce, data, []byte(key))
	// Write then rename: a crash leaves the old object or the new one.
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return Info{}, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot store %s", key)
	}
	_, werr := tmp.Write(sealed)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return Info{}, coupole.Wrap(werr, coupole.EUNAVAILABLE, "blob: cannot store %s", key)
	}
	sum := sha256.Sum256(data)
	return Info{Key: key, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func (l *Local) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "blob %s not found", key)
	}
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot read %s", key)
	}
	n := l.aead.NonceSize()
	if len(b) < n {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob %s is damaged", key)
	}
	data, err := l.aead.Open(nil, b[:n], b[n:], []byte(key))
	if err != nil {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob %s does not open with this key: damaged, moved, or another data directory's", key)
	}
	return data, nil
}

func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := os.Remove(l.path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot delete %s", key)
	}
	return nil
}

// KeyFromMAC turns the hex HMAC-SHA256 the data directory's secret key
// gives for KeyPurpose into the store's 32-byte key.
func KeyFromMAC(macHex string) ([]byte, error) {
	k, err := hex.DecodeString(macHex)
	if err != nil || len(k) != 32 {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob: the derived key is not 32 bytes")
	}
	return k, nil
}
