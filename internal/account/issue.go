package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"strconv"
	"strings"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Issued is an account made for a person by someone else (a class teacher
// issuing logins), with its one-time activation code in clear: the code
// exists in clear only in the answer to the request that made it.
type Issued struct {
	AccountID int64
	Login     string
	Code      string
}

// IssueTx creates an account that belongs to a person, with one grant and an
// activation code valid for lifetime, inside the caller's transaction (which
// the caller audits as a whole as well). Authorisation is the caller's. A
// person who already has an account is a conflict: the unique index on
// accounts.person_id is the last word when two issuers race.
func (s *Service) IssueTx(ctx context.Context, tx *store.Tx, login string, personID int64, g identity.Grant, lifetime time.Duration) (Issued, error) {
	norm, err := NormaliseLogin(login)
	if err != nil {
		return Issued{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO accounts (login, person_id, created_at) VALUES ($1, $2, $3) RETURNING id",
		norm, personID, s.now()).Scan(&id); err != nil {
		if store.IsUniqueViolation(err) {
			return Issued{}, errs.E(errs.Conflict, "the login or the person's account appeared meanwhile; try again")
		}
		return Issued{}, err
	}
	if err := s.grant(ctx, tx, id, g); err != nil {
		return Issued{}, err
	}
	code, err := s.newCodeFor(ctx, tx, id, "activation", lifetime)
	if err != nil {
		return Issued{}, err
	}
	org := g.OrgID
	if err := tx.Record(ctx, store.Change{At: s.now(), Entity: Resource, EntityID: strconv.FormatInt(id, 10), Op: store.OpCreate,
		OrgID: &org, Actor: identity.From(ctx).Login}); err != nil {
		return Issued{}, err
	}
	return Issued{AccountID: id, Login: norm, Code: code}, s.Audit.Append(ctx, tx, audit.Entry{Action: audit.AccountCreate, Outcome: audit.Success,
		ObjectType: Resource, ObjectID: strconv.FormatInt(id, 10), OrgID: &org, PersonID: personID, Detail: norm})
}

// ReissueTx gives an account that has never been activated a new activation
// code and invalidates (expires) every code it still had, inside the
// caller's transaction. An account with a password is refused: its holder
// resets through the administration or the guardian.
func (s *Service) ReissueTx(ctx context.Context, tx *store.Tx, accountID int64, lifetime time.Duration) (string, error) {
	var hash sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT password_hash FROM accounts WHERE id = $1"+tx.Engine.ForUpdate(), accountID).Scan(&hash)
	if store.IsNoRows(err) {
		return "", errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return "", err
	}
	if hash.Valid {
		return "", errs.E(errs.Conflict, "the account is active already")
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, "UPDATE one_time_codes SET expires_at = $1 WHERE account_id = $2 AND used_at IS NULL AND expires_at > $1",
		now, accountID); err != nil {
		return "", err
	}
	code, err := s.newCodeFor(ctx, tx, accountID, "activation", lifetime)
	if err != nil {
		return "", err
	}
	return code, s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordReset, Outcome: audit.Success, ObjectType: Resource,
		ObjectID: strconv.FormatInt(accountID, 10), Detail: "activation code reissued"})
}

// newCodeFor is newCode for a code printed on a paper slip: it lives as
// long as the caller says (a slip travels home in a school bag) and is
// written to be typed by hand (slipCode).
func (s *Service) newCodeFor(ctx context.Context, tx *store.Tx, accountID int64, purpose string, lifetime time.Duration) (string, error) {
	if lifetime <= 0 {
		lifetime = s.CodeLifetime
	}
	code := slipCode()
	now := s.now()
	_, err := tx.ExecContext(ctx, "INSERT INTO one_time_codes (code_hash, account_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		digest(code), accountID, purpose, now, now.Add(lifetime))
	return code, err
}

// CodeHolder returns the account an activation code was issued for while
// the code has not expired, used or not: it proves that the caller holds
// the slip the code was printed on. 0 when there is no such code.
func (s *Service) CodeHolder(ctx context.Context, q store.Querier, code string) (int64, error) {
	if code = CanonicalCode(code); code == "" || len(code) > 64 {
		return 0, nil
	}
	var id int64
	var expires time.Time
	err := q.QueryRowContext(ctx, "SELECT account_id, expires_at FROM one_time_codes WHERE code_hash = $1 AND purpose = 'activation'", digest(code)).
		Scan(&id, &expires)
	if store.IsNoRows(err) || (err == nil && !s.now().Before(expires)) {
		return 0, nil
	}
	return id, err
}

// LiveCode reports whether code is an unused, unexpired activation code of
// accountID, and until when (the slips check the codes they print against
// the stored hash).
func (s *Service) LiveCode(ctx context.Context, q store.Querier, accountID int64, code string) (time.Time, bool, error) {
	var expires time.Time
	if code = CanonicalCode(code); code == "" || len(code) > 64 {
		return expires, false, nil
	}
	err := q.QueryRowContext(ctx, `SELECT expires_at FROM one_time_codes WHERE code_hash = $1 AND account_id = $2 AND purpose = 'activation'
		AND used_at IS NULL AND expires_at > $3`, digest(code), accountID, s.now()).Scan(&expires)
	if store.IsNoRows(err) {
		return expires, false, nil
	}
	return expires, err == nil, err
}

// SetPasswordFor sets the password of another account on its holder's
// behalf (a guardian for a child under 14), inside the caller's
// transaction: codes still open are spent, the account's sessions end.
// The caller has decided access and hashed the password (HashPassword)
// before opening its transaction.
func (s *Service) SetPasswordFor(ctx context.Context, tx *store.Tx, accountID int64, hash string) error {
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET password_hash = $1, version = version + 1 WHERE id = $2", hash, accountID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errs.E(errs.NotFound, "not found")
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, "UPDATE one_time_codes SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL", now, accountID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", accountID); err != nil {
		return err
	}
	return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.PasswordChange, Outcome: audit.Success, ObjectType: Resource,
		ObjectID: strconv.FormatInt(accountID, 10), Detail: "set by guardian"})
}

