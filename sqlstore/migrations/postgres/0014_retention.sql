-- Recordings and retention (R1–R4, issue 13). Instants are BIGINT
-- microseconds since the Unix epoch in UTC (0 = not set).
--
-- retention_items is the registry: every recorded communication (call,
-- e-mail, chat) and every record of Coupole's own that retention applies
-- to. Its row outlives the purge as evidence: state 'purged' with the audit
-- index of the deletion event and the hash of what was deleted; the body and
-- the media reference are cleared.
CREATE TABLE retention_items (
	id             TEXT PRIMARY KEY CHECK (id <> ''),
	kind           TEXT NOT NULL CHECK (kind IN ('recording', 'email', 'chat', 'interaction', 'delivery', 'session', 'trace')),
	source         TEXT NOT NULL DEFAULT '',      -- recording system ('genesys', 'csv', 'coupole')
	external_id    TEXT NOT NULL DEFAULT '',      -- id in the recording system
	channel        TEXT NOT NULL DEFAULT '',
	interaction_id TEXT NOT NULL DEFAULT '',
	customer_id    TEXT NOT NULL DEFAULT '',
	call_reason    TEXT NOT NULL DEFAULT '',
	started_at     BIGINT NOT NULL,
	ended_at       BIGINT NOT NULL DEFAULT 0,
	media_ref      TEXT NOT NULL DEFAULT '',      -- blob key, or '' when the media lives only in the recording system
	size           BIGINT NOT NULL DEFAULT 0,
	sha256         TEXT NOT NULL DEFAULT '',      -- hex SHA-256 of the media or body
	body           BYTEA,                          -- sealed e-mail or chat body kept by Coupole
	class          TEXT NOT NULL,
	class_reason   TEXT NOT NULL DEFAULT '',      -- 'call_reason', 'default' or the privacy officer's justification
	due_at         BIGINT NOT NULL,
	state          TEXT NOT NULL DEFAULT 'kept' CHECK (state IN ('kept', 'deleting', 'purged')),
	evidence_idx   BIGINT NOT NULL DEFAULT -1,   -- audit index of the deletion event
	purged_at      BIGINT NOT NULL DEFAULT 0,
	registered_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX retention_items_external ON retention_items (source, external_id) WHERE external_id <> '';
CREATE INDEX retention_items_due ON retention_items (state, due_at);
CREATE INDEX retention_items_interaction ON retention_items (interaction_id) WHERE interaction_id <> '';

-- Legal holds (R3): placed by the privacy officer on a recording, an
-- interaction, a customer or a period; lifted only when a second person
-- approves the lift someone else asked for (S7).
CREATE TABLE retention_holds (
	id                TEXT PRIMARY KEY CHECK (id <> ''),
	scope             TEXT NOT NULL CHECK (scope IN ('item', 'interaction', 'customer', 'period')),
	target            TEXT NOT NULL DEFAULT '',
	period_from       BIGINT NOT NULL DEFAULT 0,
	period_to         BIGINT NOT NULL DEFAULT 0,
	reason            TEXT NOT NULL CHECK (reason <> ''),
	reference         TEXT NOT NULL CHECK (reference <> ''),
	placed_by         TEXT NOT NULL,
	placed_at         BIGINT NOT NULL,
	lift_requested_by TEXT NOT NULL DEFAULT '',
	lift_requested_at BIGINT NOT NULL DEFAULT 0,
	lift_reason       TEXT NOT NULL DEFAULT '',
	lifted_by         TEXT NOT NULL DEFAULT '',
	lifted_at         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX retention_holds_active ON retention_holds (scope, target) WHERE lifted_at = 0;

-- Audit events whose payload erasure skipped because a legal hold covered
-- them: the next erasure looks at them again and erases those no longer held.
CREATE TABLE audit_kept (
	idx BIGINT PRIMARY KEY
);

-- Event ids of the contact-center platform's notifications already taken
-- (replay protection); rows older than the signature's time window are
-- pruned, since a replay that old fails the timestamp check anyway.
CREATE TABLE retention_webhook_events (
	event_id    TEXT PRIMARY KEY CHECK (event_id <> ''),
	received_at BIGINT NOT NULL
);
