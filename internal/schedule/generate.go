package schedule

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Generation makes the dated lessons of a study period agree with the
// weekly template:
//   - every template line gets a lesson on each of its weekdays within the
//     period and its own dates, except holidays; a lesson already made for
//     that line and day (even if moved since) is not made again;
//   - a lesson made earlier whose line no longer holds that day (the line
//     was ended, a holiday was added) is removed if it lies ahead, nothing
//     was written on it and nothing refers to it; otherwise it is
//     cancelled, never deleted. Lessons changed by hand are left alone;
//   - a lesson that would clash with one already there (a lesson moved into
//     that slot, an extra lesson) is skipped and reported.

// Generated says what a generation did.
type Generated struct {
	PeriodID  int64  `json:"period_id"`
	Created   int    `json:"created"`
	Existing  int    `json:"existing"`
	Removed   int    `json:"removed"`
	Cancelled int    `json:"cancelled"`
	Skipped   []Skip `json:"skipped"`
}

// Skip is a lesson not made because of a clash.
type Skip struct {
	EntryID  int64  `json:"entry_id"`
	Date     string `json:"date"`
	Slot     int    `json:"slot"`
	Rule     string `json:"rule"`
	LessonID int64  `json:"lesson_id,omitempty"` // the lesson in the way (0: another line of the same run)
}

// MaxSkipsShown bounds the skips listed in an answer.
const MaxSkipsShown = 200

type genEntry struct {
	id, groupID, teacherID int64
	weekday, slot          int
	subject, room          string
	from, to               string
}

type occupant struct {
	lessonID, groupID, teacherID int64
	room                         string
}

type planKey struct {
	entry int64
	date  string
}

// GenerateFilter picks the period and, optionally, one class (with its
// sub-groups) to generate.
type GenerateFilter struct {
	PeriodID int64 `json:"period_id"`
	GroupID  int64 `json:"group_id"`
}

// Generate generates the lessons of a period (see above).
func (s *Service) Generate(ctx context.Context, f GenerateFilter, af AuditFunc) (Generated, error) {
	var out Generated
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.GenerateTx(ctx, tx, f, af)
		return err
	})
	return out, err
}

// PeriodOrg returns the organisation of a study period.
func PeriodOrg(ctx context.Context, q store.Querier, periodID int64) (int64, error) {
	var org int64
	err := q.QueryRowContext(ctx, "SELECT y.org_id FROM study_periods p JOIN academic_years y ON y.id = p.year_id WHERE p.id = $1", periodID).Scan(&org)
	if store.IsNoRows(err) {
		return 0, errs.E(errs.NotFound, "no such study period")
	}
	return org, err
}

// GenerateTx generates inside tx.
func (s *Service) GenerateTx(ctx context.Context, tx *store.Tx, f GenerateFilter, af AuditFunc) (Generated, error) {
	return s.generateTx(ctx, tx, f, af, nil)
}

// GenerateHistoryTx is GenerateTx for a loader of history (the demo
// generator): fill is given the lessons about to be written, in the order
// generation made them, and may set the topic, kind and control work of
// those already held when the data is loaded, so each lesson is written
// once rather than written and then updated.
func (s *Service) GenerateHistoryTx(ctx context.Context, tx *store.Tx, f GenerateFilter, af AuditFunc, fill func(ls []Lesson)) (Generated, error) {
	return s.generateTx(ctx, tx, f, af, fill)
}

