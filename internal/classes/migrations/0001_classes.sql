-- Classes (parallel + letter), their sub-groups (a class split for a
-- language) and interest groups / clubs, one table; each belongs to an
-- academic year, and the year rollover links a class to last year's.
CREATE TABLE groups (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	year_id BIGINT NOT NULL REFERENCES academic_years (id),
	kind TEXT NOT NULL CHECK (kind IN ('class', 'subgroup', 'club')),
	parent_id BIGINT REFERENCES groups (id),
	parallel INTEGER,
	letter TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	level TEXT NOT NULL DEFAULT '',
	class_teacher_id BIGINT REFERENCES persons (id),
	capacity INTEGER,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'graduated', 'closed')),
	previous_id BIGINT REFERENCES groups (id),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (org_id, year_id, name);
CREATE INDEX groups_class_teacher ON groups (class_teacher_id);
CREATE INDEX groups_parent ON groups (parent_id);
CREATE INDEX groups_year ON groups (year_id, kind);

-- Membership over time: leaving sets ends_on; rows are never deleted.
-- Class membership is written by the contingent's movements.
CREATE TABLE group_members (
	id {{pk}},
	group_id BIGINT NOT NULL REFERENCES groups (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	created_at {{ts}} NOT NULL
);
CREATE INDEX group_members_group ON group_members (group_id, ends_on);
CREATE INDEX group_members_person ON group_members (person_id, ends_on);
CREATE UNIQUE INDEX group_members_active ON group_members (group_id, person_id) WHERE ends_on IS NULL;

-- Who teaches what to which class or sub-group (the journal's teacher
-- assignments; several teachers per class and subject are allowed).
CREATE TABLE assignments (
	id {{pk}},
	group_id BIGINT NOT NULL REFERENCES groups (id),
	teacher_id BIGINT NOT NULL REFERENCES persons (id),
	subject TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	created_at {{ts}} NOT NULL
);
CREATE INDEX assignments_teacher ON assignments (teacher_id, ends_on);
CREATE INDEX assignments_group ON assignments (group_id, subject);
