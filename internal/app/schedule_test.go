package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/registry"
)

// scheduleWorld is a school with a year in quarters, class 5А split into
// two English groups, class 5Б, three teachers and a colleague who may
// replace them.
type scheduleWorld struct {
	*registryWorld
	year, q1, q2                int64
	c5a, c5b, g1, g2            int64
	math, eng1, eng2, sub, hist int64 // people
	mathTok, subTok, eng1Tok    string
}

func jsonID(t *testing.T, body string) int64 {
	t.Helper()
	var v struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return v.ID
}

func (w *scheduleWorld) must(t *testing.T, tok, method, path, body string, want int, header ...string) string {
	t.Helper()
	st, _, out := w.call(t, tok, method, path, body, header...)
	if st != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, st, want, out)
	}
	return out
}

func newScheduleWorld(t *testing.T) *scheduleWorld {
	w := &scheduleWorld{registryWorld: newRegistryWorld(t)}
	a := w.admin
	w.year = jsonID(t, w.must(t, a, "POST", fmt.Sprintf("/api/v1/organisations/%d/years", w.school.ID),
		`{"starts_on":"2026-09-01","ends_on":"2027-05-31","period_kind":"quarter","status":"current"}`, 201))
	var periods struct{ Items []struct{ ID int64 } }
	_ = json.Unmarshal([]byte(w.must(t, a, "GET", fmt.Sprintf("/api/v1/years/%d/periods", w.year), "", 200)), &periods)
	w.q1, w.q2 = periods.Items[0].ID, periods.Items[1].ID
	class := func(body string) int64 { return jsonID(t, w.must(t, a, "POST", "/api/v1/classes", body, 201)) }
	w.c5a = class(fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":5,"letter":"А"}`, w.year))
	w.c5b = class(fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":5,"letter":"Б"}`, w.year))
	w.g1 = class(fmt.Sprintf(`{"year_id":%d,"kind":"subgroup","parent_id":%d,"name":"5А англ. 1"}`, w.year, w.c5a))
	w.g2 = class(fmt.Sprintf(`{"year_id":%d,"kind":"subgroup","parent_id":%d,"name":"5А англ. 2"}`, w.year, w.c5a))
	teacher := func(last, first string) int64 {
		p := w.person(t, registry.NewPerson{LastName: last, FirstName: first, BirthDate: "1980-03-03", Sex: "f"})
		if _, err := w.s.App.DB.W.Exec(`INSERT INTO employments (person_id, org_id, position, starts_on, created_at, updated_at)
			VALUES ($1, $2, 'teacher', '2020-09-01', $3, $3)`, p, w.school.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w.math, w.eng1, w.eng2, w.sub = teacher("Орлова", "Вера"), teacher("Белова", "Анна"), teacher("Котова", "Ирина"), teacher("Зайцева", "Нина")
	assign := func(group, teacher int64, subject string) {
		w.must(t, a, "POST", fmt.Sprintf("/api/v1/classes/%d/assignments", group),
			fmt.Sprintf(`{"teacher_id":%d,"subject":"%s","starts_on":"2026-09-01"}`, teacher, subject), 201)
	}
	assign(w.c5a, w.math, "math")
	assign(w.c5b, w.math, "math")
	assign(w.g1, w.eng1, "eng")
	assign(w.g2, w.eng2, "eng")
	w.hist = w.person(t, registry.NewPerson{LastName: "Гостев", FirstName: "Олег", BirthDate: "1975-01-01", Sex: "m"})
	w.mathTok = w.userFor(t, w.math, identity.Teacher)
	w.subTok = w.userFor(t, w.sub, identity.Teacher)
	w.eng1Tok = w.userFor(t, w.eng1, identity.Teacher)
	return w
}

func (w *scheduleWorld) entry(t *testing.T, group, teacher int64, subject string, weekday, slot int, room string) (int, string) {
	st, _, body := w.call(t, w.admin, "POST", "/api/v1/timetable-entries", fmt.Sprintf(
		`{"group_id":%d,"teacher_id":%d,"subject":"%s","weekday":%d,"slot":%d,"room":"%s"}`, group, teacher, subject, weekday, slot, room))
	return st, body
}

// The study plan, the weekly template with its refusals, and the coverage
// report that compares them with the assignments.
func TestStudyPlanTemplateAndCoverage(t *testing.T) {
	w := newScheduleWorld(t)
	a := w.admin
	w.must(t, a, "PUT", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5a),
		`{"items":[{"subject":"math","hours":2},{"subject":"eng","hours":1},{"subject":"hist","hours":2}],"apply_to_parallel":true}`, 200)
	// The same plan went to 5Б; a period may override the year's hours.
	if body := w.must(t, a, "GET", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5b), "", 200); !strings.Contains(body, `"subject":"hist","hours":2`) {
		t.Errorf("5Б's plan: %s", body)
	}
	w.must(t, a, "PUT", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5b), fmt.Sprintf(`{"period_id":%d,"items":[{"subject":"math","hours":3}]}`, w.q2), 200)
	for body, want := range map[string]string{
		`{"items":[{"subject":"astrology","hours":2}]}`: `"field":"items[0].subject","rule":"unknown"`,
		`{"items":[{"subject":"math","hours":41}]}`:     `"field":"items[0].hours","rule":"range"`,
		`{"items":[],"hours":3}`:                        `"field":"hours","rule":"unknown"`,
	} {
		if st, _, out := w.call(t, a, "PUT", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5a), body); st != 422 || !strings.Contains(out, want) {
			t.Errorf("%s: %d %s", body, st, out)
		}
	}
	// A plan is the class's; its sub-groups follow it.
	if st, _, out := w.call(t, a, "PUT", fmt.Sprintf("/api/v1/classes/%d/plan", w.g1), `{"items":[]}`); st != 422 || !strings.Contains(out, `"rule":"kind"`) {
		t.Errorf("sub-group plan: %d %s", st, out)
	}

	for _, e := range []struct {
		group, teacher int64
		subject        string
		weekday, slot  int
		room           string
	}{{w.c5a, w.math, "math", 1, 1, "101"}, {w.c5a, w.math, "math", 3, 2, "101"}, {w.g1, w.eng1, "eng", 2, 3, "201"}, {w.g2, w.eng2, "eng", 2, 3, "202"}} {
		if st, body := w.entry(t, e.group, e.teacher, e.subject, e.weekday, e.slot, e.room); st != 201 {
			t.Fatalf("entry %+v: %d %s", e, st, body)
		}
	}
	// Refusals name the line in the way.
	for _, c := range []struct {
		name              string
		group, teacher    int64
		subject           string
		weekday, slot     int
		room, field, rule string
		names             string
	}{
		{"teacher busy", w.c5b, w.math, "math", 1, 1, "102", "teacher_id", "teacher_busy", "5А"},
		{"room taken", w.c5b, w.math, "math", 2, 3, "201", "room", "room_busy", "5А англ. 1"},
		{"class vs its sub-group", w.c5a, w.math, "math", 2, 3, "101", "slot", "group_busy", "5А англ. 1"},
		{"sub-group vs its class", w.g1, w.eng1, "eng", 1, 1, "201", "slot", "group_busy", "5А, math"},
		{"not assigned", w.c5b, w.eng1, "eng", 4, 1, "", "teacher_id", "not_assigned", "5Б"},
	} {
		st, body := w.entry(t, c.group, c.teacher, c.subject, c.weekday, c.slot, c.room)
		if (st != 409 && st != 422) || !strings.Contains(body, fmt.Sprintf(`"field":"%s","rule":"%s"`, c.field, c.rule)) || !strings.Contains(body, c.names) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	var cov struct {
		Items []struct {
			ClassName string `json:"class_name"`
			Subject   string
			Planned   int
			Scheduled int
			Teachers  []string
			Status    string
		}
	}
	body := w.must(t, a, "GET", fmt.Sprintf("/api/v1/organisations/%d/coverage", w.school.ID), "", 200)
	if err := json.Unmarshal([]byte(body), &cov); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range cov.Items {
		got[r.ClassName+" "+r.Subject] = fmt.Sprintf("%s %d/%d %v", r.Status, r.Scheduled, r.Planned, r.Teachers)
	}
	for k, want := range map[string]string{
		"5А math": "ok 2/2 [Орлова В.]", "5А eng": "ok 1/1 [Белова А. Котова И.]", "5А hist": "no_teacher 0/2 []",
		"5Б math": "under 0/2 [Орлова В.]", "5Б eng": "no_teacher 0/1 []",
	} {
		if got[k] != want {
			t.Errorf("coverage %s: %q, want %q (%s)", k, got[k], want, body)
		}
	}
	// The second quarter's plan of 5Б has its override.
	body = w.must(t, a, "GET", fmt.Sprintf("/api/v1/organisations/%d/coverage?period=%d&class=%d&problems=true", w.school.ID, w.q2, w.c5b), "", 200)
	if !strings.Contains(body, `"subject":"math","planned":3`) || strings.Contains(body, `"class_name":"5А"`) {
		t.Errorf("5Б in the second quarter: %s", body)
	}
	// A teacher reads the plan of a class taught, not the school's report.
	w.must(t, w.mathTok, "GET", fmt.Sprintf("/api/v1/classes/%d/plan", w.c5a), "", 200)
	if st, _, _ := w.call(t, w.mathTok, "GET", fmt.Sprintf("/api/v1/organisations/%d/coverage", w.school.ID), ""); st != 404 && st != 403 {
		t.Errorf("a teacher reads the school's coverage report: %d", st)
	}
}

type lessonItem struct {
	ID           int64
	Date         string
	Slot         int
	Subject      string
	GroupID      int64 `json:"group_id"`
	Status       string
	Version      int64
	SubstituteID *int64 `json:"substitute_id"`
}

func (w *scheduleWorld) lessons(t *testing.T, group int64, from, to string) []lessonItem {
	t.Helper()
	var out struct{ Items []lessonItem }
	body := w.must(t, w.admin, "GET", fmt.Sprintf("/api/v1/classes/%d/lessons?from=%s&to=%s", group, from, to), "", 200)
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// countWeekdays counts the days from..to falling on the weekdays, except skip.
func countWeekdays(from, to string, skip map[string]bool, days ...time.Weekday) int {
	f, _ := time.Parse("2006-01-02", from)
	e, _ := time.Parse("2006-01-02", to)
	n := 0
	for d := f; !d.After(e); d = d.AddDate(0, 0, 1) {
		for _, wd := range days {
			if d.Weekday() == wd && !skip[d.Format("2006-01-02")] {
				n++
			}
		}
	}
	return n
}

func generate(t *testing.T, w *scheduleWorld, period int64) (created, existing int, body string) {
	t.Helper()
	body = w.must(t, w.admin, "POST", fmt.Sprintf("/api/v1/periods/%d/generate", period), "", 200)
	var g struct{ Created, Existing int }
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		t.Fatal(err)
	}
	return g.Created, g.Existing, body
}

// Generation skips holidays and is idempotent; moves, cancellations and
// substitutes are one-off changes, and a moved lesson is not made again.
// The substitute writes the lesson taken and the replaced teacher does not;
// a closed period refuses every change.
func TestGenerateChangeAndWriteLessons(t *testing.T) {
	w := newScheduleWorld(t)
	a := w.admin
	for _, e := range []struct {
		group, teacher int64
		subject        string
		weekday, slot  int
		room           string
	}{{w.c5a, w.math, "math", 1, 1, "101"}, {w.c5a, w.math, "math", 3, 2, "101"}, {w.g1, w.eng1, "eng", 2, 3, "201"}, {w.g2, w.eng2, "eng", 2, 3, "202"}} {
		if st, body := w.entry(t, e.group, e.teacher, e.subject, e.weekday, e.slot, e.room); st != 201 {
			t.Fatalf("entry: %d %s", st, body)
		}
	}
	// A public holiday inside the second quarter (Wednesday 4 November).
	w.must(t, a, "POST", fmt.Sprintf("/api/v1/years/%d/holidays", w.year), `{"name":"День народного единства","starts_on":"2026-11-04","ends_on":"2026-11-04"}`, 201)
	created, _, body := generate(t, w, w.q2)
	from, to := "2026-11-04", "2026-12-28"
	want := countWeekdays(from, to, map[string]bool{"2026-11-04": true}, time.Monday, time.Wednesday) + 2*countWeekdays(from, to, nil, time.Tuesday)
	if created != want {
		t.Fatalf("created %d lessons, want %d: %s", created, want, body)
	}
	all := w.lessons(t, w.c5a, "2026-11-02", "2026-11-08")
	for _, l := range all {
		if l.Date == "2026-11-04" {
			t.Errorf("a lesson on the holiday: %+v", l)
		}
	}
	if again, existing, body := generate(t, w, w.q2); again != 0 || existing != want {
		t.Fatalf("second generation: created %d, existing %d: %s", again, existing, body)
	}

	week := w.lessons(t, w.c5a, "2026-11-09", "2026-11-15")
	var monday, wednesday lessonItem
	for _, l := range week {
		switch l.Date {
		case "2026-11-09":
			monday = l
		case "2026-11-11":
			wednesday = l
		}
	}
	if monday.ID == 0 || wednesday.ID == 0 || len(week) != 4 {
		t.Fatalf("week of 9 November: %+v", week)
	}
	change := func(tok string, l lessonItem, body string) (int, string) {
		st, _, out := w.call(t, tok, "PATCH", fmt.Sprintf("/api/v1/lessons/%d/schedule", l.ID), body, "If-Match", fmt.Sprintf(`W/"%d"`, l.Version))
		return st, out
	}
	// Moving Monday's maths into Tuesday's English slot clashes with the groups.
	st, out := change(a, monday, `{"date":"2026-11-10","slot":3}`)
	if st != 409 || !strings.Contains(out, `"rule":"group_busy"`) || !strings.Contains(out, "5А англ.") {
		t.Errorf("move into the English slot: %d %s", st, out)
	}
	if st, out = change(a, monday, `{"date":"2026-11-10","slot":5,"room":"105"}`); st != 200 {
		t.Fatalf("move: %d %s", st, out)
	}
	if again, _, body := generate(t, w, w.q2); again != 0 {
		t.Errorf("the moved lesson was made again: %s", body)
	}
	// A teacher may not reschedule; the administration cancels.
	if st, _ = change(w.mathTok, wednesday, `{"status":"cancelled"}`); st != 403 {
		t.Errorf("teacher cancels: %d", st)
	}
	if st, out = change(a, wednesday, `{"status":"cancelled"}`); st != 200 || !strings.Contains(out, `"status":"cancelled"`) {
		t.Errorf("cancel: %d %s", st, out)
	}
	// A substitute for next Monday's maths.
	next := w.lessons(t, w.c5a, "2026-11-16", "2026-11-16")[0]
	// Someone who does not work at the school cannot replace.
	if st, out = change(a, next, fmt.Sprintf(`{"substitute_id":%d}`, w.hist)); st != 422 || !strings.Contains(out, `"field":"substitute_id","rule":"staff"`) {
		t.Errorf("substitute from outside: %d %s", st, out)
	}
	next = w.lessons(t, w.c5a, "2026-11-16", "2026-11-16")[0]
	if st, out = change(a, next, fmt.Sprintf(`{"substitute_id":%d}`, w.sub)); st != 200 || !strings.Contains(out, fmt.Sprintf(`"substitute_id":%d`, w.sub)) {
		t.Fatalf("substitute: %d %s", st, out)
	}
	var cur struct{ Version int64 }
	_ = json.Unmarshal([]byte(out), &cur)
	write := func(tok string, id, version int64, body string) (int, string) {
		st, _, out := w.call(t, tok, "PATCH", fmt.Sprintf("/api/v1/lessons/%d", id), body, "If-Match", fmt.Sprintf(`W/"%d"`, version))
		return st, out
	}
	if st, out = write(w.mathTok, next.ID, cur.Version, `{"topic":"Дроби"}`); st != 403 {
		t.Errorf("the replaced teacher writes: %d %s", st, out)
	}
	if st, out = write(w.subTok, next.ID, cur.Version, `{"topic":"Сложение дробей","homework":{"text":"№ 12, 14"}}`); st != 200 ||
		!strings.Contains(out, `"topic":"Сложение дробей"`) || !strings.Contains(out, `"due_on":"2026-11-18"`) {
		t.Fatalf("the substitute writes: %d %s", st, out)
	}
	// The homework is in the change log as events.md says: ids and codes only.
	var data string
	if err := w.s.App.DB.R.QueryRow("SELECT data FROM changes WHERE entity = 'homework' ORDER BY seq DESC LIMIT 1").Scan(&data); err != nil {
		t.Fatal(err)
	}
	if data != fmt.Sprintf(`{"due_on":"2026-11-18","group_id":%d,"lesson_id":%d,"subject":"math"}`, w.c5a, next.ID) {
		t.Errorf("homework change: %s", data)
	}
	// The replaced teacher still writes the lessons taken; another class's teacher reads nothing.
	later := w.lessons(t, w.c5a, "2026-11-18", "2026-11-18")[0]
	if st, out = write(w.mathTok, later.ID, later.Version, `{"topic":"Вычитание дробей","control_work":true,"kind":"control"}`); st != 200 || !strings.Contains(out, `"control_work":true`) {
		t.Errorf("the teacher writes own lesson: %d %s", st, out)
	}
	if st, out = write(w.mathTok, later.ID, later.Version+1, `{"kind":"seance"}`); st != 422 || !strings.Contains(out, `"field":"kind","rule":"unknown"`) {
		t.Errorf("unknown kind: %d %s", st, out)
	}
	if st, out = write(w.mathTok, later.ID, later.Version, `{"topic":"x"}`); st != 412 {
		t.Errorf("stale version: %d %s", st, out)
	}
	// My lessons: the substitute sees the lesson taken, the teacher it as replaced.
	if body := w.must(t, w.subTok, "GET", "/api/v1/me/lessons?from=2026-11-16&to=2026-11-22", "", 200); strings.Count(body, `"id":`) != 1 {
		t.Errorf("substitute's week: %s", body)
	}
	if body := w.must(t, w.mathTok, "GET", "/api/v1/me/lessons?from=2026-11-16&to=2026-11-16", "", 200); !strings.Contains(body, `"replaced":true`) {
		t.Errorf("teacher's Monday: %s", body)
	}

	// An extra lesson of 5Б on Monday's first lesson: the maths teacher is busy with 5А.
	st, _, out = w.call(t, a, "POST", "/api/v1/lessons", fmt.Sprintf(`{"group_id":%d,"subject":"math","teacher_id":%d,"date":"2026-11-23","slot":1}`, w.c5b, w.math))
	if st != 409 || !strings.Contains(out, `"rule":"teacher_busy"`) || !strings.Contains(out, "5А, math") {
		t.Errorf("extra lesson with a busy teacher: %d %s", st, out)
	}

	// The first quarter, generated and then closed: nothing changes any more.
	generate(t, w, w.q1)
	old := w.lessons(t, w.c5a, "2026-09-07", "2026-09-07")[0]
	if _, err := w.s.App.DB.W.Exec("UPDATE study_periods SET closed_at = $1, closed_by = 'director' WHERE id = $2", time.Now().UTC(), w.q1); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{w.mathTok, a} {
		if st, out = write(tok, old.ID, old.Version, `{"topic":"Задним числом"}`); st != 409 || !strings.Contains(out, `"rule":"period_closed"`) {
			t.Errorf("write in a closed period: %d %s", st, out)
		}
	}
	if st, out = change(a, old, `{"room":"999"}`); st != 409 || !strings.Contains(out, `"rule":"period_closed"`) {
		t.Errorf("move in a closed period: %d %s", st, out)
	}
	if st, _, out = w.call(t, a, "POST", fmt.Sprintf("/api/v1/periods/%d/generate", w.q1), ""); st != 409 {
		t.Errorf("generate a closed period: %d %s", st, out)
	}
}

func uploadHomework(t *testing.T, s *apptest.Server, tok string, lesson int64, name string, content []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	st, _, body := apptest.Do(t, s.Client(), "POST", fmt.Sprintf("%s/api/v1/lessons/%d/files", s.URL, lesson), &buf,
		"Authorization", "Bearer "+tok, "Content-Type", mw.FormDataContentType())
	return st, body
}

// Homework files: accepted within the limits, refused by size and by type
// with the field and the rule; downloaded by those who read the lesson.
func TestHomeworkFiles(t *testing.T) {
	w := newScheduleWorld(t)
	if st, body := w.entry(t, w.c5a, w.math, "math", 1, 1, "101"); st != 201 {
		t.Fatal(st, body)
	}
	generate(t, w, w.q2)
	l := w.lessons(t, w.c5a, "2026-11-09", "2026-11-09")[0]
	st, body := uploadHomework(t, w.s, w.mathTok, l.ID, "задание.txt", []byte("Решить задачи 1-5 на странице 40.\n"))
	if st != 201 {
		t.Fatalf("upload: %d %s", st, body)
	}
	fileID := jsonID(t, body)
	for _, c := range []struct {
		name    string
		content []byte
		rule    string
	}{
		{"big.txt", bytes.Repeat([]byte("a"), 10<<20+1), "size"},
		{"virus.exe", []byte("MZ\x90\x00"), "type"},
		{"fake.pdf", []byte("just text, not a PDF"), "type"},
	} {
		if st, body := uploadHomework(t, w.s, w.mathTok, l.ID, c.name, c.content); st != 422 || !strings.Contains(body, `"field":"file","rule":"`+c.rule+`"`) {
			t.Errorf("%s: %d %.300s", c.name, st, body)
		}
	}
	if st, _ := uploadHomework(t, w.s, w.eng1Tok, l.ID, "чужое.txt", []byte("не мой урок")); st != 403 && st != 404 {
		t.Errorf("another teacher uploads: %d", st)
	}
	view := w.must(t, w.mathTok, "GET", fmt.Sprintf("/api/v1/lessons/%d", l.ID), "", 200)
	if !strings.Contains(view, `"name":"задание.txt"`) || !strings.Contains(view, `"due_on":"2026-11-16"`) {
		t.Errorf("lesson with its homework: %s", view)
	}
	st, hdr, content := apptest.Do(t, w.s.Client(), "GET", fmt.Sprintf("%s/api/v1/lessons/%d/files/%d", w.s.URL, l.ID, fileID), nil, "Authorization", "Bearer "+w.mathTok)
	if st != 200 || !strings.Contains(content, "страниц") || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %s %q", st, hdr.Get("Content-Disposition"), content)
	}
	// The English teacher of a sub-group teaches the class, so reads the
	// lesson; a file of another lesson is not reachable through this one.
	if st, _, _ := apptest.Do(t, w.s.Client(), "GET", fmt.Sprintf("%s/api/v1/lessons/%d/files/%d", w.s.URL, l.ID+1, fileID), nil, "Authorization", "Bearer "+w.mathTok); st != 404 {
		t.Errorf("file through another lesson: %d", st)
	}
	w.must(t, w.mathTok, "DELETE", fmt.Sprintf("/api/v1/lessons/%d/files/%d", l.ID, fileID), "", 204)
}
