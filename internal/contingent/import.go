package contingent

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// An import admits many pupils at once. Its rows are checked here with the
// rules of every admission (CheckAdmission, CheckClass, CheckOrg), then
// pupils with no history in the contingent are written in bulk (AdmitNew)
// and the others one by one through AdmitBulk.

// CheckAdmission checks one admission of a pupil born on birth, as Record
// would before reading the database: the date (not in the future, not
// before the birth), the form of study and the order it is made by.
func (s *Service) CheckAdmission(a Admission, birth string) []errs.FieldError {
	r := Request{Kind: KindAdmission, Date: a.Date, OrgID: a.OrgID, ClassID: a.ClassID, FormOfStudy: a.FormOfStudy,
		BasisNumber: a.BasisNumber, BasisDate: a.BasisDate}
	if r.ClassID == 0 {
		r.ClassID = -1 // the class is the caller's to resolve and check
	}
	var v errs.Validation
	r.validate(&v, s.latestDate())
	out := v.Fields[:0:0]
	for _, f := range v.Fields {
		if f.Field != "class_id" && f.Field != "org_id" {
			out = append(out, f)
		}
	}
	if !v.Has("date") && len(birth) == 10 {
		p := pupil{BirthDate: birth}
		if err := p.checkDates(r.Date); err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				out = append(out, e.Fields...)
			}
		}
	}
	return out
}

// CheckOrg checks the organisation pupils are admitted to.
func CheckOrg(ctx context.Context, q store.Querier, orgID int64) error {
	_, err := receivingOrg(ctx, q, "org_id", orgID)
	return err
}

// CheckClass checks a class a pupil joins, adding pupils of the same import
// joining it first: a class of the organisation, active, with a place.
func CheckClass(ctx context.Context, q store.Querier, classID, orgID int64, adding int) error {
	_, err := joinable(ctx, q, classID, orgID, adding)
	return err
}

// State is what an import needs to know of an existing pupil.
type State struct {
	EnrolledAt   int64  // organisation of the current primary enrolment, 0: none
	EnrolledName string // its name
	Since        string
	History      bool // has any movement: admitted through the rules one by one
}

// States returns the contingent state of existing people, by id.
func States(ctx context.Context, q store.Querier, ids []int64) (map[int64]State, error) {
	out := map[int64]State{}
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = args.Add(id)
	}
	in := "(" + strings.Join(marks, ",") + ")"
	rows, err := q.QueryContext(ctx, `SELECT e.person_id, e.org_id, o.name, e.starts_on FROM enrolments e JOIN organisations o ON o.id = e.org_id
		WHERE e.kind = 'primary' AND e.status <> 'ended' AND e.person_id IN `+in, args.Values...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var st State
		if err := rows.Scan(&id, &st.EnrolledAt, &st.EnrolledName, &st.Since); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		st.History = true
		out[id] = st
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, "SELECT DISTINCT person_id FROM movements WHERE person_id IN "+in, args.Values...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		st := out[id]
		st.History = true
		out[id] = st
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// EnrolledElsewhere is the refusal of an admission of a pupil enrolled at
// another school, as Record words it.
func EnrolledElsewhere(st State) error {
	return ruleError(errs.Conflict, "kind", "enrolled", "the pupil is enrolled at "+st.EnrolledName+" since "+st.Since+
		"; that school records a departure first", map[string]string{"School": st.EnrolledName, "Since": st.Since})
}

// AdmitNew admits pupils who have no history in the contingent (people
// the same import has just created, or found with no enrolment and no
// movement), checked with CheckAdmission and CheckClass, inside the
// caller's transaction: enrolments, class memberships and admission
// movements in multi-row INSERTs, each with its change record. Capacity is
// checked again for the batch; no access check and no audit entry per row
// (the import is audited as one).
func (s *Service) AdmitNew(ctx context.Context, tx *store.Tx, rows []Admission) error {
	if len(rows) == 0 {
		return nil
	}
	adding := map[int64]int{}
	groups := map[int64]classes.Group{}
	for _, a := range rows {
		if _, ok := groups[a.ClassID]; !ok {
			g, err := classes.Load(ctx, tx, a.ClassID)
			if err != nil {
				return err
			}
			groups[a.ClassID] = g
		}
		adding[a.ClassID]++
	}
	for id, n := range adding {
		if _, err := joinable(ctx, tx, id, groups[id].OrgID, n-1); err != nil {
			return err
		}
	}
	enr, err := tx.ReserveIDs(ctx, "enrolments", len(rows))
	if err != nil {
		return err
	}
	mov, err := tx.ReserveIDs(ctx, "movements", len(rows))
	if err != nil {
		return err
	}
	now := s.now()
	au := authorOf(ctx)
	form := func(a Admission) string {
		if a.FormOfStudy == "" {
			return "full_time"
		}
		return a.FormOfStudy
	}
	if err := store.CopyRows(ctx, tx, "enrolments", []string{"id", "person_id", "org_id", "class_id", "kind", "form_of_study", "level", "status", "starts_on"}, len(rows),
		func(i int, v []any) error {
			a := rows[i]
			copy(v, []any{enr[i], a.PersonID, a.OrgID, a.ClassID, "primary", form(a), groups[a.ClassID].Level, Active, a.Date})
			return nil
		}); err != nil {
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "a pupil of the import was enrolled meanwhile; run the import again")
		}
		return err
	}
	if err := store.CopyRows(ctx, tx, "group_members", []string{"group_id", "person_id", "starts_on", "created_at"}, len(rows),
		func(i int, v []any) error {
			copy(v, []any{rows[i].ClassID, rows[i].PersonID, rows[i].Date, now})
			return nil
		}); err != nil {
		return err
	}
	if err := store.CopyRows(ctx, tx, "movements", []string{"id", "person_id", "kind", "org_id", "class_id", "enrolment_id", "on_date", "basis_number", "basis_date",
		"author_account", "author_login", "created_at"}, len(rows),
		func(i int, v []any) error {
			a := rows[i]
			copy(v, []any{mov[i], a.PersonID, string(KindAdmission), a.OrgID, a.ClassID, enr[i], a.Date, strings.TrimSpace(a.BasisNumber),
				nullText(strings.TrimSpace(a.BasisDate)), au.account, au.login, now})
			return nil
		}); err != nil {
		return err
	}
	changes := make([]store.Change, 0, 2*len(rows))
	for i, a := range rows {
		org := a.OrgID
		changes = append(changes,
			store.Change{At: now, Entity: "enrolment", EntityID: strconv.FormatInt(enr[i], 10), Op: store.OpCreate, OrgID: &org, Actor: au.login,
				Data: []byte(`{"person_id":` + strconv.FormatInt(a.PersonID, 10) + `,"org_id":` + strconv.FormatInt(a.OrgID, 10) +
					`,"class_id":` + strconv.FormatInt(a.ClassID, 10) + `,"status":"active"}`)},
			store.Change{At: now, Entity: "movement", EntityID: strconv.FormatInt(mov[i], 10), Op: store.OpCreate, OrgID: &org, Actor: au.login,
				Data: []byte(`{"kind":"admission","person_id":` + strconv.FormatInt(a.PersonID, 10) + `}`)})
	}
	return tx.RecordBatch(ctx, changes)
}
