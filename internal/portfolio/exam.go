package portfolio

import (
	"context"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// ExamResult is one state exam result (ОГЭ, ЕГЭ, ГВЭ; ЗНО, НМТ, ДПА).
type ExamResult struct {
	ID        int64     `json:"id"`
	PersonID  int64     `json:"person_id"`
	OrgID     int64     `json:"org_id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Score     int       `json:"score"`
	MaxScore  int       `json:"max_score"`
	Year      int       `json:"year"`
	CreatedAt time.Time `json:"created_at"`
}

// NewExam is an exam result as submitted.
type NewExam struct {
	Kind     string `json:"kind"`
	Subject  string `json:"subject"`
	Score    *int   `json:"score"`
	MaxScore *int   `json:"max_score"`
	Year     int    `json:"year"`
}

// ExamKinds are the shipped codes of the exam_kind directory.
func ExamKinds() []string { return []string{"oge", "ege", "gve", "zno", "nmt", "dpa"} }

// ValidateExam checks an exam result.
func (s *Service) ValidateExam(ctx context.Context, n *NewExam) error {
	var v errs.Validation
	for _, c := range []struct {
		field, dir, code string
		builtin          []string
	}{{"kind", "exam_kind", n.Kind, ExamKinds()}, {"subject", "subject", n.Subject, nil}} {
		if c.code == "" {
			v.Add(c.field, "required", "required")
			continue
		}
		ok, err := s.known(ctx, c.dir, c.code, c.builtin)
		if err != nil {
			return err
		}
		if !ok {
			v.Add(c.field, "directory", "not a code of the "+c.dir+" directory")
		}
	}
	switch {
	case n.MaxScore == nil:
		v.Add("max_score", "required", "required")
	case *n.MaxScore < 1 || *n.MaxScore > 1000:
		v.Add("max_score", "range", "from 1 to 1000")
	}
	switch {
	case n.Score == nil:
		v.Add("score", "required", "required")
	case *n.Score < 0:
		v.Add("score", "range", "not negative")
	case n.MaxScore != nil && *n.Score > *n.MaxScore:
		v.Add("score", "max_score", "not more than the maximum score")
	}
	if y := s.now().Year(); n.Year < 1990 || n.Year > y {
		v.Add("year", "range", "a year from 1990 to this year")
	}
	return v.Err()
}

const examSelect = "SELECT id, person_id, org_id, kind, subject, score, max_score, year, created_at FROM exam_results"

func scanExam(row interface{ Scan(...any) error }) (ExamResult, error) {
	var e ExamResult
	err := row.Scan(&e.ID, &e.PersonID, &e.OrgID, &e.Kind, &e.Subject, &e.Score, &e.MaxScore, &e.Year, &e.CreatedAt)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}

// Exam reads one exam result.
func (s *Service) Exam(ctx context.Context, q store.Querier, id int64) (ExamResult, error) {
	e, err := scanExam(q.QueryRowContext(ctx, examSelect+" WHERE id = $1", id))
	if store.IsNoRows(err) {
		return e, errs.E(errs.NotFound, "not found")
	}
	return e, err
}

// Exams lists a pupil's exam results, latest year first.
func (s *Service) Exams(ctx context.Context, q store.Querier, personID int64) ([]ExamResult, error) {
	rows, err := q.QueryContext(ctx, examSelect+" WHERE person_id = $1 ORDER BY year DESC, kind, subject", personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ExamResult{}
	for rows.Next() {
		e, err := scanExam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddExamTx writes a validated exam result; a second result of the same
// kind, subject and year is a conflict (delete the wrong one first).
func (s *Service) AddExamTx(ctx context.Context, tx *store.Tx, p Pupil, n NewExam, by string, af AuditFunc) (ExamResult, error) {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM exam_results WHERE person_id = $1 AND kind = $2 AND subject = $3 AND year = $4",
		p.ID, n.Kind, n.Subject, n.Year).Scan(&one)
	if err == nil {
		return ExamResult{}, errs.Field(errs.Conflict, "subject", "duplicate", "this exam of this year is already recorded")
	}
	if !store.IsNoRows(err) {
		return ExamResult{}, err
	}
	now := s.now()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO exam_results (person_id, org_id, kind, subject, score, max_score, year, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		p.ID, p.OrgID, n.Kind, n.Subject, *n.Score, *n.MaxScore, n.Year, now, by).Scan(&id); err != nil {
		return ExamResult{}, err
	}
	if err := record(ctx, tx, now, ExamEntity, id, p.OrgID, store.OpCreate,
		map[string]any{"person_id": p.ID, "kind": n.Kind, "subject": n.Subject, "year": n.Year}); err != nil {
		return ExamResult{}, err
	}
	if err := write(ctx, tx, af, entry(audit.RecordCreate, ExamEntity, id, p.OrgID, p.ID, nil)); err != nil {
		return ExamResult{}, err
	}
	return s.Exam(ctx, tx, id)
}

// DeleteExamTx removes an exam result entered by mistake.
func (s *Service) DeleteExamTx(ctx context.Context, tx *store.Tx, id int64, af AuditFunc) error {
	cur, err := s.Exam(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM exam_results WHERE id = $1", id); err != nil {
		return err
	}
	if err := record(ctx, tx, s.now(), ExamEntity, id, cur.OrgID, store.OpDelete, map[string]any{"person_id": cur.PersonID}); err != nil {
		return err
	}
	return write(ctx, tx, af, entry(audit.RecordDelete, ExamEntity, id, cur.OrgID, cur.PersonID, nil))
}
