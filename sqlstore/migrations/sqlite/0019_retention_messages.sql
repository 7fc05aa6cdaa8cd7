-- E-mail and chat bodies kept by Coupole (issue 13, R1 (c)): the direction
-- of a message and the media type of its body, beside the registry item
-- that points to the sealed body in the blob store. '' for other kinds.
ALTER TABLE retention_items ADD COLUMN direction TEXT NOT NULL DEFAULT '' CHECK (direction IN ('', 'inbound', 'outbound'));
ALTER TABLE retention_items ADD COLUMN content_type TEXT NOT NULL DEFAULT '';
