package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Homework is what was set at a lesson: text, due date and files. A lesson
// has at most one (one row per lesson, edited in place).
type Homework struct {
	ID       int64            `json:"id"`
	LessonID int64            `json:"lesson_id"`
	Text     string           `json:"text"`
	DueOn    string           `json:"due_on,omitempty"`
	Files    []filestore.File `json:"files"`
	Version  int64            `json:"version"`
}

// LessonView is one lesson with everything its page shows.
type LessonView struct {
	LessonRow
	TeacherOfRecord string    `json:"teacher_of_record"` // the assigned teacher, also when replaced
	PeriodName      string    `json:"period_name,omitempty"`
	PeriodClosed    bool      `json:"period_closed"`
	Homework        *Homework `json:"homework,omitempty"`
}

// Limits of lesson content.
const (
	MaxTopic        = 500
	MaxHomeworkText = 4000
	MaxHomeworkFile = 10
)

// HomeworkFiles is what a homework file may be: the file store's limit for
// documents (10 MiB of PDF, pictures, text, office files).
var HomeworkFiles = filestore.Documents

// LessonPatch changes what a teacher writes about a lesson; fields not
// sent stay as they are.
type LessonPatch struct {
	Topic       *string        `json:"topic"`
	Kind        *string        `json:"kind"`
	ControlWork *bool          `json:"control_work"`
	Homework    *HomeworkPatch `json:"homework"`
}

// HomeworkPatch sets the homework's text and due date (empty due date: the
// day of the next lesson of the subject).
type HomeworkPatch struct {
	Text  *string `json:"text"`
	DueOn *string `json:"due_on"`
}

// View reads one lesson with its homework.
func (s *Service) View(ctx context.Context, id int64) (LessonView, error) {
	q := s.DB.Read()
	r, err := scanRow(q.QueryRowContext(ctx, rowSelect+" WHERE l.id = $1", id))
	if store.IsNoRows(err) {
		return LessonView{}, errs.E(errs.NotFound, "no such lesson")
	}
	if err != nil {
		return LessonView{}, err
	}
	v := LessonView{LessonRow: r, TeacherOfRecord: r.TeacherName}
	if r.SubstituteID != nil {
		var last, first, middle string
		if err := q.QueryRowContext(ctx, "SELECT last_name, first_name, middle_name FROM persons WHERE id = $1", r.TeacherID).Scan(&last, &first, &middle); err != nil {
			return v, err
		}
		v.TeacherOfRecord = shortName(last, first, middle)
	}
	b, err := LoadBells(ctx, q, r.OrgID)
	if err != nil {
		return v, err
	}
	if t, ok := b.Times(r.Date)[r.Slot]; ok {
		v.StartsAt, v.EndsAt = t.StartsAt, t.EndsAt
	}
	y, _, err := lessonYear(ctx, q, r.GroupID)
	if err != nil {
		return v, err
	}
	p, err := PeriodOn(ctx, q, y.ID, r.Date)
	if err != nil {
		return v, err
	}
	if p != nil {
		v.PeriodName, v.PeriodClosed = p.Name, p.ClosedAt != nil
	}
	v.PeriodClosed = v.PeriodClosed || y.Status == calendar.Closed
	v.Homework, err = loadHomework(ctx, q, id)
	return v, err
}

func loadHomework(ctx context.Context, q store.Querier, lessonID int64) (*Homework, error) {
	var h Homework
	var due sql.NullString
	err := q.QueryRowContext(ctx, "SELECT id, lesson_id, text, due_on, version FROM homework WHERE lesson_id = $1", lessonID).
		Scan(&h.ID, &h.LessonID, &h.Text, &due, &h.Version)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h.DueOn = due.String
	h.Files = []filestore.File{}
	rows, err := q.QueryContext(ctx, `SELECT f.id, f.name, f.content_type, f.size, f.sha256, f.org_id, f.created_at
		FROM homework_files hf JOIN files f ON f.id = hf.file_id WHERE hf.homework_id = $1 ORDER BY f.id`, h.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f filestore.File
		if err := rows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.OrgID, &f.CreatedAt); err != nil {
			return nil, err
		}
		f.CreatedAt = f.CreatedAt.UTC()
		h.Files = append(h.Files, f)
	}
	return &h, rows.Err()
}

// writable loads a lesson for a change of its content: it must be planned
// and in an open period.
func writable(ctx context.Context, tx *store.Tx, id int64) (Lesson, error) {
	l, err := GetLesson(ctx, tx, id)
	if err != nil {
		return l, err
	}
	if l.Status == Cancelled {
		return l, errs.Field(errs.Conflict, "status", "cancelled", "the lesson is cancelled")
	}
	y, _, err := lessonYear(ctx, tx, l.GroupID)
	if err != nil {
		return l, err
	}
	return l, checkOpen(ctx, tx, y, "date", l.Date)
}

