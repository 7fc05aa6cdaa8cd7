// Package blob keeps media (call recordings, e-mail attachments) that
// Coupole stores itself, behind one interface (issue 13, item 1): a local
// directory, encrypted with AES-256-GCM under a key derived from the data
// directory's secret key, by default; an S3-compatible object store in
// production. Every implementation passes blobtest.Run.
package blob

import (
	"context"
	"strings"

	"github.com/coupole/coupole"
)

// Info describes a stored object.
type Info struct {
	Key    string
	Size   int64  // bytes of the plaintext
	SHA256 string // hex SHA-256 of the plaintext
}

// Store keeps objects by key.
type Store interface {
	// Put stores data under key, replacing what was there.
	Put(ctx context.Context, key string, data []byte) (Info, error)
	// Get returns the object's bytes; ENOTFOUND when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the object; deleting a missing key is not an error,
	// so a resumed purge can delete again.
	Delete(ctx context.Context, key string) error
}

// ValidKey checks a key: 1 to 200 characters among a-z, 0-9, '-', '_',
// '.', '/', no empty, '.' or '..' segment. Keys are chosen by Coupole
// (never from a request) and this keeps them valid as file paths and S3 keys.
func ValidKey(key string) error {
	if key == "" || len(key) > 200 || strings.Trim(key, "abcdefghijklmnopqrstuvwxyz0123456789-_./") != "" {
		return coupole.Errorf(coupole.EINVALID, "blob key %q: 1 to 200 of a-z 0-9 - _ . /", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return coupole.Errorf(coupole.EINVALID, "blob key %q: empty, . or .. segment", key)
		}
	}
	return nil
}
