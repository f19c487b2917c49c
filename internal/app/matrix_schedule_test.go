package app_test

import (
	"fmt"
	"strconv"
	"testing"

	"shkola/internal/access"
)

func (e *matrixEnv) version(t *testing.T, table string, id int64) int64 {
	var v int64
	if err := e.s.App.DB.R.QueryRow("SELECT version FROM "+table+" WHERE id = $1", id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// scheduleProbes try class1's plan and timetable and the journal fixture's
// lesson1, which a substitute takes in place of the class's teacher.
func scheduleProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	all := []access.Relationship{access.Anyone, access.InScope, access.Teaches, access.ClassTeacherOf, access.TakesLesson}
	class := func(e *matrixEnv) string { return "/api/v1/classes/" + strconv.FormatInt(e.class1, 10) }
	lesson := func(e *matrixEnv) string { return "/api/v1/lessons/" + strconv.FormatInt(e.journal.lesson1, 10) }
	return map[[2]string]probe{
		{"study_plan", "read"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", class(e)+"/plan", "")
				return verdict(t, "plan read", st, body)
			}},
		{"study_plan", "update"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PUT", class(e)+"/plan", fmt.Sprintf(`{"items":[{"subject":"math","hours":%d}]}`, 4+e.n%3))
				return verdict(t, "plan update", st, body)
			}},
		{"timetable", "read"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", class(e)+"/lessons?from=2026-10-05&to=2026-10-11", "")
				return verdict(t, "class lessons", st, body)
			}},
		{"timetable", "update"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PATCH", lesson(e)+"/schedule", fmt.Sprintf(`{"room":"Каб. %d"}`, e.n),
					"If-Match", fmt.Sprintf(`W/"%d"`, e.version(t, "lessons", e.journal.lesson1)))
				return verdict(t, "lesson move", st, body)
			}},
		{"lesson", "read"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", lesson(e), "")
				return verdict(t, "lesson read", st, body)
			}},
		{"lesson", "update"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "PATCH", lesson(e), fmt.Sprintf(`{"topic":"Дроби, урок %d"}`, e.n),
					"If-Match", fmt.Sprintf(`W/"%d"`, e.version(t, "lessons", e.journal.lesson1)))
				return verdict(t, "lesson write", st, body)
			}},
	}
}
