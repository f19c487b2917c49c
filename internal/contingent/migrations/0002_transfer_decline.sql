-- A receiving school may decline a transfer: the transfer then stays open
-- for the origin (and counts towards "whereabouts unknown"), and these
-- columns keep who declined it, when and why, even after the pupil is
-- later admitted somewhere else.
ALTER TABLE transfers ADD COLUMN declined_org_id BIGINT REFERENCES organisations (id);
ALTER TABLE transfers ADD COLUMN declined_at {{ts}};
ALTER TABLE transfers ADD COLUMN declined_by TEXT;
ALTER TABLE transfers ADD COLUMN decline_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX transfers_from ON transfers (from_org_id, status);
-- Registers read movements by date, and each departure's transfer beside it.
CREATE INDEX transfers_departure ON transfers (departure_id);
CREATE INDEX movements_date ON movements (on_date, id);
