package account

import (
	"context"
	"strconv"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// LinkPerson ties an account to the person it belongs to, inside the
// caller's transaction; from then on relationship rules (guardian of,
// teaches, self) hold for it. Authorisation is the caller's.
func (s *Service) LinkPerson(ctx context.Context, tx *store.Tx, accountID, personID int64) error {
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET person_id = $1, version = version + 1 WHERE id = $2 AND person_id IS NULL", personID, accountID)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return errs.Field(errs.Conflict, "person_id", "unique", "this person already has an account")
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errs.Field(errs.Conflict, "account_id", "linked", "the account already belongs to a person")
	}
	return s.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: "account",
		ObjectID: strconv.FormatInt(accountID, 10), PersonID: personID,
		Changes: []audit.FieldChange{{Field: "person_id", New: strconv.FormatInt(personID, 10)}}, Detail: identity.From(ctx).Login})
}

// AccountOf returns the id of a person's account, 0 when there is none.
func AccountOf(ctx context.Context, q store.Querier, personID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM accounts WHERE person_id = $1", personID).Scan(&id)
	if store.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}
