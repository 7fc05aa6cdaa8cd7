package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// InclusionProof is the proof that a leaf is in the tree of a given size
// (RFC 6962 audit path), as `coupole audit prove inclusion` and
// GET /audit/proof/inclusion give it.
type InclusionProof struct {
	Index    uint64   `json:"index"`
	Size     uint64   `json:"size"`
	LeafHash []byte   `json:"leaf_hash"`
	Hashes   [][]byte `json:"proof"`
}

// ConsistencyProof is the proof that the tree of Size2 extends that of Size1
// (RFC 6962 consistency proof), as `coupole audit prove consistency` and
// GET /audit/proof/consistency give it.
type ConsistencyProof struct {
	Size1  uint64   `json:"size1"`
	Size2  uint64   `json:"size2"`
	Hashes [][]byte `json:"proof"`
}

// ParseInclusionProof decodes an inclusion proof strictly: one JSON object,
// no unknown member, every hash 32 bytes.
func ParseInclusionProof(data []byte) (InclusionProof, error) {
	var p InclusionProof
	if err := decodeStrict(data, &p); err != nil {
		return InclusionProof{}, fmt.Errorf("inclusion proof: %v", err)
	}
	if len(p.LeafHash) != 32 {
		return InclusionProof{}, errors.New("inclusion proof: leaf_hash is not 32 bytes")
	}
	if err := checkHashes(p.Hashes); err != nil {
		return InclusionProof{}, fmt.Errorf("inclusion proof: %v", err)
	}
	return p, nil
}

// ParseConsistencyProof decodes a consistency proof strictly: one JSON
// object, no unknown member, every hash 32 bytes.
func ParseConsistencyProof(data []byte) (ConsistencyProof, error) {
	var p ConsistencyProof
	if err := decodeStrict(data, &p); err != nil {
		return ConsistencyProof{}, fmt.Errorf("consistency proof: %v", err)
	}
	if err := checkHashes(p.Hashes); err != nil {
		return ConsistencyProof{}, fmt.Errorf("consistency proof: %v", err)
	}
	return p, nil
}

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

func checkHashes(hs [][]byte) error {
	for i, h := range hs {
		if len(h) != 32 {
			return fmt.Errorf("proof hash %d is not 32 bytes", i+1)
		}
	}
	return nil
}

// Verify checks that p proves its leaf hash at p.Index in the tree the
// (already opened) checkpoint c commits to. The proof's size must be the
// checkpoint's: a proof for another size is checked against nothing the
// auditor holds. Compare p.LeafHash with the hash of the leaf record you
// hold (Leaf.Hash) to know which event it proves.
func (p InclusionProof) Verify(c Checkpoint) error {
	if p.Size != c.Size {
		return fmt.Errorf("inclusion proof is for a tree of %d leaves, the checkpoint has %d", p.Size, c.Size)
	}
	if p.Index >= c.Size {
		return fmt.Errorf("inclusion proof: index %d is not below the tree size %d", p.Index, c.Size)
	}
	if len(p.LeafHash) != 32 {
		return errors.New("inclusion proof: leaf_hash is not 32 bytes")
	}
	if err := checkHashes(p.Hashes); err != nil {
		return fmt.Errorf("inclusion proof: %v", err)
	}
	return VerifyInclusion(p.Index, c.Size, p.LeafHash, p.Hashes, c.Root)
}

// Verify checks that p proves the tree of checkpoint next extends the tree
// of checkpoint prev (both already opened, of the same log).
func (p ConsistencyProof) Verify(prev, next Checkpoint) error {
	if prev.Origin != next.Origin {
		return fmt.Errorf("consistency proof: checkpoints of two logs (%q, %q)", prev.Origin, next.Origin)
	}
	if p.Size1 != prev.Size || p.Size2 != next.Size {
		return fmt.Errorf("consistency proof is from %d to %d leaves, the checkpoints have %d and %d", p.Size1, p.Size2, prev.Size, next.Size)
	}
	if err := checkHashes(p.Hashes); err != nil {
		return fmt.Errorf("consistency proof: %v", err)
	}
	return VerifyConsistency(prev.Size, next.Size, p.Hashes, prev.Root, next.Root)
}

// VerifyInclusion checks an inclusion proof of the leaf with the given hash at
// index in the tree of the given size and root. size and root must come from
// a checkpoint the auditor holds (InclusionProof.Verify does that).
func VerifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, p, root)
}

// VerifyConsistency checks that the tree of size2 and root2 extends the tree
// of size1 and root1. The library accepts any root1 for an empty tree; a
// checkpoint of size 0 whose root is not the empty tree's is refused here, as
// it is a checkpoint of no tree at all.
func VerifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	empty := rfc6962.DefaultHasher.EmptyRoot()
	if size1 == 0 && !bytes.Equal(root1, empty) || size2 == 0 && !bytes.Equal(root2, empty) {
		return errors.New("consistency proof: the root of an empty tree is not SHA-256 of nothing")
	}
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, p, root1, root2)
}
