-- Deliveries for the outbound side (issue 11): a delivery may be an e-mail,
-- and carries the text of a back-office answer or of a notice (already in
-- the customer's language); an SMS or letter disclosing an item has none.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- (nothing references it).
CREATE TABLE deliveries_0008 (
	id              TEXT PRIMARY KEY,
	interaction_id  TEXT NOT NULL REFERENCES interactions (id),
	staff_id        TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('sms', 'letter', 'email', 'back_office_case')),
	item            TEXT NOT NULL,
	ean             TEXT NOT NULL,
	customer_id     TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	request_hash    TEXT NOT NULL,
	audit_index     BIGINT NOT NULL CHECK (audit_index >= 0),
	status          TEXT NOT NULL DEFAULT 'pending',
	created_at      BIGINT NOT NULL,
	text            TEXT NOT NULL DEFAULT '',
	UNIQUE (staff_id, idempotency_key)
);
INSERT INTO deliveries_0008 (id, interaction_id, staff_id, kind, item, ean, customer_id, recipient, idempotency_key, request_hash, audit_index, status, created_at)
	SELECT id, interaction_id, staff_id, kind, item, ean, customer_id, recipient, idempotency_key, request_hash, audit_index, status, created_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_0008 RENAME TO deliveries;
CREATE INDEX deliveries_interaction ON deliveries (interaction_id);
