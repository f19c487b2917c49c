package registry

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// GuardianOf holds when the actor's person is a current guardian of the
// target person. The link is the fact: it does not depend on the
// organisation of the guardian's grant.
func GuardianOf(ctx context.Context, q store.Querier, a *identity.Actor, _ identity.Grant, t access.Target) (bool, error) {
	if a.PersonID == 0 || t.PersonID == 0 {
		return false, nil
	}
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM guardianships WHERE guardian_id = $1 AND child_id = $2 AND ends_on IS NULL", a.PersonID, t.PersonID).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// GuardianOfSQL is GuardianOf for lists of people.
func GuardianOfSQL(a *identity.Actor, column string, args *store.Args) string {
	return "(" + column + " IN (SELECT child_id FROM guardianships WHERE guardian_id = " + args.Add(a.PersonID) + " AND ends_on IS NULL))"
}
