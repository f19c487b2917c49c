package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Bulk is many staff records written at once by a trusted caller that has
// decided access for the whole batch (the demo generator, an import checked
// once against the importer's scope): employments, the subjects each
// person may teach and qualifications, with the rules of Hire, SetSubjects
// and AddQualification, written in multi-row INSERTs (COPY on PostgreSQL)
// with a change record per row, in a handful of statements instead of
// several per row. No audit entry per row.
type Bulk struct {
	Employments    []NewEmployment
	Subjects       []PersonSubjects
	Qualifications []PersonQualification
}

// PersonSubjects sets the subjects a person may teach (as SetSubjects).
type PersonSubjects struct {
	PersonID int64
	Codes    []string
}

// PersonQualification adds one qualification to a person.
type PersonQualification struct {
	PersonID int64
	New      NewQualification
}

// WriteBulk validates and writes b inside tx. The first refused row stops
// it, named as employments[i].field (subjects[i], qualifications[i]).
// Employments are checked against each other and against the stored
// employments of their organisations for overlaps, in the batch's order.
func (s *Service) WriteBulk(ctx context.Context, tx *store.Tx, b Bulk) error {
	known := map[[2]string]bool{}
	isKnown := func(dir, code string) (bool, error) {
		k := [2]string{dir, code}
		if ok, seen := known[k]; seen {
			return ok, nil
		}
		ok, err := s.known(ctx, dir, code)
		known[k] = ok
		return ok, err
	}
	people, err := s.bulkPeople(ctx, tx, b)
	if err != nil {
		return err
	}
	if err := s.checkEmployments(ctx, tx, b.Employments, people, isKnown); err != nil {
		return err
	}
	subjects := make([][]string, len(b.Subjects))
	for i, ps := range b.Subjects {
		var v errs.Validation
		if len(ps.Codes) > maxSubjects {
			v.Add(fmt.Sprintf("subjects[%d]", i), "max_items", fmt.Sprintf("at most %d subjects", maxSubjects))
		}
		var want []string
		for j, c := range ps.Codes {
			c = normCode(c)
			ok, err := isKnown(SubjectDirectory, c)
			if err != nil {
				return err
			}
			if !ok {
				v.Add(fmt.Sprintf("subjects[%d].codes[%d]", i, j), "enum", "not a subject of the directory")
			}
			if !slices.Contains(want, c) {
				want = append(want, c)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		subjects[i] = sortSubjects(want)
	}
	for i := range b.Qualifications {
		var v errs.Validation
		s.checkQualification(&b.Qualifications[i].New, &v)
		if err := v.Err(); err != nil {
			return bulkRowError("qualifications", i, err)
		}
	}
	now := s.now()
	login := identity.From(ctx).Login
	var changes []store.Change
	change := func(entity string, id, orgID int64, op string, data map[string]any) {
		js, _ := json.Marshal(data)
		var org *int64
		if orgID != 0 {
			org = &orgID
		}
		changes = append(changes, store.Change{At: now, Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: org, Actor: login, Data: js})
	}
	if err := s.insertEmployments(ctx, tx, b.Employments, now, change); err != nil {
		return err
	}
	if err := s.insertSubjects(ctx, tx, b.Subjects, subjects, people, change); err != nil {
		return err
	}
	ids, err := tx.ReserveIDs(ctx, "qualifications", len(b.Qualifications))
	if err != nil {
		return err
	}
	if err := store.CopyRows(ctx, tx, "qualifications", []string{"id", "person_id", "kind", "title", "issuer", "issued_on", "valid_until", "document",
		"created_at"}, len(b.Qualifications), func(i int, a []any) error {
		q := &b.Qualifications[i]
		a[0], a[1], a[2], a[3], a[4] = ids[i], q.PersonID, q.New.Kind, q.New.Title, q.New.Issuer
		a[5], a[6], a[7], a[8] = nullable(q.New.IssuedOn), nullable(q.New.ValidUntil), q.New.Document, now
		return nil
	}); err != nil {
		return err
	}
	for i, q := range b.Qualifications {
		change(entityQualification, ids[i], people[q.PersonID].OrgID, store.OpCreate, map[string]any{"person_id": q.PersonID, "kind": q.New.Kind})
	}
	return tx.RecordBatch(ctx, changes)
}

// bulkPeople loads every person the batch names; one missing is refused.
func (s *Service) bulkPeople(ctx context.Context, tx *store.Tx, b Bulk) (map[int64]person, error) {
	var ids []int64
	seen := map[int64]bool{}
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range b.Employments {
		add(e.PersonID)
	}
	for _, ps := range b.Subjects {
		add(ps.PersonID)
	}
	for _, q := range b.Qualifications {
		add(q.PersonID)
	}
	out := map[int64]person{}
	if len(ids) == 0 {
		return out, nil
	}
	var args []any
	rows, err := tx.QueryContext(ctx, `SELECT id, org_id, last_name, first_name, middle_name, birth_date, COALESCE(merged_into, 0) FROM persons WHERE `+
		tx.Engine.InIDs("id", &args, ids), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.ID, &p.OrgID, &p.LastName, &p.FirstName, &p.MiddleName, &p.BirthDate, &p.MergedInto); err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, errs.Field(errs.Invalid, "person_id", "exists", fmt.Sprintf("no such person %d", id))
		}
	}
	return out, nil
}

