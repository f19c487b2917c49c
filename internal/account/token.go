package account

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// tokenPrefix makes tokens recognisable in logs and secret scanners.
const tokenPrefix = "shk_"

// IssueToken creates an API bearer token for an account; the value is shown
// once and stored only as its hash.
func (s *Service) IssueToken(ctx context.Context, accountID int64, name string) (string, error) {
	tok := tokenPrefix + randomToken(24)
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (token_hash, account_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
			digest(tok), accountID, truncate(name, 100), now, now.Add(s.TokenLifetime)); err != nil {
			return err
		}
		return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.APIClientChange, Outcome: audit.Success, ObjectType: "account",
			ObjectID: strconv.FormatInt(accountID, 10), Detail: "token issued: " + truncate(name, 100)})
	})
	return tok, err
}

// ResolveToken turns a bearer token into its actor.
func (s *Service) ResolveToken(ctx context.Context, tok string) (*identity.Actor, error) {
	if !strings.HasPrefix(tok, tokenPrefix) {
		return nil, errs.E(errs.Unauthorized, "invalid token")
	}
	var id int64
	var login string
	var person sql.NullInt64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT a.id, a.login, a.person_id FROM api_tokens t JOIN accounts a ON a.id = t.account_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled_at IS NULL`, digest(tok), s.now()).Scan(&id, &login, &person)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(errs.Unauthorized, "invalid token")
	}
	if err != nil {
		return nil, err
	}
	grants, err := s.Grants(ctx, s.DB.Read(), id)
	if err != nil {
		return nil, err
	}
	a := &identity.Actor{AccountID: id, Login: login, Grants: grants}
	if person.Valid {
		a.PersonID = person.Int64
	}
	return a, nil
}
