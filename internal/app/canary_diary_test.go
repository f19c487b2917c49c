package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// diaryPlant is what plantDiary made: the hidden pupil's own diary records
// and a classmate's family who reads the classmate's diary.
type diaryPlant struct {
	neighbour, hw, file, classLesson int64
	token                            string // the classmate's mother's
}

// plantDiary puts the hidden pupil of the canary test into a class of
// school 2 with a classmate, gives the class a lesson this week at which
// both are marked (the hidden pupil's mark with a marked comment, her
// absence reason marked), and the hidden pupil alone a sub-group lesson
// whose topic, homework and file name carry the marker. The classmate's
// mother then has every reason to see the class's lesson and none to see
// anything of the hidden pupil's.
func plantDiary(t *testing.T, s *apptest.Server, school, hidden int64) diaryPlant {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	var p diaryPlant
	insert := func(q string, args ...any) int64 {
		var id int64
		if err := s.App.DB.W.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	person := func(last, first, born string) int64 {
		return insert(`INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, created_at, updated_at) VALUES ($1, $2, $3, $4, 'f', $5, $5)`,
			school, last, first, born, now)
	}
	p.neighbour = person("Соседова", "Ольга", "2013-04-04")
	mother, teacher := person("Соседова", "Анна", "1985-01-01"), person("Учительская", "Нина", "1980-01-01")
	year := insert(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, school, now)
	class := insert(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
		VALUES ($1, $2, 'class', 7, 'К', '7К', 'ru_basic', 30, $3, $3)`, school, year, now)
	sub := insert(`INSERT INTO groups (org_id, year_id, kind, parent_id, name, level, capacity, created_at, updated_at)
		VALUES ($1, $2, 'subgroup', $3, '7К англ. 1', 'ru_basic', 15, $4, $4)`, school, year, class, now)
	for _, m := range [][2]int64{{class, hidden}, {class, p.neighbour}, {sub, hidden}} {
		insert("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", m[0], m[1], now)
	}
	insert(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, 'mother', '2013-04-04', $3, 't')`,
		p.neighbour, mother, now)
	lesson := func(group int64, subject, topic string, slot int) int64 {
		var id int64
		err := s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			id, err = schedule.InsertLessonTx(ctx, tx, schedule.Lesson{OrgID: school, GroupID: group, Subject: subject, TeacherID: teacher,
				Date: today, Slot: slot, Topic: topic}, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	p.classLesson = lesson(class, "math", "Дроби", 1)
	subLesson := lesson(sub, "eng", canary+"-topic", 2)
	second := lesson(class, "rus", "Причастия", 3)
	for _, m := range []struct {
		lesson, pupil  int64
		value, comment string
	}{{p.classLesson, hidden, "2", canary + "-mark"}, {p.classLesson, p.neighbour, "5", ""}, {second, hidden, "3", canary + "-mark-alone"}} {
		insert(`INSERT INTO marks (org_id, lesson_id, person_id, scale, value, score, work_kind, weight, comment, author, created_at, updated_at)
			VALUES ($1, $2, $3, 'ru5', $4, 4, 'test', 2, $5, 't', $6, $6)`, school, m.lesson, m.pupil, m.value, m.comment, now)
	}
	insert(`INSERT INTO attendance (org_id, lesson_id, person_id, status, reason, author, created_at, updated_at)
		VALUES ($1, $2, $3, 'late', $4, 't', $5, $5)`, school, second, hidden, canary+"-late", now)
	insert(`INSERT INTO attendance (org_id, lesson_id, person_id, status, reason, author, created_at, updated_at)
		VALUES ($1, $2, $3, 'absent', $4, 't', $5, $5)`, school, subLesson, hidden, canary+"-absence", now)
	l, err := schedule.GetLesson(ctx, s.App.DB.Read(), subLesson)
	if err != nil {
		t.Fatal(err)
	}
	text := canary + "-homework"
	if _, err := s.App.Schedule.S.UpdateLesson(ctx, l.ID, l.Version, schedule.LessonPatch{Homework: &schedule.HomeworkPatch{Text: &text}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := s.App.Schedule.S.AddHomeworkFile(ctx, l.ID, canary+"-file.pdf", bytes.NewReader(testPDF), nil)
	if err != nil {
		t.Fatal(err)
	}
	p.file = f.ID
	if err := s.App.DB.R.QueryRow("SELECT id FROM homework WHERE lesson_id = $1", l.ID).Scan(&p.hw); err != nil {
		t.Fatal(err)
	}
	acc, _, err := s.App.Accounts.Create(ctx, "neighbour-mother", []identity.Grant{{Role: identity.Guardian, OrgID: school}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", mother, acc.ID); err != nil {
		t.Fatal(err)
	}
	if p.token, err = s.App.Accounts.IssueToken(ctx, acc.ID, "canary"); err != nil {
		t.Fatal(err)
	}
	return p
}

// diaryCanaries are the planted values no diary answer of another family
// may contain.
func diaryCanaries() []string {
	return []string{canary + "-mark", canary + "-late", canary + "-absence", canary + "-topic", canary + "-homework", canary + "-file"}
}

// readNeighbourDiary reads the classmate's diary as its mother (which must
// work and show the shared lesson) and tries the hidden pupil's diary and
// file through the classmate (which must not).
func readNeighbourDiary(t *testing.T, s *apptest.Server, p diaryPlant, hidden int64) []string {
	t.Helper()
	get := func(path string) (int, string) {
		st, _, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1"+path, nil, "Authorization", "Bearer "+p.token)
		return st, body
	}
	var out []string
	st, body := get(fmt.Sprintf("/persons/%d/diary", p.neighbour))
	if st != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"id":%d,`, p.classLesson)) || !strings.Contains(body, `"value":"5"`) {
		t.Errorf("the classmate's week lacks the class lesson or her mark: %d %s", st, body)
	}
	out = append(out, body)
	st, body = get(fmt.Sprintf("/persons/%d/diary/period", p.neighbour))
	out = append(out, body)
	if st != http.StatusOK && st != http.StatusConflict {
		t.Errorf("the classmate's period: %d %s", st, body)
	}
	for _, path := range []string{fmt.Sprintf("/persons/%d/diary", hidden), fmt.Sprintf("/persons/%d/diary/period", hidden),
		fmt.Sprintf("/persons/%d/diary/homework/%d/files/%d", p.neighbour, p.hw, p.file),
		fmt.Sprintf("/persons/%d/diary/homework/%d/files/%d", hidden, p.hw, p.file)} {
		st, body := get(path)
		if st != http.StatusNotFound {
			t.Errorf("%s as the classmate's mother: %d, want 404", path, st)
		}
		out = append(out, body)
	}
	return out
}
