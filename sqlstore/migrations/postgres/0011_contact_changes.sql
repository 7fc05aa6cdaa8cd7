-- The history of contact-detail changes made within interactions (D7, issue
-- 11): who, when, in which interaction, which field, the old and new values
-- masked only, and the commitment of the full values that the change's audit
-- event also carries (store.go, ContactChange).
CREATE TABLE contact_changes (
	customer_id    TEXT NOT NULL REFERENCES customers (id),
	audit_index    BIGINT NOT NULL CHECK (audit_index >= 0),
	field          TEXT NOT NULL CHECK (field IN ('mobile', 'email', 'language', 'postal_address')),
	interaction_id TEXT NOT NULL,
	staff_id       TEXT NOT NULL,
	changed_at     BIGINT NOT NULL,
	old_masked     TEXT NOT NULL,
	new_masked     TEXT NOT NULL,
	commitment     TEXT NOT NULL,
	nonce          TEXT NOT NULL,
	PRIMARY KEY (customer_id, audit_index, field)
);
