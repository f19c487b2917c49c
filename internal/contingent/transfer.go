package contingent

import (
	"context"
	"database/sql"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// transferRow is a transfer as the decisions on it need it.
type transferRow struct {
	ID         int64
	PersonID   int64
	FromOrg    int64
	ToOrg      int64 // 0: destination unknown
	Status     string
	DepartedOn string
}

// lockTransfer reads a transfer under a row lock, taking the pupil's lock
// first: movements lock the pupil and then the transfer, and one order for
// both keeps PostgreSQL from deadlocking an acceptance against an admission.
func lockTransfer(ctx context.Context, tx *store.Tx, id int64) (*transferRow, error) {
	t := &transferRow{}
	var person int64
	err := tx.QueryRowContext(ctx, "SELECT person_id FROM transfers WHERE id = $1", id).Scan(&person)
	if store.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT id FROM persons WHERE id = $1"+tx.Engine.ForUpdate(), person).Scan(&person); err != nil {
		return nil, err
	}
	var to sql.NullInt64
	err = tx.QueryRowContext(ctx, "SELECT id, person_id, from_org_id, to_org_id, status, departed_on FROM transfers WHERE id = $1"+tx.Engine.ForUpdate(), id).
		Scan(&t.ID, &t.PersonID, &t.FromOrg, &to, &t.Status, &t.DepartedOn)
	if store.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "not found")
	}
	t.ToOrg = to.Int64
	return t, err
}

// accept records the arrival that resolves a pending transfer.
func (s *Service) accept(ctx context.Context, tx *store.Tx, t *transferRow, in Accept, au author) (Movement, error) {
	if t.Status != Pending {
		return Movement{}, errs.Field(errs.Conflict, "status", "pending", "the transfer is "+t.Status+"; only a pending transfer is accepted")
	}
	p, err := loadPupil(ctx, tx, t.PersonID)
	if err != nil {
		return Movement{}, err
	}
	if err := p.checkDates(in.Date); err != nil {
		return Movement{}, err
	}
	if p.enr != nil {
		return Movement{}, ruleError(errs.Conflict, "status", "enrolled", "the pupil is enrolled at "+p.enr.OrgName+" since "+p.enr.StartsOn,
			map[string]string{"School": p.enr.OrgName, "Since": p.enr.StartsOn})
	}
	if _, err := receivingOrg(ctx, tx, "to_org_id", t.ToOrg); err != nil {
		return Movement{}, err
	}
	if p.open == nil || p.open.ID != t.ID {
		return Movement{}, errs.Field(errs.Conflict, "status", "pending", "the pupil has a later transfer; accept that one")
	}
	r := Request{Kind: KindArrival, Date: in.Date, BasisNumber: in.BasisNumber, BasisDate: in.BasisDate}
	id, err := s.enrol(ctx, tx, p, t.ToOrg, in.ClassID, in.FormOfStudy, KindArrival, r, au)
	if err != nil {
		return Movement{}, err
	}
	return movement(ctx, tx, id)
}

// decline marks a pending transfer declined by the school it was
// addressed to. It stays open: the origin still waits for an arrival.
func (s *Service) decline(ctx context.Context, tx *store.Tx, t *transferRow, in Decline, au author) error {
	if t.Status != Pending {
		return errs.Field(errs.Conflict, "status", "pending", "the transfer is "+t.Status+"; only a pending transfer is declined")
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE transfers SET status = 'declined', declined_org_id = to_org_id, declined_at = $1, declined_by = $2,
		decline_reason = $3 WHERE id = $4`, now, au.login, in.Reason, t.ID); err != nil {
		return err
	}
	return record(ctx, tx, "transfer", t.ID, store.OpUpdate, t.FromOrg, au, now, map[string]any{"status": Declined})
}
