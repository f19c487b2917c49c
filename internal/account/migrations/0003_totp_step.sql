-- The time step of the last TOTP code accepted: a code is good once, so one
-- seen over a shoulder or phished cannot be replayed within its 30 seconds.
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
