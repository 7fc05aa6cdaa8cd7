-- Alerts' reasons in the reader's language (issue 16): the values a
-- reason names (staff id, counts, minutes, times), as a JSON object, so
-- that the screens word the reason in French, Dutch, German or English.
-- The English sentence stays in reason; alerts raised before keep only it.
ALTER TABLE interaction_alerts ADD COLUMN reason_facts TEXT NOT NULL DEFAULT '';
