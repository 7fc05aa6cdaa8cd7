-- The advisor's desk state (issue 15): what an open interaction's page goes
-- on showing — candidates found, answers decided, the call's timeline, the
-- last step's problem — kept per interaction for its handler, so that any
-- node behind a load balancer shows the same page (no sticky sessions).
--
-- state is the page's JSON, holding only what the interaction service
-- already showed (and traced) to that advisor, masked as shown. A row goes
-- when the interaction is closed, after 45 minutes without a step (purged
-- by the next step on any interaction), and with its interaction.
CREATE TABLE desk_states (
	interaction_id TEXT PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
	staff_id       TEXT NOT NULL CHECK (staff_id <> ''),
	touched_at     BIGINT NOT NULL,
	state          TEXT NOT NULL
);
CREATE INDEX desk_states_touched ON desk_states (touched_at);
