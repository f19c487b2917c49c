-- One row per uploaded file. The bytes are addressed by their SHA-256, so the
-- same content uploaded twice is stored once and a retried upload is harmless.
CREATE TABLE files (
	id {{pk}},
	sha256 TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	org_id BIGINT REFERENCES organisations (id),
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX files_sha256 ON files (sha256);

-- The bytes when they are kept in the database (the default: then backups
-- carry them).
CREATE TABLE file_blobs (
	sha256 TEXT PRIMARY KEY,
	data {{blob}} NOT NULL
);
