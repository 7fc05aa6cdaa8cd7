package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/coupole/coupole"
	"golang.org/x/mod/sumdb/note"
)

// Key files in the data directory.
const (
	SigningKeyFile = "audit-signing.key"  // note signer key, mode 0600
	VerifierFile   = "audit-verifier.pub" // note verifier string, public
)

// DefaultOrigin names the log (and its key) when the operator gives no name.
const DefaultOrigin = "coupole/audit"

// CreateKey creates the checkpoint signing key in dir (mode 0600, dir 0700)
// and the public verifier file beside it, and returns the verifier string.
// It refuses to replace an existing key: a new key would orphan every
// checkpoint signed so far.
func CreateKey(dir, origin string) (verifier string, err error) {
	if origin == "" || strings.ContainsAny(origin, "+ \t\n") {
		return "", coupole.Errorf(coupole.EINVALID, "audit: log name %q must be non-empty, without spaces or '+'", origin)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", coupole.Wrap(err, coupole.EINVALID, "audit: cannot create data directory %s", dir)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", coupole.Wrap(err, coupole.EINTERNAL, "audit: generate key: %v", err)
	}
	path := filepath.Join(dir, SigningKeyFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return "", coupole.Errorf(coupole.ECONFLICT, "audit: signing key %s already exists; it is kept", path)
	} else if err != nil {
		return "", coupole.Wrap(err, coupole.EINVALID, "audit: cannot create %s", path)
	}
	_, err = f.WriteString(skey + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", coupole.Wrap(err, coupole.EINTERNAL, "audit: cannot write %s", path)
	}
	if err := os.WriteFile(filepath.Join(dir, VerifierFile), []byte(vkey+"\n"), 0o644); err != nil {
		return "", coupole.Wrap(err, coupole.EINTERNAL, "audit: cannot write the verifier file")
	}
	return vkey, nil
}

// LoadSigner reads the signing key from dir. A key readable by group or
// others is refused.
func LoadSigner(dir string) (note.Signer, error) {
	path := filepath.Join(dir, SigningKeyFile)
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "audit: no signing key %s: run `coupole init`", path)
	} else if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "audit: cannot read %s", path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, coupole.Errorf(coupole.EINVALID, "audit: signing key %s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EUNAVAILABLE, "audit: cannot read %s", path)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "audit: %s is not a signing key", path)
	}
	return s, nil
}

// VerifierOf derives the public verifier string from the key file in dir.
func VerifierOf(dir string) (string, error) {
	if _, err := LoadSigner(dir); err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, SigningKeyFile))
	if err != nil {
		return "", coupole.Wrap(err, coupole.EUNAVAILABLE, "audit: cannot read the signing key")
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>
	parts := strings.SplitN(strings.TrimSpace(string(b)), "+", 5) // base64 may hold "+"
	if len(parts) != 5 {
		return "", coupole.Errorf(coupole.EINVALID, "audit: malformed signing key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", coupole.Errorf(coupole.EINVALID, "audit: signing key is not Ed25519")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	v, err := note.NewEd25519VerifierKey(parts[2], pub)
	if err != nil {
		return "", coupole.Wrap(err, coupole.EINTERNAL, "audit: verifier: %v", err)
	}
	return v, nil
}

// ParseVerifier parses a verifier string ("name+hash+key").
func ParseVerifier(s string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(s))
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "audit: not a verifier key (want name+hash+key): %v", err)
	}
	return v, nil
}
