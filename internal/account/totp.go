package account

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/pquerna/otp/totp"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Second factor: staff roles above teacher and the operator must use TOTP
// (identity.Role.NeedsSecondFactor); others may. A session opened with the
// password alone is "pending" while the account has or needs TOTP: it
// carries no role grants, so it can reach nothing but the TOTP pages.

// NeedsSecondFactor reports whether any grant requires TOTP.
func NeedsSecondFactor(grants []identity.Grant) bool {
	for _, g := range grants {
		if g.Role.NeedsSecondFactor() {
			return true
		}
	}
	return false
}

// TOTPSetup is what the setup page shows: the secret as text and as an
// otpauth:// URI for authenticator apps.
type TOTPSetup struct {
	Secret string
	URI    string
}

// BeginTOTP makes a new secret for the caller (not yet enabled).
func (s *Service) BeginTOTP(ctx context.Context, issuer string) (TOTPSetup, error) {
	a := identity.From(ctx)
	if _, enabled, err := s.totpState(ctx, s.DB.Read(), a.AccountID); err != nil {
		return TOTPSetup{}, err
	} else if enabled {
		return TOTPSetup{}, errs.E(errs.Conflict, "the second factor is already on")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: a.Login})
	if err != nil {
		return TOTPSetup{}, err
	}
	if _, err := s.DB.W.ExecContext(ctx, "UPDATE accounts SET totp_secret = $1 WHERE id = $2 AND totp_enabled = FALSE", key.Secret(), a.AccountID); err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URI: key.URL()}, nil
}

func (s *Service) totpState(ctx context.Context, q store.Querier, accountID int64) (secret string, enabled bool, err error) {
	var sec sql.NullString
	err = q.QueryRowContext(ctx, "SELECT totp_secret, totp_enabled FROM accounts WHERE id = $1", accountID).Scan(&sec, &enabled)
	return sec.String, enabled, err
}

func badCode() error {
	return &errs.Error{Code: errs.Invalid, Message: "the code is wrong",
		Fields: []errs.FieldError{{Field: "totp", Rule: "valid", Message: "the code is wrong or has expired"}}}
}

// ConfirmTOTP enables TOTP after the user proves the app works, marks the
// session as second-factor verified, and returns ten recovery codes that are
// shown once and stored only hashed.
func (s *Service) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	a := identity.From(ctx)
	secret, enabled, err := s.totpState(ctx, s.DB.Read(), a.AccountID)
	if err != nil {
		return nil, err
	}
	if enabled || secret == "" || !totp.Validate(strings.TrimSpace(code), secret) {
		return nil, badCode()
	}
	codes := make([]string, 10)
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET totp_enabled = TRUE, version = version + 1 WHERE id = $1", a.AccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE account_id = $1", a.AccountID); err != nil {
			return err
		}
		for i := range codes {
			codes[i] = strings.ToLower(randomToken(8))
			if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)", a.AccountID, digest(codes[i])); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET second_factor_ok = TRUE WHERE public_id = $1", a.SessionID); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.SecondFactor, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(a.AccountID, 10), Detail: "totp enabled"})
	})
	return codes, err
}

// VerifySecondFactor checks a TOTP code or an unused recovery code for the
// pending session and completes the login. Failures count towards the
// account's lockout like wrong passwords.
func (s *Service) VerifySecondFactor(ctx context.Context, code string) error {
	a := identity.From(ctx)
	keys := throttleKeys(a.Login, a.Addr)
	if locked, err := s.locked(ctx, keys); err != nil {
		return err
	} else if locked {
		return errThrottled()
	}
	secret, enabled, err := s.totpState(ctx, s.DB.Read(), a.AccountID)
	if err != nil {
		return err
	}
	code = strings.TrimSpace(code)
	ok, how := enabled && totp.Validate(code, secret), "totp"
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if !ok && enabled && code != "" {
			// A recovery code is spent by the same statement that checks it.
			res, err := tx.ExecContext(ctx, "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
				s.now(), a.AccountID, digest(strings.ToLower(code)))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			ok, how = n == 1, "recovery code"
		}
		if !ok {
			if err := s.fail(ctx, tx, keys); err != nil {
				return err
			}
			return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.LoginFailed, Outcome: audit.Failure, ObjectType: "account",
				ObjectID: strconv.FormatInt(a.AccountID, 10), Detail: "second factor"})
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET second_factor_ok = TRUE WHERE public_id = $1", a.SessionID); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.Login, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(a.AccountID, 10), Detail: "second factor: " + how})
	})
	if err == nil && !ok {
		return badCode()
	}
	return err
}
