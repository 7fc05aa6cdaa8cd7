-- The outbox (issue 11, item 1): the worker sends what Execute recorded.
-- A delivery goes pending → sending → sent, or failed (a retry is
-- scheduled at next_attempt_at) and finally dead after too many attempts or
-- a refusal no retry will cure. A worker claims a delivery by taking a
-- lease (lease_owner until lease_expires_at): a worker that dies leaves a
-- lease that expires, and the delivery is claimable again; the provider
-- dedupes on the delivery id, so it is not sent twice.
--
-- Instants are BIGINT microseconds since the Unix epoch (0 = not set).
ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE deliveries ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN lease_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN sent_at BIGINT NOT NULL DEFAULT 0;

-- What the worker looks for: deliveries still to send, by due time.
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
