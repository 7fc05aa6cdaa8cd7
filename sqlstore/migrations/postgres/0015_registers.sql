-- GDPR registers (issue 14, item 1; G1–G3): processing activities, DPIAs,
-- sub-processors, risk analyses and penetration tests, findings. Every
-- change is a new row: (kind, id, version) never changes once written, so
-- the history of an entry is its rows. Two officers changing the same
-- version both insert version+1: the primary key lets one win, the other
-- gets a conflict and reloads.
--
-- fields is a JSON object of the register's fields (register.Schemas);
-- review_due is a day (YYYY-MM-DD) or ''; changed_at is microseconds since
-- the Unix epoch, like the other tables.
CREATE TABLE register_versions (
	kind       TEXT NOT NULL CHECK (kind IN ('processing', 'dpia', 'subprocessor', 'assessment', 'finding')),
	id         TEXT NOT NULL CHECK (id <> ''),
	version    INTEGER NOT NULL CHECK (version >= 1),
	title      TEXT NOT NULL,
	fields     TEXT NOT NULL,
	review_due TEXT NOT NULL DEFAULT '',
	deleted    BOOLEAN NOT NULL DEFAULT FALSE,
	changed_by TEXT NOT NULL,
	changed_at BIGINT NOT NULL,
	PRIMARY KEY (kind, id, version)
);
