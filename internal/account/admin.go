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

// Create makes an account with grants and returns a one-time activation
// code: nobody, the admin included, ever knows the user's password.
// Authorisation is the caller's (the Guard, or the bootstrap command).
func (s *Service) Create(ctx context.Context, login string, grants []identity.Grant) (Account, string, error) {
	norm, err := NormaliseLogin(login)
	if err != nil {
		return Account{}, "", err
	}
	var v errs.Validation
	for i, g := range grants {
		if !g.Role.Valid() {
			v.Add("grants["+strconv.Itoa(i)+"].role", "enum", "unknown role")
		}
	}
	if err := v.Err(); err != nil {
		return Account{}, "", err
	}
	var acc Account
	var code string
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		if err := tx.QueryRowContext(ctx, "INSERT INTO accounts (login, created_at) VALUES ($1, $2) RETURNING id", norm, now).Scan(&acc.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return &errs.Error{Code: errs.Conflict, Message: "this login is taken",
					Fields: []errs.FieldError{{Field: "login", Rule: "unique", Message: "this login is taken"}}}
			}
			return err
		}
		for _, g := range grants {
			if err := s.grant(ctx, tx, acc.ID, g); err != nil {
				return err
			}
		}
		var err error
		if code, err = s.newCode(ctx, tx, acc.ID, "activation"); err != nil {
			return err
		}
		acc.Login, acc.Grants, acc.Version = norm, grants, 1
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.AccountCreate, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(acc.ID, 10), Detail: norm})
	})
	return acc, code, err
}

func (s *Service) grant(ctx context.Context, tx *store.Tx, accountID int64, g identity.Grant) error {
	by := identity.From(ctx).AccountID
	_, err := tx.ExecContext(ctx, "INSERT INTO account_grants (account_id, role, org_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)",
		accountID, string(g.Role), g.OrgID, s.now(), by)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "the account already has this role there")
		}
		return err
	}
	org := g.OrgID
	return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.GrantAdd, Outcome: audit.Success, ObjectType: "account",
		ObjectID: strconv.FormatInt(accountID, 10), OrgID: &org, Detail: string(g.Role)})
}

// Grant adds a role grant.
func (s *Service) Grant(ctx context.Context, accountID int64, g identity.Grant) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error { return s.grant(ctx, tx, accountID, g) })
}

// Revoke removes a role grant; it applies from the account's next request.
func (s *Service) Revoke(ctx context.Context, accountID int64, g identity.Grant) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM account_grants WHERE account_id = $1 AND role = $2 AND org_id = $3", accountID, string(g.Role), g.OrgID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "no such grant")
		}
		// Removing a role ends the account's sessions: nobody keeps working
		// in a page opened under a role they no longer hold.
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", accountID); err != nil {
			return err
		}
		org := g.OrgID
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.GrantRevoke, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(accountID, 10), OrgID: &org, Detail: string(g.Role)})
	})
}

// SetDisabled disables (ending every session and token at once) or
// re-enables an account.
func (s *Service) SetDisabled(ctx context.Context, accountID int64, disabled bool) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var at any
		action := audit.AccountEnable
		if disabled {
			at, action = s.now(), audit.AccountDisable
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", accountID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL", s.now(), accountID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE accounts SET disabled_at = $1, version = version + 1 WHERE id = $2", at, accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "not found")
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: "account", ObjectID: strconv.FormatInt(accountID, 10)})
	})
}

// newCode stores a one-time code and returns it. Codes are 128-bit random,
// so a plain SHA-256 protects them at rest.
func (s *Service) newCode(ctx context.Context, tx *store.Tx, accountID int64, purpose string) (string, error) {
	code := randomToken(16)
	now := s.now()
	_, err := tx.ExecContext(ctx, "INSERT INTO one_time_codes (code_hash, account_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		digest(code), accountID, purpose, now, now.Add(s.CodeLifetime))
	return code, err
}

// ResetPassword, done by an admin, removes the password, ends the account's
// sessions and returns a one-time code the user sets a new password with.
func (s *Service) ResetPassword(ctx context.Context, accountID int64) (string, error) {
	var code string
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE accounts SET password_hash = NULL, version = version + 1 WHERE id = $1", accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "not found")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", accountID); err != nil {
			return err
		}
		if code, err = s.newCode(ctx, tx, accountID, "reset"); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordReset, Outcome: audit.Success, ObjectType: "account", ObjectID: strconv.FormatInt(accountID, 10)})
	})
	return code, err
}

