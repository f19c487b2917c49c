package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// LessonRow is a lesson as grids and lists show it.
type LessonRow struct {
	Lesson
	GroupName   string `json:"group_name"`
	TeacherName string `json:"teacher_name"` // who takes it
	Replaced    bool   `json:"replaced"`     // a substitute takes it instead of the teacher
	HasHomework bool   `json:"has_homework"`
	StartsAt    string `json:"starts_at,omitempty"`
	EndsAt      string `json:"ends_at,omitempty"`
}

// MaxRangeDays bounds the dates one list of lessons covers.
const MaxRangeDays = 62

// LessonFilter picks lessons of an organisation between two dates
// (inclusive): of a group (with its sub-groups, or the class it splits),
// of a teacher (taken or replaced), or all.
type LessonFilter struct {
	OrgID     int64
	GroupID   int64
	TeacherID int64
	From, To  string
	scope     *access.Scope
}

func checkRange(from, to string) error {
	var v errs.Validation
	f, ok1 := calendar.ParseDate(from)
	t, ok2 := calendar.ParseDate(to)
	switch {
	case !ok1:
		v.Add("from", "date", "not a date in the calendar (YYYY-MM-DD)")
	case !ok2:
		v.Add("to", "date", "not a date in the calendar (YYYY-MM-DD)")
	case to < from:
		v.Add("to", "order", "ends before it starts")
	case t.Sub(f).Hours()/24 > MaxRangeDays:
		v.Add("to", "range", fmt.Sprintf("at most %d days at once", MaxRangeDays))
	}
	return v.Err()
}

const rowSelect = `SELECT ` + LessonColumns + `, g.name, p.last_name, p.first_name, p.middle_name,
	(SELECT COUNT(*) FROM homework h WHERE h.lesson_id = l.id AND (h.text <> '' OR EXISTS (SELECT 1 FROM homework_files hf WHERE hf.homework_id = h.id)))
	FROM lessons l JOIN groups g ON g.id = l.group_id JOIN persons p ON p.id = COALESCE(l.substitute_id, l.teacher_id)`

func scanRow(row interface{ Scan(...any) error }) (LessonRow, error) {
	var r LessonRow
	var sub sql.NullInt64
	var last, first, middle string
	var hw int
	err := row.Scan(&r.ID, &r.OrgID, &r.GroupID, &r.Subject, &r.TeacherID, &sub, &r.Date, &r.Slot, &r.Room, &r.Kind, &r.Status, &r.Topic,
		&r.ControlWork, &r.Version, &r.GroupName, &last, &first, &middle, &hw)
	if sub.Valid {
		r.SubstituteID = &sub.Int64
	}
	r.TeacherName, r.HasHomework, r.Replaced = shortName(last, first, middle), hw > 0, sub.Valid
	return r, err
}

