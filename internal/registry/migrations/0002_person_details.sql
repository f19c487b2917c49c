-- The rest of the person fields of seed 000's appendix and seed 001's
-- stage 2. Identifiers, document numbers and health fields are sealed
-- (*_enc); exact lookups go through keyed blind indexes (*_idx).
ALTER TABLE persons ADD COLUMN rnokpp_enc TEXT;
ALTER TABLE persons ADD COLUMN rnokpp_idx TEXT;
ALTER TABLE persons ADD COLUMN unzr_enc TEXT;
ALTER TABLE persons ADD COLUMN unzr_idx TEXT;
CREATE UNIQUE INDEX persons_rnokpp ON persons (rnokpp_idx);
CREATE UNIQUE INDEX persons_unzr ON persons (unzr_idx);
-- Contacts: shown to the roles of person.contact only.
ALTER TABLE persons ADD COLUMN reg_address TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN fact_address TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN email TEXT NOT NULL DEFAULT '';
-- Special category (seed 001 stage 2), with the need for an adapted programme.
ALTER TABLE persons ADD COLUMN pe_group_enc TEXT;
ALTER TABLE persons ADD COLUMN disability_cause_enc TEXT;
ALTER TABLE persons ADD COLUMN long_treatment_enc TEXT;
ALTER TABLE persons ADD COLUMN adapted_programme_enc TEXT;
-- Suspected duplicates: the name folded (case, ё/е, transliteration to one
-- Latin spelling) beside the birth date. A merged record points to the one it
-- was merged into and leaves every list.
ALTER TABLE persons ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN merged_into BIGINT REFERENCES persons (id);
CREATE INDEX persons_dupe ON persons (name_key, birth_date);

-- Identity documents and documents proving representation. The series and
-- number are sealed; number_idx finds a document by its number.
CREATE TABLE person_documents (
	id {{pk}},
	person_id BIGINT NOT NULL REFERENCES persons (id),
	kind TEXT NOT NULL,
	series_enc TEXT,
	number_enc TEXT NOT NULL,
	number_idx TEXT NOT NULL,
	issued_on TEXT,
	issuer TEXT NOT NULL DEFAULT '',
	issue_place TEXT NOT NULL DEFAULT '',
	created_at {{ts}} NOT NULL,
	retired_at {{ts}}
);
CREATE INDEX person_documents_person ON person_documents (person_id);
CREATE INDEX person_documents_number ON person_documents (number_idx);

-- A child's legal representatives (seed 000 appendix; seed 004). Links are
-- never deleted: ending one sets ends_on, so the history stays.
CREATE TABLE guardianships (
	id {{pk}},
	child_id BIGINT NOT NULL REFERENCES persons (id),
	guardian_id BIGINT NOT NULL REFERENCES persons (id),
	kind TEXT NOT NULL CHECK (kind IN ('mother', 'father', 'adoptive_parent', 'guardian', 'trustee', 'foster_parent', 'other')),
	doc_kind TEXT NOT NULL DEFAULT '',
	doc_enc TEXT,
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX guardianships_child ON guardianships (child_id);
CREATE INDEX guardianships_guardian ON guardianships (guardian_id);
CREATE UNIQUE INDEX guardianships_active ON guardianships (child_id, guardian_id) WHERE ends_on IS NULL;
