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

-- Privileged access (S3): a staff member asks for an elevated role for a
-- while, with a justification; somebody else approves or rejects it. The
-- role is held while status is 'approved' and the clock is before ends_at —
-- checked on every request, so the end takes effect by itself; 'expired'
-- only records that the sweeper traced the end.
CREATE TABLE privileged_requests (
	id            TEXT PRIMARY KEY CHECK (id <> ''),
	staff_id      TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	role          TEXT NOT NULL CHECK (role IN ('advisor', 'cpas_advisor', 'back_office', 'team_lead',
		'supervisor', 'privacy_officer', 'auditor', 'it_admin', 'service_delivery_manager')),
	justification TEXT NOT NULL CHECK (justification <> ''),
	duration_s    BIGINT NOT NULL CHECK (duration_s > 0),
	requested_at  BIGINT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn', 'expired')),
	decided_by    TEXT NOT NULL DEFAULT '',
	decided_at    BIGINT NOT NULL DEFAULT 0,
	ends_at       BIGINT NOT NULL DEFAULT 0,  -- approval + duration
	ended_at      BIGINT NOT NULL DEFAULT 0   -- when withdrawn, or when the expiry was recorded
);
CREATE INDEX privileged_requests_staff ON privileged_requests (staff_id, status, ends_at);
