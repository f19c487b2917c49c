-- Study periods are edited one at a time (PATCH with If-Match), so each
-- carries its own version.
ALTER TABLE study_periods ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX academic_years_org ON academic_years (org_id, status);
