-- Accounts, their role grants, sessions and tokens. Secrets are stored only
-- as hashes: argon2id for passwords, SHA-256 for random session ids, API
-- tokens and one-time codes (random 128-bit values need no slow hash).
CREATE TABLE accounts (
	id {{pk}},
	login TEXT NOT NULL UNIQUE,
	person_id BIGINT,
	password_hash TEXT,
	disabled_at {{ts}},
	lang TEXT NOT NULL DEFAULT 'ru',
	created_at {{ts}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE account_grants (
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	role TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	granted_at {{ts}} NOT NULL,
	granted_by BIGINT,
	PRIMARY KEY (account_id, role, org_id)
);
CREATE INDEX account_grants_org ON account_grants (org_id);

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	created_at {{ts}} NOT NULL,
	last_seen_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	addr TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	csrf_secret TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	name TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	revoked_at {{ts}}
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE one_time_codes (
	code_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL,
	used_at {{ts}}
);

-- Failed-login counters per account and per client address, shared by every
-- application server. Checked before any password hashing.
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	window_start {{ts}} NOT NULL,
	locked_until {{ts}}
);
