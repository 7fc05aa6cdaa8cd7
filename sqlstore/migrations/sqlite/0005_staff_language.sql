-- The language each staff member picked for the screens (issue 7): kept with
-- the staff member, so the choice follows them from one workstation to the
-- next. Empty means not chosen yet (the browser's language decides).

ALTER TABLE staff ADD COLUMN language TEXT NOT NULL DEFAULT '' CHECK (language IN ('', 'fr', 'nl', 'de', 'en'));
