package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// T2: the verification's own tree edge gives the root compact.Range (the
// reviewed library the log is written with) gives, at every size up to
// 4,200 leaves — every carry pattern of 12 levels and more.
func TestFrontierMatchesCompactRange(t *testing.T) {
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	want := rf.NewEmptyRange(0)
	var f frontier
	for i := range 4200 {
		if got, w := f.root(), rootOrEmpty(t, want); !bytes.Equal(got, w) {
			t.Fatalf("size %d: root %x, compact.Range says %x", i, got, w)
		}
		var rec [8]byte
		binary.BigEndian.PutUint64(rec[:], uint64(i))
		h := rfc6962.DefaultHasher.HashLeaf(rec[:])
		if err := want.Append(h, nil); err != nil {
			t.Fatal(err)
		}
		f.append([sha256.Size]byte(h))
		if f.size != want.End() {
			t.Fatalf("size %d, compact.Range %d", f.size, want.End())
		}
	}
}

func rootOrEmpty(t *testing.T, r *compact.Range) []byte {
	root, err := r.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	if root == nil {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	return root
}
