-- The change log: one row per write, numbered in commit order. It is the
-- outbox that the change feed, audit consumers, notifications and webhooks
-- read from, each keeping its own cursor.
CREATE TABLE change_counter (
	id INTEGER PRIMARY KEY,
	n BIGINT NOT NULL
);
INSERT INTO change_counter (id, n) VALUES (1, 0);

CREATE TABLE changes (
	seq BIGINT PRIMARY KEY,
	at {{ts}} NOT NULL,
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
	org_id BIGINT,
	actor TEXT,
	data TEXT
);
CREATE INDEX changes_entity ON changes (entity, entity_id);

-- Each consumer of the change log remembers how far it has read.
CREATE TABLE change_cursors (
	consumer TEXT PRIMARY KEY,
	seq BIGINT NOT NULL
);
