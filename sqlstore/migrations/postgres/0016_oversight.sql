-- Oversight (issue 16): anomaly alerts on personal-data access, their
-- acknowledgement, and customers flagged as staff or protected persons.
--
-- The alert store becomes general: an alert has a kind, a reason the
-- reviewer can read, and a target ("staff:<id>", "interaction:<id>",
-- "access_point", a recording…); the interaction and access point are
-- optional, and no longer a foreign key: an alert is a record of what
-- happened and outlives the interaction it names (retention may purge
-- interactions first). dedupe_key lets the detector (on any node) raise an
-- alert once.
ALTER TABLE interaction_alerts ALTER COLUMN interaction_id DROP NOT NULL;
ALTER TABLE interaction_alerts DROP CONSTRAINT IF EXISTS interaction_alerts_interaction_id_fkey;
ALTER TABLE interaction_alerts ALTER COLUMN staff_id SET DEFAULT '';
ALTER TABLE interaction_alerts ALTER COLUMN ean SET DEFAULT '';
ALTER TABLE interaction_alerts ADD CONSTRAINT interaction_alerts_kind CHECK (kind <> '');
ALTER TABLE interaction_alerts ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE interaction_alerts ADD COLUMN target TEXT NOT NULL DEFAULT '';
ALTER TABLE interaction_alerts ADD COLUMN dedupe_key TEXT;
ALTER TABLE interaction_alerts ADD COLUMN acked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE interaction_alerts ADD COLUMN acked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE interaction_alerts ADD COLUMN ack_note TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX interaction_alerts_dedupe ON interaction_alerts (dedupe_key);

-- Customers flagged as staff members or protected persons (T1): every view
-- of them raises an alert. No row: not flagged.
CREATE TABLE customer_protection (
	customer_id TEXT PRIMARY KEY CHECK (customer_id <> ''),
	flag        TEXT NOT NULL CHECK (flag IN ('staff', 'protected'))
);

-- How far the anomaly detector has read the trace: one row, so that a
-- restarted node resumes where the last one stopped.
CREATE TABLE oversight_cursor (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	next_index BIGINT NOT NULL DEFAULT 0
);

-- The dashboard's volumes (issue 16 item 1), counted by the detector as it
-- reads the trace: per clock hour, a metric ("channel", "reason",
-- "decision", "route", "refusal", "verification", "team") and a key (the
-- channel, the outcome…). Metadata only: never a customer.
CREATE TABLE oversight_hourly (
	hour   BIGINT NOT NULL,
	metric TEXT NOT NULL,
	key    TEXT NOT NULL,
	n      BIGINT NOT NULL CHECK (n >= 0),
	PRIMARY KEY (hour, metric, key)
);
