package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/store"
)

// Dispatcher turns the change log into notifications and deliveries.
//
// One batch is one transaction: it takes the cursor (on PostgreSQL with
// FOR UPDATE SKIP LOCKED, so a second server skips instead of repeating the
// work; on SQLite the single writer serialises), reads the changes after
// it, writes the in-app notifications and the e-mail and webhook delivery
// rows, and moves the cursor past the batch. A crash anywhere in a batch
// rolls all of it back, and the next run does it again from the same
// cursor: nothing is lost and nothing is told twice. The unique indexes on
// notifications and deliveries are a second guard against doubles.
type Dispatcher struct {
	S     *Service
	Batch int // changes per transaction; 200 when 0
	// Trace, when set, is told each change as the batch reaches it, inside
	// the batch's transaction (tests stop the dispatcher mid-batch with it).
	Trace func(ctx context.Context, seq int64)
}

// RunOnce dispatches one batch and returns how many changes it consumed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	// A cheap look through the read pool first, so an idle system does not
	// take the writer every tick.
	var cur, head int64
	if err := d.S.DB.Read().QueryRowContext(ctx, `SELECT c.seq, k.n FROM change_cursors c, change_counter k
		WHERE c.consumer = $1 AND k.id = 1`, Consumer).Scan(&cur, &head); err != nil {
		return 0, err
	}
	if head <= cur {
		return 0, nil
	}
	batch := d.Batch
	if batch <= 0 {
		batch = 200
	}
	var n int
	err := d.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		n = 0
		var seq int64
		err := tx.QueryRowContext(ctx, "SELECT seq FROM change_cursors WHERE consumer = $1"+tx.Engine.SkipLocked(), Consumer).Scan(&seq)
		if store.IsNoRows(err) {
			return nil // another server is dispatching this very moment
		}
		if err != nil {
			return err
		}
		changes, err := changesAfter(ctx, tx, seq, batch)
		if err != nil || len(changes) == 0 {
			return err
		}
		b := &batchState{subjects: &subjects{q: tx, names: map[string][3]string{}}, endpoints: map[int64][]endpointRef{}, now: d.S.now()}
		for _, c := range changes {
			if d.Trace != nil {
				d.Trace(ctx, c.Seq)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := d.S.dispatch(ctx, tx, c, b); err != nil {
				return err
			}
		}
		n = len(changes)
		_, err = tx.ExecContext(ctx, "UPDATE change_cursors SET seq = $1 WHERE consumer = $2", changes[n-1].Seq, Consumer)
		return err
	})
	return n, err
}

// changesAfter reads the log in the dispatcher's transaction.
func changesAfter(ctx context.Context, q store.Querier, since int64, limit int) ([]store.Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, at, entity, entity_id, op, org_id, data FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, since, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		var data *string
		if err := rows.Scan(&c.Seq, &c.At, &c.Entity, &c.EntityID, &c.Op, &c.OrgID, &data); err != nil {
			return nil, err
		}
		if data != nil {
			c.Data = json.RawMessage(*data)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type endpointRef struct {
	id    int64
	kinds []string
}

// batchState is what one batch looks up once.
type batchState struct {
	subjects  *subjects
	endpoints map[int64][]endpointRef // by organisation of the change
	now       time.Time
}

// dispatch writes what one change causes.
func (s *Service) dispatch(ctx context.Context, tx *store.Tx, c store.Change, b *batchState) error {
	if err := s.webhooks(ctx, tx, c, b); err != nil {
		return err
	}
	e, ok := parseEvent(c)
	if !ok {
		return nil
	}
	if e.kind == KindAnnouncement {
		id, err := strconv.ParseInt(c.EntityID, 10, 64)
		if err != nil {
			return nil
		}
		a, err := loadAnnouncement(ctx, tx, id)
		if err != nil {
			return err
		}
		e.ann = &a
	}
	recips, err := s.recipients(ctx, tx, e)
	if err != nil {
		return err
	}
	for _, r := range recips {
		link := e.link(r.pupil)
		subject, err := b.subjects.name(ctx, e.data.Subject, r.prefs.lang)
		if err != nil {
			return err
		}
		title, body := s.texts(e, r.prefs.lang, r.pupilName, subject)
		if has(r.prefs.inapp, e.kind) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (account_id, change_seq, person_id, kind, title, body, link, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
				r.account, c.Seq, r.pupil, e.kind, title, body, link, b.now); err != nil {
				return err
			}
		}
		if s.MailEnabled && r.prefs.address != "" && has(r.prefs.email, e.kind) {
			due := quietUntil(b.now, s.loc(), r.prefs.quietFrom, r.prefs.quietTo)
			text := body + "\n\n" + s.BaseURL + link + "\n\n-- \n" + s.text(r.prefs.lang, "notify.mail.footer", map[string]any{"Settings": s.BaseURL + "/notifications/settings"})
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (delivery_key, channel, change_seq, event, account_id, person_id, subject, body,
				status, attempts, next_attempt_at, created_at)
				VALUES ($1, 'email', $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $9) ON CONFLICT DO NOTHING`,
				newKey(), c.Seq, c.Entity+"."+c.Op, r.account, r.pupil, title, text, due, b.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// webhooks writes a delivery for every active endpoint of the change's
// organisation (or an ancestor) subscribed to its kind. A school's systems
// get every change of the kinds they chose (deletions and "present" too),
// with identifiers only, as the change log holds them.
func (s *Service) webhooks(ctx context.Context, tx *store.Tx, c store.Change, b *batchState) error {
	kind := kindOf(c.Entity)
	if kind == "" || c.OrgID == nil {
		return nil
	}
	eps, ok := b.endpoints[*c.OrgID]
	if !ok {
		rows, err := tx.QueryContext(ctx, `SELECT e.id, e.kinds FROM webhook_endpoints e WHERE e.active = TRUE
			AND EXISTS (SELECT 1 FROM org_tree t WHERE t.ancestor_id = e.org_id AND t.descendant_id = $1) ORDER BY e.id`, *c.OrgID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var ep endpointRef
			var kinds string
			if err := rows.Scan(&ep.id, &kinds); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return err
			}
			ep.kinds = splitKinds(kinds)
			eps = append(eps, ep)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		b.endpoints[*c.OrgID] = eps
	}
	for _, ep := range eps {
		if !has(ep.kinds, kind) {
			continue
		}
		key := newKey()
		event := c.Entity + "." + c.Op
		payload, err := json.Marshal(WebhookPayload{ID: key, Event: event, Kind: kind, Seq: c.Seq, OccurredAt: c.At.UTC(),
			OrgID: *c.OrgID, EntityID: c.EntityID, Data: c.Data})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (delivery_key, channel, change_seq, event, endpoint_id, body,
			status, attempts, next_attempt_at, created_at)
			VALUES ($1, 'webhook', $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT DO NOTHING`,
			key, c.Seq, event, ep.id, string(payload), b.now); err != nil {
			return err
		}
	}
	return nil
}

// WebhookPayload is the JSON body of a webhook call.
type WebhookPayload struct {
	ID         string          `json:"id"`    // the delivery id, the same in every attempt
	Event      string          `json:"event"` // entity.op, e.g. mark.create
	Kind       string          `json:"kind"`
	Seq        int64           `json:"seq"` // the change number in the change feed
	OccurredAt time.Time       `json:"occurred_at"`
	OrgID      int64           `json:"org_id"`
	EntityID   string          `json:"entity_id"`
	Data       json.RawMessage `json:"data,omitempty"`
}

// newKey is a delivery id: 128 random bits.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
