package scim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/coupole/coupole"
)

// Token events in the audit log.
const (
	EventTokenCreated = "scim.token_created"
	EventTokenRotated = "scim.token_rotated"
	EventTokenRevoked = "scim.token_revoked"
)

// hashSecret is what the store keeps of a token's secret. The secret has
// 256 bits of entropy: a fast hash is enough, no password hashing needed.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Tokens creates, rotates, lists and revokes the bearer tokens of the
// identity system; each change is traced before it is made.
type Tokens struct {
	Store  Store
	Tracer coupole.StaffTracer
	Clock  coupole.Clock
}

func (t Tokens) trace(ctx context.Context, typ, actor, id string, details map[string]string) error {
	if err := t.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: typ, At: t.Clock.Now(), Actor: actor, Subject: id, Outcome: "ok", Details: details}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record the token change: nothing was changed")
	}
	return nil
}

// Create makes a token and returns it with its secret, which is shown once
// and never stored.
func (t Tokens) Create(ctx context.Context, actor, label string) (Token, string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return Token{}, "", coupole.Errorf(coupole.EINVALID, "scim token: a label is required (say which identity system uses it)")
	}
	return t.create(ctx, actor, label, EventTokenCreated, nil)
}

func (t Tokens) create(ctx context.Context, actor, label, event string, details map[string]string) (Token, string, error) {
	secret := "scim_" + randomText(32)
	tok := Token{ID: "tok-" + randomText(6), Label: label, Hash: hashSecret(secret), CreatedAt: t.Clock.Now()}
	if details == nil {
		details = map[string]string{}
	}
	details["label"] = label
	if err := t.trace(ctx, event, actor, tok.ID, details); err != nil {
		return Token{}, "", err
	}
	if err := t.Store.CreateToken(ctx, tok); err != nil {
		return Token{}, "", err
	}
	return tok, secret, nil
}

// Rotate revokes token id and creates its successor with the same label.
func (t Tokens) Rotate(ctx context.Context, actor, id string) (Token, string, error) {
	var old Token
	list, err := t.Store.Tokens(ctx)
	if err != nil {
		return Token{}, "", err
	}
	for _, k := range list {
		if k.ID == id && k.RevokedAt.IsZero() {
			old = k
		}
	}
	if old.ID == "" {
		return Token{}, "", coupole.Errorf(coupole.ENOTFOUND, "scim token %s: no such live token", id)
	}
	tok, secret, err := t.create(ctx, actor, old.Label, EventTokenRotated, map[string]string{"replaces": id})
	if err != nil {
		return Token{}, "", err
	}
	if err := t.Store.RevokeToken(ctx, id, t.Clock.Now()); err != nil {
		return Token{}, "", err
	}
	return tok, secret, nil
}

// Revoke ends token id at once.
func (t Tokens) Revoke(ctx context.Context, actor, id string) error {
	if err := t.trace(ctx, EventTokenRevoked, actor, id, nil); err != nil {
		return err
	}
	return t.Store.RevokeToken(ctx, id, t.Clock.Now())
}

// authenticate returns the live token named by the request's bearer
// credentials.
func authenticate(ctx context.Context, store Store, r *http.Request) (Token, error) {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		return Token{}, &scimError{Status: http.StatusUnauthorized, Detail: "a bearer token is required"}
	}
	tok, err := store.TokenByHash(ctx, hashSecret(strings.TrimSpace(cred)))
	if coupole.ErrorCode(err) == coupole.EUNAUTHORIZED {
		return Token{}, &scimError{Status: http.StatusUnauthorized, Detail: "unknown or revoked token"}
	}
	return tok, err
}
