-- Placeholder kept only on branch rep so that its 0015 applies: the other
-- wave-3 branches own this number. DELETE AT MERGE (issue 14).
SELECT 1;
