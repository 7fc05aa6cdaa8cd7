-- Brute-force counters of the local (break-glass) sign-in in the database,
-- so that the limits hold across nodes and restarts (issue 10, item 11).
--
-- One row per attempt and throttle key; an attempt is recorded before the
-- credentials are checked and deleted when it was not a failure. Keys are
-- 'account:' followed by the hex HMAC-SHA256 of the typed user name, keyed
-- with the data directory's secret key (never the name itself: a password
-- typed into the name field would be stored otherwise), or 'address:'
-- followed by the client address (staff workstations inside
-- --allowed-networks, already in the audit trace). Rows older than the
-- window are deleted by the next attempt. at is microseconds since the Unix
-- epoch, like the staff tables.

CREATE TABLE signin_attempts (
	attempt_id   TEXT NOT NULL CHECK (attempt_id <> ''),
	throttle_key TEXT NOT NULL CHECK (throttle_key LIKE 'account:%' OR throttle_key LIKE 'address:%'),
	at           BIGINT NOT NULL,
	PRIMARY KEY (attempt_id, throttle_key)
);
CREATE INDEX signin_attempts_key ON signin_attempts (throttle_key, at);
CREATE INDEX signin_attempts_at ON signin_attempts (at);
