-- The history of a class runs both ways along previous_id (5А -> 6А -> 7А),
-- and the rollover finds last year's classes by year, kind and status.
CREATE INDEX groups_previous ON groups (previous_id);
CREATE INDEX groups_year_status ON groups (year_id, kind, status);
CREATE INDEX assignments_group_current ON assignments (group_id, ends_on);
