-- Notifications. The change log is the outbox: the dispatcher reads it
-- after its cursor (change_cursors 'notify') and writes, in ONE transaction,
-- the in-app notifications, the e-mail and webhook deliveries and the
-- advanced cursor, so a crash between batches repeats and loses nothing.

-- Start after what the log already holds: a system that gains
-- notifications does not notify its whole history.
INSERT INTO change_cursors (consumer, seq) SELECT 'notify', n FROM change_counter WHERE id = 1;

-- Announcements (parents' meeting, olympiad, excursion) from a class
-- teacher to the class led, or from the school's administration to a
-- class, a parallel or the whole school. The audience is pupils and their
-- guardians.
CREATE TABLE announcements (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	audience TEXT NOT NULL CHECK (audience IN ('class', 'parallel', 'school')),
	group_id BIGINT REFERENCES groups (id),
	parallel INTEGER,
	kind TEXT NOT NULL CHECK (kind IN ('meeting', 'olympiad', 'excursion', 'other')),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	event_on TEXT,
	author_id BIGINT REFERENCES accounts (id),
	created_at {{ts}} NOT NULL
);
CREATE INDEX announcements_org ON announcements (org_id, id);
CREATE INDEX announcements_group ON announcements (group_id);

-- In-app notifications, one per account and event (and pupil, so a guardian
-- of twins sees one for each). person_id is the pupil it is about, 0 for
-- none. The unique index makes a repeated dispatch a no-op.
CREATE TABLE notifications (
	id {{pk}},
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	change_seq BIGINT NOT NULL,
	person_id BIGINT NOT NULL DEFAULT 0,
	kind TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	link TEXT NOT NULL,
	created_at {{ts}} NOT NULL,
	read_at {{ts}}
);
CREATE UNIQUE INDEX notifications_once ON notifications (account_id, change_seq, person_id);
CREATE INDEX notifications_account ON notifications (account_id, id);
-- The unread badge on every page is one COUNT over this index.
CREATE INDEX notifications_unread ON notifications (account_id) WHERE read_at IS NULL;

-- What each account wants: event kinds per channel (comma-separated codes),
-- quiet hours (HH:MM in the region's time zone; e-mail waits until they
-- end) and the language of texts. No row means the defaults.
CREATE TABLE notify_prefs (
	account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
	inapp TEXT NOT NULL,
	email TEXT NOT NULL,
	quiet_from TEXT NOT NULL DEFAULT '',
	quiet_to TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{ts}} NOT NULL
);

-- Webhook endpoints a school's administration configures: events of the
-- organisation's subtree are POSTed, signed with HMAC-SHA256 under the
-- secret (sealed with the key ring; shown once when created).
CREATE TABLE webhook_endpoints (
	id {{pk}},
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	url TEXT NOT NULL,
	secret_enc TEXT NOT NULL,
	kinds TEXT NOT NULL,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{ts}} NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id);

-- One row per message to send by e-mail or webhook. delivery_key is the
-- stable id a receiver sees in every attempt (at-least-once sending,
-- idempotent by id). The sender claims due rows with a lease, sends, and
-- marks them in a transaction of their own; a failure waits with
-- exponential backoff until the attempts run out.
CREATE TABLE deliveries (
	id {{pk}},
	delivery_key TEXT NOT NULL UNIQUE,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	change_seq BIGINT NOT NULL,
	event TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	person_id BIGINT NOT NULL DEFAULT 0,
	endpoint_id BIGINT REFERENCES webhook_endpoints (id),
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{ts}} NOT NULL,
	lease_until {{ts}},
	last_error TEXT NOT NULL DEFAULT '',
	sent_at {{ts}},
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX deliveries_email_once ON deliveries (account_id, change_seq, person_id) WHERE channel = 'email';
CREATE UNIQUE INDEX deliveries_webhook_once ON deliveries (endpoint_id, change_seq) WHERE channel = 'webhook';
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