// Activate sets a password with a one-time code (activation or reset).
func (s *Service) Activate(ctx context.Context, code, password string) (int64, error) {
	if err := CheckPassword("password", password, s.common); err != nil {
		return 0, err
	}
	code = CanonicalCode(code)
	// The code is checked before hashing too, so a visitor with made-up
	// codes cannot make the server hash for them.
	holder, err := s.codeAccount(ctx, s.DB.Read(), code, "")
	if err != nil {
		return 0, err
	}
	if m, err := s.managed(ctx, holder); err != nil || m {
		if err == nil {
			err = errManaged("code")
		}
		return 0, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if id, err = s.codeAccount(ctx, tx, code, tx.Engine.ForUpdate()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE one_time_codes SET used_at = $1 WHERE code_hash = $2", s.now(), digest(code)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET password_hash = $1, version = version + 1 WHERE id = $2", hash, id); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordChange, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(id, 10), Detail: "one-time code"})
	})
	return id, err
}

// codeAccount returns the account of a live one-time code; lock is the
// row-lock suffix inside the transaction that spends it.
func (s *Service) codeAccount(ctx context.Context, q store.Querier, code, lock string) (int64, error) {
	var id int64
	var used, expires sql.NullTime
	err := q.QueryRowContext(ctx, "SELECT account_id, used_at, expires_at FROM one_time_codes WHERE code_hash = $1"+lock, digest(code)).
		Scan(&id, &used, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || !s.now().Before(expires.Time))) {
		return 0, &errs.Error{Code: errs.Invalid, Message: "the code is wrong, used or expired",
			Fields: []errs.FieldError{{Field: "code", Rule: "valid", Message: "the code is wrong, used or expired; ask for a new one"}}}
	}
	return id, err
}

// ChangePassword changes the caller's own password after checking the
// current one, and ends the account's other sessions.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	a := identity.From(ctx)
	if err := CheckPassword("new_password", next, s.common); err != nil {
		return err
	}
	if m, err := s.managed(ctx, a.AccountID); err != nil || m {
		if err == nil {
			err = errManaged("new_password")
		}
		return err
	}
	// Guessing the current password from a stolen session counts towards
	// the same lockout as guessing at the login form.
	keys := throttleKeys(a.Login, a.Addr)
	if locked, err := s.locked(ctx, keys); err != nil {
		return err
	} else if locked {
		return errThrottled()
	}
	var hash sql.NullString
	if err := s.DB.Read().QueryRowContext(ctx, "SELECT password_hash FROM accounts WHERE id = $1", a.AccountID).Scan(&hash); err != nil {
		return err
	}
	ok, _, err := s.Hasher.Verify(ctx, hash.String, current)
	if err != nil || !ok {
		if err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
			if err := s.fail(ctx, tx, keys); err != nil {
				return err
			}
			return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordChange, Outcome: audit.Failure, ObjectType: "account",
				ObjectID: strconv.FormatInt(a.AccountID, 10), Detail: "wrong current password"})
		}); err != nil {
			return err
		}
		return &errs.Error{Code: errs.Invalid, Message: "the current password is wrong",
			Fields: []errs.FieldError{{Field: "current_password", Rule: "match", Message: "the current password is wrong"}}}
	}
	nh, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET password_hash = $1, version = version + 1 WHERE id = $2", nh, a.AccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1 AND public_id <> $2", a.AccountID, a.SessionID); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordChange, Outcome: audit.Success, ObjectType: "account", ObjectID: strconv.FormatInt(a.AccountID, 10)})
	})
}

// SetPassword is for the bootstrap and demo tools: it sets a password
// directly, with the same rules.
func (s *Service) SetPassword(ctx context.Context, accountID int64, password string) error {
	if err := CheckPassword("password", password, s.common); err != nil {
		return err
	}
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	_, err = s.DB.W.ExecContext(ctx, "UPDATE accounts SET password_hash = $1 WHERE id = $2", h, accountID)
	return err
}

// Seed creates an account with a password and grants inside the caller's
// transaction, for the demo generator and bootstrap; the caller audits.
func (s *Service) Seed(ctx context.Context, tx *store.Tx, login, password string, grants []identity.Grant) (int64, error) {
	norm, err := NormaliseLogin(login)
	if err != nil {
		return 0, err
	}
	if err := CheckPassword("password", password, s.common); err != nil {
		return 0, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO accounts (login, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id", norm, hash, s.now()).Scan(&id); err != nil {
		return 0, err
	}
	for _, g := range grants {
		if _, err := tx.ExecContext(ctx, "INSERT INTO account_grants (account_id, role, org_id, granted_at) VALUES ($1, $2, $3, $4)",
			id, string(g.Role), g.OrgID, s.now()); err != nil {
			return 0, err
		}
	}
	return id, nil
}
