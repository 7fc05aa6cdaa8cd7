package blob

import (
	"context"
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
	dir string
	sealer
}

// KeyPurpose names the blob key derived from the data directory's secret
// key (secretkey.Key.MAC(KeyPurpose, "v1")): the blob store shares the
// file every node already holds, never its sealing sub-key.
const KeyPurpose = "coupole blob store AES-256-GCM key"

// NewLocal opens the store in dir (created 0700) with a 32-byte key.
func NewLocal(dir string, key []byte) (*Local, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "blob: cannot create %s", dir)
	}
	return &Local{dir: dir, sealer: s}, nil
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
	sealed := l.seal(key, data)
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
	return infoOf(key, data), nil
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
	return l.open(key, b)
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
