-- Placeholder on branch g2 only, so that 0013 (SCIM) can be applied before
-- the other wave-3 migrations are merged: the lead drops it at merge.
SELECT 1;
