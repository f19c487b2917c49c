package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service is accounts, login and sessions.
type Service struct {
	DB     *store.DB
	Audit  *audit.Log
	Hasher *Hasher
	Keys   *crypt.Keyring // seals TOTP secrets
	Now    func() time.Time

	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after login, used or not
	MaxFailures     int           // failed logins per account or address before a lockout
	FailureWindow   time.Duration // counting window for failures
	Lockout         time.Duration // how long a lockout lasts
	TokenLifetime   time.Duration // API tokens
	CodeLifetime    time.Duration // one-time activation and reset codes

	// ManagedByGuardian, when set, reports whether an account's holder is a
	// child whose guardian sets the password (under 14, seed 004): such an
	// account is not activated, nor its password changed, by its holder.
	ManagedByGuardian func(ctx context.Context, accountID int64) (bool, error)
	// Counts are read with every browser session (set up before serving).
	Counts []SessionCount

	common  map[string]bool
	dummy   string // a hash to verify against for unknown logins, so timing matches
	dummyMu sync.Mutex
}

// NewService returns the service with production settings.
func NewService(db *store.DB, log *audit.Log, keys *crypt.Keyring) *Service {
	return &Service{DB: db, Audit: log, Keys: keys, Hasher: NewHasher(DefaultArgon2(), 2*runtime.NumCPU()), Now: time.Now,
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute,
		Lockout: 15 * time.Minute, TokenLifetime: 90 * 24 * time.Hour, CodeLifetime: 72 * time.Hour,
		common: CommonPasswords()}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Account is what the UI and API show of an account.
type Account struct {
	ID       int64            `json:"id"`
	Login    string           `json:"login"`
	PersonID *int64           `json:"person_id,omitempty"`
	Disabled bool             `json:"disabled"`
	Grants   []identity.Grant `json:"grants"`
	Version  int64            `json:"version"`
}

// NormaliseLogin lower-cases and trims; the error names the rule.
func NormaliseLogin(login string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(login))
	var v errs.Validation
	switch {
	case l == "":
		v.Add("login", "required", "enter a login")
	case utf8.RuneCountInString(l) > 64:
		v.Add("login", "max_length", "at most 64 characters")
	default:
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '@') {
				v.Add("login", "format", "use Latin letters, digits and . - _ @")
				break
			}
		}
	}
	return l, v.Err()
}

// randomToken returns n random bytes as URL-safe text.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is how random secrets are stored: their SHA-256.
func digest(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Grants loads the current grants of an account: read on every request, so
// a revocation applies to the very next one.
func (s *Service) Grants(ctx context.Context, q store.Querier, accountID int64) ([]identity.Grant, error) {
	rows, err := q.QueryContext(ctx, "SELECT role, org_id FROM account_grants WHERE account_id = $1 ORDER BY role, org_id", accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []identity.Grant{}
	for rows.Next() {
		var g identity.Grant
		if err := rows.Scan(&g.Role, &g.OrgID); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Get returns one account with its grants.
func (s *Service) Get(ctx context.Context, id int64) (Account, error) {
	var a Account
	var person sql.NullInt64
	var disabled sql.NullTime
	err := s.DB.Read().QueryRowContext(ctx, "SELECT id, login, person_id, disabled_at, version FROM accounts WHERE id = $1", id).
		Scan(&a.ID, &a.Login, &person, &disabled, &a.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return a, err
	}
	if person.Valid {
		a.PersonID = &person.Int64
	}
	a.Disabled = disabled.Valid
	a.Grants, err = s.Grants(ctx, s.DB.Read(), id)
	return a, err
}
