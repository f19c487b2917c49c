package importer

import (
	"context"
	"strconv"

	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// classesJob creates classes in the organisation's academic years through
// the classes domain, inside the transaction.
type classesJob struct {
	s   *Service
	org int64
}

var classFields = map[string]string{"year_id": "year", "org_id": "year", "kind": "name", "parent_id": "name", "class_teacher_id": "name"}

func (j *classesJob) chunk(ctx context.Context, q store.Querier, tx *store.Tx, rows []row) ([]outcome, error) {
	out := make([]outcome, len(rows))
	for i, r := range rows {
		created := false
		bad, err := savepoint(ctx, tx, func() (bool, []CellError, error) {
			var err error
			created, err = j.one(ctx, tx, r)
			var bad []CellError
			if err != nil && errs.CodeOf(err) != errs.Internal {
				bad, err = errorCells(r.line, err, "", classFields, "name"), nil
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

func (j *classesJob) one(ctx context.Context, tx *store.Tx, r row) (bool, error) {
	var v errs.Validation
	n := classes.NewGroup{OrgID: j.org, Kind: classes.Class, Letter: r.get("letter"), Name: r.get("name"), Level: r.get("level")}
	number := func(col string) *int {
		s := r.get(col)
		if s == "" {
			return nil
		}
		x, err := strconv.Atoi(s)
		if err != nil {
			v.Add(col, "format", "a whole number")
			return nil
		}
		return &x
	}
	n.Parallel, n.Capacity = number("parallel"), number("capacity")
	year := r.get("year")
	query, arg := "SELECT id FROM academic_years WHERE org_id = $1 AND status = 'current' AND $2 = '' ORDER BY id DESC LIMIT 1", year
	if year != "" {
		query = "SELECT id FROM academic_years WHERE org_id = $1 AND name = $2"
	}
	err := tx.QueryRowContext(ctx, query, j.org, arg).Scan(&n.YearID)
	switch {
	case store.IsNoRows(err) && year == "":
		v.Add("year", "exists", "the organisation has no current academic year; name the year")
	case store.IsNoRows(err):
		v.Add("year", "exists", "the organisation has no academic year "+year)
	case err != nil:
		return false, err
	}
	if err := v.Err(); err != nil {
		return false, err
	}
	_, err = j.s.Classes.CreateTx(ctx, tx, n, nil)
	var e *errs.Error
	if asErr(err, &e) && len(e.Fields) == 1 && e.Fields[0].Field == "name" && e.Fields[0].Rule == "unique" {
		// The class exists in that year: left as it is.
		return false, nil
	}
	return err == nil, err
}
