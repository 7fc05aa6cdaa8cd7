package blob

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/coupole/coupole"
)

// sealer is the client-side encryption every store applies, so that no
// object leaves Coupole in clear, whatever keeps it: AES-256-GCM, a 12-byte
// random nonce then ciphertext and tag; the object's key is the additional
// data, so an object moved to another key does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (sealer, error) {
	if len(key) != 32 {
		return sealer{}, coupole.Errorf(coupole.EINTERNAL, "blob: the key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, coupole.Wrap(err, coupole.EINTERNAL, "blob: %v", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, coupole.Wrap(err, coupole.EINTERNAL, "blob: %v", err)
	}
	return sealer{aead}, nil
}

func (s sealer) seal(key string, data []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(data)+s.aead.Overhead())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, data, []byte(key))
}

func (s sealer) open(key string, b []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(b) < n {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob %s is damaged", key)
	}
	data, err := s.aead.Open(nil, b[:n], b[n:], []byte(key))
	if err != nil {
		return nil, coupole.Errorf(coupole.EINTERNAL, "blob %s does not open with this key: damaged, moved, or another data directory's", key)
	}
	return data, nil
}

// infoOf describes the plaintext data stored under key.
func infoOf(key string, data []byte) Info {
	sum := sha256.Sum256(data)
	return Info{Key: key, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}