func (s *Service) generateTx(ctx context.Context, tx *store.Tx, f GenerateFilter, af AuditFunc, fill func(ls []Lesson)) (Generated, error) {
	out := Generated{PeriodID: f.PeriodID, Skipped: []Skip{}}
	p, err := calendar.LoadPeriod(ctx, tx, f.PeriodID, "")
	if err != nil {
		return out, err
	}
	y, err := calendar.LoadYear(ctx, tx, p.YearID, "")
	if err != nil {
		return out, err
	}
	if p.ClosedAt != nil {
		return out, errs.Field(errs.Conflict, "period_id", "closed", "the period "+p.Name+" is closed")
	}
	if y.Status == calendar.Closed {
		return out, errs.Field(errs.Conflict, "period_id", "closed", "the year "+y.Name+" is closed")
	}
	holidays, err := calendar.Holidays(ctx, tx, y.ID)
	if err != nil {
		return out, err
	}
	off := map[string]bool{}
	for _, h := range holidays {
		for d := h.StartsOn; d <= h.EndsOn; d = calendar.DayAfter(d) {
			off[d] = true
		}
	}
	parent, err := parents(ctx, tx, y.ID)
	if err != nil {
		return out, err
	}
	var a store.Args
	cond := "g.year_id = " + a.Add(y.ID) + " AND g.status = 'active' AND e.valid_from <= " + a.Add(p.EndsOn) +
		" AND (e.valid_to IS NULL OR e.valid_to >= " + a.Add(p.StartsOn) + ")"
	if f.GroupID != 0 {
		gp := a.Add(f.GroupID)
		cond += " AND (g.id = " + gp + " OR g.parent_id = " + gp + ")"
	}
	entries, err := loadGenEntries(ctx, tx, cond, a.Values)
	if err != nil {
		return out, err
	}
	// The period's school days by weekday, worked out once: a school's
	// template has thousands of lines.
	var days [8][]string
	for d := p.StartsOn; d <= p.EndsOn; d = calendar.DayAfter(d) {
		if !off[d] {
			wd := isoWeekday(d)
			days[wd] = append(days[wd], d)
		}
	}
	datesOf := func(e genEntry) []string {
		if e.weekday < 1 || e.weekday > 7 {
			return nil
		}
		ds := days[e.weekday]
		from, to := max(p.StartsOn, e.from), min(p.EndsOn, e.to)
		i, _ := slices.BinarySearch(ds, from)
		j, _ := slices.BinarySearch(ds, calendar.DayAfter(to))
		return ds[i:max(i, j)]
	}
	// What should exist.
	want := map[planKey]genEntry{}
	for _, e := range entries {
		for _, d := range datesOf(e) {
			want[planKey{e.id, d}] = e
		}
	}
	// What exists: the generated lessons of the period (by line and day) and
	// every planned lesson of the organisation occupying a slot.
	made := map[planKey]madeLesson{}
	occ := map[string][]occupant{}
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.group_id, COALESCE(l.substitute_id, l.teacher_id), l.room, l.on_date, l.slot, l.status,
		l.entry_id, l.planned_on, l.adjusted, l.topic, (SELECT COUNT(*) FROM homework h WHERE h.lesson_id = l.id)
		FROM lessons l WHERE l.org_id = $1 AND ((l.on_date >= $2 AND l.on_date <= $3) OR (l.planned_on >= $2 AND l.planned_on <= $3))`,
		y.OrgID, p.StartsOn, p.EndsOn)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var m madeLesson
		var entryID sql.NullInt64
		var planned sql.NullString
		var hw int
		if err := rows.Scan(&m.id, &m.groupID, &m.teacherID, &m.room, &m.date, &m.slot, &m.status, &entryID, &planned, &m.adjusted, &m.topic, &hw); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return out, err
		}
		m.written = m.topic != "" || hw > 0
		if m.status == Planned && m.date >= p.StartsOn && m.date <= p.EndsOn {
			k := m.date + "#" + strconv.Itoa(m.slot)
			occ[k] = append(occ[k], occupant{m.id, m.groupID, m.teacherID, m.room})
		}
		if entryID.Valid && planned.Valid && planned.String >= p.StartsOn && planned.String <= p.EndsOn {
			made[planKey{entryID.Int64, planned.String}] = m
		}
	}
	if err := rows.Close(); err != nil {
		return out, err
	}
	inScope := func(groupID int64) bool {
		return f.GroupID == 0 || groupID == f.GroupID || parent[groupID] == f.GroupID
	}
	// Lessons that no longer hold.
	today := s.today()
	for k, m := range made {
		if _, ok := want[k]; ok || m.adjusted || m.status != Planned || !inScope(m.groupID) {
			continue
		}
		removed := false
		if m.date >= today && !m.written {
			if removed, err = deleteIfUnreferenced(ctx, tx, m.id); err != nil {
				return out, err
			}
		}
		op := store.OpDelete
		if removed {
			out.Removed++
		} else {
			if _, err := tx.ExecContext(ctx, "UPDATE lessons SET status = 'cancelled', version = version + 1, updated_at = $1 WHERE id = $2", s.now(), m.id); err != nil {
				return out, err
			}
			op = store.OpUpdate
			out.Cancelled++
		}
		if err := record(ctx, tx, s.now(), LessonEntity, m.id, y.OrgID, op, map[string]any{"group_id": m.groupID, "status": Cancelled}); err != nil {
			return out, err
		}
		// Free its slot for the lessons made below.
		key := m.date + "#" + strconv.Itoa(m.slot)
		list := occ[key][:0]
		for _, o := range occ[key] {
			if o.lessonID != m.id {
				list = append(list, o)
			}
		}
		occ[key] = list
	}
	// Lessons to make, in a stable order.
	var todo []Lesson
	for _, e := range entries {
		for _, d := range datesOf(e) {
			k := planKey{e.id, d}
			if _, ok := want[k]; !ok {
				continue
			}
			if _, ok := made[k]; ok {
				out.Existing++
				continue
			}
			key := d + "#" + strconv.Itoa(e.slot)
			if skip, clash := clashes(occ[key], e, parent); clash {
				if len(out.Skipped) < MaxSkipsShown {
					skip.EntryID, skip.Date, skip.Slot = e.id, d, e.slot
					out.Skipped = append(out.Skipped, skip)
				}
				continue
			}
			occ[key] = append(occ[key], occupant{0, e.groupID, e.teacherID, e.room})
			entryID, planned := e.id, d
			todo = append(todo, Lesson{OrgID: y.OrgID, GroupID: e.groupID, Subject: e.subject, TeacherID: e.teacherID, Date: d, Slot: e.slot,
				Room: e.room, Kind: "regular", Status: Planned, entryID: &entryID, plannedOn: &planned})
		}
	}
	if fill != nil {
		fill(todo)
	}
	ids, err := insertLessons(ctx, tx, todo, s.now())
	if err != nil {
		return out, err
	}
	out.Created = len(ids)
	changes := make([]store.Change, 0, len(todo))
	org, actor := y.OrgID, identity.From(ctx).Login
	for i, l := range todo {
		js, _ := json.Marshal(map[string]any{"group_id": l.GroupID, "subject": l.Subject, "date": l.Date})
		changes = append(changes, store.Change{At: s.now(), Entity: LessonEntity, EntityID: strconv.FormatInt(ids[i], 10), Op: store.OpCreate,
			OrgID: &org, Actor: actor, Data: js})
	}
	if err := tx.RecordBatch(ctx, changes); err != nil {
		return out, err
	}
	detail := fmt.Sprintf("period %d: %d created, %d existing, %d removed, %d cancelled, %d skipped", p.ID, out.Created, out.Existing,
		out.Removed, out.Cancelled, len(out.Skipped))
	e := entry(audit.RecordCreate, LessonEntity, p.ID, y.OrgID, nil)
	e.ObjectType, e.Detail = "lesson_generation", detail
	return out, af.write(ctx, tx, e)
}

type madeLesson struct {
	id, groupID, teacherID int64
	room, date, status     string
	slot                   int
	adjusted, written      bool
	topic                  string
}

func loadGenEntries(ctx context.Context, q store.Querier, cond string, args []any) ([]genEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.group_id, e.teacher_id, e.weekday, e.slot, e.subject, e.room, e.valid_from, COALESCE(e.valid_to, '9999-12-31')
		FROM timetable_entries e JOIN groups g ON g.id = e.group_id WHERE `+cond+` ORDER BY e.group_id, e.weekday, e.slot, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []genEntry
	for rows.Next() {
		var e genEntry
		if err := rows.Scan(&e.id, &e.groupID, &e.teacherID, &e.weekday, &e.slot, &e.subject, &e.room, &e.from, &e.to); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// parents maps each sub-group of a year to its class.
func parents(ctx context.Context, q store.Querier, yearID int64) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, parent_id FROM groups WHERE year_id = $1 AND parent_id IS NOT NULL", yearID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}

// clashes checks a line against what already occupies its slot that day.
func clashes(list []occupant, e genEntry, parent map[int64]int64) (Skip, bool) {
	for _, o := range list {
		switch {
		case o.groupID == e.groupID || parent[o.groupID] == e.groupID || parent[e.groupID] == o.groupID:
			return Skip{Rule: "group_busy", LessonID: o.lessonID}, true
		case o.teacherID == e.teacherID:
			return Skip{Rule: "teacher_busy", LessonID: o.lessonID}, true
		case e.room != "" && o.room == e.room:
			return Skip{Rule: "room_busy", LessonID: o.lessonID}, true
		}
	}
	return Skip{}, false
}

// deleteIfUnreferenced deletes a lesson unless another table refers to it
// (a foreign key refuses): the savepoint keeps the transaction usable.
func deleteIfUnreferenced(ctx context.Context, tx *store.Tx, id int64) (bool, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT lesson_delete"); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM lessons WHERE id = $1", id); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT lesson_delete"); rerr != nil {
			return false, rerr
		}
		_, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT lesson_delete")
		return false, rerr
	}
	_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT lesson_delete")
	return err == nil, err
}

// isoWeekday is 1 (Monday) to 7 (Sunday) of a valid ISO date.
func isoWeekday(d string) int {
	t, _ := calendar.ParseDate(d)
	return (int(t.Weekday())+6)%7 + 1
}

// insertLessons writes lessons in bulk and returns their ids in order:
// the ids are reserved first, so the rows go by COPY on PostgreSQL and in
// multi-row INSERTs with bare "?" on SQLite (a year of a school's lessons is
// tens of thousands of rows).
func insertLessons(ctx context.Context, tx *store.Tx, ls []Lesson, now time.Time) ([]int64, error) {
	ids, err := tx.ReserveIDs(ctx, "lessons", len(ls))
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	err = store.CopyRows(ctx, tx, "lessons", []string{"id", "org_id", "group_id", "subject", "teacher_id", "on_date", "slot", "room", "kind", "status",
		"topic", "control_work", "version", "created_at", "updated_at", "entry_id", "planned_on"}, len(ls), func(i int, a []any) error {
		l := &ls[i]
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8] = ids[i], l.OrgID, l.GroupID, l.Subject, l.TeacherID, l.Date, l.Slot, l.Room, l.Kind
		a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16] = l.Status, l.Topic, l.ControlWork, 1, now, now, l.entryID, l.plannedOn
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
