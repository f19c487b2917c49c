-- The pupil's portfolio (seed 001 stage 3, seed 003): achievements with
-- their review, exam results, final certificates, and the stored "gifted"
-- attribute with the achievements that satisfied the rule.

-- An achievement entered by staff is confirmed at once; one proposed by the
-- pupil (from 14) or a guardian waits for staff to confirm or reject it.
-- org_id is the pupil's school when it was entered (for the change feed);
-- access follows the pupil's current record.
CREATE TABLE achievements (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL CHECK (kind IN ('olympiad', 'competition', 'contest', 'other')),
	title TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	level TEXT NOT NULL,
	result TEXT NOT NULL,
	on_date TEXT NOT NULL,
	organiser TEXT NOT NULL DEFAULT '',
	file_id BIGINT REFERENCES files (id),
	status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected')),
	proposed_by TEXT NOT NULL DEFAULT '',
	reviewed_by TEXT NOT NULL DEFAULT '',
	reviewed_at {{ts}},
	reason TEXT NOT NULL DEFAULT '',
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX achievements_person ON achievements (person_id, status);
CREATE INDEX achievements_status ON achievements (status, org_id);

-- State exams: ОГЭ, ЕГЭ, ГВЭ (RU), ЗНО, НМТ, ДПА (UA); kind is a code of the
-- exam_kind directory. One result per pupil, kind, subject and year.
CREATE TABLE exam_results (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL,
	subject TEXT NOT NULL,
	score INTEGER NOT NULL,
	max_score INTEGER NOT NULL,
	year INTEGER NOT NULL,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX exam_results_person ON exam_results (person_id, year);

-- Final certificates (аттестат / свідоцтво): series and number identify a
-- document of the person, so they are sealed like identity documents.
CREATE TABLE certificates (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL CHECK (kind IN ('basic', 'secondary')),
	series_enc TEXT,
	number_enc TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	honours BOOLEAN NOT NULL DEFAULT FALSE,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX certificates_person_kind ON certificates (person_id, kind);

-- The gifted attribute as last computed: the rule text it was computed
-- with (a changed rule recomputes everybody at start), the day, and the
-- confirmed achievements that satisfied it (comma-separated ids), so the
-- screen can say why.
CREATE TABLE gifted (
	person_id BIGINT PRIMARY KEY REFERENCES persons (id),
	gifted BOOLEAN NOT NULL,
	achievement_ids TEXT NOT NULL DEFAULT '',
	rule TEXT NOT NULL,
	computed_on TEXT NOT NULL
);
CREATE INDEX gifted_rule ON gifted (rule, computed_on);
