package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/registry"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// journalFixture is what the journal probes act on in school 1: class1's
// quarters (q1 open, q2 for closing, q3 closed), lesson1 of mathematics in
// q1 that the substitute takes in place of the class's teacher, and
// lesson3 in the closed q3 taken by another teacher (so nobody of the
// scenarios takes it: only amending reaches it).
type journalFixture struct {
	substitute, other int64
	q1, q2, q3        int64
	lesson1, lesson3  int64
}

// journalToday is the journal's clock in the matrix: after every lesson.
var journalToday = time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)

func (e *matrixEnv) relateJournal(t *testing.T, officer context.Context) {
	t.Helper()
	mk := func(last, first string) int64 {
		p, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: last, FirstName: first, BirthDate: "1980-03-03", Sex: "f"})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	f := &e.journal
	f.substitute, f.other = mk("Замена", "Вера"), mk("Другая", "Нина")
	e.s.App.Journal.S.Now = func() time.Time { return journalToday }
	now := time.Now().UTC()
	period := func(seq int, name, from, to string, closed bool) int64 {
		var at any
		if closed {
			at = now
		}
		return e.insert(t, `INSERT INTO study_periods (year_id, seq, name, starts_on, ends_on, closed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.year1, seq, name, from, to, at)
	}
	f.q1 = period(1, "1 четверть", "2026-09-01", "2026-10-26", false)
	f.q2 = period(2, "2 четверть", "2026-11-05", "2026-12-28", false)
	f.q3 = period(3, "3 четверть", "2027-01-09", "2027-03-22", true)
	lesson := func(date string, teacher int64, sub *int64) int64 {
		var id int64
		err := e.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			var err error
			id, err = schedule.InsertLessonTx(context.Background(), tx, schedule.Lesson{OrgID: e.s1.ID, GroupID: e.class1, Subject: "math",
				TeacherID: teacher, SubstituteID: sub, Date: date, Slot: 2}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.lesson1 = lesson("2026-10-01", e.teacher, &f.substitute)
	f.lesson3 = lesson("2027-02-01", f.other, nil)
}

// journalProbes try the journal of class1 in school 1 through the API.
func journalProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	read := []access.Relationship{access.InScope, access.Teaches, access.TakesLesson, access.ClassTeacherOf, access.GuardianOf, access.Self}
	write := []access.Relationship{access.InScope, access.Teaches, access.TakesLesson, access.ClassTeacherOf, access.GuardianOf}
	cell := func(e *matrixEnv, value string) string {
		return fmt.Sprintf(`{"reason":"исправление по заявлению","cells":[{"person_id":%d,"mark":{"value":"%s"},"attendance":{"status":"present"}}]}`, e.person, value)
	}
	return map[[2]string]probe{
		{"journal", "read"}: {target: onS1, unrelated: onS2, supports: read,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/lessons/%d/journal", e.journal.lesson1), "")
				return verdict(t, "lesson journal read", st, body)
			}},
		{"journal", "write"}: {target: onS1, unrelated: onS2, supports: write,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", e.journal.lesson1), cell(e, []string{"4", "5"}[e.n%2]))
				return verdict(t, "lesson journal write", st, body)
			}},
		{"journal", "amend"}: {target: onS1, unrelated: onS2, supports: write,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", e.journal.lesson3), cell(e, []string{"3", "4"}[e.n%2]))
				return verdict(t, "closed lesson amend", st, body)
			}},
		{"journal", "grade"}: {target: onS1, unrelated: onS2, supports: write,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PUT", fmt.Sprintf("/api/v1/classes/%d/period-marks", e.class1),
					fmt.Sprintf(`{"person_id":%d,"subject":"math","kind":"period","period_id":%d,"value":"%s"}`, e.person, e.journal.q1, []string{"4", "5"}[e.n%2]))
				return verdict(t, "period mark", st, body)
			}},
		{"journal", "close"}: {target: onS1, unrelated: onS2, supports: write,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/periods/%d/close", e.journal.q2), `{"reason":"конец четверти"}`)
				return verdict(t, "period close", st, body)
			}},
		{"mark_scale", "read"}: {target: onS1, unrelated: onS2, supports: []access.Relationship{access.Anyone},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/organisations/%d/mark-scale", e.s1.ID), "")
				return verdict(t, "scale read", st, body)
			}},
		{"mark_scale", "update"}: {target: onS1, unrelated: onS2, supports: []access.Relationship{access.InScope},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "PUT", fmt.Sprintf("/api/v1/organisations/%d/mark-scale", e.s1.ID), `{"scale":"ru5"}`)
				return verdict(t, "scale update", st, body)
			}},
	}
}
