-- Need-to-know that ends and a verification budget (issue 10, items 7 and 8).
--
-- last_activity_at is the instant of the interaction's last traced step,
-- written in the same transaction as the step's audit event: an interaction
-- idle for longer than the configured time gives no access any more, and the
-- sweeper closes it. close_reason says who closed it: '' its handler, with
-- call reasons (C4); 'idle' or 'staff_revoked' the system.
ALTER TABLE interactions ADD COLUMN last_activity_at BIGINT NOT NULL DEFAULT 0;
UPDATE interactions SET last_activity_at = opened_at;
ALTER TABLE interactions ADD COLUMN close_reason TEXT NOT NULL DEFAULT '' CHECK (close_reason IN ('', 'idle', 'staff_revoked'));

-- The sweeper's search: open interactions by last activity.
CREATE INDEX interactions_idle ON interactions (closed_at, last_activity_at);

-- Failed meter-number verifications on an access point, across interactions
-- and advisors (C2, anti-enumeration): the budget counts them over a window.
CREATE TABLE verification_failures (
	ean            TEXT NOT NULL,
	failed_at      BIGINT NOT NULL,
	interaction_id TEXT NOT NULL REFERENCES interactions (id),
	staff_id       TEXT NOT NULL
);

CREATE INDEX verification_failures_ean ON verification_failures (ean, failed_at);

-- One row per access point ever verified: the row each verification locks
-- first (so that concurrent verifications on one point count one after the
-- other) and the last unlock by a team lead, before which failures no longer
-- count.
CREATE TABLE verification_budgets (
	ean          TEXT PRIMARY KEY,
	reset_at     BIGINT NOT NULL DEFAULT 0,
	reset_by     TEXT NOT NULL DEFAULT '',
	reset_reason TEXT NOT NULL DEFAULT ''
);

-- An alert that locked an access point is unlocked once, by whom.
ALTER TABLE interaction_alerts ADD COLUMN unlocked_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE interaction_alerts ADD COLUMN unlocked_by TEXT NOT NULL DEFAULT '';
