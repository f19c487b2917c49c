package classes

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Assignment says that a teacher teaches a subject to a class, sub-group or
// club (several teachers per group and subject are allowed). EndsOn, when
// set, is the first day the assignment no longer holds.
type Assignment struct {
	ID          int64  `json:"id"`
	GroupID     int64  `json:"class_id"`
	TeacherID   int64  `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	Subject     string `json:"subject"`
	StartsOn    string `json:"starts_on"`
	EndsOn      string `json:"ends_on,omitempty"`
}

// NewAssignment assigns a teacher (a person of the organisation) to teach
// a subject (a code of the subject directory) from a date (today, within
// the year, when empty).
type NewAssignment struct {
	TeacherID int64  `json:"teacher_id"`
	Subject   string `json:"subject"`
	StartsOn  string `json:"starts_on"`
}

const assignmentSelect = `SELECT a.id, a.group_id, a.teacher_id, p.last_name, p.first_name, p.middle_name, a.subject, a.starts_on, a.ends_on
	FROM assignments a JOIN persons p ON p.id = a.teacher_id`

func scanAssignment(row interface{ Scan(...any) error }) (Assignment, error) {
	var a Assignment
	var last, first, middle string
	var ends sql.NullString
	err := row.Scan(&a.ID, &a.GroupID, &a.TeacherID, &last, &first, &middle, &a.Subject, &a.StartsOn, &ends)
	a.TeacherName, a.EndsOn = fullName(last, first, middle), ends.String
	return a, err
}

// LoadAssignment reads one assignment.
func LoadAssignment(ctx context.Context, q store.Querier, id int64) (Assignment, error) {
	a, err := scanAssignment(q.QueryRowContext(ctx, assignmentSelect+" WHERE a.id = $1", id))
	if store.IsNoRows(err) {
		return a, errs.E(errs.NotFound, "assignment %d not found", id)
	}
	return a, err
}

// Assignments lists the assignments of a group by subject: the current
// ones, or all of them with the ended ones after.
func (s *Service) Assignments(ctx context.Context, groupID int64, currentOnly bool) ([]Assignment, error) {
	query := assignmentSelect + " WHERE a.group_id = $1"
	if currentOnly {
		query += " AND a.ends_on IS NULL"
	}
	rows, err := s.DB.Read().QueryContext(ctx, query+" ORDER BY CASE WHEN a.ends_on IS NULL THEN 0 ELSE 1 END, a.subject, a.starts_on, a.id", groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (a Assignment) audit() []audit.FieldChange {
	out := []audit.FieldChange{{Field: "class_id", New: strconv.FormatInt(a.GroupID, 10)}, {Field: "teacher_id", New: strconv.FormatInt(a.TeacherID, 10)},
		{Field: "subject", New: a.Subject}, {Field: "starts_on", New: a.StartsOn}}
	return out
}

// AddAssignment assigns a teacher to a group of a year that is not closed.
func (s *Service) AddAssignment(ctx context.Context, groupID int64, n NewAssignment, af AuditFunc) (Assignment, error) {
	var out Assignment
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		g, err := Load(ctx, tx, groupID)
		if err != nil {
			return err
		}
		y, err := calendar.LoadYear(ctx, tx, g.YearID, "")
		if err != nil {
			return err
		}
		if y.Status == calendar.Closed {
			return errs.Field(errs.Conflict, "year_id", "closed", "the year "+y.Name+" is closed")
		}
		if g.Status != Active {
			return errs.Field(errs.Conflict, "class_id", "status", g.Name+" is "+g.Status)
		}
		var v errs.Validation
		n.Subject = strings.ToLower(strings.TrimSpace(n.Subject))
		if n.Subject == "" {
			v.Add("subject", "required", "the subject is required")
		} else if ok, err := s.known(ctx, SubjectDirectory, n.Subject); err != nil {
			return err
		} else if !ok {
			v.Add("subject", "unknown", "not a subject of the reference directory")
		}
		if n.TeacherID <= 0 {
			v.Add("teacher_id", "required", "the teacher is required")
		} else if err := checkPerson(ctx, tx, "teacher_id", n.TeacherID, g.OrgID, &v); err != nil {
			return err
		}
		from := s.dateInYear(n.StartsOn, y, "starts_on", &v)
		if err := v.Err(); err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM assignments WHERE group_id = $1 AND teacher_id = $2 AND subject = $3 AND ends_on IS NULL",
			g.ID, n.TeacherID, n.Subject).Scan(&one)
		if err == nil {
			return errs.Field(errs.Conflict, "teacher_id", "unique", "the teacher already teaches this subject to "+g.Name)
		}
		if !store.IsNoRows(err) {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO assignments (group_id, teacher_id, subject, starts_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			g.ID, n.TeacherID, n.Subject, from, s.now()).Scan(&id); err != nil {
			return err
		}
		if out, err = LoadAssignment(ctx, tx, id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), AssignmentEntity, id, g.OrgID, store.OpCreate, map[string]any{"class_id": g.ID, "teacher_id": n.TeacherID}); err != nil {
			return err
		}
		e := entry(audit.RecordCreate, AssignmentEntity, id, g.OrgID, out.audit())
		e.PersonID = n.TeacherID
		return write(ctx, tx, af, e)
	})
	return out, err
}

// EndAssignment ends an assignment on a date (today when empty): the first
// day it no longer holds.
func (s *Service) EndAssignment(ctx context.Context, id int64, on string, af AuditFunc) (Assignment, error) {
	var out Assignment
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		a, err := LoadAssignment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.EndsOn != "" {
			return errs.Field(errs.Conflict, "ends_on", "ended", "the assignment ended on "+a.EndsOn)
		}
		g, err := Load(ctx, tx, a.GroupID)
		if err != nil {
			return err
		}
		if on == "" {
			on = max(s.today(), a.StartsOn)
		}
		switch {
		case !calendar.ValidDate(on):
			return errs.Field(errs.Invalid, "ends_on", "date", "not a date in the calendar (YYYY-MM-DD)")
		case on < a.StartsOn:
			return errs.Field(errs.Invalid, "ends_on", "order", "the assignment began on "+a.StartsOn)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE assignments SET ends_on = $1 WHERE id = $2 AND ends_on IS NULL", on, id); err != nil {
			return err
		}
		a.EndsOn = on
		out = a
		if err := record(ctx, tx, s.now(), AssignmentEntity, id, g.OrgID, store.OpUpdate, map[string]any{"class_id": g.ID, "teacher_id": a.TeacherID}); err != nil {
			return err
		}
		e := entry(audit.RecordUpdate, AssignmentEntity, id, g.OrgID, []audit.FieldChange{{Field: "ends_on", New: on}})
		e.PersonID = a.TeacherID
		return write(ctx, tx, af, e)
	})
	return out, err
}
