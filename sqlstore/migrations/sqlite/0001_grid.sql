-- Grid data: the operator's access points, meters, customers, occupancies,
-- supply periods, mandates, readings and public notices.
--
-- Dates are TEXT 'YYYY-MM-DD' and instants TEXT RFC 3339 in UTC, so that they
-- sort as text and survive the driver unchanged. Tables keyed by a natural key
-- are WITHOUT ROWID: the primary key is the table, so a row costs one B-tree
-- insert, which matters when seeding millions of rows (figure of issue 3).
-- Secondary indexes exist only for a lookup the advisor screens make.

CREATE TABLE suppliers (
	id   TEXT PRIMARY KEY CHECK (id <> ''),
	name TEXT NOT NULL CHECK (name <> '')
) WITHOUT ROWID;

CREATE TABLE cpas (
	id   TEXT PRIMARY KEY CHECK (id <> ''),
	name TEXT NOT NULL CHECK (name <> ''),
	town TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_points (
	ean          TEXT PRIMARY KEY CHECK (length(ean) = 18),
	energy       TEXT NOT NULL CHECK (energy IN ('electricity', 'gas')),
	regime       TEXT NOT NULL CHECK (regime IN ('annual', 'monthly', 'remote', 'smart')),
	street       TEXT NOT NULL,
	house_number TEXT NOT NULL,
	box          TEXT NOT NULL,
	postcode     TEXT NOT NULL CHECK (length(postcode) = 4),
	town         TEXT NOT NULL,
	street_key   TEXT NOT NULL -- street folded: lower case, no accents (lookup by address)
) WITHOUT ROWID;

-- Lookup by address (C2): postcode and street prefix, with the house number
-- when the caller gives it. A prefix is a range, and an index can serve an
-- equality only before a range: one index per case, or a search of "rue de
-- la" 12 would read every house of every "rue de la…" of the postcode.
CREATE INDEX access_points_address ON access_points (postcode, street_key, house_number);
CREATE INDEX access_points_number ON access_points (postcode, house_number, street_key);

-- A meter installed on an access point during [installed_on, removed_on).
CREATE TABLE meters (
	ean          TEXT NOT NULL REFERENCES access_points (ean),
	installed_on TEXT NOT NULL,
	number       TEXT NOT NULL CHECK (number <> ''),
	removed_on   TEXT CHECK (removed_on IS NULL OR removed_on > installed_on),
	PRIMARY KEY (ean, installed_on)
) WITHOUT ROWID;

-- Lookup by meter number (C2, D1).
CREATE INDEX meters_number ON meters (number);

CREATE TABLE customers (
	id                   TEXT PRIMARY KEY CHECK (id <> ''),
	given_name           TEXT NOT NULL,
	family_name          TEXT NOT NULL CHECK (family_name <> ''),
	language             TEXT NOT NULL CHECK (language IN ('fr', 'nl', 'de', 'en')),
	mobile               TEXT,  -- E.164, NULL when none
	mobile_registered_at TEXT,  -- required with a mobile (D4)
	email                TEXT,
	street               TEXT NOT NULL,
	house_number         TEXT NOT NULL,
	box                  TEXT NOT NULL,
	postcode             TEXT NOT NULL,
	town                 TEXT NOT NULL,
	CHECK ((mobile IS NULL) = (mobile_registered_at IS NULL))
) WITHOUT ROWID;

-- One row per word of a customer's name: the folded words rotated to start
-- at that word ("gerard dupont", "dupont gerard"). A name search probes what
-- was typed as a key prefix (key >= 'dupont g' AND key < 'dupont h'), so it
-- never scans the customers table.
CREATE TABLE customer_name_keys (
	name_key    TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	PRIMARY KEY (name_key, customer_id)
) WITHOUT ROWID;

-- A customer occupied an access point during [move_in, move_out), with the
-- meter index at each end (D1: data is clipped to these periods).
CREATE TABLE occupancies (
	ean                  TEXT NOT NULL REFERENCES access_points (ean),
	move_in              TEXT NOT NULL,
	customer_id          TEXT NOT NULL REFERENCES customers (id),
	move_out             TEXT CHECK (move_out IS NULL OR move_out > move_in),
	in_day_kwh           REAL NOT NULL,
	in_night_kwh         REAL NOT NULL,
	in_excl_night_kwh    REAL NOT NULL,
	in_gas_m3            REAL NOT NULL,
	out_day_kwh          REAL NOT NULL,
	out_night_kwh        REAL NOT NULL,
	out_excl_night_kwh   REAL NOT NULL,
	out_gas_m3           REAL NOT NULL,
	PRIMARY KEY (ean, move_in, customer_id)
) WITHOUT ROWID;

CREATE INDEX occupancies_customer ON occupancies (customer_id);

CREATE TABLE supply_periods (
	ean         TEXT NOT NULL REFERENCES access_points (ean),
	starts_on   TEXT NOT NULL,
	supplier_id TEXT NOT NULL REFERENCES suppliers (id),
	ends_on     TEXT CHECK (ends_on IS NULL OR ends_on > starts_on),
	PRIMARY KEY (ean, starts_on)
) WITHOUT ROWID;

-- A mandate lets someone act for a customer during [valid_from, valid_to);
-- a CPAS holds permanent ones (valid_to NULL) for its beneficiaries (D6).
CREATE TABLE mandates (
	id             TEXT PRIMARY KEY CHECK (id <> ''),
	customer_id    TEXT NOT NULL REFERENCES customers (id),
	mandatary_name TEXT NOT NULL CHECK (mandatary_name <> ''),
	cpas_id        TEXT REFERENCES cpas (id),
	scope          TEXT NOT NULL CHECK (scope IN ('all', 'consumption', 'case')),
	valid_from     TEXT NOT NULL,
	valid_to       TEXT CHECK (valid_to IS NULL OR valid_to > valid_from)
) WITHOUT ROWID;

CREATE INDEX mandates_customer ON mandates (customer_id);
CREATE INDEX mandates_cpas ON mandates (cpas_id) WHERE cpas_id IS NOT NULL;

-- A meter index on a day. The key allows, on one day, the last index of a
-- removed meter beside the first of its successor, and a customer's index
-- beside the operator's estimate.
CREATE TABLE readings (
	ean             TEXT NOT NULL REFERENCES access_points (ean),
	read_on         TEXT NOT NULL,
	meter_number    TEXT NOT NULL,
	source          TEXT NOT NULL CHECK (source IN ('customer', 'contact_center', 'technician', 'remote', 'estimated')),
	regime          TEXT NOT NULL CHECK (regime IN ('annual', 'monthly', 'remote', 'smart')),
	day_kwh         REAL NOT NULL CHECK (day_kwh >= 0),
	night_kwh       REAL NOT NULL CHECK (night_kwh >= 0),
	excl_night_kwh  REAL NOT NULL CHECK (excl_night_kwh >= 0),
	gas_m3          REAL NOT NULL CHECK (gas_m3 >= 0),
	PRIMARY KEY (ean, read_on, meter_number, source)
) WITHOUT ROWID;

-- Public information (D9): planned works and outages. No personal data.
CREATE TABLE public_notices (
	id          TEXT PRIMARY KEY CHECK (id <> ''),
	kind        TEXT NOT NULL CHECK (kind IN ('planned_works', 'outage')),
	energy      TEXT NOT NULL CHECK (energy IN ('electricity', 'gas')),
	postcode    TEXT NOT NULL CHECK (length(postcode) = 4),
	town        TEXT NOT NULL,
	street      TEXT NOT NULL,  -- '' for the whole postcode
	street_key  TEXT NOT NULL,
	starts_at   TEXT NOT NULL,
	ends_at     TEXT NOT NULL CHECK (ends_at > starts_at),
	description TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX public_notices_postcode ON public_notices (postcode, ends_at);
