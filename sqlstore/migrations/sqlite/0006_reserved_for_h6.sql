-- Placeholder for migration 0006 (helper h6's, issue 10), so that 0007 can be
-- tested on this branch: versions must follow each other. The lead replaces
-- this file with h6's 0006 when merging.
SELECT 1;
