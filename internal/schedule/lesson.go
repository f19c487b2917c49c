package schedule

import (
	"context"
	"database/sql"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Lesson statuses.
const (
	Planned   = "planned"
	Cancelled = "cancelled"
)

// Lesson is one dated lesson of a class or sub-group in a subject.
type Lesson struct {
	ID           int64  `json:"id"`
	OrgID        int64  `json:"org_id"`
	GroupID      int64  `json:"group_id"`
	Subject      string `json:"subject"`
	TeacherID    int64  `json:"teacher_id"`
	SubstituteID *int64 `json:"substitute_id,omitempty"`
	Date         string `json:"date"`
	Slot         int    `json:"slot"`
	Room         string `json:"room"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Topic        string `json:"topic"`
	ControlWork  bool   `json:"control_work"`
	Version      int64  `json:"version"`
	// entryID and plannedOn tie a generated lesson to its template line
	// and day (migration 0002); unexported, so readers of lessons see the
	// same Lesson as before.
	entryID   *int64
	plannedOn *string
}

// TakenBy is the person who takes the lesson: the substitute if there is
// one, otherwise the assigned teacher.
func (l Lesson) TakenBy() int64 {
	if l.SubstituteID != nil {
		return *l.SubstituteID
	}
	return l.TeacherID
}

// LessonColumns is the column list LessonScan reads, for queries of other
// domains that join lessons.
const LessonColumns = `l.id, l.org_id, l.group_id, l.subject, l.teacher_id, l.substitute_id, l.on_date, l.slot,
	l.room, l.kind, l.status, l.topic, l.control_work, l.version`

// ScanLesson reads one row selected with LessonColumns.
func ScanLesson(row interface{ Scan(...any) error }) (Lesson, error) {
	var l Lesson
	var sub sql.NullInt64
	err := row.Scan(&l.ID, &l.OrgID, &l.GroupID, &l.Subject, &l.TeacherID, &sub, &l.Date, &l.Slot,
		&l.Room, &l.Kind, &l.Status, &l.Topic, &l.ControlWork, &l.Version)
	if sub.Valid {
		l.SubstituteID = &sub.Int64
	}
	return l, err
}

// GetLesson reads one lesson; an unknown id is NotFound.
func GetLesson(ctx context.Context, q store.Querier, id int64) (Lesson, error) {
	l, err := ScanLesson(q.QueryRowContext(ctx, "SELECT "+LessonColumns+" FROM lessons l WHERE l.id = $1", id))
	if store.IsNoRows(err) {
		return l, errs.E(errs.NotFound, "no such lesson")
	}
	return l, err
}

// InsertLessonTx writes a new lesson inside tx and returns its id. Callers
// have checked it (assignment, period, conflicts); the schema checks the rest.
func InsertLessonTx(ctx context.Context, tx *store.Tx, l Lesson, now time.Time) (int64, error) {
	if l.Status == "" {
		l.Status = Planned
	}
	if l.Kind == "" {
		l.Kind = "regular"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO lessons (org_id, group_id, subject, teacher_id, substitute_id, on_date, slot,
		room, kind, status, topic, control_work, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id`,
		l.OrgID, l.GroupID, l.Subject, l.TeacherID, l.SubstituteID, l.Date, l.Slot,
		l.Room, l.Kind, l.Status, l.Topic, l.ControlWork, now.UTC().Truncate(time.Microsecond)).Scan(&id)
	return id, err
}
