-- Study plan: hours per week of a subject for a class in its year
-- (period_id NULL), or for one study period, overriding the year's row.
CREATE TABLE study_plan (
	id {{pk}},
	group_id BIGINT NOT NULL REFERENCES groups (id),
	subject TEXT NOT NULL,
	period_id BIGINT REFERENCES study_periods (id),
	hours INTEGER NOT NULL CHECK (hours >= 0 AND hours <= 40),
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX study_plan_key ON study_plan (group_id, subject, COALESCE(period_id, 0));

-- Bell schedule of an organisation: the regular day and, optionally, a
-- shortened one used on the dates listed in short_days. Times are HH:MM.
CREATE TABLE bells (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	variant TEXT NOT NULL CHECK (variant IN ('regular', 'short')),
	slot INTEGER NOT NULL CHECK (slot >= 0 AND slot <= 12),
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL,
	UNIQUE (org_id, variant, slot)
);

CREATE TABLE short_days (
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	on_date TEXT NOT NULL,
	PRIMARY KEY (org_id, on_date)
);

-- The weekly template: every week from valid_from to valid_to (inclusive,
-- open when NULL) the group has subject with teacher in this slot.
CREATE TABLE timetable_entries (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	group_id BIGINT NOT NULL REFERENCES groups (id),
	weekday INTEGER NOT NULL CHECK (weekday >= 1 AND weekday <= 7),
	slot INTEGER NOT NULL CHECK (slot >= 0 AND slot <= 12),
	subject TEXT NOT NULL,
	teacher_id BIGINT NOT NULL REFERENCES persons (id),
	room TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX timetable_entries_group ON timetable_entries (group_id, weekday, slot);
CREATE INDEX timetable_entries_org ON timetable_entries (org_id, weekday, slot);

-- A generated lesson remembers its template entry and the date it was
-- planned for, so generating again never makes it twice, even after it was
-- moved; adjusted marks a lesson changed by hand (moved, substitute, room,
-- cancelled), which generation leaves as it is.
ALTER TABLE lessons ADD COLUMN entry_id BIGINT REFERENCES timetable_entries (id);
ALTER TABLE lessons ADD COLUMN planned_on TEXT;
ALTER TABLE lessons ADD COLUMN adjusted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX lessons_entry_planned ON lessons (entry_id, planned_on);
CREATE INDEX lessons_room_date ON lessons (org_id, on_date, slot, room);

-- Homework: one row per lesson (text and due date), files beside it.
CREATE TABLE homework (
	id {{pk}},
	lesson_id BIGINT NOT NULL UNIQUE REFERENCES lessons (id),
	text TEXT NOT NULL DEFAULT '',
	due_on TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);

CREATE TABLE homework_files (
	homework_id BIGINT NOT NULL REFERENCES homework (id),
	file_id BIGINT NOT NULL REFERENCES files (id),
	PRIMARY KEY (homework_id, file_id)
);
