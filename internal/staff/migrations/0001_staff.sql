-- Staff: employments at organisations, subjects a person may teach,
-- qualification records.
CREATE TABLE employments (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	position TEXT NOT NULL,
	rate TEXT NOT NULL DEFAULT '1',
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	basis TEXT NOT NULL DEFAULT '',
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX employments_person ON employments (person_id);
CREATE INDEX employments_org ON employments (org_id, ends_on);

CREATE TABLE staff_subjects (
	person_id BIGINT NOT NULL REFERENCES persons (id),
	subject TEXT NOT NULL,
	PRIMARY KEY (person_id, subject)
);

CREATE TABLE qualifications (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	kind TEXT NOT NULL CHECK (kind IN ('education', 'category', 'course', 'degree', 'award')),
	title TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	issued_on TEXT,
	valid_until TEXT,
	document TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL
);
CREATE INDEX qualifications_person ON qualifications (person_id);
