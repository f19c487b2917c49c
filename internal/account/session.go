package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Session is one login of an account in a browser.
type Session struct {
	PublicID  string    `json:"id"`
	AccountID int64     `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Addr      string    `json:"addr"`
	UserAgent string    `json:"user_agent"`
	Current   bool      `json:"current"`
	// Pending: the password was right but the second factor is still owed;
	// NeedsSetup: the account must first set TOTP up.
	Pending    bool `json:"-"`
	NeedsSetup bool `json:"-"`
	csrf       string
	counts     map[string]int64
}

// SessionCount is a number every page shows the signed-in account (the
// unread notifications beside the bell): a scalar subquery over the
// account's row (alias a), read in the session's own query so that it
// costs the page no round trip of its own.
type SessionCount struct {
	Name string
	SQL  string
}

// Count is the value of the session count named name, read with the
// session; false when no such count is set up.
func (s Session) Count(name string) (int64, bool) {
	n, ok := s.counts[name]
	return n, ok
}

// CSRFToken is the form token of this session: an HMAC of a per-session
// secret, so it is useless in any other session.
func (s Session) CSRFToken() string {
	m := hmac.New(sha256.New, []byte(s.csrf))
	m.Write([]byte("csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newSession stores a fresh session for account and returns its secret id
// (the cookie value, 128 random bits; only its hash is stored).
func (s *Service) newSession(ctx context.Context, tx *store.Tx, accountID int64, addr, ua string) (string, Session, error) {
	now := s.now()
	secret := randomToken(16)
	ses := Session{PublicID: randomToken(9), AccountID: accountID, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(s.AbsoluteTimeout), Addr: addr, UserAgent: truncate(ua, 300), csrf: randomToken(16)}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, public_id, account_id, created_at, last_seen_at, expires_at, addr, user_agent, csrf_secret)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`, digest(secret), ses.PublicID, accountID, now, ses.ExpiresAt, addr, ses.UserAgent, ses.csrf)
	return secret, ses, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Resolve turns a session cookie value into the session and its actor. An
// unknown, expired or idle session, or one of a disabled account, is not
// valid. The session, its account and the account's grants come in one
// query (a row per grant), still read on every request so that a revoked
// role applies at once. last_seen_at is written at most once a minute.
func (s *Service) Resolve(ctx context.Context, secret string) (Session, *identity.Actor, error) {
	var ses Session
	var login string
	var person sql.NullInt64
	var disabled sql.NullTime
	var factorOK, totpOn bool
	extra := ""
	counts := make([]int64, len(s.Counts))
	for _, c := range s.Counts {
		extra += ", " + c.SQL
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT se.public_id, se.account_id, se.created_at, se.last_seen_at, se.expires_at, se.addr, se.user_agent, se.csrf_secret,
			se.second_factor_ok, a.login, a.person_id, a.disabled_at, a.totp_enabled, g.role, g.org_id`+extra+`
		FROM sessions se JOIN accounts a ON a.id = se.account_id LEFT JOIN account_grants g ON g.account_id = a.id
		WHERE se.id_hash = $1 ORDER BY g.role, g.org_id`, digest(secret))
	if err != nil {
		return ses, nil, err
	}
	defer rows.Close()
	found := false
	grants := []identity.Grant{}
	for rows.Next() {
		var role sql.NullString
		var org sql.NullInt64
		dest := []any{&ses.PublicID, &ses.AccountID, &ses.CreatedAt, &ses.LastSeen, &ses.ExpiresAt, &ses.Addr, &ses.UserAgent, &ses.csrf,
			&factorOK, &login, &person, &disabled, &totpOn, &role, &org}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return ses, nil, err
		}
		found = true
		if role.Valid {
			grants = append(grants, identity.Grant{Role: identity.Role(role.String), OrgID: org.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return ses, nil, err
	}
	if !found {
		return ses, nil, errs.E(errs.Unauthorized, "session ended")
	}
	if len(counts) > 0 {
		ses.counts = make(map[string]int64, len(counts))
		for i, c := range s.Counts {
			ses.counts[c.Name] = counts[i]
		}
	}
	now := s.now()
	if disabled.Valid || !now.Before(ses.ExpiresAt) || now.Sub(ses.LastSeen) >= s.IdleTimeout {
		return ses, nil, errs.E(errs.Unauthorized, "session ended")
	}
	if now.Sub(ses.LastSeen) > time.Minute {
		if _, err := s.DB.W.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", now, digest(secret)); err != nil {
			return ses, nil, err
		}
	}
	if !factorOK && (totpOn || NeedsSecondFactor(grants)) {
		// No role acts until the second factor is given.
		ses.Pending, ses.NeedsSetup, grants = true, !totpOn, nil
	}
	a := &identity.Actor{AccountID: ses.AccountID, Login: login, Grants: grants, SessionID: ses.PublicID}
	if person.Valid {
		a.PersonID = person.Int64
	}
	return ses, a, nil
}

// Sessions lists the account's live sessions, newest first; current marks
// the caller's own.
func (s *Service) Sessions(ctx context.Context, accountID int64, current string) ([]Session, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT public_id, created_at, last_seen_at, expires_at, addr, user_agent
		FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at DESC`, accountID, s.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var se Session
		if err := rows.Scan(&se.PublicID, &se.CreatedAt, &se.LastSeen, &se.ExpiresAt, &se.Addr, &se.UserAgent); err != nil {
			return nil, err
		}
		if s.now().Sub(se.LastSeen) >= s.IdleTimeout {
			continue
		}
		se.Current = se.PublicID == current
		out = append(out, se)
	}
	return out, rows.Err()
}

// RevokeSession ends one of the caller's own sessions; another account's
// session id is "not found".
func (s *Service) RevokeSession(ctx context.Context, publicID string) error {
	a := identity.From(ctx)
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE public_id = $1 AND account_id = $2", publicID, a.AccountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errs.E(errs.NotFound, "not found")
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.SessionRevoke, Outcome: audit.Success, ObjectType: "session", ObjectID: publicID})
	})
}

// Logout ends the caller's session; everywhere ends all of the account's.
func (s *Service) Logout(ctx context.Context, everywhere bool) error {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return nil
	}
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		q, arg := "DELETE FROM sessions WHERE public_id = $1", any(a.SessionID)
		detail := "this session"
		if everywhere {
			q, arg, detail = "DELETE FROM sessions WHERE account_id = $1", any(a.AccountID), "everywhere"
		}
		if _, err := tx.ExecContext(ctx, q, arg); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.Logout, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(a.AccountID, 10), Detail: detail})
	})
}
