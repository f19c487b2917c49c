-- Reference directories (seed 000 cl. 6b): one row per coded value. The code
-- is what other domains store; it never changes. attrs is a JSON object of
-- the directory's typed attributes (a work kind's weight, whether an absence
-- reason is excused).
CREATE TABLE ref_entries (
	id {{pk}},
	directory TEXT NOT NULL,
	code TEXT NOT NULL,
	name_ru TEXT NOT NULL,
	name_uk TEXT NOT NULL DEFAULT '',
	name_en TEXT NOT NULL DEFAULT '',
	attrs TEXT NOT NULL DEFAULT '{}',
	sort INTEGER NOT NULL DEFAULT 0,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	version BIGINT NOT NULL,
	updated_at {{ts}} NOT NULL,
	UNIQUE (directory, code)
);
CREATE INDEX ref_entries_order ON ref_entries (directory, sort, code);

-- Every version of every entry, whole, so what a code meant on any day
-- stays readable.
CREATE TABLE ref_history (
	id {{pk}},
	entry_id BIGINT NOT NULL REFERENCES ref_entries (id),
	version BIGINT NOT NULL,
	name_ru TEXT NOT NULL,
	name_uk TEXT NOT NULL,
	name_en TEXT NOT NULL,
	attrs TEXT NOT NULL,
	sort INTEGER NOT NULL,
	active BOOLEAN NOT NULL,
	changed_at {{ts}} NOT NULL,
	changed_by TEXT NOT NULL DEFAULT '',
	UNIQUE (entry_id, version)
);
