-- Business validation, access reviews and the confidentiality charter
-- (issue 12, items 5 and 6: S1, S5, S7). Instants are BIGINT microseconds
-- since the Unix epoch in UTC (0 = not set), as in 0003.

-- S5: every role granted through the lifecycle (SCIM, HR file, CLI, screens,
-- identity provider) waits here for the service delivery manager. A grant
-- still pending at due_at gives nothing from then on (the session reads it
-- with the clock) and is recorded 'suspended' by the sweeper, which removes
-- the role; 'rejected' is the validator's refusal; 'closed' a grant whose
-- role went away before anybody validated it (mover, leaver).
CREATE TABLE role_grants (
	id         TEXT PRIMARY KEY CHECK (id <> ''),
	staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role <> ''),
	source     TEXT NOT NULL CHECK (source <> ''),
	granted_by TEXT NOT NULL CHECK (granted_by <> ''), -- the actor as the lifecycle saw it
	granter_id TEXT NOT NULL DEFAULT '',                -- the staff member who granted, when one did
	granted_at BIGINT NOT NULL,
	due_at     BIGINT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('pending', 'validated', 'rejected', 'suspended', 'closed')),
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX role_grants_status ON role_grants (status, due_at);
CREATE INDEX role_grants_staff ON role_grants (staff_id, status);

-- Access reviews: one campaign at a time is open; each item is one role of
-- one staff member, for a reviewer (their manager; '' = any service delivery
-- manager). What is still pending at the campaign's end is removed.
CREATE TABLE review_campaigns (
	id         TEXT PRIMARY KEY CHECK (id <> ''),
	started_by TEXT NOT NULL CHECK (started_by <> ''),
	started_at BIGINT NOT NULL,
	ends_at    BIGINT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	closed_by  TEXT NOT NULL DEFAULT '',
	closed_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX review_campaigns_one_open ON review_campaigns (status) WHERE status = 'open';

CREATE TABLE review_items (
	id          TEXT PRIMARY KEY CHECK (id <> ''),
	campaign_id TEXT NOT NULL REFERENCES review_campaigns (id) ON DELETE CASCADE,
	staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	role        TEXT NOT NULL CHECK (role <> ''),
	reviewer    TEXT NOT NULL DEFAULT '',
	decision    TEXT NOT NULL CHECK (decision IN ('pending', 'kept', 'removed', 'expired', 'gone')),
	decided_by  TEXT NOT NULL DEFAULT '',
	decided_at  BIGINT NOT NULL DEFAULT 0,
	UNIQUE (campaign_id, staff_id, role)
);
CREATE INDEX review_items_reviewer ON review_items (campaign_id, reviewer, decision);

-- S1: the confidentiality charter, one row per published version, its text
-- in the four languages; the current version is the last published.
CREATE TABLE charters (
	version      TEXT PRIMARY KEY CHECK (version <> ''),
	published_at BIGINT NOT NULL,
	published_by TEXT NOT NULL CHECK (published_by <> ''),
	text_fr      TEXT NOT NULL CHECK (text_fr <> ''),
	text_nl      TEXT NOT NULL CHECK (text_nl <> ''),
	text_de      TEXT NOT NULL CHECK (text_de <> ''),
	text_en      TEXT NOT NULL CHECK (text_en <> '')
);
CREATE INDEX charters_published ON charters (published_at);

-- Every acknowledgement is kept (the yearly renewal adds a row).
CREATE TABLE charter_acknowledgements (
	staff_id        TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	version         TEXT NOT NULL REFERENCES charters (version),
	acknowledged_at BIGINT NOT NULL,
	PRIMARY KEY (staff_id, version, acknowledged_at)
);

-- Awareness sessions (S1): title, date, audience, who attended.
CREATE TABLE awareness_campaigns (
	id          TEXT PRIMARY KEY CHECK (id <> ''),
	title       TEXT NOT NULL CHECK (title <> ''),
	held_on     BIGINT NOT NULL,
	audience    TEXT NOT NULL CHECK (audience <> ''),
	recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
	recorded_at BIGINT NOT NULL
);
CREATE TABLE awareness_attendance (
	campaign_id TEXT NOT NULL REFERENCES awareness_campaigns (id) ON DELETE CASCADE,
	staff_id    TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	PRIMARY KEY (campaign_id, staff_id)
);
