package demo_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/demo"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// The demo journal looks like a school's: marks follow the subject (kinder
// in physical education than in algebra), absences rise in winter, every
// pupil writes the control work at a period's end, and the closed first
// quarter has its period marks. The demo itself fills only the lessons up
// to its today; the winter is seen in copies of the 7th and 8th classes
// given a whole year of lessons and filled with FillJournal.
func TestDemoJournal(t *testing.T) {
	s := staffDemo(t, 3)
	ctx := context.Background()
	db := s.App.DB
	var future, past int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id WHERE l.on_date > $1`, demo.Today()).Scan(&future); err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id WHERE l.on_date <= $1`, demo.Today()).Scan(&past); err != nil {
		t.Fatal(err)
	}
	if future != 0 || past == 0 {
		t.Fatalf("the demo's marks: %d on lessons after its today, %d before", future, past)
	}
	// Copies of the 7th and 8th classes (same pupils) with algebra on
	// Mondays and Wednesdays and physical education on Tuesdays and
	// Thursdays, all year.
	type cls struct{ id, org, teacher int64 }
	var classes []cls
	rows, err := db.R.QueryContext(ctx, `SELECT g.id, g.org_id, MIN(a.teacher_id) FROM groups g JOIN assignments a ON a.group_id = g.id
		WHERE g.kind = 'class' AND g.parallel IN (7, 8) AND a.subject = 'alg' AND g.status = 'active' GROUP BY g.id, g.org_id ORDER BY g.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c cls
		if err := rows.Scan(&c.id, &c.org, &c.teacher); err != nil {
			t.Fatal(err)
		}
		classes = append(classes, c)
	}
	rows.Close()
	if len(classes) == 0 {
		t.Fatal("no classes with algebra in the demo")
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for i, c := range classes {
			if err := tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
				SELECT org_id, year_id, kind, parallel, 'Я', name || ' (копия)', level, capacity, created_at, updated_at FROM groups WHERE id = $1
				RETURNING id`, c.id).Scan(&classes[i].id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, person_id, starts_on, ends_on, created_at)
				SELECT $1, person_id, starts_on, ends_on, created_at FROM group_members WHERE group_id = $2`, classes[i].id, c.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copies := make([]int64, len(classes))
	for i, c := range classes {
		copies[i] = c.id
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for d := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2027, 5, 25, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
			subject := map[time.Weekday]string{time.Monday: "alg", time.Wednesday: "alg", time.Tuesday: "pe", time.Thursday: "pe"}[d.Weekday()]
			if subject == "" {
				continue
			}
			for _, c := range classes {
				if _, err := schedule.InsertLessonTx(ctx, tx, schedule.Lesson{OrgID: c.org, GroupID: c.id, Subject: subject, TeacherID: c.teacher,
					Date: d.Format("2006-01-02"), Slot: 2}, time.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.FillJournal(ctx, db, 3, copies...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("journal: %s in %s", sum, sum.Took)
	one := func(q string, args ...any) float64 {
		t.Helper()
		var v float64
		if err := db.R.QueryRowContext(ctx, q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	// The copies' ids, as SQL (numbers from the database, not input).
	var in strings.Builder
	for i, id := range copies {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString(strconv.FormatInt(id, 10))
	}
	ofCopies := " AND l.group_id IN (" + in.String() + ")"
	avg := func(subject string) float64 {
		return one(`SELECT AVG(m.score) FROM marks m JOIN lessons l ON l.id = m.lesson_id WHERE l.subject = $1`+ofCopies, subject)
	}
	alg, pe := avg("alg"), avg("pe")
	if alg < 3.2 || alg > 4.4 || pe <= alg {
		t.Errorf("average marks: algebra %.2f, physical education %.2f", alg, pe)
	}
	for _, v := range []string{"2", "3", "4", "5"} {
		if one("SELECT COUNT(*) FROM marks WHERE value = $1", v) == 0 {
			t.Errorf("no mark %s at all", v)
		}
	}
	rate := func(months ...string) float64 {
		var absent, seats float64
		for _, m := range months {
			absent += one(`SELECT COUNT(*) FROM attendance a JOIN lessons l ON l.id = a.lesson_id WHERE a.status = 'absent' AND l.on_date LIKE $1`+ofCopies, m+"%")
			seats += one(`SELECT COUNT(*) FROM lessons l JOIN group_members gm ON gm.group_id = l.group_id AND gm.starts_on <= l.on_date
				AND (gm.ends_on IS NULL OR gm.ends_on > l.on_date) WHERE l.on_date LIKE $1`+ofCopies, m+"%")
		}
		return absent / seats
	}
	autumn, winter := rate("2026-09", "2026-10"), rate("2026-12", "2027-01", "2027-02")
	if winter <= autumn*1.3 || autumn <= 0 || winter > 0.25 {
		t.Errorf("absence rates: autumn %.3f, winter %.3f", autumn, winter)
	}
	if one("SELECT COUNT(DISTINCT reason) FROM attendance WHERE status = 'absent'") < 3 {
		t.Error("absences come with illness, excused and unexcused reasons")
	}
	// The last algebra lesson of the first quarter is a control work for
	// everyone present.
	q1 := one(`SELECT MIN(p.id) FROM study_periods p JOIN groups g ON g.year_id = p.year_id WHERE g.id = $1`, classes[0].id)
	last := one(`SELECT MAX(l.id) FROM lessons l JOIN study_periods p ON p.id = $2 WHERE l.group_id = $1 AND l.subject = 'alg'
		AND l.on_date <= p.ends_on`, classes[0].id, int64(q1))
	if marked, control := one("SELECT COUNT(*) FROM marks WHERE lesson_id = $1", int64(last)), one("SELECT COUNT(*) FROM marks WHERE lesson_id = $1 AND work_kind = 'control'", int64(last)); marked < 5 || marked != control {
		t.Errorf("control work at the quarter's end: %v marks, %v of them control", marked, control)
	}
	if one("SELECT COUNT(*) FROM period_marks WHERE period_id = $1", int64(q1)) == 0 || one("SELECT COUNT(*) FROM study_periods WHERE id = $1 AND closed_at IS NOT NULL", int64(q1)) != 1 {
		t.Error("the first quarter is closed with period marks")
	}
}
