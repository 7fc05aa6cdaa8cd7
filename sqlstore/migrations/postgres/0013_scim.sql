-- SCIM 2.0 service provider (issue 12, item 1). The identity system's view
-- of staff and groups is kept as the full SCIM representation it sent, so
-- that what it reads back is what it wrote (RFC 7644 §3.3); the staff account
-- (staff, staff_roles) is what Coupole acts upon. name_key is the folded
-- userName (Users) or displayName (Groups): unique per resource type.
CREATE TABLE scim_resources (
	resource_type TEXT NOT NULL CHECK (resource_type IN ('User', 'Group')),
	id            TEXT NOT NULL,
	staff_id      TEXT NOT NULL DEFAULT '',
	name_key      TEXT NOT NULL,
	external_id   TEXT NOT NULL DEFAULT '',
	doc           TEXT NOT NULL,
	version       BIGINT NOT NULL CHECK (version > 0),
	created_at    BIGINT NOT NULL,
	modified_at   BIGINT NOT NULL,
	PRIMARY KEY (resource_type, id)
);
CREATE UNIQUE INDEX scim_resources_name ON scim_resources (resource_type, name_key);

-- Bearer tokens of the identity system: only the SHA-256 of the secret is
-- kept; the secret is shown once, by `coupole scim token create|rotate`.
CREATE TABLE scim_tokens (
	id          TEXT PRIMARY KEY,
	label       TEXT NOT NULL,
	hash        TEXT NOT NULL UNIQUE,
	created_at  BIGINT NOT NULL,
	revoked_at  BIGINT NOT NULL DEFAULT 0
);
