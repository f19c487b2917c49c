-- The grid reads the period, annual and final marks of a group in a
-- subject for a year. The unique indexes on period_marks are partial
-- (period_id NULL or not), so neither engine could use them for that and
-- both read the whole table on every grid: a third of the grid's time at
-- size small, and growing with the region.
CREATE INDEX period_marks_group ON period_marks (group_id, subject, year_id);
