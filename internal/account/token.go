package account

import (
	"context"
	"database/sql"
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

// ResolveToken turns a bearer token into its actor: the token, its account
// and the account's grants in one query (a row per grant), read on every
// request so that a revocation applies to the next one.
func (s *Service) ResolveToken(ctx context.Context, tok string) (*identity.Actor, error) {
	if !strings.HasPrefix(tok, tokenPrefix) {
		return nil, errs.E(errs.Unauthorized, "invalid token")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT a.id, a.login, a.person_id, g.role, g.org_id
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id LEFT JOIN account_grants g ON g.account_id = a.id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND a.disabled_at IS NULL
		ORDER BY g.role, g.org_id`, digest(tok), s.now())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var a *identity.Actor
	for rows.Next() {
		var id int64
		var login string
		var person, org sql.NullInt64
		var role sql.NullString
		if err := rows.Scan(&id, &login, &person, &role, &org); err != nil {
			return nil, err
		}
		if a == nil {
			a = &identity.Actor{AccountID: id, Login: login, Grants: []identity.Grant{}, PersonID: person.Int64}
		}
		if role.Valid {
			a.Grants = append(a.Grants, identity.Grant{Role: identity.Role(role.String), OrgID: org.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errs.E(errs.Unauthorized, "invalid token")
	}
	return a, nil
}
