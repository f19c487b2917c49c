-- Dated lessons: one row per lesson of a class or sub-group (groups.id) in a
-- subject, with the teacher assigned and, for a one-off replacement, the
-- substitute who takes it. Dates are ISO strings (YYYY-MM-DD) as in the
-- calendar. A moved lesson changes its date or slot; a cancelled one keeps
-- its row (status) so nothing written against it is lost.
CREATE TABLE lessons (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	group_id BIGINT NOT NULL REFERENCES groups (id),
	subject TEXT NOT NULL,
	teacher_id BIGINT NOT NULL REFERENCES persons (id),
	substitute_id BIGINT REFERENCES persons (id),
	on_date TEXT NOT NULL,
	slot INTEGER NOT NULL,
	room TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT 'regular',
	status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled')),
	topic TEXT NOT NULL DEFAULT '',
	control_work BOOLEAN NOT NULL DEFAULT FALSE,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX lessons_group_date ON lessons (group_id, on_date, slot);
CREATE INDEX lessons_teacher_date ON lessons (teacher_id, on_date);
CREATE INDEX lessons_substitute_date ON lessons (substitute_id, on_date);
CREATE INDEX lessons_org_date ON lessons (org_id, on_date);
