package staff

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// institution reports whether organisations of kind employ staff; regions
// and municipalities are authorities, not places of work in this registry.
func institution(kind string) bool {
	switch kind {
	case "school", "preschool", "out_of_school", "college":
		return true
	}
	return false
}

// Hire validates n and inserts the employment inside tx. The same person in
// the same position at the same organisation overlapping in time is refused
// naming the existing employment; other employments (part-time at two
// schools, a director who also teaches) are allowed. Access is the caller's.
func (s *Service) Hire(ctx context.Context, tx *store.Tx, n NewEmployment) (Employment, error) {
	var v errs.Validation
	if err := s.checkNew(ctx, &n, &v); err != nil {
		return Employment{}, err
	}
	if err := v.Err(); err != nil {
		return Employment{}, err
	}
	return s.hire(ctx, tx, n)
}

// hire is Hire after checkNew.
func (s *Service) hire(ctx context.Context, tx *store.Tx, n NewEmployment) (Employment, error) {
	var v errs.Validation
	// The person's row is locked first, so two hires of one person are
	// serialised and the overlap check below stays true until commit.
	p, err := loadPerson(ctx, tx, n.PersonID, tx.Engine.ForUpdate())
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		v.Add("person_id", "exists", "no such person")
	case err != nil:
		return Employment{}, err
	case p.MergedInto != 0:
		v.Add("person_id", "merged", fmt.Sprintf("the record was merged into person %d; use that one", p.MergedInto))
	default:
		if born, err := time.Parse(dateLayout, p.BirthDate); err == nil && n.StartsOn < born.AddDate(minWorkAge, 0, 0).Format(dateLayout) {
			v.Add("starts_on", "age", "before the person's 14th birthday")
		}
	}
	var kind, status string
	err = tx.QueryRowContext(ctx, "SELECT kind, status FROM organisations WHERE id = $1", n.OrgID).Scan(&kind, &status)
	switch {
	case store.IsNoRows(err):
		v.Add("org_id", "exists", "no such organisation")
	case err != nil:
		return Employment{}, err
	case !institution(kind):
		v.Add("org_id", "kind", "staff are employed by schools, preschools, out-of-school organisations and colleges")
	case status == "liquidated":
		v.Add("org_id", "status", "the organisation is liquidated")
	}
	if err := v.Err(); err != nil {
		return Employment{}, err
	}
	end := n.EndsOn
	if end == "" {
		end = "9999-12-31"
	}
	var other int64
	var otherStart string
	err = tx.QueryRowContext(ctx, `SELECT id, starts_on FROM employments WHERE person_id = $1 AND org_id = $2 AND position = $3
		AND starts_on <= $4 AND (ends_on IS NULL OR ends_on >= $5) ORDER BY starts_on LIMIT 1`,
		n.PersonID, n.OrgID, n.Position, end, n.StartsOn).Scan(&other, &otherStart)
	switch {
	case err == nil:
		return Employment{}, errs.Field(errs.Conflict, "position", "overlap",
			fmt.Sprintf("already employed as %s here from %s: employment %d (/api/v1/employments/%d)", n.Position, otherStart, other, other))
	case !store.IsNoRows(err):
		return Employment{}, err
	}
	now := s.now()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO employments (person_id, org_id, position, rate, starts_on, ends_on, basis, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id`,
		n.PersonID, n.OrgID, n.Position, string(n.Rate), n.StartsOn, nullable(n.EndsOn), n.Basis, now).Scan(&id); err != nil {
		return Employment{}, err
	}
	e, err := s.employment(ctx, tx, id, "")
	if err != nil {
		return e, err
	}
	return e, s.record(ctx, tx, entityEmployment, e.ID, e.OrgID, store.OpCreate,
		map[string]any{"version": e.Version, "person_id": e.PersonID, "position": e.Position})
}

// EndEmployment sets the last day of employment id, inside tx. expected is
// the version the change is based on (0: any). An end may be brought
// forward but not pushed back: a later date needs a new employment.
func (s *Service) EndEmployment(ctx context.Context, tx *store.Tx, id, expected int64, in End) (before, after Employment, err error) {
	var version int64
	if err := tx.QueryRowContext(ctx, "SELECT version FROM employments WHERE id = $1"+tx.Engine.ForUpdate(), id).Scan(&version); err != nil {
		if store.IsNoRows(err) {
			return before, after, errs.E(errs.NotFound, "employment %d not found", id)
		}
		return before, after, err
	}
	if before, err = s.employment(ctx, tx, id, ""); err != nil {
		return before, after, err
	}
	if expected != 0 && before.Version != expected {
		return before, after, errs.E(errs.Precondition, "the employment was changed by someone else; read it again and reapply your change")
	}
	var v errs.Validation
	in.EndsOn = strings.TrimSpace(in.EndsOn)
	endDate, ok := date(&v, "ends_on", in.EndsOn, true)
	text(&v, "basis", &in.Basis, maxBasis, false)
	switch {
	case !ok:
	case in.EndsOn < before.StartsOn:
		v.Add("ends_on", "order", "the end cannot be before the start ("+before.StartsOn+")")
	case endDate.After(s.now().Add(hireAhead)):
		v.Add("ends_on", "future", "at most a year ahead")
	case before.EndsOn != "" && in.EndsOn > before.EndsOn:
		v.Add("ends_on", "ended", "the employment already ends on "+before.EndsOn+"; a later date needs a new employment")
	}
	if err := v.Err(); err != nil {
		return before, after, err
	}
	if in.EndsOn == before.EndsOn && in.Basis == before.EndBasis {
		return before, before, nil
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE employments SET ends_on = $1, end_basis = $2, version = version + 1, updated_at = $3
		WHERE id = $4 AND version = $5`, in.EndsOn, in.Basis, now, id, before.Version)
	if err != nil {
		return before, after, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return before, after, errs.E(errs.Precondition, "the employment was changed by someone else; read it again and reapply your change")
	}
	if after, err = s.employment(ctx, tx, id, ""); err != nil {
		return before, after, err
	}
	return before, after, s.record(ctx, tx, entityEmployment, id, after.OrgID, store.OpUpdate,
		map[string]any{"version": after.Version, "person_id": after.PersonID, "ends_on": after.EndsOn})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