// HashPassword checks a new password against the rules and hashes it, so a
// caller can hash before its write transaction.
func (s *Service) HashPassword(ctx context.Context, field, password string) (string, error) {
	if err := CheckPassword(field, password, s.common); err != nil {
		return "", err
	}
	return s.Hasher.Hash(ctx, password)
}

// RenameTx changes an account's login inside the caller's transaction.
func (s *Service) RenameTx(ctx context.Context, tx *store.Tx, accountID int64, login string) (string, error) {
	norm, err := NormaliseLogin(login)
	if err != nil {
		return "", err
	}
	var old string
	if err := tx.QueryRowContext(ctx, "SELECT login FROM accounts WHERE id = $1"+tx.Engine.ForUpdate(), accountID).Scan(&old); err != nil {
		if store.IsNoRows(err) {
			return "", errs.E(errs.NotFound, "not found")
		}
		return "", err
	}
	if old == norm {
		return norm, nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET login = $1, version = version + 1 WHERE id = $2", norm, accountID); err != nil {
		if store.IsUniqueViolation(err) {
			return "", errs.Field(errs.Conflict, "login", "unique", "this login is taken")
		}
		return "", err
	}
	return norm, s.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: Resource,
		ObjectID: strconv.FormatInt(accountID, 10), Changes: []audit.FieldChange{{Field: "login", Old: old, New: norm}}})
}

// managed reports whether the account's holder may not set its own
// password (a child under 14, whose guardian does it).
func (s *Service) managed(ctx context.Context, accountID int64) (bool, error) {
	if s.ManagedByGuardian == nil {
		return false, nil
	}
	return s.ManagedByGuardian(ctx, accountID)
}

func errManaged(field string) error {
	return &errs.Error{Code: errs.Forbidden, Message: "a guardian sets the password of a child under 14",
		Fields: []errs.FieldError{{Field: field, Rule: "guardian_managed", Message: "until you are 14 your parent sets your password on the My children page"}}}
}

// slipAlphabet is Crockford's base32: no i, l, o or u, so nothing on paper
// is read two ways.
const slipAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// slipCode is 100 random bits as five groups of four characters
// ("7k2m-…"): short enough to type from paper, far beyond guessing, and
// stored as its SHA-256 like every other code.
func slipCode() string {
	b := make([]byte, 13)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	s := base32.NewEncoding(slipAlphabet).WithPadding(base32.NoPadding).EncodeToString(b)[:20]
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20]
}

// CanonicalCode is how a typed code is looked up: a slip code however it
// was typed (capitals, spaces, without its hyphens, O for 0, I or L for 1)
// becomes its printed form; any other code (the 22-character ones an
// administrator hands out) stays exactly as it is.
func CanonicalCode(code string) string {
	code = strings.TrimSpace(code)
	s := strings.ToLower(strings.ReplaceAll(code, " ", ""))
	if len(s) == 24 && s[4] == '-' && s[9] == '-' && s[14] == '-' && s[19] == '-' {
		s = strings.ReplaceAll(s, "-", "")
	}
	if len(s) != 20 {
		return code
	}
	b := []byte(s)
	for i, c := range b {
		switch c {
		case 'o':
			b[i] = '0'
		case 'i', 'l':
			b[i] = '1'
		}
		if !strings.ContainsRune(slipAlphabet, rune(b[i])) {
			return code
		}
	}
	s = string(b)
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20]
}
