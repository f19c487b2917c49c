package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Entry is one line of the weekly template: every week within its dates
// the group has the subject with the teacher in this slot.
type Entry struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"org_id"`
	GroupID     int64  `json:"group_id"`
	GroupName   string `json:"group_name"`
	Weekday     int    `json:"weekday"`
	Slot        int    `json:"slot"`
	Subject     string `json:"subject"`
	TeacherID   int64  `json:"teacher_id"`
	TeacherName string `json:"teacher_name"`
	Room        string `json:"room"`
	ValidFrom   string `json:"valid_from"`
	ValidTo     string `json:"valid_to"`
	Version     int64  `json:"version"`
}

// NewEntry adds a template line. The teacher must be assigned to the
// subject in the group (or in the class a sub-group splits). Empty dates
// are the group's year's first and last days.
type NewEntry struct {
	GroupID   int64  `json:"group_id"`
	Weekday   int    `json:"weekday"`
	Slot      int    `json:"slot"`
	Subject   string `json:"subject"`
	TeacherID int64  `json:"teacher_id"`
	Room      string `json:"room"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

// EntryPatch changes a template line's teacher, room or dates (ending it
// from a day on is how the timetable changes mid-year). Lessons generated
// before stay as they are until the period is generated again.
type EntryPatch struct {
	TeacherID *int64  `json:"teacher_id"`
	Room      *string `json:"room"`
	ValidFrom *string `json:"valid_from"`
	ValidTo   *string `json:"valid_to"`
}

const entrySelect = `SELECT e.id, e.org_id, e.group_id, g.name, e.weekday, e.slot, e.subject, e.teacher_id, p.last_name, p.first_name, p.middle_name,
	e.room, e.valid_from, e.valid_to, e.version
	FROM timetable_entries e JOIN groups g ON g.id = e.group_id JOIN persons p ON p.id = e.teacher_id`

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var last, first, middle string
	var to sql.NullString
	err := row.Scan(&e.ID, &e.OrgID, &e.GroupID, &e.GroupName, &e.Weekday, &e.Slot, &e.Subject, &e.TeacherID, &last, &first, &middle,
		&e.Room, &e.ValidFrom, &to, &e.Version)
	e.TeacherName, e.ValidTo = shortName(last, first, middle), to.String
	return e, err
}

// LoadEntry reads one template line.
func LoadEntry(ctx context.Context, q store.Querier, id int64) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, entrySelect+" WHERE e.id = $1", id))
	if store.IsNoRows(err) {
		return e, errs.E(errs.NotFound, "no such timetable entry")
	}
	return e, err
}

