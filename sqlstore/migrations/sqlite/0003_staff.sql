-- Staff access (issue 5): staff members and their roles, break-glass local
-- credentials, server-side sessions and break-glass grants.
--
-- Instants are BIGINT microseconds since the Unix epoch in UTC (0 = not set):
-- the same type and comparisons on both engines, and session checks on every
-- request compare integers. Sessions keep only the SHA-256 of their secret id.

CREATE TABLE staff (
	id             TEXT PRIMARY KEY CHECK (id <> ''),
	kind           TEXT NOT NULL CHECK (kind IN ('oidc', 'local', 'demo')),
	login          TEXT NOT NULL CHECK (login <> ''),
	display_name   TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
	created_at     BIGINT NOT NULL,
	revoked_at     BIGINT NOT NULL DEFAULT 0,
	revoked_reason TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, login)
);

CREATE TABLE staff_roles (
	staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	role     TEXT NOT NULL CHECK (role IN ('advisor', 'cpas_advisor', 'back_office', 'team_lead',
		'supervisor', 'privacy_officer', 'auditor', 'it_admin', 'service_delivery_manager')),
	PRIMARY KEY (staff_id, role)
);

CREATE TABLE staff_local_credentials (
	staff_id       TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
	password_hash  TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	totp_secret    TEXT NOT NULL CHECK (totp_secret <> ''),
	last_totp_step BIGINT NOT NULL DEFAULT 0 -- a TOTP code is never accepted twice
);

CREATE TABLE staff_sessions (
	id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
	staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	created_at   BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE break_glass_grants (
	id           TEXT PRIMARY KEY CHECK (id <> ''),
	staff_id     TEXT NOT NULL REFERENCES staff (id),
	customer_id  TEXT NOT NULL CHECK (customer_id <> ''),
	reason       TEXT NOT NULL CHECK (reason <> ''),
	requested_at BIGINT NOT NULL,
	duration_s   BIGINT NOT NULL CHECK (duration_s > 0),
	approved_by  TEXT NOT NULL DEFAULT '' CHECK (approved_by <> staff_id), -- S7
	approved_at  BIGINT NOT NULL DEFAULT 0,
	expires_at   BIGINT NOT NULL DEFAULT 0,
	revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX break_glass_grants_staff ON break_glass_grants (staff_id);
