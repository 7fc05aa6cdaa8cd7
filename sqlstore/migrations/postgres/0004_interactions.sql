-- Interactions (issue 6): calls, e-mails, letters… handled by a staff member,
-- the candidates of their last identification, the access points asked
-- about with the state of their verification (C2), the alerts raised for
-- team leads, and the deliveries (SMS, letter, back-office case) they
-- created, each with the index of its audit event (T1).
--
-- Instants are BIGINT microseconds since the Unix epoch in UTC (0 = not
-- set), as in 0003. Lists (call reasons) are comma-separated codes.

CREATE TABLE interactions (
	id               TEXT PRIMARY KEY CHECK (id <> ''),
	staff_id         TEXT NOT NULL REFERENCES staff (id),
	channel          TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'letter', 'chat', 'messenger', 'cpas_line', 'web_form')),
	requester        TEXT NOT NULL CHECK (requester IN ('customer', 'mandatary', 'cpas', 'supplier', 'landlord', 'third_party')),
	caller_number    TEXT NOT NULL DEFAULT '',
	cpas_id          TEXT NOT NULL DEFAULT '',
	mandatary_name   TEXT NOT NULL DEFAULT '',
	opened_at        BIGINT NOT NULL,
	closed_at        BIGINT NOT NULL DEFAULT 0,
	call_reasons     TEXT NOT NULL DEFAULT '',
	current_ean      TEXT NOT NULL DEFAULT '',
	current_customer TEXT NOT NULL DEFAULT ''
);

-- Open interactions, by staff member: the need-to-know check reads it on
-- every request for customer data.
CREATE INDEX interactions_open ON interactions (staff_id, closed_at);

CREATE TABLE interaction_candidates (
	interaction_id TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	ref            TEXT NOT NULL,
	ean            TEXT NOT NULL,
	customer_id    TEXT NOT NULL,
	PRIMARY KEY (interaction_id, ref)
);

CREATE TABLE interaction_points (
	interaction_id  TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
	ean             TEXT NOT NULL,
	customer_id     TEXT NOT NULL,
	verified        BOOLEAN NOT NULL DEFAULT FALSE,
	failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
	locked          BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (interaction_id, ean)
);

CREATE TABLE interaction_alerts (
	id             TEXT PRIMARY KEY,
	interaction_id TEXT NOT NULL REFERENCES interactions (id),
	staff_id       TEXT NOT NULL,
	ean            TEXT NOT NULL,
	kind           TEXT NOT NULL,
	raised_at      BIGINT NOT NULL
);

CREATE INDEX interaction_alerts_time ON interaction_alerts (raised_at);

CREATE TABLE deliveries (
	id              TEXT PRIMARY KEY,
	interaction_id  TEXT NOT NULL REFERENCES interactions (id),
	staff_id        TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('sms', 'letter', 'back_office_case')),
	item            TEXT NOT NULL,
	ean             TEXT NOT NULL,
	customer_id     TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	request_hash    TEXT NOT NULL,
	audit_index     BIGINT NOT NULL CHECK (audit_index >= 0),
	status          TEXT NOT NULL DEFAULT 'pending',
	created_at      BIGINT NOT NULL,
	UNIQUE (staff_id, idempotency_key)
);

CREATE INDEX deliveries_interaction ON deliveries (interaction_id);