// checkEmployments applies Hire's rules to each employment of a batch.
func (s *Service) checkEmployments(ctx context.Context, tx *store.Tx, es []NewEmployment, people map[int64]person,
	isKnown func(dir, code string) (bool, error)) error {
	type span struct {
		person     int64
		position   string
		from, to   string
		id         int64 // 0: of this batch
		startsText string
	}
	held := map[int64][]span{} // by organisation: stored and earlier in the batch
	orgs := map[int64]bool{}
	for i := range es {
		n := &es[i]
		var v errs.Validation
		if err := s.checkNewWith(n, &v, isKnown); err != nil {
			return err
		}
		p := people[n.PersonID]
		if p.MergedInto != 0 {
			v.Add("person_id", "merged", fmt.Sprintf("the record was merged into person %d; use that one", p.MergedInto))
		} else if born, err := time.Parse(dateLayout, p.BirthDate); err == nil && n.StartsOn < born.AddDate(minWorkAge, 0, 0).Format(dateLayout) {
			v.Add("starts_on", "age", "before the person's 14th birthday")
		}
		if err := v.Err(); err != nil {
			return bulkRowError("employments", i, err)
		}
		if !orgs[n.OrgID] {
			orgs[n.OrgID] = true
			var kind, status string
			err := tx.QueryRowContext(ctx, "SELECT kind, status FROM organisations WHERE id = $1", n.OrgID).Scan(&kind, &status)
			switch {
			case store.IsNoRows(err):
				v.Add("org_id", "exists", "no such organisation")
			case err != nil:
				return err
			case !institution(kind):
				v.Add("org_id", "kind", "staff are employed by schools, preschools, out-of-school organisations and colleges")
			case status == "liquidated":
				v.Add("org_id", "status", "the organisation is liquidated")
			}
			if err := v.Err(); err != nil {
				return bulkRowError("employments", i, err)
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, person_id, position, starts_on, COALESCE(ends_on, '9999-12-31') FROM employments
				WHERE org_id = $1 ORDER BY starts_on, id`, n.OrgID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var sp span
				if err := rows.Scan(&sp.id, &sp.person, &sp.position, &sp.from, &sp.to); err != nil {
					_ = rows.Close() // the error returned below is the one to report
					return err
				}
				sp.startsText = sp.from
				held[n.OrgID] = append(held[n.OrgID], sp)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		end := n.EndsOn
		if end == "" {
			end = "9999-12-31"
		}
		for _, sp := range held[n.OrgID] {
			if sp.person == n.PersonID && sp.position == n.Position && sp.from <= end && sp.to >= n.StartsOn {
				what := "earlier in this batch"
				if sp.id != 0 {
					what = fmt.Sprintf("employment %d (/api/v1/employments/%d)", sp.id, sp.id)
				}
				return bulkRowError("employments", i, errs.Field(errs.Conflict, "position", "overlap",
					fmt.Sprintf("already employed as %s here from %s: %s", n.Position, sp.startsText, what)))
			}
		}
		held[n.OrgID] = append(held[n.OrgID], span{person: n.PersonID, position: n.Position, from: n.StartsOn, to: end, startsText: n.StartsOn})
	}
	return nil
}

func (s *Service) insertEmployments(ctx context.Context, tx *store.Tx, es []NewEmployment, now time.Time,
	change func(entity string, id, orgID int64, op string, data map[string]any)) error {
	ids, err := tx.ReserveIDs(ctx, "employments", len(es))
	if err != nil {
		return err
	}
	if err := store.CopyRows(ctx, tx, "employments", []string{"id", "person_id", "org_id", "position", "rate", "starts_on", "ends_on", "basis", "version",
		"created_at", "updated_at"}, len(es), func(i int, a []any) error {
		n := &es[i]
		a[0], a[1], a[2], a[3], a[4], a[5] = ids[i], n.PersonID, n.OrgID, n.Position, string(n.Rate), n.StartsOn
		a[6], a[7], a[8], a[9], a[10] = nullable(n.EndsOn), n.Basis, 1, now, now
		return nil
	}); err != nil {
		return err
	}
	for i, n := range es {
		change(entityEmployment, ids[i], n.OrgID, store.OpCreate, map[string]any{"version": 1, "person_id": n.PersonID, "position": n.Position})
	}
	return nil
}

// insertSubjects replaces the subjects of each person of the batch.
func (s *Service) insertSubjects(ctx context.Context, tx *store.Tx, ps []PersonSubjects, codes [][]string, people map[int64]person,
	change func(entity string, id, orgID int64, op string, data map[string]any)) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.PersonID
	}
	var args []any
	if _, err := tx.ExecContext(ctx, "DELETE FROM staff_subjects WHERE "+tx.Engine.InIDs("person_id", &args, ids), args...); err != nil {
		return err
	}
	type row struct {
		person int64
		code   string
	}
	var rows []row
	last := map[int64]int{} // a person listed twice gets the last list
	for i, p := range ps {
		last[p.PersonID] = i
	}
	for i, p := range ps {
		if last[p.PersonID] != i {
			continue
		}
		for _, c := range codes[i] {
			rows = append(rows, row{p.PersonID, c})
		}
		change(entitySubjects, p.PersonID, people[p.PersonID].OrgID, store.OpUpdate, map[string]any{"person_id": p.PersonID})
	}
	return store.CopyRows(ctx, tx, "staff_subjects", []string{"person_id", "subject"}, len(rows), func(i int, a []any) error {
		a[0], a[1] = rows[i].person, rows[i].code
		return nil
	})
}

// bulkRowError names the row of a bulk write in the fields of err.
func bulkRowError(list string, i int, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s[%d]: %w", list, i, err)
	}
	out := &errs.Error{Code: e.Code, Message: fmt.Sprintf("%s[%d]: %s", list, i, e.Message), Err: e.Err}
	for _, f := range e.Fields {
		f.Field = fmt.Sprintf("%s[%d].%s", list, i, f.Field)
		out.Fields = append(out.Fields, f)
	}
	return out
}