// nextLessonDate is the day of the next lesson of the subject in the group
// after the lesson (the usual due date of homework).
func nextLessonDate(ctx context.Context, q store.Querier, l Lesson) (string, error) {
	var d sql.NullString
	err := q.QueryRowContext(ctx, `SELECT MIN(on_date) FROM lessons WHERE group_id = $1 AND subject = $2 AND status = 'planned' AND on_date > $3`,
		l.GroupID, l.Subject, l.Date).Scan(&d)
	return d.String, err
}

// UpdateLesson writes the topic, kind, control-work flag and homework of a
// lesson at the version read.
func (s *Service) UpdateLesson(ctx context.Context, id, expected int64, p LessonPatch, af AuditFunc) (Lesson, error) {
	var out Lesson
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := writable(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return stale("lesson")
		}
		next := cur
		var v errs.Validation
		if p.Topic != nil {
			if next.Topic = strings.TrimSpace(*p.Topic); utf8.RuneCountInString(next.Topic) > MaxTopic {
				v.Add("topic", "length", fmt.Sprintf("at most %d characters", MaxTopic))
			}
		}
		if p.Kind != nil {
			next.Kind = strings.TrimSpace(*p.Kind)
			if ok, err := s.known(ctx, LessonKindDirectory, next.Kind); err != nil {
				return err
			} else if next.Kind == "" || !ok {
				v.Add("kind", "unknown", "not a lesson kind of the reference directory")
			}
		}
		if p.ControlWork != nil {
			next.ControlWork = *p.ControlWork
		}
		hw, err := loadHomework(ctx, tx, id)
		if err != nil {
			return err
		}
		var text, due string
		if hw != nil {
			text, due = hw.Text, hw.DueOn
		}
		if h := p.Homework; h != nil {
			if h.Text != nil {
				if text = strings.TrimSpace(*h.Text); utf8.RuneCountInString(text) > MaxHomeworkText {
					v.Add("homework.text", "length", fmt.Sprintf("at most %d characters", MaxHomeworkText))
				}
			}
			if h.DueOn != nil {
				due = *h.DueOn
				switch {
				case due == "":
				case !calendar.ValidDate(due):
					v.Add("homework.due_on", "date", "not a date in the calendar (YYYY-MM-DD)")
				case due < cur.Date:
					v.Add("homework.due_on", "order", "homework is due on or after the lesson's day ("+cur.Date+")")
				}
			}
			if due == "" && text != "" && !v.Has("homework.due_on") {
				if due, err = nextLessonDate(ctx, tx, cur); err != nil {
					return err
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		changes := diff(cur.contentAudit(), next.contentAudit())
		if len(changes) > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE lessons SET topic = $1, kind = $2, control_work = $3, version = version + 1, updated_at = $4
				WHERE id = $5 AND version = $6`, next.Topic, next.Kind, next.ControlWork, now, id, cur.Version)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return stale("lesson")
			}
			if err := record(ctx, tx, now, LessonEntity, id, cur.OrgID, store.OpUpdate, lessonData(next)); err != nil {
				return err
			}
			if err := af.write(ctx, tx, entry(audit.RecordUpdate, LessonEntity, id, cur.OrgID, changes)); err != nil {
				return err
			}
		}
		if p.Homework != nil && (hw == nil && (text != "" || due != "") || hw != nil && (hw.Text != text || hw.DueOn != due)) {
			if _, err := s.saveHomework(ctx, tx, cur, hw, text, due, af); err != nil {
				return err
			}
		}
		out, err = GetLesson(ctx, tx, id)
		return err
	})
	return out, err
}

func (l Lesson) contentAudit() map[string]string {
	return map[string]string{"topic": l.Topic, "kind": l.Kind, "control_work": strconv.FormatBool(l.ControlWork)}
}

// saveHomework creates or updates a lesson's homework row and records it as
// events.md says (ids and codes only).
func (s *Service) saveHomework(ctx context.Context, tx *store.Tx, l Lesson, hw *Homework, text, due string, af AuditFunc) (int64, error) {
	now := s.now()
	var dueArg any
	if due != "" {
		dueArg = due
	}
	op, action := store.OpUpdate, audit.RecordUpdate
	var id int64
	var old map[string]string
	if hw == nil {
		op, action = store.OpCreate, audit.RecordCreate
		if err := tx.QueryRowContext(ctx, `INSERT INTO homework (lesson_id, text, due_on, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
			RETURNING id`, l.ID, text, dueArg, now).Scan(&id); err != nil {
			return 0, err
		}
	} else {
		id, old = hw.ID, map[string]string{"text": hw.Text, "due_on": hw.DueOn}
		if _, err := tx.ExecContext(ctx, "UPDATE homework SET text = $1, due_on = $2, version = version + 1, updated_at = $3 WHERE id = $4",
			text, dueArg, now, id); err != nil {
			return 0, err
		}
	}
	if err := recordHomework(ctx, tx, now, id, l, op, due); err != nil {
		return 0, err
	}
	return id, af.write(ctx, tx, entry(action, HomeworkEntity, id, l.OrgID, diff(old, map[string]string{"text": text, "due_on": due})))
}

func recordHomework(ctx context.Context, tx *store.Tx, at time.Time, id int64, l Lesson, op, due string) error {
	data := map[string]any{"lesson_id": l.ID, "group_id": l.GroupID, "subject": l.Subject, "due_on": due}
	return record(ctx, tx, at, HomeworkEntity, id, l.OrgID, op, data)
}

// AddHomeworkFile stores an uploaded file (checked by size and sniffed
// type) and attaches it to the lesson's homework, creating the homework if
// the lesson has none yet.
func (s *Service) AddHomeworkFile(ctx context.Context, lessonID int64, name string, r io.Reader, af AuditFunc) (filestore.File, error) {
	var out filestore.File
	if s.Files == nil {
		return out, errs.E(errs.Unavailable, "file uploads are not configured")
	}
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		l, err := writable(ctx, tx, lessonID)
		if err != nil {
			return err
		}
		hw, err := loadHomework(ctx, tx, lessonID)
		if err != nil {
			return err
		}
		if hw != nil && len(hw.Files) >= MaxHomeworkFile {
			return errs.Field(errs.Invalid, "file", "max_items", fmt.Sprintf("at most %d files per homework", MaxHomeworkFile))
		}
		org := l.OrgID
		if out, err = s.Files.Save(ctx, tx, "file", name, r, HomeworkFiles, &org, identity.From(ctx).Login); err != nil {
			return err
		}
		var hwID int64
		if hw == nil {
			due, err := nextLessonDate(ctx, tx, l)
			if err != nil {
				return err
			}
			if hwID, err = s.saveHomework(ctx, tx, l, nil, "", due, af); err != nil {
				return err
			}
		} else {
			hwID = hw.ID
			if _, err := tx.ExecContext(ctx, "UPDATE homework SET version = version + 1, updated_at = $1 WHERE id = $2", s.now(), hwID); err != nil {
				return err
			}
			if err := recordHomework(ctx, tx, s.now(), hwID, l, store.OpUpdate, hw.DueOn); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO homework_files (homework_id, file_id) VALUES ($1, $2)", hwID, out.ID); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordUpdate, HomeworkEntity, hwID, l.OrgID,
			[]audit.FieldChange{{Field: "file", New: fmt.Sprintf("%d (%s, %d bytes)", out.ID, out.ContentType, out.Size)}}))
	})
	return out, err
}

// RemoveHomeworkFile detaches a file from a lesson's homework.
func (s *Service) RemoveHomeworkFile(ctx context.Context, lessonID, fileID int64, af AuditFunc) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		l, err := writable(ctx, tx, lessonID)
		if err != nil {
			return err
		}
		hw, err := loadHomework(ctx, tx, lessonID)
		if err != nil {
			return err
		}
		if hw == nil || !hasFile(hw, fileID) {
			return errs.E(errs.NotFound, "no such file in this homework")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM homework_files WHERE homework_id = $1 AND file_id = $2", hw.ID, fileID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE homework SET version = version + 1, updated_at = $1 WHERE id = $2", s.now(), hw.ID); err != nil {
			return err
		}
		if err := recordHomework(ctx, tx, s.now(), hw.ID, l, store.OpUpdate, hw.DueOn); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordUpdate, HomeworkEntity, hw.ID, l.OrgID, []audit.FieldChange{{Field: "file", Old: strconv.FormatInt(fileID, 10)}}))
	})
}

func hasFile(hw *Homework, fileID int64) bool {
	for _, f := range hw.Files {
		if f.ID == fileID {
			return true
		}
	}
	return false
}

// HomeworkFile opens a file of a lesson's homework.
func (s *Service) HomeworkFile(ctx context.Context, lessonID, fileID int64) (filestore.File, io.ReadCloser, error) {
	hw, err := loadHomework(ctx, s.DB.Read(), lessonID)
	if err != nil {
		return filestore.File{}, nil, err
	}
	if hw == nil || !hasFile(hw, fileID) || s.Files == nil {
		return filestore.File{}, nil, errs.E(errs.NotFound, "no such file in this homework")
	}
	return s.Files.Open(ctx, fileID)
}
