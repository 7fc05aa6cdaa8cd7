-- Staff identity governance (issue 12): what HR knows of each staff member,
-- kept beside the account (S4), and the record of every lifecycle step
-- (joiner, mover, leaver, reactivation, segregation-of-duties refusal) from
-- which the yearly report's figures are counted (G4). Instants are BIGINT
-- microseconds since the Unix epoch in UTC (0 = not set), as in 0003.

CREATE TABLE staff_profiles (
	staff_id        TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
	employee_number TEXT NOT NULL DEFAULT '',
	department      TEXT NOT NULL DEFAULT '',
	manager         TEXT NOT NULL DEFAULT '',   -- the manager's staff id
	-- The HR end date of a future-dated leaver (the HR file): the account is
	-- revoked by itself on that date. 0 = none.
	leaves_at       BIGINT NOT NULL DEFAULT 0,
	updated_at      BIGINT NOT NULL
);

-- One row per lifecycle step. staff_id has no foreign key: a joiner refused
-- by segregation of duties has no account, and the record outlives a purge.
CREATE TABLE staff_lifecycle (
	id           TEXT PRIMARY KEY CHECK (id <> ''),
	staff_id     TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('joiner', 'mover', 'leaver', 'reactivated', 'sod_refused')),
	source       TEXT NOT NULL CHECK (source IN ('scim', 'hr_csv', 'cli', 'screen', 'oidc', 'sweeper')),
	actor        TEXT NOT NULL CHECK (actor <> ''),
	roles_before TEXT NOT NULL DEFAULT '',  -- comma-separated
	roles_after  TEXT NOT NULL DEFAULT '',
	rule         TEXT NOT NULL DEFAULT '',  -- the SoD rule of a refusal
	at           BIGINT NOT NULL,           -- when Coupole made (or refused) the change
	effective_at BIGINT NOT NULL DEFAULT 0  -- the HR date of a leaver, when known
);
CREATE INDEX staff_lifecycle_at ON staff_lifecycle (at, kind);
CREATE INDEX staff_lifecycle_staff ON staff_lifecycle (staff_id, at);
