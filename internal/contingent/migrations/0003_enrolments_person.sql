-- Every movement reads the pupil's enrolments (has the pupil been enrolled
-- and left before?); without this index that was a scan of every
-- enrolment of the region per movement (enrolments_one_primary holds only
-- current primary ones).
CREATE INDEX enrolments_person ON enrolments (person_id, status);
