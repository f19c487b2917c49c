package bench

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/identity"
	"shkola/internal/registry"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// journalClass is what both journal scenarios work on: a class of 30
// pupils in the first school, its mathematics teacher with an API token,
// and a lesson of mathematics on every school day of the first open study
// period. The journal's clock is set to the day after that period, so
// every lesson has taken place and the period is still open.
type journalClass struct {
	class, period int64
	from, to      string // the period's first and last day
	pupils        []int64
	lessons       []int64
	token         string
}

func newJournalClass(ctx context.Context, env *Env) (*journalClass, error) {
	app := env.App
	jc := &journalClass{}
	var year int64
	var from, to string
	if err := app.DB.R.QueryRowContext(ctx, `SELECT y.id, p.id, p.starts_on, p.ends_on FROM academic_years y
		JOIN study_periods p ON p.year_id = y.id AND p.closed_at IS NULL
		WHERE y.org_id = $1 AND y.status = 'current' ORDER BY p.seq LIMIT 1`, env.School).Scan(&year, &jc.period, &from, &to); err != nil {
		return nil, fmt.Errorf("the first school's open study period: %w", err)
	}
	end, err := time.Parse("2006-01-02", to)
	if err != nil {
		return nil, err
	}
	app.Journal.S.Now = func() time.Time { return end.Add(36 * time.Hour) }
	jc.from, jc.to = from, to
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "bench", Grants: []identity.Grant{{Role: identity.SchoolAdmin, OrgID: env.School}}})
	u := env.Unique()
	teacher, err := app.People.Create(officer, registry.NewPerson{OrgID: env.School, LastName: "Счётова", FirstName: "Вера", BirthDate: "1980-02-02", Sex: "f"})
	if err != nil {
		return nil, err
	}
	for i := range 30 {
		p, err := app.People.Create(officer, registry.NewPerson{OrgID: env.School, LastName: "Замеров", FirstName: pupilNames[i%len(pupilNames)],
			BirthDate: fmt.Sprintf("2014-%02d-%02d", 1+i%12, 1+i), Sex: "m"})
		if err != nil {
			return nil, err
		}
		jc.pupils = append(jc.pupils, p.ID)
	}
	now := time.Now().UTC()
	err = app.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', 6, 'Ж', $3, 'ru_basic', 30, $4, $4) RETURNING id`, env.School, year, fmt.Sprintf("6Ж-%d", u), now).Scan(&jc.class); err != nil {
			return err
		}
		for _, p := range jc.pupils {
			if _, err := tx.ExecContext(ctx, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, $3, $4)",
				jc.class, p, from, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO assignments (group_id, teacher_id, subject, starts_on, created_at) VALUES ($1, $2, 'math', $3, $4)",
			jc.class, teacher.ID, from, now); err != nil {
			return err
		}
		start, _ := time.Parse("2006-01-02", from)
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				continue
			}
			id, err := schedule.InsertLessonTx(ctx, tx, schedule.Lesson{OrgID: env.School, GroupID: jc.class, Subject: "math", TeacherID: teacher.ID,
				Date: d.Format("2006-01-02"), Slot: 3}, now)
			if err != nil {
				return err
			}
			jc.lessons = append(jc.lessons, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	acc, _, err := app.Accounts.Create(ctx, fmt.Sprintf("bench.teacher%d", u), []identity.Grant{{Role: identity.Teacher, OrgID: env.School}})
	if err != nil {
		return nil, err
	}
	if _, err := app.DB.W.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE id = $2", teacher.ID, acc.ID); err != nil {
		return nil, err
	}
	jc.token, err = app.Accounts.IssueToken(ctx, acc.ID, "bench")
	return jc, err
}

var pupilNames = []string{"Александр", "Борис", "Василий", "Глеб", "Денис", "Егор", "Женя", "Захар", "Иван", "Кирилл",
	"Лев", "Максим", "Никита", "Олег", "Павел", "Роман", "Семён", "Тимур", "Фёдор", "Харитон"}
