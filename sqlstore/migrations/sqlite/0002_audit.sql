-- Audit log (T1, T2): leaves of the Merkle tree with, beside them, the salt,
-- payload and query columns that erasure clears. See docs/audit.md.
CREATE TABLE audit_log (
	idx         INTEGER PRIMARY KEY,  -- leaf index, from 0, without gaps
	time_ns     INTEGER NOT NULL,     -- ns since 1970 UTC; never decreases with idx
	commitment  BLOB NOT NULL,        -- SHA-256(salt || payload)
	leaf_hash   BLOB NOT NULL,        -- RFC 6962 leaf hash of the leaf record
	salt        BLOB,                 -- NULL once erased
	payload     BLOB,                 -- canonical event payload; NULL once erased
	actor       TEXT,                 -- staff id; NULL once erased
	interaction TEXT                  -- interaction id; NULL once erased
);
CREATE INDEX audit_log_actor ON audit_log (actor, idx) WHERE actor IS NOT NULL;
CREATE INDEX audit_log_interaction ON audit_log (interaction, idx) WHERE interaction IS NOT NULL;

-- Customers ('c') and access points ('e') an event concerns, for queries.
CREATE TABLE audit_refs (
	kind TEXT NOT NULL,
	ref  TEXT NOT NULL,
	idx  INTEGER NOT NULL,
	PRIMARY KEY (kind, ref, idx)
) WITHOUT ROWID;

-- Stored tree nodes above the leaves: levels 4, 8, 12, … (the others are
-- recomputed from the stored level below).
CREATE TABLE audit_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
	size         INTEGER PRIMARY KEY,
	root         BLOB NOT NULL,
	note         BLOB NOT NULL,     -- signed note, C2SP tlog-checkpoint
	signed_at_ns INTEGER NOT NULL
);

CREATE TABLE audit_state (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	erased_below INTEGER NOT NULL   -- payloads of leaves below this index are erased
);
INSERT INTO audit_state (id, erased_below) VALUES (1, 0);
