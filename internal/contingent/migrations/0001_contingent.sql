-- The contingent: enrolments (state) and movements (append-only facts).
-- At most one primary enrolment that has not ended, per pupil.
CREATE TABLE enrolments (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	class_id BIGINT REFERENCES groups (id),
	kind TEXT NOT NULL DEFAULT 'primary' CHECK (kind IN ('primary', 'additional')),
	form_of_study TEXT NOT NULL DEFAULT 'full_time',
	level TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('active', 'on_leave', 'ended')),
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX enrolments_one_primary ON enrolments (person_id) WHERE kind = 'primary' AND status <> 'ended';
CREATE INDEX enrolments_org ON enrolments (org_id, status);
CREATE INDEX enrolments_class ON enrolments (class_id, status);

-- Every movement is one row, never updated or deleted. other_org_id is the
-- destination of a departure or the origin of an arrival; other_place names
-- a destination outside the region.
CREATE TABLE movements (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	kind TEXT NOT NULL CHECK (kind IN ('admission', 'class_transfer', 'departure', 'arrival', 'expulsion', 'graduation', 'leave', 'return')),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	class_id BIGINT REFERENCES groups (id),
	from_class_id BIGINT REFERENCES groups (id),
	other_org_id BIGINT REFERENCES organisations (id),
	other_place TEXT NOT NULL DEFAULT '',
	enrolment_id BIGINT REFERENCES enrolments (id),
	on_date TEXT NOT NULL,
	basis_number TEXT NOT NULL DEFAULT '',
	basis_date TEXT,
	reason TEXT NOT NULL DEFAULT '',
	author_account BIGINT,
	author_login TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX movements_person ON movements (person_id, on_date, id);
CREATE INDEX movements_org ON movements (org_id, on_date);

-- A departure to another organisation of the region (or to an unknown
-- destination) waits here until a school confirms the arrival. Pending
-- longer than the configured days: "whereabouts unknown".
CREATE TABLE transfers (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	from_org_id BIGINT NOT NULL REFERENCES organisations (id),
	to_org_id BIGINT REFERENCES organisations (id),
	departure_id BIGINT NOT NULL REFERENCES movements (id),
	arrival_id BIGINT REFERENCES movements (id),
	status TEXT NOT NULL CHECK (status IN ('pending', 'arrived', 'declined')),
	departed_on TEXT NOT NULL,
	resolved_at {{ts}},
	resolved_by TEXT
);
CREATE INDEX transfers_to ON transfers (to_org_id, status);
CREATE INDEX transfers_pending ON transfers (status, departed_on);
CREATE INDEX transfers_person ON transfers (person_id, status);
