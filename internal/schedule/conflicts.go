package schedule

import (
	"context"
	"fmt"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// A conflict is refused naming what is already there: the teacher is busy,
// the room is taken, or the class (or a sub-group of it, or the class a
// sub-group splits) already has a lesson then. Two sub-groups of one class
// may share a slot; neither may share it with a lesson of the whole class.

// relatedGroups is the condition "column is the group, one of its
// sub-groups, or the class it splits", with the group as placeholder p.
func relatedGroups(column, p string) string {
	return "(" + column + " = " + p + " OR " + column + " IN (SELECT id FROM groups WHERE parent_id = " + p + ")" +
		" OR " + column + " = (SELECT parent_id FROM groups WHERE id = " + p + "))"
}

// slotUse is what a lesson or template entry occupies.
type slotUse struct {
	OrgID, GroupID, TeacherID, Exclude int64
	Room                               string
}

// Conflict names the lesson or template entry in the way.
type Conflict struct {
	ID        int64  `json:"id"`
	Group     string `json:"group"`
	Subject   string `json:"subject"`
	Teacher   string `json:"teacher"`
	Room      string `json:"room,omitempty"`
	Date      string `json:"date,omitempty"`
	Weekday   int    `json:"weekday,omitempty"`
	Slot      int    `json:"slot"`
	field     string
	rule      string
	dated     bool
	groupID   int64
	teacherID int64
	related   bool
}

func (c Conflict) describe() string {
	when := fmt.Sprintf("%s, lesson %d", c.Date, c.Slot)
	what := "lesson"
	if !c.dated {
		when = fmt.Sprintf("%s, lesson %d", weekdayNames[c.Weekday], c.Slot)
		what = "timetable entry"
	}
	base := fmt.Sprintf("%s %d: %s, %s, %s, %s", what, c.ID, c.Group, c.Subject, c.Teacher, when)
	if c.Room != "" {
		base += ", room " + c.Room
	}
	switch c.rule {
	case "teacher_busy":
		return "the teacher is busy then: " + base
	case "room_busy":
		return "the room is taken then: " + base
	}
	return "the class already has a lesson then: " + base
}

// Err is the conflict as a refusal naming the field and the rule.
func (c Conflict) Err() error {
	return &errs.Error{Code: errs.Conflict, Message: c.describe(), Fields: []errs.FieldError{{Field: c.field, Rule: c.rule, Message: c.describe()}}}
}

var weekdayNames = [...]string{"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// classify says which of the three rules a found row breaks, in the
// order a person would look: the class first, then the teacher, the room.
func (c *Conflict) classify(u slotUse, sameRoom bool) {
	switch {
	case c.groupID == u.GroupID || c.related:
		c.field, c.rule = "slot", "group_busy"
	case c.teacherID == u.TeacherID:
		c.field, c.rule = "teacher_id", "teacher_busy"
	case sameRoom:
		c.field, c.rule = "room", "room_busy"
	}
}

// lessonConflict finds a planned lesson in the way of u on date and slot.
func lessonConflict(ctx context.Context, q store.Querier, u slotUse, date string, slot int) (*Conflict, error) {
	var a store.Args
	d, s, g, t, o, x := a.Add(date), a.Add(slot), a.Add(u.GroupID), a.Add(u.TeacherID), a.Add(u.OrgID), a.Add(u.Exclude)
	roomCond := "(1 = 0)"
	if u.Room != "" {
		roomCond = "(l.org_id = " + o + " AND l.room = " + a.Add(u.Room) + ")"
	}
	query := `SELECT l.id, gr.name, l.subject, p.last_name, p.first_name, p.middle_name, l.room, l.on_date, l.slot, l.group_id,
		COALESCE(l.substitute_id, l.teacher_id), CASE WHEN ` + relatedGroups("l.group_id", g) + ` THEN 1 ELSE 0 END
		FROM lessons l JOIN groups gr ON gr.id = l.group_id JOIN persons p ON p.id = COALESCE(l.substitute_id, l.teacher_id)
		WHERE l.on_date = ` + d + ` AND l.slot = ` + s + ` AND l.status = 'planned' AND l.id <> ` + x + `
		AND (` + relatedGroups("l.group_id", g) + ` OR (l.org_id = ` + o + ` AND COALESCE(l.substitute_id, l.teacher_id) = ` + t + `) OR ` + roomCond + `)
		ORDER BY l.id LIMIT 1`
	var c Conflict
	var last, first, middle string
	var rel int
	err := q.QueryRowContext(ctx, query, a.Values...).Scan(&c.ID, &c.Group, &c.Subject, &last, &first, &middle, &c.Room, &c.Date, &c.Slot,
		&c.groupID, &c.teacherID, &rel)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.Teacher, c.dated, c.related = shortName(last, first, middle), true, rel == 1
	c.classify(u, u.Room != "" && c.Room == u.Room)
	return &c, nil
}

// entryConflict finds a template entry in the way of u on weekday and
// slot while both are valid.
func entryConflict(ctx context.Context, q store.Querier, u slotUse, weekday, slot int, from, to string) (*Conflict, error) {
	var a store.Args
	w, s, g, t, o, x := a.Add(weekday), a.Add(slot), a.Add(u.GroupID), a.Add(u.TeacherID), a.Add(u.OrgID), a.Add(u.Exclude)
	roomCond := "(1 = 0)"
	if u.Room != "" {
		roomCond = "(e.org_id = " + o + " AND e.room = " + a.Add(u.Room) + ")"
	}
	overlap := "(e.valid_to IS NULL OR e.valid_to >= " + a.Add(from) + ")"
	if to != "" {
		overlap += " AND e.valid_from <= " + a.Add(to)
	}
	query := `SELECT e.id, gr.name, e.subject, p.last_name, p.first_name, p.middle_name, e.room, e.weekday, e.slot, e.group_id, e.teacher_id,
		CASE WHEN ` + relatedGroups("e.group_id", g) + ` THEN 1 ELSE 0 END
		FROM timetable_entries e JOIN groups gr ON gr.id = e.group_id JOIN persons p ON p.id = e.teacher_id
		WHERE e.weekday = ` + w + ` AND e.slot = ` + s + ` AND e.id <> ` + x + ` AND ` + overlap + `
		AND (` + relatedGroups("e.group_id", g) + ` OR (e.org_id = ` + o + ` AND e.teacher_id = ` + t + `) OR ` + roomCond + `)
		ORDER BY e.id LIMIT 1`
	var c Conflict
	var last, first, middle string
	var rel int
	err := q.QueryRowContext(ctx, query, a.Values...).Scan(&c.ID, &c.Group, &c.Subject, &last, &first, &middle, &c.Room, &c.Weekday, &c.Slot,
		&c.groupID, &c.teacherID, &rel)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c.Teacher, c.related = shortName(last, first, middle), rel == 1
	c.classify(u, u.Room != "" && c.Room == u.Room)
	return &c, nil
}
