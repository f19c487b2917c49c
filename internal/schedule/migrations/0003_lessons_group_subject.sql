-- The journal reads a class's lessons of one subject (the grid, its cells,
-- a subject's lessons of a period). With only (group_id, on_date, slot) the
-- engine fetched every lesson of the class and dropped the other subjects,
-- and PostgreSQL, costing that fetch high once the tables had statistics,
-- chose parallel plans whose worker start-up cost more than the query
-- (the grid's cells at 15 queries/s with 8 clients on 2 cores).
CREATE INDEX lessons_group_subject ON lessons (group_id, subject, on_date, slot);
