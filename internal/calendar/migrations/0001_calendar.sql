-- Academic calendar per organisation: years, study periods, holidays.
-- Dates are ISO strings (YYYY-MM-DD) on both engines, compared as text.
CREATE TABLE academic_years (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	period_kind TEXT NOT NULL CHECK (period_kind IN ('quarter', 'trimester', 'semester')),
	status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'current', 'closed')),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX academic_years_start ON academic_years (org_id, starts_on);
CREATE UNIQUE INDEX academic_years_current ON academic_years (org_id) WHERE status = 'current';

-- Closing a period locks the journal for it (the journal reads closed_at).
CREATE TABLE study_periods (
	id {{pk}},
	year_id BIGINT NOT NULL REFERENCES academic_years (id),
	seq INTEGER NOT NULL,
	name TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	closed_at {{ts}},
	closed_by TEXT,
	UNIQUE (year_id, seq)
);

CREATE TABLE holidays (
	id {{pk}},
	year_id BIGINT NOT NULL REFERENCES academic_years (id),
	name TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL
);
CREATE INDEX holidays_year ON holidays (year_id, starts_on);
