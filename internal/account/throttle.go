package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"shkola/internal/store"
)

// Throttling: failed logins are counted per account and per client address
// in the database, so every server shares the count. A key over the limit is
// locked for Lockout; the check happens before any password is hashed, so a
// flood of guesses costs the server almost nothing.

func throttleKeys(login, addr string) []string { return []string{"acct:" + login, "addr:" + addr} }

// locked reports whether any key is locked now.
func (s *Service) locked(ctx context.Context, keys []string) (bool, error) {
	now := s.now()
	for _, k := range keys {
		var until sql.NullTime
		err := s.DB.Read().QueryRowContext(ctx, "SELECT locked_until FROM login_throttle WHERE key = $1", k).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, err
		}
		if until.Valid && until.Time.After(now) {
			return true, nil
		}
	}
	return false, nil
}

// fail counts a failure against each key in tx, locking those that reach
// the limit. The per-address limit is higher: a school's NAT hides many
// people behind one address.
func (s *Service) fail(ctx context.Context, tx *store.Tx, keys []string) error {
	now := s.now()
	for i, k := range keys {
		limit := s.MaxFailures
		if i == 1 {
			limit = s.MaxFailures * 10
		}
		var failures int
		var start time.Time
		err := tx.QueryRowContext(ctx, "SELECT failures, window_start FROM login_throttle WHERE key = $1"+tx.Engine.ForUpdate(), k).Scan(&failures, &start)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2)", k, now); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		if now.Sub(start) > s.FailureWindow {
			failures, start = 0, now
		}
		failures++
		var until any
		if failures >= limit {
			until = now.Add(s.Lockout)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE login_throttle SET failures = $1, window_start = $2, locked_until = $3 WHERE key = $4",
			failures, start, until, k); err != nil {
			return err
		}
	}
	return nil
}

// clearAccount forgets the account's failures after a good login.
func (s *Service) clearAccount(ctx context.Context, tx *store.Tx, login string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM login_throttle WHERE key = $1", "acct:"+login)
	return err
}
