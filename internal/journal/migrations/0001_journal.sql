-- The electronic class journal: marks and attendance per dated lesson, the
-- history of every cell, period/annual/final marks, the mark scale of each
-- organisation, and the answers to bulk requests kept by idempotency key.

-- One mark per pupil per lesson (the cell of the grid). value is what the
-- teacher wrote on the organisation's scale ("4-", "11", "pass", "87");
-- score is the number that enters the weighted average (NULL for pass/fail);
-- weight is copied from the work kind when the mark is written, so a later
-- change of the directory does not silently change old averages.
CREATE TABLE marks (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	lesson_id BIGINT NOT NULL REFERENCES lessons (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	scale TEXT NOT NULL,
	value TEXT NOT NULL,
	score DOUBLE PRECISION,
	work_kind TEXT NOT NULL,
	weight INTEGER NOT NULL,
	comment TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL,
	account_id BIGINT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL,
	UNIQUE (lesson_id, person_id)
);
CREATE INDEX marks_person ON marks (person_id, lesson_id);

-- Absences and lateness; a pupil without a row was present.
CREATE TABLE attendance (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	lesson_id BIGINT NOT NULL REFERENCES lessons (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	status TEXT NOT NULL CHECK (status IN ('absent', 'late')),
	reason TEXT NOT NULL DEFAULT '',
	late_minutes INTEGER,
	author TEXT NOT NULL,
	account_id BIGINT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL,
	UNIQUE (lesson_id, person_id)
);
CREATE INDEX attendance_person ON attendance (person_id, lesson_id);

-- Every change of a cell, old and new value as text ("4-/test",
-- "absent/illness", "late/10", "" for none), who made it and why (the
-- reason of a change after the period was closed).
CREATE TABLE journal_history (
	id {{pk}},
	lesson_id BIGINT NOT NULL REFERENCES lessons (id),
	person_id BIGINT NOT NULL REFERENCES persons (id),
	what TEXT NOT NULL CHECK (what IN ('mark', 'attendance')),
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT '',
	author TEXT NOT NULL,
	account_id BIGINT,
	reason TEXT NOT NULL DEFAULT '',
	at {{ts}} NOT NULL
);
CREATE INDEX journal_history_cell ON journal_history (lesson_id, person_id, id);

-- Period marks (kind period, with period_id), annual and final marks (per
-- year, period_id NULL) of a pupil in a subject of a class or sub-group.
-- average is the weighted average shown when the mark was set.
CREATE TABLE period_marks (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	group_id BIGINT NOT NULL REFERENCES groups (id),
	subject TEXT NOT NULL,
	person_id BIGINT NOT NULL REFERENCES persons (id),
	kind TEXT NOT NULL CHECK (kind IN ('period', 'annual', 'final')),
	year_id BIGINT NOT NULL REFERENCES academic_years (id),
	period_id BIGINT REFERENCES study_periods (id),
	scale TEXT NOT NULL,
	value TEXT NOT NULL,
	score DOUBLE PRECISION,
	average DOUBLE PRECISION,
	author TEXT NOT NULL,
	account_id BIGINT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX period_marks_period ON period_marks (group_id, subject, person_id, period_id) WHERE period_id IS NOT NULL;
CREATE UNIQUE INDEX period_marks_year ON period_marks (group_id, subject, person_id, kind, year_id) WHERE period_id IS NULL;
CREATE INDEX period_marks_person ON period_marks (person_id);

-- The mark scale an organisation uses (a code of the mark_scale
-- directory); an organisation without a row uses its nearest ancestor's,
-- and a region without one the country's usual scale.
CREATE TABLE journal_scales (
	org_id BIGINT PRIMARY KEY REFERENCES organisations (id),
	scale TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{ts}} NOT NULL,
	updated_by TEXT NOT NULL DEFAULT ''
);

-- Answers to bulk journal requests by idempotency key: a retry with the
-- same key and body gets the stored answer without writing again.
CREATE TABLE journal_requests (
	actor TEXT NOT NULL,
	idem_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	response TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (actor, idem_key)
);

-- Mark scales as a reference directory (seed 000 cl. 6b): the regional
-- officers name and version them; the rules that read them are the journal's.
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('mark_scale', 'ru5', 'Пятибалльная (2–5, с плюсами и минусами)', 'Пʼятибальна (2–5, з плюсами і мінусами)', 'Five-point (2–5, with plus and minus)', '{"kind":"numeric","max":5,"min":2,"modifiers":true,"pass":3,"step":1}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('mark_scale', 'ua12', 'Двенадцатибалльная (1–12)', 'Дванадцятибальна (1–12)', 'Twelve-point (1–12)', '{"kind":"numeric","max":12,"min":1,"modifiers":false,"pass":4,"step":1}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('mark_scale', 'pass_fail', 'Зачёт / незачёт', 'Зараховано / не зараховано', 'Pass / fail', '{"kind":"pass_fail"}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('mark_scale', 'percent', 'Процентная (0–100)', 'Відсоткова (0–100)', 'Percentage (0–100)', '{"kind":"numeric","max":100,"min":0,"modifiers":false,"pass":50,"step":5}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_history (entry_id, version, name_ru, name_uk, name_en, attrs, sort, active, changed_at, changed_by)
	SELECT id, version, name_ru, name_uk, name_en, attrs, sort, active, updated_at, 'migration' FROM ref_entries WHERE directory = 'mark_scale';
