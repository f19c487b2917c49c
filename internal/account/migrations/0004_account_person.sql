-- A person holds at most one account (the login issued to a pupil or a
-- parent, or a staff member's); relationship rules resolve through it.
CREATE UNIQUE INDEX accounts_person ON accounts (person_id);
