-- Organisations form a tree: region > municipality > school (or preschool,
-- out-of-school, college; those may also sit directly under the region).
CREATE TABLE organisations (
	id {{pk}},
	parent_id BIGINT REFERENCES organisations (id),
	kind TEXT NOT NULL CHECK (kind IN ('region', 'municipality', 'school', 'preschool', 'out_of_school', 'college')),
	name TEXT NOT NULL,
	-- name and short name lower-cased with ё folded to е in Go: SQLite's
	-- lower() knows only ASCII, so a Cyrillic search cannot rely on it.
	name_search TEXT NOT NULL,
	short_name TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL CHECK (country IN ('RU', 'UA')),
	inn TEXT,
	ogrn TEXT,
	edrpou TEXT,
	address TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'liquidated')),
	version BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id, id);
CREATE INDEX organisations_kind ON organisations (kind, id);
CREATE UNIQUE INDEX organisations_inn ON organisations (country, inn) WHERE inn IS NOT NULL;
CREATE UNIQUE INDEX organisations_ogrn ON organisations (ogrn) WHERE ogrn IS NOT NULL;
CREATE UNIQUE INDEX organisations_edrpou ON organisations (edrpou) WHERE edrpou IS NOT NULL;

-- Closure table: one row per (ancestor, descendant) pair including each
-- organisation with itself at depth 0, so "within the subtree of X" is one
-- indexed EXISTS for every domain that scopes by organisation.
CREATE TABLE org_tree (
	ancestor_id BIGINT NOT NULL REFERENCES organisations (id),
	descendant_id BIGINT NOT NULL REFERENCES organisations (id),
	depth INTEGER NOT NULL,
	PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX org_tree_descendant ON org_tree (descendant_id, depth);

-- Every version of every organisation: which fields changed, from what to
-- what, when and by whom.
CREATE TABLE org_history (
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	version BIGINT NOT NULL,
	changed_at {{ts}} NOT NULL,
	changed_by TEXT NOT NULL DEFAULT '',
	changes TEXT NOT NULL,
	PRIMARY KEY (org_id, version)
);
