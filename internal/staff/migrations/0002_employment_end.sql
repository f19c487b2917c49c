-- Ending an employment names its own order (dismissal, transfer), kept
-- beside the order that started it.
ALTER TABLE employments ADD COLUMN end_basis TEXT NOT NULL DEFAULT '';
-- Staff lists filter by position among an organisation's current posts.
CREATE INDEX employments_org_position ON employments (org_id, position);
