package account

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Second factor: staff roles above teacher and the operator must use TOTP
// (identity.Role.NeedsSecondFactor); others may. A session opened with the
// password alone is "pending" while the account has or needs TOTP: it
// carries no role grants, so it can reach nothing but the TOTP pages.

// TOTPColumn is where TOTP secrets are kept, encrypted under the key ring;
// `shkola keys rotate` re-encrypts it.
var TOTPColumn = crypt.Column{Table: "accounts", Key: "id", Column: "totp_secret", AADPrefix: "account.totp"}

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
	secret, enabled, err := s.totpState(ctx, s.DB.Read(), a.AccountID)
	if err != nil {
		return TOTPSetup{}, err
	} else if enabled {
		return TOTPSetup{}, errs.E(errs.Conflict, "the second factor is already on")
	}
	if secret != "" {
		// A reload or a wrong code keeps the secret the app may have scanned.
		u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + a.Login,
			RawQuery: url.Values{"secret": {secret}, "issuer": {issuer}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}.Encode()}
		return TOTPSetup{Secret: secret, URI: u.String()}, nil
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: a.Login})
	if err != nil {
		return TOTPSetup{}, err
	}
	sealed, err := s.Keys.EncryptString(key.Secret(), crypt.AAD(TOTPColumn.AADPrefix, a.AccountID))
	if err != nil {
		return TOTPSetup{}, err
	}
	if _, err := s.DB.W.ExecContext(ctx, "UPDATE accounts SET totp_secret = $1 WHERE id = $2 AND totp_enabled = FALSE", sealed, a.AccountID); err != nil {
		return TOTPSetup{}, err
	}
	return TOTPSetup{Secret: key.Secret(), URI: key.URL()}, nil
}

func (s *Service) totpState(ctx context.Context, q store.Querier, accountID int64) (secret string, enabled bool, err error) {
	var sec sql.NullString
	err = q.QueryRowContext(ctx, "SELECT totp_secret, totp_enabled FROM accounts WHERE id = $1", accountID).Scan(&sec, &enabled)
	if err != nil || !sec.Valid {
		return "", enabled, err
	}
	secret, err = s.Keys.DecryptString(sec.String, crypt.AAD(TOTPColumn.AADPrefix, accountID))
	return secret, enabled, err
}

// totpStep returns the 30-second step code belongs to, accepting one step
// of clock drift either way, on the service's clock.
func (s *Service) totpStep(code, secret string) (int64, bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	now := s.now()
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		at := now.Add(d)
		ok, err := totp.ValidateCustom(code, secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

// spendStep records step as used; false when it (or a later one) was
// already used, so each code works once.
func spendStep(ctx context.Context, tx *store.Tx, accountID, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, accountID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
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
	step, ok := s.totpStep(strings.TrimSpace(code), secret)
	if enabled || !ok {
		return nil, badCode()
	}
	codes := make([]string, 10)
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET totp_enabled = TRUE, totp_last_step = $1, version = version + 1 WHERE id = $2",
			step, a.AccountID); err != nil {
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
	step, ok := s.totpStep(code, secret)
	ok, how := ok && enabled, "totp"
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if ok {
			var err error
			if ok, err = spendStep(ctx, tx, a.AccountID, step); err != nil {
				return err
			}
		}
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
