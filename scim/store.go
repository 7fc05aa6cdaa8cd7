// Package scim is Coupole's SCIM 2.0 service provider (RFC 7643, RFC 7644)
// at /scim/v2: the operator's identity system (Entra ID, Okta, midPoint…)
// provisions staff accounts and groups, and groups map to roles by
// configuration (issue 12, items 1 and 2). A created User is a joiner, a
// group change is a mover, active=false or DELETE is a leaver; each goes
// through the Lifecycle the handler is given.
//
// The handlers are written by hand over the standard library: see
// docs/dependencies.md for why no SCIM library is used.
package scim

import (
	"context"
	"time"
)

// Resource is one stored SCIM resource: the full representation the
// identity system sent (Doc, JSON without meta, groups or password), so that
// what it reads back is what it wrote, and the columns searched by the store.
type Resource struct {
	Type       string // "User" or "Group"
	ID         string
	StaffID    string // Users: the staff account it provisions
	NameKey    string // folded userName (Users) or displayName (Groups): unique per type
	ExternalID string
	Doc        string
	Version    int64 // 1 at creation, +1 at each change: the weak ETag
	Created    time.Time
	Modified   time.Time
}

// Token is a bearer token of the identity system. Only the SHA-256 of its
// secret is kept.
type Token struct {
	ID        string
	Label     string
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	RevokedAt time.Time // zero while the token is live
}

// Store keeps SCIM resources and tokens (sqlstore.SCIMStore).
type Store interface {
	Resource(ctx context.Context, typ, id string) (Resource, error)
	Resources(ctx context.Context, typ string) ([]Resource, error)
	CreateResource(ctx context.Context, r Resource) error
	// UpdateResource stores r if the stored version is r.Version-1, or
	// returns ECONFLICT.
	UpdateResource(ctx context.Context, r Resource) error
	DeleteResource(ctx context.Context, typ, id string) error

	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
}
