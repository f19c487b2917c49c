-- TOTP second factor. The secret will be encrypted at rest by the key ring
-- (internal/crypt) once that lands; until then it is stored as text.
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN second_factor_ok BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE recovery_codes (
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	code_hash TEXT NOT NULL,
	used_at {{ts}},
	PRIMARY KEY (account_id, code_hash)
);
