-- One person record however many roles the person has (seed 000 cl. 6a).
-- Identifiers and health data are sealed with the key ring (*_enc); SNILS is
-- found through a keyed blind index, unique: the same SNILS is the same person.
CREATE TABLE persons (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	last_name TEXT NOT NULL,
	first_name TEXT NOT NULL,
	middle_name TEXT NOT NULL DEFAULT '',
	birth_date TEXT NOT NULL,
	sex TEXT NOT NULL CHECK (sex IN ('m', 'f')),
	citizenship TEXT NOT NULL DEFAULT 'RU',
	snils_enc TEXT,
	snils_idx TEXT UNIQUE,
	health_group_enc TEXT,
	disability_enc TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX persons_org ON persons (org_id);
CREATE INDEX persons_name ON persons (last_name, first_name, birth_date);
