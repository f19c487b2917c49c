package account

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// ErrBadLogin is the one answer for an unknown login, a wrong password and
// a disabled account alike, so none can be told apart.
func errBadLogin() error { return errs.E(errs.Unauthorized, "wrong login or password") }

func errThrottled() error {
	return errs.E(errs.TooMany, "too many failed attempts; wait a few minutes and try again")
}

// Login checks a password and opens a session. It returns the session's
// secret id for the cookie. Throttling is checked first and costs no
// hashing; an unknown login is hashed against a dummy so timing matches.
func (s *Service) Login(ctx context.Context, login, password, addr, ua string) (string, Session, error) {
	norm, err := NormaliseLogin(login)
	if err != nil || len(password) > 1024 {
		return "", Session{}, errBadLogin()
	}
	keys := throttleKeys(norm, addr)
	if locked, err := s.locked(ctx, keys); err != nil {
		return "", Session{}, err
	} else if locked {
		return "", Session{}, errThrottled()
	}
	// Made before the lookup, so the one-off cost of the dummy falls on the
	// first login whether or not the account exists.
	dummy, err := s.dummyHash(ctx)
	if err != nil {
		return "", Session{}, err
	}
	var id int64
	var hash sql.NullString
	var disabled sql.NullTime
	err = s.DB.Read().QueryRowContext(ctx, "SELECT id, password_hash, disabled_at FROM accounts WHERE login = $1", norm).Scan(&id, &hash, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", Session{}, err
	}
	stored := hash.String
	if !hash.Valid {
		stored = dummy
	}
	ok, rehash, verr := s.Hasher.Verify(ctx, stored, password)
	if verr != nil {
		return "", Session{}, verr
	}
	good := ok && hash.Valid && !disabled.Valid
	ctx = identity.With(ctx, &identity.Actor{AccountID: id, Login: norm, Addr: addr, UserAgent: ua, RequestID: identity.From(ctx).RequestID})
	if !good {
		err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
			if err := s.fail(ctx, tx, keys); err != nil {
				return err
			}
			return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.LoginFailed, Outcome: audit.Failure, ObjectType: "account", ObjectID: norm})
		})
		if err != nil {
			return "", Session{}, err
		}
		return "", Session{}, errBadLogin()
	}
	var newHash string
	if rehash {
		if newHash, err = s.Hasher.Hash(ctx, password); err != nil {
			return "", Session{}, err
		}
	}
	var secret string
	var ses Session
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if newHash != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE accounts SET password_hash = $1 WHERE id = $2", newHash, id); err != nil {
				return err
			}
		}
		if err := s.clearAccount(ctx, tx, norm); err != nil {
			return err
		}
		var err error
		if secret, ses, err = s.newSession(ctx, tx, id, addr, ua); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.Login, Outcome: audit.Success, ObjectType: "account", ObjectID: strconv.FormatInt(id, 10)})
	})
	return secret, ses, err
}

// dummyHash is a valid hash of nothing anyone knows, computed once (and
// again only if computing it failed, e.g. on a cancelled request).
func (s *Service) dummyHash(ctx context.Context) (string, error) {
	s.dummyMu.Lock()
	defer s.dummyMu.Unlock()
	if s.dummy == "" {
		h, err := s.Hasher.Hash(ctx, randomToken(16))
		if err != nil {
			return "", err
		}
		s.dummy = h
	}
	return s.dummy, nil
}
