package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/schedule"
)

// diaryProbes try the diary of the matrix pupil of school 1 (in class1,
// with a guardian, a teacher and a class teacher): the week of lesson1 with
// its homework, the study period, and the homework's file, each allowed or
// refused alike.
func diaryProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	related := []access.Relationship{access.InScope, access.Self, access.GuardianOf, access.Teaches, access.ClassTeacherOf}
	var homework, file int64
	fixture := func(t *testing.T, e *matrixEnv) {
		if file != 0 {
			return
		}
		ctx := context.Background()
		s := e.s.App.Schedule.S
		l, err := schedule.GetLesson(ctx, e.s.App.DB.Read(), e.journal.lesson1)
		if err != nil {
			t.Fatal(err)
		}
		text, due := "Задачи 1–5 на с. 20", "2026-10-02"
		if _, err := s.UpdateLesson(ctx, l.ID, l.Version, schedule.LessonPatch{Homework: &schedule.HomeworkPatch{Text: &text, DueOn: &due}}, nil); err != nil {
			t.Fatal(err)
		}
		f, err := s.AddHomeworkFile(ctx, l.ID, "задачи.pdf", bytes.NewReader(testPDF), nil)
		if err != nil {
			t.Fatal(err)
		}
		file = f.ID
		e.s.App.DB.R.QueryRow("SELECT id FROM homework WHERE lesson_id = $1", l.ID).Scan(&homework)
	}
	return map[[2]string]probe{
		{"diary", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				fixture(t, e)
				st, _, body := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/persons/%d/diary?week=2026-10-01", e.person), "")
				ok := verdict(t, "diary week", st, body)
				if ok && (!strings.Contains(body, fmt.Sprintf(`"id":%d,"slot":2`, e.journal.lesson1)) || !strings.Contains(body, "Задачи 1–5")) {
					t.Errorf("the week is readable without its lesson and homework: %s", body)
				}
				st, _, body = e.call(t, tok, "GET", fmt.Sprintf("/api/v1/persons/%d/diary/period", e.person), "")
				if got := verdict(t, "diary period", st, body); got != ok {
					t.Errorf("period readable %v, week readable %v: %s", got, ok, body)
				}
				st, _, body = e.call(t, tok, "GET", fmt.Sprintf("/api/v1/persons/%d/diary/homework/%d/files/%d", e.person, homework, file), "")
				if got := verdict(t, "homework file", st, body); got != ok || (got && body != string(testPDF)) {
					t.Errorf("file readable %v, week readable %v", got, ok)
				}
				return ok
			}},
	}
}
