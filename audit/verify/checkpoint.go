package verify

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is the body of a signed checkpoint in the C2SP tlog-checkpoint
// format: the log's origin, the tree size, the root hash, and optional
// extension lines.
type Checkpoint struct {
	Origin     string
	Size       uint64
	Root       []byte
	Extensions []string
}

// Marshal returns the checkpoint body (the text that is signed).
func (c Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCheckpoint parses a checkpoint body.
func ParseCheckpoint(text string) (Checkpoint, error) {
	if !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, errors.New("checkpoint: body does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, errors.New("checkpoint: fewer than 3 lines")
	}
	c := Checkpoint{Origin: lines[0]}
	if c.Origin == "" {
		return Checkpoint{}, errors.New("checkpoint: empty origin")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("checkpoint: bad tree size %q", lines[1])
	}
	c.Size = size
	// Strict base64 still skips '\r' and '\n': compare with the encoding so
	// that a checkpoint has one text.
	c.Root, err = base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(c.Root) != 32 || base64.StdEncoding.EncodeToString(c.Root) != lines[2] {
		return Checkpoint{}, errors.New("checkpoint: root hash is not 32 bytes of base64")
	}
	for _, e := range lines[3:] {
		if e == "" {
			return Checkpoint{}, errors.New("checkpoint: empty extension line")
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

// OpenCheckpoint checks that the signed note msg carries a valid signature by
// v and that its body is a checkpoint of the log v names (origin = key name).
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint is for log %q, the key is for %q", c.Origin, v.Name())
	}
	return c, nil
}

// SignCheckpoint signs c with s and returns the signed note.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	if c.Origin != s.Name() {
		return nil, fmt.Errorf("checkpoint origin %q differs from the key name %q", c.Origin, s.Name())
	}
	return note.Sign(&note.Note{Text: string(c.Marshal())}, s)
}
