-- A region keeps either Russian (SNILS) or Ukrainian (RNOKPP, UNZR) numbers,
-- so one pair of these columns is empty for every person. The unique indexes
-- now leave the empty ones out: two fewer index entries written per person
-- (the import writes three persons a line), same uniqueness.
DROP INDEX persons_rnokpp;
DROP INDEX persons_unzr;
CREATE UNIQUE INDEX persons_rnokpp ON persons (rnokpp_idx) WHERE rnokpp_idx IS NOT NULL;
CREATE UNIQUE INDEX persons_unzr ON persons (unzr_idx) WHERE unzr_idx IS NOT NULL;