// Entries lists the template of a class and its sub-groups (or of a
// sub-group and its class) valid on a day (all of them when on is empty).
func (s *Service) Entries(ctx context.Context, groupID int64, on string) ([]Entry, error) {
	var a store.Args
	cond := relatedGroups("e.group_id", a.Add(groupID))
	if on != "" {
		p := a.Add(on)
		cond += " AND e.valid_from <= " + p + " AND (e.valid_to IS NULL OR e.valid_to >= " + p + ")"
	}
	rows, err := s.DB.Read().QueryContext(ctx, entrySelect+" WHERE "+cond+" ORDER BY e.weekday, e.slot, g.name, e.valid_from", a.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (e Entry) audit() map[string]string {
	return map[string]string{"group_id": strconv.FormatInt(e.GroupID, 10), "weekday": strconv.Itoa(e.Weekday), "slot": strconv.Itoa(e.Slot),
		"subject": e.Subject, "teacher_id": strconv.FormatInt(e.TeacherID, 10), "room": e.Room, "valid_from": e.ValidFrom, "valid_to": e.ValidTo}
}

// assigned reports whether teacher is assigned to subject in the group or
// in the class the group splits, on the day.
func assigned(ctx context.Context, q store.Querier, groupID, teacherID int64, subject, on string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM assignments WHERE teacher_id = $1 AND subject = $2
		AND (group_id = $3 OR group_id = (SELECT parent_id FROM groups WHERE id = $3))
		AND starts_on <= $4 AND (ends_on IS NULL OR ends_on > $4) LIMIT 1`, teacherID, subject, groupID, on).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

func checkRoom(room string, v *errs.Validation) string {
	room = strings.TrimSpace(room)
	if utf8.RuneCountInString(room) > 40 {
		v.Add("room", "length", "at most 40 characters")
	}
	return room
}

// checkEntry validates a template line against its group's year, the
// assignments and the other lines.
func (s *Service) checkEntry(ctx context.Context, q store.Querier, e *Entry) (classes.Group, error) {
	g, err := classes.Load(ctx, q, e.GroupID)
	if errs.CodeOf(err) == errs.NotFound {
		return g, errs.Field(errs.Invalid, "group_id", "exists", "no such class or sub-group")
	}
	if err != nil {
		return g, err
	}
	y, err := calendar.LoadYear(ctx, q, g.YearID, "")
	if err != nil {
		return g, err
	}
	var v errs.Validation
	if g.Status != classes.Active {
		v.Add("group_id", "status", g.Name+" is "+g.Status)
	}
	if y.Status == calendar.Closed {
		v.Add("group_id", "closed", "the year "+y.Name+" is closed")
	}
	if e.Weekday < 1 || e.Weekday > 7 {
		v.Add("weekday", "range", "a weekday is 1 (Monday) to 7 (Sunday)")
	}
	if e.Slot < 0 || e.Slot > MaxSlot {
		v.Add("slot", "range", fmt.Sprintf("lesson numbers are 0 to %d", MaxSlot))
	}
	e.Subject = strings.ToLower(strings.TrimSpace(e.Subject))
	if e.Subject == "" {
		v.Add("subject", "required", "the subject is required")
	} else if ok, err := s.known(ctx, SubjectDirectory, e.Subject); err != nil {
		return g, err
	} else if !ok {
		v.Add("subject", "unknown", "not a subject of the reference directory")
	}
	e.Room = checkRoom(e.Room, &v)
	if e.ValidFrom == "" {
		e.ValidFrom = y.StartsOn
	}
	if e.ValidTo == "" {
		e.ValidTo = y.EndsOn
	}
	switch {
	case !calendar.ValidDate(e.ValidFrom):
		v.Add("valid_from", "date", "not a date in the calendar (YYYY-MM-DD)")
	case !calendar.ValidDate(e.ValidTo):
		v.Add("valid_to", "date", "not a date in the calendar (YYYY-MM-DD)")
	case e.ValidTo < e.ValidFrom:
		v.Add("valid_to", "order", "ends before it starts")
	case e.ValidFrom < y.StartsOn || e.ValidTo > y.EndsOn:
		v.Add("valid_from", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
	}
	if e.TeacherID <= 0 {
		v.Add("teacher_id", "required", "the teacher is required")
	} else if !v.Has("subject") && !v.Has("valid_from") && !v.Has("valid_to") {
		ok, err := assigned(ctx, q, g.ID, e.TeacherID, e.Subject, e.ValidFrom)
		if err != nil {
			return g, err
		}
		if !ok {
			v.Add("teacher_id", "not_assigned", "the teacher is not assigned to teach this subject in "+g.Name)
		}
	}
	if err := v.Err(); err != nil {
		return g, err
	}
	e.OrgID = g.OrgID
	c, err := entryConflict(ctx, q, slotUse{OrgID: g.OrgID, GroupID: g.ID, TeacherID: e.TeacherID, Room: e.Room, Exclude: e.ID},
		e.Weekday, e.Slot, e.ValidFrom, e.ValidTo)
	if err != nil {
		return g, err
	}
	if c != nil {
		return g, c.Err()
	}
	return g, nil
}

// AddEntry adds a line to the weekly template.
func (s *Service) AddEntry(ctx context.Context, n NewEntry, af AuditFunc) (Entry, error) {
	var out Entry
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.AddEntryTx(ctx, tx, n, af)
		return err
	})
	return out, err
}

// AddEntryTx checks and adds a template line inside tx.
func (s *Service) AddEntryTx(ctx context.Context, tx *store.Tx, n NewEntry, af AuditFunc) (Entry, error) {
	e := Entry{GroupID: n.GroupID, Weekday: n.Weekday, Slot: n.Slot, Subject: n.Subject, TeacherID: n.TeacherID, Room: n.Room,
		ValidFrom: n.ValidFrom, ValidTo: n.ValidTo}
	if _, err := s.checkEntry(ctx, tx, &e); err != nil {
		return e, err
	}
	now := s.now()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO timetable_entries (org_id, group_id, weekday, slot, subject, teacher_id, room, valid_from, valid_to,
		version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id`,
		e.OrgID, e.GroupID, e.Weekday, e.Slot, e.Subject, e.TeacherID, e.Room, e.ValidFrom, e.ValidTo, now).Scan(&id); err != nil {
		return e, err
	}
	out, err := LoadEntry(ctx, tx, id)
	if err != nil {
		return out, err
	}
	if err := record(ctx, tx, now, EntryEntity, id, out.OrgID, store.OpCreate, map[string]any{"group_id": out.GroupID, "subject": out.Subject}); err != nil {
		return out, err
	}
	return out, af.write(ctx, tx, entry(audit.RecordCreate, EntryEntity, id, out.OrgID, diff(nil, out.audit())))
}

// UpdateEntry changes a template line at the version read.
func (s *Service) UpdateEntry(ctx context.Context, id, expected int64, p EntryPatch, af AuditFunc) (Entry, error) {
	var out Entry
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := LoadEntry(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return stale("timetable entry")
		}
		next := cur
		if p.TeacherID != nil {
			next.TeacherID = *p.TeacherID
		}
		if p.Room != nil {
			next.Room = *p.Room
		}
		if p.ValidFrom != nil {
			next.ValidFrom = *p.ValidFrom
		}
		if p.ValidTo != nil {
			next.ValidTo = *p.ValidTo
		}
		if _, err := s.checkEntry(ctx, tx, &next); err != nil {
			return err
		}
		changes := diff(cur.audit(), next.audit())
		if len(changes) == 0 {
			out = cur
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE timetable_entries SET teacher_id = $1, room = $2, valid_from = $3, valid_to = $4, version = version + 1,
			updated_at = $5 WHERE id = $6 AND version = $7`, next.TeacherID, next.Room, next.ValidFrom, next.ValidTo, s.now(), id, cur.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale("timetable entry")
		}
		if out, err = LoadEntry(ctx, tx, id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), EntryEntity, id, out.OrgID, store.OpUpdate, map[string]any{"group_id": out.GroupID, "version": out.Version}); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordUpdate, EntryEntity, id, out.OrgID, changes))
	})
	return out, err
}

// DeleteEntry removes a template line from which no lesson was generated;
// one with lessons is ended instead (valid_to), so its lessons keep their
// origin and generating again does not repeat them.
func (s *Service) DeleteEntry(ctx context.Context, id int64, af AuditFunc) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := LoadEntry(ctx, tx, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM lessons WHERE entry_id = $1", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field(errs.Conflict, "id", "has_lessons",
				fmt.Sprintf("%d lessons were generated from this entry: end it (valid_to) and generate the period again", n))
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM timetable_entries WHERE id = $1", id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), EntryEntity, id, cur.OrgID, store.OpDelete, map[string]any{"group_id": cur.GroupID}); err != nil {
			return err
		}
		var changes []audit.FieldChange
		for _, k := range sortedKeys(cur.audit()) {
			changes = append(changes, audit.FieldChange{Field: k, Old: cur.audit()[k]})
		}
		return af.write(ctx, tx, entry(audit.RecordDelete, EntryEntity, id, cur.OrgID, changes))
	})
}
