-- A guardian's account linked to a child's account with the child's
-- activation code (seed 004). The registry's guardianship stays the
-- authority: a link whose guardianship has ended gives nothing.
CREATE TABLE account_links (
	guardian_account_id BIGINT NOT NULL REFERENCES accounts (id),
	child_account_id BIGINT NOT NULL REFERENCES accounts (id),
	linked_at {{ts}} NOT NULL,
	PRIMARY KEY (guardian_account_id, child_account_id)
);
CREATE INDEX account_links_child ON account_links (child_account_id);
