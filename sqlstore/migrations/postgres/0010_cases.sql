-- Back-office cases (D4, issue 11): a request about more than two access
-- points, a written request that needs research, a CPAS follow-up, opened
-- from an interaction and handled by one back-office member at a time.
--
-- Instants are BIGINT microseconds since the Unix epoch in UTC (0 = not
-- set). eans is the comma-separated list of the access points asked about
-- (18 digits each). note is staff's free text, never shown to customers.
CREATE TABLE cases (
	id              TEXT PRIMARY KEY CHECK (id <> ''),
	interaction_id  TEXT NOT NULL REFERENCES interactions (id),
	opened_by       TEXT NOT NULL,
	customer_id     TEXT NOT NULL,
	eans            TEXT NOT NULL DEFAULT '',
	kind            TEXT NOT NULL CHECK (kind IN ('multiple_eans', 'research', 'cpas_followup')),
	item            TEXT NOT NULL DEFAULT '',
	channel         TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'answered', 'closed')),
	taken_by        TEXT NOT NULL DEFAULT '',
	opened_at       BIGINT NOT NULL,
	taken_at        BIGINT NOT NULL DEFAULT 0,
	answered_at     BIGINT NOT NULL DEFAULT 0,
	closed_at       BIGINT NOT NULL DEFAULT 0,
	answer_delivery TEXT NOT NULL DEFAULT '',
	audit_index     BIGINT NOT NULL CHECK (audit_index >= 0)
);

-- The queue, by status and age.
CREATE INDEX cases_queue ON cases (status, opened_at);
-- case_status: a customer's cases.
CREATE INDEX cases_customer ON cases (customer_id, opened_at);
