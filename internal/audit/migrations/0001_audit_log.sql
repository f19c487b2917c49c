-- The audit log: append-only, numbered 1..N without gaps, each entry
-- hash-chained to the one before (prev_hash). Text columns are NOT NULL
-- with '' for "none" so the hashed encoding has one form per value.
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at {{ts}} NOT NULL,
	action TEXT NOT NULL,
	outcome TEXT NOT NULL,
	account_id BIGINT NOT NULL DEFAULT 0,
	login TEXT NOT NULL DEFAULT '',
	roles TEXT NOT NULL DEFAULT '',
	session_id TEXT NOT NULL DEFAULT '',
	client_id TEXT NOT NULL DEFAULT '',
	addr TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	object_type TEXT NOT NULL DEFAULT '',
	object_id TEXT NOT NULL DEFAULT '',
	org_id BIGINT,
	person_id BIGINT NOT NULL DEFAULT 0,
	changes TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);
CREATE INDEX audit_log_person ON audit_log (person_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head of the chain. Appenders lock this row, so they are serialised and
-- the chain never forks; it also says how long the log must be.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY,
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Signed checkpoints: Ed25519 over "seq|head_hash|at" with a key kept outside
-- the database. Exported copies kept elsewhere detect a rewritten chain.
CREATE TABLE audit_checkpoints (
	id {{pk}},
	seq BIGINT NOT NULL,
	head_hash TEXT NOT NULL,
	at {{ts}} NOT NULL,
	key_id TEXT NOT NULL,
	signature TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);
