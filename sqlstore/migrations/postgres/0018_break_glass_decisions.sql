-- Break-glass grants go through the privileged-access path (issue 12,
-- item 4, S3): besides the request and the approval by somebody else they
-- can be rejected and withdrawn early, and their expiry is recorded (and
-- traced) by the sweeper. revoked_at stays the instant access ended early
-- (staff revocation, rejection, withdrawal); these columns say how.
ALTER TABLE break_glass_grants ADD COLUMN rejected_by TEXT NOT NULL DEFAULT '';
-- When the end was recorded: rejected, withdrawn, expired (0 = not yet).
ALTER TABLE break_glass_grants ADD COLUMN ended_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE break_glass_grants ADD COLUMN end_reason TEXT NOT NULL DEFAULT ''
	CHECK (end_reason IN ('', 'rejected', 'withdrawn', 'expired'));
CREATE INDEX break_glass_grants_due ON break_glass_grants (ended_at, expires_at);
