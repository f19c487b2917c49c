package journal

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/identity"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// Pupil is a row of a lesson column or of the grid.
type Pupil struct {
	PersonID   int64  `json:"person_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
}

// Name is "Last First".
func (p Pupil) Name() string { return p.LastName + " " + p.FirstName }

// LessonCell is one pupil's cell of a lesson.
type LessonCell struct {
	Pupil
	Mark       *Mark       `json:"mark,omitempty"`
	Attendance *Attendance `json:"attendance,omitempty"`
}

// LessonJournal is the column of one lesson: who was in the group that
// day, with their marks and attendance, and whether the caller may write.
type LessonJournal struct {
	Lesson     schedule.Lesson `json:"lesson"`
	PeriodID   int64           `json:"period_id,omitempty"`
	PeriodName string          `json:"period_name,omitempty"`
	Locked     bool            `json:"locked"`
	Scale      Scale           `json:"scale"`
	CanWrite   bool            `json:"can_write"`
	// Amend: the caller writes as an administrator, with a reason.
	Amend bool         `json:"amend"`
	Cells []LessonCell `json:"cells"`
}

// Lesson returns a lesson's column for those who may read it.
func (g *Guard) Lesson(ctx context.Context, id int64) (LessonJournal, error) {
	li, err := g.loadLesson(ctx, id, []string{"read", "write", "amend"}, nil)
	if err != nil {
		return LessonJournal{}, hidden(ctx, err)
	}
	if err := g.check(ctx, "read", li.obj); err != nil {
		return LessonJournal{}, err
	}
	out := LessonJournal{Lesson: li.Lesson, PeriodID: li.PeriodID, PeriodName: li.PeriodName, Locked: li.locked()}
	if mode, err := g.decideWrite(ctx, "write", li.obj, li.locked()); err == nil {
		out.CanWrite = mode == modeAmend || !li.locked()
		out.Amend = mode == modeAmend
	}
	if out.Scale, err = g.S.scaleAt(ctx, li.dirVersion, li.ScaleCode); err != nil {
		return out, err
	}
	if out.Cells, err = lessonCells(ctx, g.S.read(), li); err != nil {
		return out, err
	}
	return out, g.auditRead(ctx, LessonEntity, li.ID, li.OrgID)
}

// lessonCells reads the pupils of the lesson's group on its day (and any
// pupil with a cell written) with their marks and attendance: one query.
func lessonCells(ctx context.Context, q store.Querier, li lessonInfo) ([]LessonCell, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.last_name, p.first_name, p.middle_name,
		mk.id, mk.value, mk.score, mk.work_kind, mk.weight, mk.comment, mk.author, mk.version, mk.updated_at, mk.scale,
		ak.id, ak.status, ak.reason, ak.late_minutes, ak.author, ak.version, ak.updated_at
		FROM persons p
		LEFT JOIN marks mk ON mk.lesson_id = $1 AND mk.person_id = p.id
		LEFT JOIN attendance ak ON ak.lesson_id = $1 AND ak.person_id = p.id
		WHERE p.id IN (SELECT person_id FROM group_members WHERE group_id IN (SELECT id FROM groups WHERE id = $2 OR parent_id = $2)
			AND starts_on <= $3 AND (ends_on IS NULL OR ends_on > $3))
		OR p.id IN (SELECT person_id FROM marks WHERE lesson_id = $1) OR p.id IN (SELECT person_id FROM attendance WHERE lesson_id = $1)
		ORDER BY p.last_name, p.first_name, p.middle_name, p.id`, li.ID, li.GroupID, li.Date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LessonCell{}
	for rows.Next() {
		var c LessonCell
		var mID, mWeight, mVersion, aID, aMinutes, aVersion sql.NullInt64
		var mValue, mKind, mComment, mAuthor, mScale, aStatus, aReason, aAuthor sql.NullString
		var mScore sql.NullFloat64
		var mAt, aAt sql.NullTime
		if err := rows.Scan(&c.PersonID, &c.LastName, &c.FirstName, &c.MiddleName,
			&mID, &mValue, &mScore, &mKind, &mWeight, &mComment, &mAuthor, &mVersion, &mAt, &mScale,
			&aID, &aStatus, &aReason, &aMinutes, &aAuthor, &aVersion, &aAt); err != nil {
			return nil, err
		}
		if mID.Valid {
			c.Mark = &Mark{ID: mID.Int64, LessonID: li.ID, PersonID: c.PersonID, Scale: mScale.String, Value: mValue.String,
				Kind: mKind.String, Weight: int(mWeight.Int64), Comment: mComment.String, Author: mAuthor.String,
				Version: mVersion.Int64, UpdatedAt: mAt.Time.UTC()}
			if mScore.Valid {
				s := mScore.Float64
				c.Mark.Score = &s
			}
		}
		if aID.Valid {
			c.Attendance = &Attendance{ID: aID.Int64, LessonID: li.ID, PersonID: c.PersonID, Status: aStatus.String,
				Reason: aReason.String, Author: aAuthor.String, Version: aVersion.Int64, UpdatedAt: aAt.Time.UTC()}
			if aMinutes.Valid {
				n := int(aMinutes.Int64)
				c.Attendance.Minutes = &n
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// HistoryEntry is one change of a cell.
type HistoryEntry struct {
	What   string    `json:"what"` // mark or attendance
	Old    string    `json:"old"`
	New    string    `json:"new"`
	Author string    `json:"author"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// CellHistory is the cell of one pupil at one lesson, with every change.
type CellHistory struct {
	LessonID int64          `json:"lesson_id"`
	Pupil    Pupil          `json:"pupil"`
	Entries  []HistoryEntry `json:"entries"`
}

// History returns the history of a cell, oldest first, for those who may
// read the lesson's journal.
func (g *Guard) History(ctx context.Context, lessonID, personID int64) (CellHistory, error) {
	li, err := g.loadLesson(ctx, lessonID, []string{"read"}, nil)
	if err != nil {
		return CellHistory{}, hidden(ctx, err)
	}
	if err := g.check(ctx, "read", li.obj); err != nil {
		return CellHistory{}, err
	}
	out := CellHistory{LessonID: lessonID, Entries: []HistoryEntry{}}
	q := g.S.DB.Read()
	err = q.QueryRowContext(ctx, "SELECT id, last_name, first_name, middle_name FROM persons WHERE id = $1", personID).
		Scan(&out.Pupil.PersonID, &out.Pupil.LastName, &out.Pupil.FirstName, &out.Pupil.MiddleName)
	if err != nil {
		if store.IsNoRows(err) {
			return out, hidden(ctx, errNotFound("pupil"))
		}
		return out, err
	}
	rows, err := q.QueryContext(ctx, `SELECT what, old_value, new_value, author, reason, at FROM journal_history
		WHERE lesson_id = $1 AND person_id = $2 ORDER BY id`, lessonID, personID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var e HistoryEntry
		if err := rows.Scan(&e.What, &e.Old, &e.New, &e.Author, &e.Reason, &e.At); err != nil {
			return out, err
		}
		e.At = e.At.UTC()
		out.Entries = append(out.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	return out, g.auditRead(ctx, LessonEntity, lessonID, li.OrgID)
}

// auditRead records a read by an inspector: supervisors' reads are
// audited one by one (brief, section 1).
func (g *Guard) auditRead(ctx context.Context, objectType string, id, orgID int64) error {
	if !identity.From(ctx).Has(identity.Inspector) || g.S.Audit == nil {
		return nil
	}
	org := orgID
	return g.S.Audit.Write(ctx, audit.Entry{Action: audit.BulkRead, Outcome: audit.Success, ObjectType: objectType,
		ObjectID: strconv.FormatInt(id, 10), OrgID: &org, Detail: "journal read"})
}
