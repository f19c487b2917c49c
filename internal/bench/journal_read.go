package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"shkola/internal/demo"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// journalRead: the teacher lists the class journal of a period, 30 pupils
// by every lesson of mathematics with marks and attendance filled by the
// demo generator, GET /api/v1/classes/{id}/journal?subject=math&period=P.
// Baseline: the lessons of the period, the pupils and the cells in three
// queries. (Without the period's dates, as the baseline once read every
// lesson of the class, PostgreSQL with statistics at size district chose a
// parallel plan for the cells whose workers' start-up made it 15 queries/s
// on 2 cores; the grid has always read one period.)
type journalRead struct {
	jc   *journalClass
	path string
}

func (*journalRead) Name() string { return "journal-grid-read" }

func (s *journalRead) Setup(ctx context.Context, env *Env) error {
	var err error
	if s.jc, err = newJournalClass(ctx, env); err != nil {
		return err
	}
	if _, err := demo.FillJournal(ctx, env.App.DB, 11, s.jc.class); err != nil {
		return err
	}
	s.path = fmt.Sprintf("/api/v1/classes/%d/journal?subject=math&period=%d", s.jc.class, s.jc.period)
	return nil
}

func (s *journalRead) Op(ctx context.Context, c *Client, _ int) error {
	b, err := c.Expect(ctx, 200, "GET", s.path, s.jc.token, nil)
	if err == nil && bytes.Count(b, []byte(`"member":true`)) < 30*len(s.jc.lessons)/2 {
		err = fmt.Errorf("the grid lacks its cells: %.300s", b)
	}
	return err
}

func (s *journalRead) Baseline(ctx context.Context, db *store.DB, _ int) error {
	q := db.Read()
	rows, err := q.QueryContext(ctx, "SELECT "+schedule.LessonColumns+` FROM lessons l WHERE l.group_id = $1 AND l.subject = 'math'
		AND l.on_date >= $2 AND l.on_date <= $3 ORDER BY l.on_date, l.slot`, s.jc.class, s.jc.from, s.jc.to)
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		if _, err := schedule.ScanLesson(rows); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		n++
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT m.person_id, p.last_name, p.first_name, p.middle_name, m.starts_on, COALESCE(m.ends_on, '')
		FROM group_members m JOIN persons p ON p.id = m.person_id WHERE m.group_id = $1 ORDER BY p.last_name, p.first_name`, s.jc.class)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var a, b, c, d, e string
		if err := rows.Scan(&id, &a, &b, &c, &d, &e); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT x.lesson_id, x.person_id, x.value, x.score, x.work_kind, x.weight FROM marks x
		JOIN lessons l ON l.id = x.lesson_id WHERE l.group_id = $1 AND l.subject = 'math' AND l.on_date >= $2 AND l.on_date <= $3
		UNION ALL SELECT a.lesson_id, a.person_id, a.status, NULL, a.reason, COALESCE(a.late_minutes, 0) FROM attendance a
		JOIN lessons l ON l.id = a.lesson_id WHERE l.group_id = $1 AND l.subject = 'math' AND l.on_date >= $2 AND l.on_date <= $3`,
		s.jc.class, s.jc.from, s.jc.to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l, p int64
		var v, k string
		var sc sql.NullFloat64
		var w int
		if err := rows.Scan(&l, &p, &v, &sc, &k, &w); err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no lessons")
	}
	return rows.Err()
}
