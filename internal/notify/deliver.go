package notify

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"shkola/internal/store"
)

// Delivery statuses.
const (
	Pending = "pending"
	Sent    = "sent"
	Failed  = "failed"
)

// Backoff says when a failed delivery is tried again: Base, doubled after
// each failure up to Cap; after Max attempts the delivery is failed.
type Backoff struct {
	Base time.Duration
	Cap  time.Duration
	Max  int
}

// DefaultBackoff: 30 s, 1 min, 2 min … at most an hour apart, ten attempts
// (about five hours in all).
func DefaultBackoff() Backoff { return Backoff{Base: 30 * time.Second, Cap: time.Hour, Max: 10} }

// Delay is the wait after the attempts-th failure.
func (b Backoff) Delay(attempts int) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Cap; i++ {
		d *= 2
	}
	return min(d, b.Cap)
}

// Sender delivers e-mails and webhook calls.
//
// Delivery is at least once: a due row is claimed with a lease (PostgreSQL
// servers skip rows another one holds; SQLite's one writer serialises),
// sent outside any transaction, and marked sent in a transaction of its
// own. A crash between the send and the mark leaves the row to be sent
// again when the lease runs out, with the same delivery id, so a receiver
// that remembers ids drops the repeat. Nothing claimed is ever lost.
type Sender struct {
	S       *Service
	Mail    Mailer  // nil when no SMTP server is configured
	Hooks   *Poster // webhook calls
	Backoff Backoff // DefaultBackoff when zero
	Lease   time.Duration
	Batch   int
	Log     *slog.Logger
}

// Claimed is one delivery taken for sending.
type Claimed struct {
	ID       int64
	Key      string
	Channel  string
	Event    string
	Account  sql.NullInt64
	Endpoint sql.NullInt64
	Subject  string
	Body     string
	Attempts int
}

func (s *Sender) backoff() Backoff {
	if s.Backoff.Max == 0 {
		return DefaultBackoff()
	}
	return s.Backoff
}

// RunOnce claims and sends one batch of due deliveries; it returns how
// many it tried.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	items, err := s.claim(ctx)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return 0, err // stopped: the leases run out and another run takes them
		}
		sendErr := s.send(ctx, it)
		if ctx.Err() != nil {
			return 0, ctx.Err() // stopped mid-send: not marked, sent again later with the same id
		}
		if err := s.finish(ctx, it, sendErr); err != nil {
			return 0, err
		}
	}
	return len(items), nil
}

func (s *Sender) claim(ctx context.Context) ([]Claimed, error) {
	lease := s.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	batch := s.Batch
	if batch <= 0 {
		batch = 50
	}
	now := s.S.now()
	var out []Claimed
	err := s.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET lease_until = $1, attempts = attempts + 1
			WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2
				AND (lease_until IS NULL OR lease_until <= $2) ORDER BY next_attempt_at, id LIMIT $3`+tx.Engine.SkipLocked()+`)
			RETURNING id, delivery_key, channel, event, account_id, endpoint_id, subject, body, attempts`, now.Add(lease), now, batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c Claimed
			if err := rows.Scan(&c.ID, &c.Key, &c.Channel, &c.Event, &c.Account, &c.Endpoint, &c.Subject, &c.Body, &c.Attempts); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// errPermanent marks a failure that no retry can cure.
type errPermanent struct{ msg string }

func (e errPermanent) Error() string { return e.msg }

func (s *Sender) send(ctx context.Context, c Claimed) error {
	switch c.Channel {
	case Email:
		if s.Mail == nil {
			return errPermanent{"no mail server configured"}
		}
		var to string
		err := s.S.DB.Read().QueryRowContext(ctx, `SELECT p.email FROM accounts a JOIN persons p ON p.id = a.person_id
			WHERE a.id = $1 AND a.disabled_at IS NULL`, c.Account.Int64).Scan(&to)
		if store.IsNoRows(err) || (err == nil && to == "") {
			return errPermanent{"no e-mail address"}
		}
		if err != nil {
			return err
		}
		return s.Mail.Send(ctx, Mail{To: to, Subject: c.Subject, Body: c.Body, ID: c.Key})
	case Webhook:
		if s.Hooks == nil {
			return errPermanent{"webhooks are not configured"}
		}
		ep, err := s.S.endpointSecret(ctx, c.Endpoint.Int64)
		if err != nil {
			return err
		}
		if !ep.active {
			return errPermanent{"endpoint removed"}
		}
		return s.Hooks.Post(ctx, ep.url, ep.secret, c.Key, c.Event, []byte(c.Body))
	}
	return errPermanent{"unknown channel " + c.Channel}
}

// finish marks the outcome of one attempt.
func (s *Sender) finish(ctx context.Context, c Claimed, sendErr error) error {
	now := s.S.now()
	if sendErr == nil {
		_, err := s.S.DB.W.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = ''
			WHERE id = $2 AND status = 'pending'`, now, c.ID)
		return err
	}
	msg := sendErr.Error()
	if len(msg) > 300 {
		msg = msg[:300]
	}
	var perm errPermanent
	b := s.backoff()
	if errors.As(sendErr, &perm) || c.Attempts >= b.Max {
		if s.Log != nil {
			s.Log.Warn("delivery failed for good", "delivery", c.ID, "channel", c.Channel, "attempts", c.Attempts, "err", msg)
		}
		_, err := s.S.DB.W.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', lease_until = NULL, last_error = $1
			WHERE id = $2 AND status = 'pending'`, msg, c.ID)
		return err
	}
	if s.Log != nil {
		s.Log.Info("delivery will be retried", "delivery", c.ID, "channel", c.Channel, "attempts", c.Attempts, "err", msg)
	}
	_, err := s.S.DB.W.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = $1, lease_until = NULL, last_error = $2
		WHERE id = $3 AND status = 'pending'`, now.Add(b.Delay(c.Attempts)), msg, c.ID)
	return err
}
