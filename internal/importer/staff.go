package importer

import (
	"context"

	"shkola/internal/errs"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/store"
)

// staffJob registers staff (found or created) and their employment at the
// organisation, through the staff domain's hire inside the transaction.
type staffJob struct {
	s   *Service
	org int64
}

var employmentFields = map[string]string{"person_id": "last_name", "org_id": "position"}

func (j *staffJob) chunk(ctx context.Context, q store.Querier, tx *store.Tx, rows []row) ([]outcome, error) {
	out := make([]outcome, len(rows))
	for i, r := range rows {
		created := false
		bad, err := savepoint(ctx, tx, func() (bool, []CellError, error) {
			var err error
			created, err = j.one(ctx, tx, r)
			var bad []CellError
			if err != nil && errs.CodeOf(err) != errs.Internal {
				bad, err = errorCells(r.line, err, "", employmentFields, "last_name"), nil
			}
			return created, bad, err
		})
		if err != nil {
			return nil, err
		}
		out[i] = outcome{line: r.line, errs: bad, created: created && len(bad) == 0}
	}
	return out, nil
}

// one imports a row; a broken rule comes back as an errs.Error whose fields
// are the domains' (mapped to columns by the caller).
func (j *staffJob) one(ctx context.Context, tx *store.Tx, r row) (bool, error) {
	trusted := registry.Trusted{P: j.s.People}
	n := personFrom(r, "", j.org)
	n.RegAddress, n.FactAddress = "", ""
	if fe := trusted.Validate(&n); len(fe) > 0 {
		return false, &errs.Error{Code: errs.Invalid, Message: "validation failed", Fields: fe}
	}
	ms, err := trusted.FindExisting(ctx, tx, []*registry.NewPerson{&n})
	if err != nil {
		return false, err
	}
	if bad := matchErrors(r.line, "", &n, ms[0]); len(bad) > 0 {
		fe := make([]errs.FieldError, len(bad))
		for i, b := range bad {
			fe[i] = errs.FieldError{Field: b.Column, Rule: b.Rule, Message: b.Message}
		}
		return false, &errs.Error{Code: errs.Conflict, Message: bad[0].Message, Fields: fe}
	}
	created := ms[0] == nil
	var personID int64
	if created {
		ids, err := trusted.InsertNew(ctx, tx, []registry.NewPerson{n})
		if err != nil {
			return false, err
		}
		personID = ids[0]
	} else {
		personID = ms[0].ID
	}
	_, err = j.s.Staff.Hire(ctx, tx, staff.NewEmployment{PersonID: personID, OrgID: j.org, Position: r.get("position"),
		Rate: staff.Rate(r.get("rate")), StartsOn: r.get("starts_on"), EndsOn: r.get("ends_on"), Basis: r.get("basis")})
	var e *errs.Error
	if !created && asErr(err, &e) && len(e.Fields) == 1 && e.Fields[0].Field == "position" && e.Fields[0].Rule == "overlap" {
		// Employed here in this position already: left as it is.
		return false, nil
	}
	return err == nil, err
}
