-- Grid data: the operator's access points, meters, customers, occupancies,
-- supply periods, mandates, readings and public notices. Same tables, keys
-- and indexes as migrations/sqlite/0001_grid.sql.
--
-- Search keys (folded names and streets) use the "C" collation: the lookups
-- are byte-wise prefix ranges (key >= 'dup' AND key < 'duq'), which a
-- linguistic collation would reorder.

CREATE TABLE suppliers (
	id   TEXT PRIMARY KEY CHECK (id <> ''),
	name TEXT NOT NULL CHECK (name <> '')
);

CREATE TABLE cpas (
	id   TEXT PRIMARY KEY CHECK (id <> ''),
	name TEXT NOT NULL CHECK (name <> ''),
	town TEXT NOT NULL
);

CREATE TABLE access_points (
	ean          TEXT PRIMARY KEY CHECK (length(ean) = 18),
	energy       TEXT NOT NULL CHECK (energy IN ('electricity', 'gas')),
	regime       TEXT NOT NULL CHECK (regime IN ('annual', 'monthly', 'remote', 'smart')),
	street       TEXT NOT NULL,
	house_number TEXT NOT NULL COLLATE "C",
	box          TEXT NOT NULL,
	postcode     TEXT NOT NULL COLLATE "C" CHECK (length(postcode) = 4),
	town         TEXT NOT NULL,
	street_key   TEXT NOT NULL COLLATE "C"
);

CREATE INDEX access_points_address ON access_points (postcode, street_key, house_number);
CREATE INDEX access_points_number ON access_points (postcode, house_number, street_key);

CREATE TABLE meters (
	ean          TEXT NOT NULL REFERENCES access_points (ean),
	installed_on DATE NOT NULL,
	number       TEXT NOT NULL COLLATE "C" CHECK (number <> ''),
	removed_on   DATE CHECK (removed_on IS NULL OR removed_on > installed_on),
	PRIMARY KEY (ean, installed_on)
);

CREATE INDEX meters_number ON meters (number);

CREATE TABLE customers (
	id                   TEXT PRIMARY KEY CHECK (id <> ''),
	given_name           TEXT NOT NULL,
	family_name          TEXT NOT NULL CHECK (family_name <> ''),
	language             TEXT NOT NULL CHECK (language IN ('fr', 'nl', 'de', 'en')),
	mobile               TEXT,
	mobile_registered_at TIMESTAMPTZ,
	email                TEXT,
	street               TEXT NOT NULL,
	house_number         TEXT NOT NULL,
	box                  TEXT NOT NULL,
	postcode             TEXT NOT NULL,
	town                 TEXT NOT NULL,
	CHECK ((mobile IS NULL) = (mobile_registered_at IS NULL))
);

CREATE TABLE customer_name_keys (
	name_key    TEXT NOT NULL COLLATE "C",
	customer_id TEXT NOT NULL REFERENCES customers (id),
	PRIMARY KEY (name_key, customer_id)
);

CREATE TABLE occupancies (
	ean                  TEXT NOT NULL REFERENCES access_points (ean),
	move_in              DATE NOT NULL,
	customer_id          TEXT NOT NULL REFERENCES customers (id),
	move_out             DATE CHECK (move_out IS NULL OR move_out > move_in),
	in_day_kwh           DOUBLE PRECISION NOT NULL,
	in_night_kwh         DOUBLE PRECISION NOT NULL,
	in_excl_night_kwh    DOUBLE PRECISION NOT NULL,
	in_gas_m3            DOUBLE PRECISION NOT NULL,
	out_day_kwh          DOUBLE PRECISION NOT NULL,
	out_night_kwh        DOUBLE PRECISION NOT NULL,
	out_excl_night_kwh   DOUBLE PRECISION NOT NULL,
	out_gas_m3           DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (ean, move_in, customer_id)
);

CREATE INDEX occupancies_customer ON occupancies (customer_id);

CREATE TABLE supply_periods (
	ean         TEXT NOT NULL REFERENCES access_points (ean),
	starts_on   DATE NOT NULL,
	supplier_id TEXT NOT NULL REFERENCES suppliers (id),
	ends_on     DATE CHECK (ends_on IS NULL OR ends_on > starts_on),
	PRIMARY KEY (ean, starts_on)
);

CREATE TABLE mandates (
	id             TEXT PRIMARY KEY CHECK (id <> ''),
	customer_id    TEXT NOT NULL REFERENCES customers (id),
	mandatary_name TEXT NOT NULL CHECK (mandatary_name <> ''),
	cpas_id        TEXT REFERENCES cpas (id),
	scope          TEXT NOT NULL CHECK (scope IN ('all', 'consumption', 'case')),
	valid_from     DATE NOT NULL,
	valid_to       DATE CHECK (valid_to IS NULL OR valid_to > valid_from)
);

CREATE INDEX mandates_customer ON mandates (customer_id);
CREATE INDEX mandates_cpas ON mandates (cpas_id) WHERE cpas_id IS NOT NULL;

CREATE TABLE readings (
	ean             TEXT NOT NULL REFERENCES access_points (ean),
	read_on         DATE NOT NULL,
	meter_number    TEXT NOT NULL,
	source          TEXT NOT NULL CHECK (source IN ('customer', 'contact_center', 'technician', 'remote', 'estimated')),
	regime          TEXT NOT NULL CHECK (regime IN ('annual', 'monthly', 'remote', 'smart')),
	day_kwh         DOUBLE PRECISION NOT NULL CHECK (day_kwh >= 0),
	night_kwh       DOUBLE PRECISION NOT NULL CHECK (night_kwh >= 0),
	excl_night_kwh  DOUBLE PRECISION NOT NULL CHECK (excl_night_kwh >= 0),
	gas_m3          DOUBLE PRECISION NOT NULL CHECK (gas_m3 >= 0),
	PRIMARY KEY (ean, read_on, meter_number, source)
);

CREATE TABLE public_notices (
	id          TEXT PRIMARY KEY CHECK (id <> ''),
	kind        TEXT NOT NULL CHECK (kind IN ('planned_works', 'outage')),
	energy      TEXT NOT NULL CHECK (energy IN ('electricity', 'gas')),
	postcode    TEXT NOT NULL COLLATE "C" CHECK (length(postcode) = 4),
	town        TEXT NOT NULL,
	street      TEXT NOT NULL,
	street_key  TEXT NOT NULL COLLATE "C",
	starts_at   TIMESTAMPTZ NOT NULL,
	ends_at     TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
	description TEXT NOT NULL
);

CREATE INDEX public_notices_postcode ON public_notices (postcode, ends_at);