// Lessons lists lessons by date and slot.
func (s *Service) Lessons(ctx context.Context, f LessonFilter) ([]LessonRow, error) {
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	var a store.Args
	conds := []string{"l.on_date >= " + a.Add(f.From), "l.on_date <= " + a.Add(f.To)}
	if f.OrgID != 0 {
		conds = append(conds, "l.org_id = "+a.Add(f.OrgID))
	}
	if f.GroupID != 0 {
		conds = append(conds, relatedGroups("l.group_id", a.Add(f.GroupID)))
	}
	if f.TeacherID != 0 {
		t := a.Add(f.TeacherID)
		conds = append(conds, "(l.teacher_id = "+t+" OR l.substitute_id = "+t+")")
	}
	if f.scope != nil && !f.scope.All {
		conds = append(conds, f.scope.OrgSQL("l.org_id", &a))
	}
	rows, err := s.DB.Read().QueryContext(ctx, rowSelect+" WHERE "+strings.Join(conds, " AND ")+" ORDER BY l.on_date, l.slot, g.name, l.id", a.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LessonRow{}
	bells := map[int64]Bells{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		b, ok := bells[out[i].OrgID]
		if !ok {
			if b, err = LoadBells(ctx, s.DB.Read(), out[i].OrgID); err != nil {
				return nil, err
			}
			bells[out[i].OrgID] = b
		}
		if t, ok := b.Times(out[i].Date)[out[i].Slot]; ok {
			out[i].StartsAt, out[i].EndsAt = t.StartsAt, t.EndsAt
		}
	}
	return out, nil
}

// lessonYear returns the year of a lesson's group.
func lessonYear(ctx context.Context, q store.Querier, groupID int64) (calendar.Year, classes.Group, error) {
	g, err := classes.Load(ctx, q, groupID)
	if err != nil {
		return calendar.Year{}, g, err
	}
	y, err := calendar.LoadYear(ctx, q, g.YearID, "")
	return y, g, err
}

// PeriodOn returns the study period of a year that holds date, if any.
func PeriodOn(ctx context.Context, q store.Querier, yearID int64, date string) (*calendar.Period, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM study_periods WHERE year_id = $1 AND starts_on <= $2 AND ends_on >= $2", yearID, date).Scan(&id)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := calendar.LoadPeriod(ctx, q, id, "")
	return &p, err
}

// checkOpen refuses a change on a date of a closed period (or year).
func checkOpen(ctx context.Context, q store.Querier, y calendar.Year, field, date string) error {
	if y.Status == calendar.Closed {
		return errs.Field(errs.Conflict, field, "period_closed", "the year "+y.Name+" is closed")
	}
	p, err := PeriodOn(ctx, q, y.ID, date)
	if err != nil {
		return err
	}
	if p != nil && p.ClosedAt != nil {
		return errs.Field(errs.Conflict, field, "period_closed", "the study period "+p.Name+" is closed")
	}
	return nil
}

// LessonChange is a one-off change of a dated lesson: moved to another day
// or slot, another room, a substitute teacher (0 clears), cancelled or
// restored (status). Fields not sent stay as they are.
type LessonChange struct {
	Date         *string `json:"date"`
	Slot         *int    `json:"slot"`
	Room         *string `json:"room"`
	SubstituteID *int64  `json:"substitute_id"`
	Status       *string `json:"status"`
}

func (l Lesson) scheduleAudit() map[string]string {
	sub := ""
	if l.SubstituteID != nil {
		sub = strconv.FormatInt(*l.SubstituteID, 10)
	}
	return map[string]string{"date": l.Date, "slot": strconv.Itoa(l.Slot), "room": l.Room, "substitute_id": sub, "status": l.Status,
		"teacher_id": strconv.FormatInt(l.TeacherID, 10)}
}

// staffOf reports whether a person is employed at the organisation now.
func staffOf(ctx context.Context, q store.Querier, personID, orgID int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM employments WHERE person_id = $1 AND org_id = $2 AND ends_on IS NULL LIMIT 1", personID, orgID).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// ChangeLesson applies a one-off change at the version read.
func (s *Service) ChangeLesson(ctx context.Context, id, expected int64, c LessonChange, af AuditFunc) (Lesson, error) {
	var out Lesson
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := GetLesson(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return stale("lesson")
		}
		y, _, err := lessonYear(ctx, tx, cur.GroupID)
		if err != nil {
			return err
		}
		if err := checkOpen(ctx, tx, y, "date", cur.Date); err != nil {
			return err
		}
		next := cur
		var v errs.Validation
		if c.Date != nil {
			next.Date = *c.Date
			switch {
			case !calendar.ValidDate(next.Date):
				v.Add("date", "date", "not a date in the calendar (YYYY-MM-DD)")
			case next.Date < y.StartsOn || next.Date > y.EndsOn:
				v.Add("date", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
			}
		}
		if c.Slot != nil {
			if next.Slot = *c.Slot; next.Slot < 0 || next.Slot > MaxSlot {
				v.Add("slot", "range", fmt.Sprintf("lesson numbers are 0 to %d", MaxSlot))
			}
		}
		if c.Room != nil {
			next.Room = checkRoom(*c.Room, &v)
		}
		if c.Status != nil {
			if next.Status = *c.Status; next.Status != Planned && next.Status != Cancelled {
				v.Add("status", "enum", "planned or cancelled")
			}
		}
		if c.SubstituteID != nil {
			switch sub := *c.SubstituteID; {
			case sub == 0:
				next.SubstituteID = nil
			case sub == cur.TeacherID:
				v.Add("substitute_id", "same", "the teacher takes the lesson anyway; send 0 to clear the substitute")
			default:
				ok, err := staffOf(ctx, tx, sub, cur.OrgID)
				if err != nil {
					return err
				}
				if !ok {
					v.Add("substitute_id", "staff", "the substitute must work at the school")
				}
				next.SubstituteID = &sub
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if next.Date != cur.Date {
			if err := checkOpen(ctx, tx, y, "date", next.Date); err != nil {
				return err
			}
		}
		if next.Status == Planned {
			cf, err := lessonConflict(ctx, tx, slotUse{OrgID: cur.OrgID, GroupID: cur.GroupID, TeacherID: next.TakenBy(), Room: next.Room, Exclude: id},
				next.Date, next.Slot)
			if err != nil {
				return err
			}
			if cf != nil {
				if cf.rule == "teacher_busy" && c.SubstituteID != nil {
					cf.field = "substitute_id"
				}
				return cf.Err()
			}
		}
		changes := diff(cur.scheduleAudit(), next.scheduleAudit())
		if len(changes) == 0 {
			out = cur
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE lessons SET on_date = $1, slot = $2, room = $3, substitute_id = $4, status = $5, adjusted = TRUE,
			version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8`,
			next.Date, next.Slot, next.Room, next.SubstituteID, next.Status, s.now(), id, cur.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale("lesson")
		}
		if out, err = GetLesson(ctx, tx, id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), LessonEntity, id, cur.OrgID, store.OpUpdate, lessonData(out)); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordUpdate, LessonEntity, id, cur.OrgID, changes))
	})
	return out, err
}

func lessonData(l Lesson) map[string]any {
	return map[string]any{"group_id": l.GroupID, "subject": l.Subject, "date": l.Date, "slot": l.Slot, "status": l.Status, "version": l.Version}
}

// NewLesson is an extra lesson outside the template (a make-up lesson, a
// consultation). The teacher must be assigned to the subject in the group.
type NewLesson struct {
	GroupID   int64  `json:"group_id"`
	Subject   string `json:"subject"`
	TeacherID int64  `json:"teacher_id"`
	Date      string `json:"date"`
	Slot      int    `json:"slot"`
	Room      string `json:"room"`
	Kind      string `json:"kind"`
}

// AddLesson adds an extra lesson.
func (s *Service) AddLesson(ctx context.Context, n NewLesson, af AuditFunc) (Lesson, error) {
	var out Lesson
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		y, g, err := lessonYear(ctx, tx, n.GroupID)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Field(errs.Invalid, "group_id", "exists", "no such class or sub-group")
		}
		if err != nil {
			return err
		}
		var v errs.Validation
		n.Subject = strings.ToLower(strings.TrimSpace(n.Subject))
		if ok, err := s.known(ctx, SubjectDirectory, n.Subject); err != nil {
			return err
		} else if n.Subject == "" || !ok {
			v.Add("subject", "unknown", "not a subject of the reference directory")
		}
		if n.Kind == "" {
			n.Kind = "regular"
		}
		if ok, err := s.known(ctx, LessonKindDirectory, n.Kind); err != nil {
			return err
		} else if !ok {
			v.Add("kind", "unknown", "not a lesson kind of the reference directory")
		}
		switch {
		case !calendar.ValidDate(n.Date):
			v.Add("date", "date", "not a date in the calendar (YYYY-MM-DD)")
		case n.Date < y.StartsOn || n.Date > y.EndsOn:
			v.Add("date", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
		}
		if n.Slot < 0 || n.Slot > MaxSlot {
			v.Add("slot", "range", fmt.Sprintf("lesson numbers are 0 to %d", MaxSlot))
		}
		n.Room = checkRoom(n.Room, &v)
		if g.Kind == classes.Club {
			v.Add("group_id", "kind", "lessons are for classes and sub-groups")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if ok, err := assigned(ctx, tx, g.ID, n.TeacherID, n.Subject, n.Date); err != nil {
			return err
		} else if !ok {
			return errs.Field(errs.Invalid, "teacher_id", "not_assigned", "the teacher is not assigned to teach this subject in "+g.Name)
		}
		if err := checkOpen(ctx, tx, y, "date", n.Date); err != nil {
			return err
		}
		cf, err := lessonConflict(ctx, tx, slotUse{OrgID: g.OrgID, GroupID: g.ID, TeacherID: n.TeacherID, Room: n.Room}, n.Date, n.Slot)
		if err != nil {
			return err
		}
		if cf != nil {
			return cf.Err()
		}
		id, err := InsertLessonTx(ctx, tx, Lesson{OrgID: g.OrgID, GroupID: g.ID, Subject: n.Subject, TeacherID: n.TeacherID, Date: n.Date,
			Slot: n.Slot, Room: n.Room, Kind: n.Kind}, s.now())
		if err != nil {
			return err
		}
		if out, err = GetLesson(ctx, tx, id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), LessonEntity, id, g.OrgID, store.OpCreate, lessonData(out)); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordCreate, LessonEntity, id, g.OrgID, diff(nil, out.scheduleAudit())))
	})
	return out, err
}
