package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/identity"
)

// webUser makes a password account with role at the school for a person.
func (w *scheduleWorld) webUser(t *testing.T, login string, person int64, role identity.Role) {
	t.Helper()
	ctx := context.Background()
	acc, code, err := w.s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: w.school.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	if person != 0 {
		if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = NULL WHERE person_id = $1", person); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", person, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// The teacher's morning: "my lessons" lists the week with each lesson
// linked, the lesson page takes the topic and homework (and refuses a
// wrong file beside the field), the class's week grid shows it; the
// administration sees the school's timetable, the coverage and the plan.
func TestSchedulePages(t *testing.T) {
	w := newScheduleWorld(t)
	for _, e := range [][2]int{{1, 1}, {3, 2}} {
		if st, body := w.entry(t, w.c5a, w.math, "math", e[0], e[1], "101"); st != 201 {
			t.Fatal(st, body)
		}
	}
	generate(t, w, w.q2)
	monday := w.lessons(t, w.c5a, "2026-11-09", "2026-11-09")[0]
	w.webUser(t, "orlova", w.math, identity.Teacher)
	c := w.s.Client()
	if st, _ := login(t, w.s, c, "orlova", pw); st != 303 {
		t.Fatalf("login: %d", st)
	}
	get := func(path string) (int, string) {
		st, _, body := apptest.Do(t, c, "GET", w.s.URL+path, nil)
		return st, body
	}
	lessonPath := fmt.Sprintf("/lessons/%d", monday.ID)
	st, body := get("/my/lessons?week=2026-11-09")
	if st != 200 || !strings.Contains(body, `href="`+lessonPath+`"`) || !strings.Contains(body, "Математика · 5А") || !strings.Contains(body, `href="/my/lessons"`) {
		t.Fatalf("my lessons: %d %s", st, body)
	}
	st, body = get(lessonPath)
	if st != 200 || !strings.Contains(body, `action="`+lessonPath+`"`) || !strings.Contains(body, `id="journal"`) {
		t.Fatalf("lesson page: %d", st)
	}
	st, _, _ = w.s.PostForm(t, c, lessonPath, lessonPath, "version", fmt.Sprint(monday.Version), "topic", "Сравнение дробей", "kind", "regular",
		"homework", "№ 101, 103", "due_on", "")
	if st != 303 {
		t.Fatalf("save lesson: %d", st)
	}
	if _, body = get(lessonPath); !strings.Contains(body, `value="Сравнение дробей"`) || !strings.Contains(body, "№ 101, 103") || !strings.Contains(body, `value="2026-11-11"`) {
		t.Errorf("saved lesson page lacks topic, homework or its due date")
	}
	// A due date before the lesson is refused beside the field.
	st, _, body = w.s.PostForm(t, c, lessonPath, lessonPath, "version", fmt.Sprint(monday.Version+1), "topic", "Сравнение дробей", "kind", "regular",
		"homework", "№ 101", "due_on", "2026-11-01")
	if st != 422 || !strings.Contains(body, `id="due-err"`) {
		t.Errorf("early due date: %d", st)
	}
	// A wrong file is refused beside the file field.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", w.s.CSRF(t, c, lessonPath))
	fw, _ := mw.CreateFormFile("file", "program.exe")
	_, _ = fw.Write([]byte("MZ\x90\x00binary"))
	_ = mw.Close()
	st, _, body = apptest.Do(t, c, "POST", w.s.URL+lessonPath+"/files", &buf, "Content-Type", mw.FormDataContentType())
	if st != 422 || !strings.Contains(body, `id="file-err"`) || !strings.Contains(body, "Такой тип файла не принимается") {
		t.Errorf("wrong file: %d", st)
	}
	st, body = get(fmt.Sprintf("/classes/%d/timetable?week=2026-11-09", w.c5a))
	if st != 200 || !strings.Contains(body, `href="`+lessonPath+`"`) || strings.Contains(body, `action="/classes/`) {
		t.Errorf("class week for a teacher: %d (no template form expected)", st)
	}

	// The administration.
	w.webUser(t, "director.web", 0, identity.SchoolAdmin)
	a := w.s.Client()
	loginWithTOTP(t, w.s, a, "director.web")
	w.must(t, w.admin, "PUT", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5a), `{"items":[{"subject":"math","hours":3},{"subject":"hist","hours":2}]}`, 200)
	for path, want := range map[string]string{
		fmt.Sprintf("/orgs/%d", w.school.ID):                     fmt.Sprintf(`href="/orgs/%d/timetable"`, w.school.ID),
		fmt.Sprintf("/orgs/%d/timetable", w.school.ID):           fmt.Sprintf(`action="/orgs/%d/generate"`, w.school.ID),
		fmt.Sprintf("/orgs/%d/coverage?problems=1", w.school.ID): "нет учителя",
		fmt.Sprintf("/classes/%d", w.c5a):                        fmt.Sprintf(`href="/classes/%d/plan"`, w.c5a),
		fmt.Sprintf("/classes/%d/plan", w.c5a):                   `name="hours_math" type="number" min="0" max="40" inputmode="numeric" value="3"`,
		fmt.Sprintf("/classes/%d/timetable", w.c5a):              fmt.Sprintf(`action="/classes/%d/timetable"`, w.c5a),
	} {
		st, _, body := apptest.Do(t, a, "GET", w.s.URL+path, nil)
		if st != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %q", path, st, want)
		}
	}
	// A clash in the template form is shown with the lesson in the way.
	page := fmt.Sprintf("/classes/%d/timetable", w.c5b)
	st, _, body = w.s.PostForm(t, a, page, page, "weekday", "1", "slot", "1", "assignment", fmt.Sprintf("%d:math", w.math), "room", "")
	if st != 409 || !strings.Contains(body, "Учитель в это время занят") || !strings.Contains(body, "5А, math") {
		t.Errorf("clash in the form: %d", st)
	}
}
