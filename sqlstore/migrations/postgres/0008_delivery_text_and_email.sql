-- Deliveries for the outbound side (issue 11): a delivery may be an e-mail,
-- and carries the text of a back-office answer or of a notice (already in
-- the customer's language); an SMS or letter disclosing an item has none.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ('sms', 'letter', 'email', 'back_office_case'));
ALTER TABLE deliveries ADD COLUMN text TEXT NOT NULL DEFAULT '';
