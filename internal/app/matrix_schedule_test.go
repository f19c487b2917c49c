package app_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/registry"
)

// relateSchedule gives class1 a maths lesson of its teacher that a
// substitute takes, so "takes_lesson" holds for the substitute and no
// longer for the replaced teacher (who still teaches the class).
func (e *matrixEnv) relateSchedule(t *testing.T, officer context.Context) {
	p, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: "Зайцева", FirstName: "Нина", BirthDate: "1990-02-02", Sex: "f"})
	if err != nil {
		t.Fatal(err)
	}
	e.substitute = p.ID
	now := time.Now().UTC()
	e.lesson1 = e.insert(t, `INSERT INTO lessons (org_id, group_id, subject, teacher_id, substitute_id, on_date, slot, room, created_at, updated_at)
		VALUES ($1, $2, 'math', $3, $4, '2026-10-05', 2, 'Каб. 1', $5, $5)`, e.s1.ID, e.class1, e.teacher, e.substitute, now)
}

func (e *matrixEnv) version(t *testing.T, table string, id int64) int64 {
	var v int64
	if err := e.s.App.DB.R.QueryRow("SELECT version FROM "+table+" WHERE id = $1", id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// scheduleProbes try class1's plan and timetable and lesson1.
func scheduleProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	all := []access.Relationship{access.Anyone, access.InScope, access.Teaches, access.ClassTeacherOf, access.TakesLesson}
	class := func(e *matrixEnv) string { return "/api/v1/classes/" + strconv.FormatInt(e.class1, 10) }
	lesson := func(e *matrixEnv) string { return "/api/v1/lessons/" + strconv.FormatInt(e.lesson1, 10) }
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
					"If-Match", fmt.Sprintf(`W/"%d"`, e.version(t, "lessons", e.lesson1)))
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
					"If-Match", fmt.Sprintf(`W/"%d"`, e.version(t, "lessons", e.lesson1)))
				return verdict(t, "lesson write", st, body)
			}},
	}
}
