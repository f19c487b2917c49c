package contingent

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/org"
	"shkola/internal/store"
)

// pupil is what the rules need to know about a person, read inside the
// writing transaction with the person's row locked, so two movements of one
// pupil never decide on the same stale state.
type pupil struct {
	ID        int64
	OrgID     int64
	BirthDate string
	Merged    bool
	enr       *current      // the primary enrolment that has not ended
	last      string        // date of the latest movement, "" when none
	former    bool          // had an enrolment that has ended
	open      *openTransfer // a departure not yet followed by an arrival
}

type current struct {
	ID       int64
	OrgID    int64
	OrgName  string
	ClassID  int64 // 0: none
	Status   string
	StartsOn string
}

type openTransfer struct {
	ID         int64
	FromOrg    int64
	ToOrg      int64 // 0: destination unknown
	ToName     string
	Status     string
	DepartedOn string
}

func loadPupil(ctx context.Context, tx *store.Tx, id int64) (*pupil, error) {
	p := &pupil{}
	var merged sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT id, org_id, birth_date, merged_into FROM persons WHERE id = $1"+tx.Engine.ForUpdate(), id).
		Scan(&p.ID, &p.OrgID, &p.BirthDate, &merged)
	if store.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	p.Merged = merged.Valid
	var c current
	var class sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT e.id, e.org_id, o.name, e.class_id, e.status, e.starts_on FROM enrolments e
		JOIN organisations o ON o.id = e.org_id WHERE e.person_id = $1 AND e.kind = 'primary' AND e.status <> 'ended'`, id).
		Scan(&c.ID, &c.OrgID, &c.OrgName, &class, &c.Status, &c.StartsOn)
	switch {
	case err == nil:
		c.ClassID = class.Int64
		p.enr = &c
	case !store.IsNoRows(err):
		return nil, err
	}
	var last sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT MAX(on_date) FROM movements WHERE person_id = $1", id).Scan(&last); err != nil {
		return nil, err
	}
	p.last = last.String
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM enrolments WHERE person_id = $1 AND status = 'ended'", id).Scan(&n); err != nil {
		return nil, err
	}
	p.former = n > 0
	var t openTransfer
	var to sql.NullInt64
	var toName sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT t.id, t.from_org_id, t.to_org_id, o.name, t.status, t.departed_on FROM transfers t
		LEFT JOIN organisations o ON o.id = t.to_org_id
		WHERE t.person_id = $1 AND t.status IN ('pending', 'declined') ORDER BY t.id DESC LIMIT 1`, id).
		Scan(&t.ID, &t.FromOrg, &to, &toName, &t.Status, &t.DepartedOn)
	switch {
	case err == nil:
		t.ToOrg, t.ToName = to.Int64, toName.String
		p.open = &t
	case !store.IsNoRows(err):
		return nil, err
	}
	return p, nil
}

// checkDates applies the rules every movement's date obeys beyond its
// format: not before the pupil was born, not before the previous movement.
func (p *pupil) checkDates(date string) error {
	if p.Merged {
		return errs.Field(errs.Conflict, "person_id", "merged", "the record was merged into another; record movements on the surviving one")
	}
	if date < p.BirthDate {
		return ruleError(errs.Invalid, "date", "before_birth", "the date is before the pupil's birth ("+p.BirthDate+")", map[string]string{"Date": p.BirthDate})
	}
	if date < p.last {
		return ruleError(errs.Invalid, "date", "before_previous", "the date is before the pupil's previous movement ("+p.last+")", map[string]string{"Date": p.last})
	}
	return nil
}

type orgRow struct {
	ID     int64
	Name   string
	Kind   org.Kind
	Status org.Status
}

func loadOrg(ctx context.Context, q store.Querier, id int64) (orgRow, bool, error) {
	var o orgRow
	err := q.QueryRowContext(ctx, "SELECT id, name, kind, status FROM organisations WHERE id = $1", id).Scan(&o.ID, &o.Name, &o.Kind, &o.Status)
	if store.IsNoRows(err) {
		return o, false, nil
	}
	return o, err == nil, err
}

// educational: pupils are enrolled at these kinds, not at authorities.
func educational(k org.Kind) bool {
	switch k {
	case org.School, org.Preschool, org.OutOfSchool, org.College:
		return true
	}
	return false
}

// receivingOrg checks an organisation a pupil is enrolled at: it exists,
// teaches, and is active.
func receivingOrg(ctx context.Context, q store.Querier, field string, id int64) (orgRow, error) {
	o, ok, err := loadOrg(ctx, q, id)
	switch {
	case err != nil:
		return o, err
	case !ok:
		return o, errs.Field(errs.Invalid, field, "exists", "no such organisation")
	case !educational(o.Kind):
		return o, errs.Field(errs.Invalid, field, "kind", "pupils are enrolled at schools, preschools, colleges and out-of-school organisations, not at "+string(o.Kind))
	case o.Status != org.Active:
		return o, errs.Field(errs.Invalid, field, "status", "the organisation is "+string(o.Status))
	}
	return o, nil
}

// sameRegion reports whether two organisations lie under one region.
func sameRegion(ctx context.Context, q store.Querier, a, b int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM org_tree ta JOIN org_tree tb ON tb.ancestor_id = ta.ancestor_id
		JOIN organisations r ON r.id = ta.ancestor_id WHERE ta.descendant_id = $1 AND tb.descendant_id = $2 AND r.kind = 'region'`, a, b).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// joinableClass checks the class a pupil joins: an active class of orgID
// with a free place.
func joinableClass(ctx context.Context, tx *store.Tx, classID, orgID int64) (classes.Group, error) {
	return joinable(ctx, tx, classID, orgID, 0)
}

// joinable is joinableClass on any querier, with adding pupils about to
// join before this one (an import checks a class for a whole file).
func joinable(ctx context.Context, q store.Querier, classID, orgID int64, adding int) (classes.Group, error) {
	g, err := classes.Load(ctx, q, classID)
	if errs.CodeOf(err) == errs.NotFound {
		return g, errs.Field(errs.Invalid, "class_id", "exists", "no such class")
	}
	switch {
	case err != nil:
		return g, err
	case g.Kind != classes.Class:
		return g, errs.Field(errs.Invalid, "class_id", "kind", "a "+g.Kind+" is not a class; pupils are enrolled in classes")
	case g.OrgID != orgID:
		return g, errs.Field(errs.Invalid, "class_id", "organisation", "the class belongs to another organisation")
	case g.Status != "active":
		return g, errs.Field(errs.Invalid, "class_id", "active", "the class is "+g.Status)
	}
	if g.Capacity != nil {
		n, err := classes.CurrentSize(ctx, q, g.ID)
		if err != nil {
			return g, err
		}
		if n += adding; n >= *g.Capacity {
			return g, ruleError(errs.Conflict, "class_id", "capacity", fmt.Sprintf("the class is full (%d of %d places)", n, *g.Capacity),
				map[string]string{"Size": strconv.Itoa(n), "Capacity": strconv.Itoa(*g.Capacity)})
		}
	}
	return g, nil
}
