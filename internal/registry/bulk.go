package registry

import (
	"context"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Trusted is the registry for callers that have already decided access for
// a whole batch (the demo generator, an import checked once against the
// caller's scope): the same validation and writes, no per-row policy calls.
type Trusted struct{ P *People }

// Validate checks one person as Create would, returning the field errors.
func (t Trusted) Validate(n *NewPerson) []errs.FieldError {
	var v errs.Validation
	t.P.validate(n, &v)
	return v.Fields
}

// Insert writes a person (validated by the caller with Validate) inside tx.
func (t Trusted) Insert(ctx context.Context, tx *store.Tx, n NewPerson) (int64, error) {
	return t.P.insert(ctx, tx, n)
}

// Link writes a guardian link inside tx without the checks of People.Link
// beyond those of the schema.
func (t Trusted) Link(ctx context.Context, tx *store.Tx, childID, guardianID int64, kind, startsOn string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, 'system')`, childID, guardianID, kind, startsOn, t.P.now())
	return err
}
