package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/calendar"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// journalWorld is a school with class 5А (pupils Анна, Борис, Вера), 5Б
// (pupil Глеб), a mathematics teacher of 5А, a history teacher of 5А, a
// mathematics teacher of 5Б, a substitute, the class teacher of 5А, a
// guardian of Анна, the director, an inspector, and a second school with
// its own director. The journal's clock stands after the year's end.
type journalWorld struct {
	s                               *apptest.Server
	region, school, school2         org.Organisation
	year                            int64
	periods                         []calendar.Period
	c5a, c5b                        int64
	anna, boris, vera, gleb         int64
	math, hist, math5b, sub, ctutor int64
	mum                             int64
	tokens                          map[string]string
}

var journalNow = time.Date(2027, 6, 15, 10, 0, 0, 0, time.UTC)

func newJournalWorld(t *testing.T) *journalWorld {
	t.Helper()
	s := apptest.Start(t)
	s.App.Journal.S.Now = func() time.Time { return journalNow }
	ctx := context.Background()
	w := &journalWorld{s: s, tokens: map[string]string{}}
	mkOrg := func(parent *int64, kind org.Kind, name string) org.Organisation {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.region = mkOrg(nil, org.Region, "Регион")
	w.school = mkOrg(&w.region.ID, org.School, "Школа № 1")
	w.school2 = mkOrg(&w.region.ID, org.School, "Школа № 2")
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: w.region.ID}}})
	person := func(last, first, born string) int64 {
		p, err := s.App.People.Create(officer, registry.NewPerson{OrgID: w.school.ID, LastName: last, FirstName: first, BirthDate: born, Sex: "f"})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	y, err := s.App.Calendar.S.CreateYear(ctx, w.school.ID, calendar.NewYear{StartsOn: "2026-09-01", EndsOn: "2027-05-31",
		PeriodKind: calendar.Quarter, Status: calendar.Current})
	if err != nil {
		t.Fatal(err)
	}
	w.year = y.ID
	if w.periods, err = calendar.Periods(ctx, s.App.DB.Read(), y.ID); err != nil || len(w.periods) != 4 {
		t.Fatalf("periods: %v %v", w.periods, err)
	}
	now := time.Now().UTC()
	w.anna, w.boris, w.vera, w.gleb = person("Андреева", "Анна", "2015-02-02"), person("Борисов", "Борис", "2015-03-03"),
		person("Васильева", "Вера", "2015-04-04"), person("Глебов", "Глеб", "2015-05-05")
	w.math, w.hist, w.math5b, w.sub, w.ctutor = person("Математикова", "Мария", "1980-01-01"), person("Историкова", "Ирина", "1981-01-01"),
		person("Бэшкина", "Белла", "1982-01-01"), person("Заменова", "Зоя", "1983-01-01"), person("Классная", "Клара", "1984-01-01")
	w.mum = person("Андреева", "Мама", "1985-01-01")
	class := func(letter string, tutor any) int64 {
		return w.insert(t, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, class_teacher_id, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', 5, $3, $4, 'ru_basic', $5, 30, $6, $6)`, w.school.ID, y.ID, letter, "5"+letter, tutor, now)
	}
	w.c5a, w.c5b = class("А", w.ctutor), class("Б", nil)
	for _, p := range []int64{w.anna, w.boris, w.vera} {
		w.insert(t, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", w.c5a, p, now)
	}
	w.insert(t, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", w.c5b, w.gleb, now)
	for _, a := range []struct {
		class, teacher int64
		subject        string
	}{{w.c5a, w.math, "math"}, {w.c5a, w.hist, "hist"}, {w.c5b, w.math5b, "math"}} {
		w.insert(t, "INSERT INTO assignments (group_id, teacher_id, subject, starts_on, created_at) VALUES ($1, $2, $3, '2026-09-01', $4)",
			a.class, a.teacher, a.subject, now)
	}
	w.insert(t, `INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by)
		VALUES ($1, $2, 'mother', '2015-02-02', $3, 'test')`, w.anna, w.mum, now)
	return w
}

func (w *journalWorld) insert(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := w.s.App.DB.W.QueryRowContext(context.Background(), query+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

// lesson adds a dated lesson of a class in a subject.
func (w *journalWorld) lesson(t *testing.T, class int64, subject, date string, teacher int64, sub *int64, status string) int64 {
	t.Helper()
	var id int64
	err := w.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = schedule.InsertLessonTx(context.Background(), tx, schedule.Lesson{OrgID: w.school.ID, GroupID: class, Subject: subject,
			TeacherID: teacher, SubstituteID: sub, Date: date, Slot: 1, Status: status}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// token is a bearer token of an account holding role at orgID, linked to
// person (0: none).
func (w *journalWorld) token(t *testing.T, login string, role identity.Role, orgID, person int64) string {
	t.Helper()
	if tok, ok := w.tokens[login]; ok {
		return tok
	}
	ctx := context.Background()
	acc, _, err := w.s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: orgID}})
	if err != nil {
		t.Fatal(err)
	}
	if person != 0 {
		if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", person, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := w.s.App.Accounts.IssueToken(ctx, acc.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	w.tokens[login] = tok
	return tok
}

func (w *journalWorld) teacher(t *testing.T, person int64) string {
	return w.token(t, fmt.Sprintf("teacher%d", person), identity.Teacher, w.school.ID, person)
}

func (w *journalWorld) director(t *testing.T) string {
	return w.token(t, "director", identity.SchoolAdmin, w.school.ID, 0)
}

func (w *journalWorld) call(t *testing.T, tok, method, path, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	if tok != "" {
		header = append(header, "Authorization", "Bearer "+tok)
	}
	header = append(header, "Content-Type", "application/json")
	if body == "" {
		return apptest.Do(t, w.s.Client(), method, w.s.URL+path, nil, header...)
	}
	return apptest.Do(t, w.s.Client(), method, w.s.URL+path, strings.NewReader(body), header...)
}

func (w *journalWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.s.App.DB.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

type batchAnswer struct {
	Saved, Failed int
	Cells         []struct {
		PersonID int64 `json:"person_id"`
		Status   string
		Mark     *struct{ Value, Kind string }
		Errors   []struct{ Field, Rule, Message string }
	}
}

func decodeBatch(t *testing.T, body string) batchAnswer {
	t.Helper()
	var a batchAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return a
}

func (a batchAnswer) rule(person int64) string {
	for _, c := range a.Cells {
		if c.PersonID == person && len(c.Errors) > 0 {
			return c.Errors[0].Field + ":" + c.Errors[0].Rule
		}
	}
	return ""
}

// A teacher saves a lesson: the valid cells are written in one go, each
// bad one is refused with the field and rule named, and the lesson's
// column, the change log and the audit log show what was written.
func TestJournalLessonBatch(t *testing.T) {
	w := newJournalWorld(t)
	q1 := w.periods[0]
	l := w.lesson(t, w.c5a, "math", q1.StartsOn, w.math, nil, "")
	tok := w.teacher(t, w.math)
	path := fmt.Sprintf("/api/v1/lessons/%d/journal", l)
	body := fmt.Sprintf(`{"cells":[
		{"person_id":%d,"mark":{"value":"4-","kind":"test","comment":"у доски"}},
		{"person_id":%d,"mark":{"value":"6"}},
		{"person_id":%d,"attendance":{"status":"absent","reason":"illness"}},
		{"person_id":%d,"mark":{"value":"5"}},
		{"person_id":%d,"mark":{"value":"3","kind":"dance"}},
		{"person_id":%d,"attendance":{"status":"late","minutes":200}}]}`, w.anna, w.boris, w.vera, w.gleb, w.boris, w.anna)
	st, _, out := w.call(t, tok, "PUT", path, body)
	a := decodeBatch(t, out)
	if st != 207 || a.Saved != 2 || a.Failed != 4 {
		t.Fatalf("batch: %d %s", st, out)
	}
	for person, want := range map[int64]string{w.gleb: "person_id:member"} {
		if got := a.rule(person); got != want {
			t.Errorf("pupil %d: %q, want %q", person, got, want)
		}
	}
	want := []string{"", "mark.value:scale", "", "person_id:member", "person_id:duplicate", "person_id:duplicate"}
	for i, c := range a.Cells {
		got := ""
		if len(c.Errors) > 0 {
			got = c.Errors[0].Field + ":" + c.Errors[0].Rule
		}
		if got != want[i] {
			t.Errorf("cell %d: %q, want %q (%s)", i, got, want[i], out)
		}
	}
	if !strings.Contains(out, "from 2 to 5") {
		t.Errorf("the scale error names the range: %s", out)
	}
	// The column shows what was written.
	st, _, out = w.call(t, tok, "GET", path, "")
	if st != 200 || !strings.Contains(out, `"value":"4-"`) || !strings.Contains(out, `"score":3.75`) || !strings.Contains(out, `"reason":"illness"`) ||
		!strings.Contains(out, `"weight":2`) || strings.Contains(out, `"value":"6"`) {
		t.Fatalf("column: %d %s", st, out)
	}
	// The change log carries ids and codes, never the mark.
	if n := w.count(t, `SELECT COUNT(*) FROM changes WHERE entity = 'mark' AND op = 'create' AND data LIKE '%"subject":"math"%' AND data NOT LIKE '%4-%'`); n != 1 {
		t.Errorf("mark changes: %d", n)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM changes WHERE entity = 'attendance' AND data LIKE '%"status":"absent"%'`); n != 1 {
		t.Errorf("attendance changes: %d", n)
	}
	// One audit entry for the batch lists each changed cell, old -> new.
	if n := w.count(t, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'lesson' AND object_id = $1 AND changes LIKE '%4-/test%'`,
		fmt.Sprint(l)); n != 1 {
		t.Errorf("audit entries for the lesson: %d", n)
	}

	// All or nothing: one bad cell, nothing written.
	before := w.count(t, "SELECT COUNT(*) FROM journal_history")
	st, _, out = w.call(t, tok, "PUT", path, fmt.Sprintf(`{"mode":"all_or_nothing","cells":[
		{"person_id":%d,"mark":{"value":"2"}},{"person_id":%d,"mark":{"value":"5+"}},{"person_id":%d,"mark":{"value":"0"}}]}`, w.anna, w.boris, w.vera))
	a = decodeBatch(t, out)
	if st != 422 || a.Saved != 0 || a.Cells[0].Status != "skipped" || a.Cells[2].Status != "error" {
		t.Fatalf("all or nothing: %d %s", st, out)
	}
	if after := w.count(t, "SELECT COUNT(*) FROM journal_history"); after != before {
		t.Errorf("all or nothing wrote %d history rows", after-before)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM marks WHERE lesson_id = $1 AND person_id = $2", l, w.boris); n != 0 {
		t.Errorf("all or nothing wrote Борис's mark")
	}

	// A retried request with the same key writes once and answers the same.
	retry := fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"}},{"person_id":%d,"attendance":{"status":"late","minutes":7}}]}`, w.anna, w.boris)
	st1, _, out1 := w.call(t, tok, "PUT", path, retry, "Idempotency-Key", "phone-42")
	hist := w.count(t, "SELECT COUNT(*) FROM journal_history")
	changes := w.count(t, "SELECT COUNT(*) FROM changes")
	st2, h2, out2 := w.call(t, tok, "PUT", path, retry, "Idempotency-Key", "phone-42")
	if st1 != 200 || st2 != 200 || strings.TrimSpace(out1) != strings.TrimSpace(out2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s %v", st1, out1, st2, out2, h2)
	}
	if w.count(t, "SELECT COUNT(*) FROM journal_history") != hist || w.count(t, "SELECT COUNT(*) FROM changes") != changes {
		t.Error("the retry wrote again")
	}
	st, _, out = w.call(t, tok, "PUT", path, strings.Replace(retry, `"5"`, `"4"`, 1), "Idempotency-Key", "phone-42")
	if st != 409 || !strings.Contains(out, "Idempotency-Key") {
		t.Errorf("same key, other body: %d %s", st, out)
	}

	// The cell's history: author and old value.
	st, _, out = w.call(t, tok, "GET", fmt.Sprintf("%s/%d/history", path, w.anna), "")
	if st != 200 || !strings.Contains(out, `"old":"4-/test","new":"5/oral"`) || !strings.Contains(out, fmt.Sprintf(`"author":"teacher%d"`, w.math)) {
		t.Errorf("history: %d %s", st, out)
	}
}

// Future and cancelled lessons take nothing; the bulk body is bounded.
func TestJournalLessonState(t *testing.T) {
	w := newJournalWorld(t)
	tok := w.teacher(t, w.math)
	future := w.lesson(t, w.c5a, "math", "2027-09-01", w.math, nil, "")
	cancelled := w.lesson(t, w.c5a, "math", w.periods[1].StartsOn, w.math, nil, schedule.Cancelled)
	for l, rule := range map[int64]string{future: "lesson_id:future", cancelled: "lesson_id:cancelled"} {
		st, _, out := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l), fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"}}]}`, w.anna))
		if a := decodeBatch(t, out); st != 422 || a.rule(w.anna) != rule {
			t.Errorf("lesson %d: %d %s, want %s", l, st, out, rule)
		}
	}
	st, _, out := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", future), `{"cells":[],"mode":"maybe"}`)
	if st != 422 || !strings.Contains(out, `"field":"mode"`) || !strings.Contains(out, `"field":"cells"`) {
		t.Errorf("bad batch: %d %s", st, out)
	}
	st, _, out = w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", future), `{"cells":[{"person_id":1,"grade":5}]}`)
	if st != 422 || !strings.Contains(out, `"field":"grade"`) {
		t.Errorf("unknown field: %d %s", st, out)
	}
}

// Period marks beside the weighted average, the warning rule, closing the
// period, the administrator's amendment with a reason, and reopening.
func TestJournalPeriodMarksAndClosing(t *testing.T) {
	w := newJournalWorld(t)
	q1 := w.periods[0]
	tok := w.teacher(t, w.math)
	day := func(n int) string {
		d, _ := time.Parse("2006-01-02", q1.StartsOn)
		return d.AddDate(0, 0, n).Format("2006-01-02")
	}
	l1, l2 := w.lesson(t, w.c5a, "math", day(1), w.math, nil, ""), w.lesson(t, w.c5a, "math", day(3), w.math, nil, "")
	put := func(l int64, body string) {
		t.Helper()
		if st, _, out := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l), body); st != 200 {
			t.Fatalf("write: %d %s", st, out)
		}
	}
	// Анна: 5 (oral, weight 1) and 3 (control, weight 3): (5 + 9) / 4 = 3.5 -> 4.
	put(l1, fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"}}]}`, w.anna))
	put(l2, fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"3","kind":"control"}}]}`, w.anna))
	grid := fmt.Sprintf("/api/v1/classes/%d/journal?subject=math&period=%d", w.c5a, q1.ID)
	st, _, out := w.call(t, tok, "GET", grid, "")
	if st != 200 || !strings.Contains(out, `"average":3.5`) || !strings.Contains(out, `"suggested":4`) {
		t.Fatalf("grid: %d %s", st, out)
	}
	set := func(tok, value, reason string) (int, string) {
		st, _, out := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/classes/%d/period-marks", w.c5a),
			fmt.Sprintf(`{"person_id":%d,"subject":"math","kind":"period","period_id":%d,"value":"%s","reason":"%s"}`, w.anna, q1.ID, value, reason))
		return st, out
	}
	if st, out := set(tok, "4", ""); st != 200 || !strings.Contains(out, `"warning":false`) {
		t.Errorf("period mark 4: %d %s", st, out)
	}
	if st, out := set(tok, "2", ""); st != 200 || !strings.Contains(out, `"warning":true`) {
		t.Errorf("period mark 2 against 4: %d %s", st, out)
	}
	if st, out := set(tok, "7", ""); st != 422 || !strings.Contains(out, `"field":"value"`) {
		t.Errorf("period mark 7: %d %s", st, out)
	}
	// The teacher of 5Б sets no marks in 5А.
	if st, out := set(w.teacher(t, w.math5b), "5", ""); st != 404 && st != 403 {
		t.Errorf("teacher of 5Б: %d %s", st, out)
	}

	// Closing locks the period for the teacher.
	admin := w.director(t)
	if st, _, out := w.call(t, tok, "POST", fmt.Sprintf("/api/v1/periods/%d/close", q1.ID), ""); st != 403 && st != 404 {
		t.Errorf("teacher closes: %d %s", st, out)
	}
	if st, _, out := w.call(t, admin, "POST", fmt.Sprintf("/api/v1/periods/%d/close", q1.ID), `{"reason":"конец четверти"}`); st != 200 || !strings.Contains(out, `"closed_at"`) {
		t.Fatalf("close: %d %s", st, out)
	}
	st, _, out = w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l1), fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"2"}}]}`, w.anna))
	if a := decodeBatch(t, out); st != 422 || a.rule(w.anna) != "lesson_id:closed" {
		t.Errorf("teacher writes into a closed period: %d %s", st, out)
	}
	if st, out := set(tok, "5", ""); st != 409 || !strings.Contains(out, "closed") {
		t.Errorf("teacher sets a period mark in a closed period: %d %s", st, out)
	}
	// The director amends, only with a reason, and it is audited.
	st, _, out = w.call(t, admin, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l1), fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"4"}}]}`, w.anna))
	if st != 422 || !strings.Contains(out, `"field":"reason"`) {
		t.Errorf("amend without a reason: %d %s", st, out)
	}
	st, _, out = w.call(t, admin, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l1),
		fmt.Sprintf(`{"reason":"ошибка при вводе, служебная записка 12","cells":[{"person_id":%d,"mark":{"value":"4"}}]}`, w.anna))
	if st != 200 {
		t.Fatalf("amend: %d %s", st, out)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'lesson' AND detail LIKE '%служебная записка 12%' AND login = 'director'`); n != 1 {
		t.Errorf("amendment audit entries: %d", n)
	}
	st, _, out = w.call(t, tok, "GET", fmt.Sprintf("/api/v1/lessons/%d/journal/%d/history", l1, w.anna), "")
	if st != 200 || !strings.Contains(out, `"old":"5/oral","new":"4/oral","author":"director","reason":"ошибка при вводе`) {
		t.Errorf("history after the amendment: %d %s", st, out)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'period.close' AND object_id = $1`, fmt.Sprint(q1.ID)); n != 1 {
		t.Errorf("close audit entries: %d", n)
	}
	// Reopening needs a reason.
	if st, _, out := w.call(t, admin, "POST", fmt.Sprintf("/api/v1/periods/%d/reopen", q1.ID), `{}`); st != 422 || !strings.Contains(out, `"field":"reason"`) {
		t.Errorf("reopen without a reason: %d %s", st, out)
	}
	if st, _, out := w.call(t, admin, "POST", fmt.Sprintf("/api/v1/periods/%d/reopen", q1.ID), `{"reason":"пересдача"}`); st != 200 || strings.Contains(out, `"closed_at"`) {
		t.Errorf("reopen: %d %s", st, out)
	}
	if st, out := set(tok, "5", ""); st != 200 {
		t.Errorf("period mark after reopening: %d %s", st, out)
	}
}

// Who may not: the teacher of another subject or class, the teacher
// replaced by a substitute, the inspector, a guardian, another school.
func TestJournalDenials(t *testing.T) {
	w := newJournalWorld(t)
	q1 := w.periods[0]
	lMath := w.lesson(t, w.c5a, "math", q1.StartsOn, w.math, nil, "")
	lSub := w.lesson(t, w.c5a, "math", q1.EndsOn, w.math, &w.sub, "")
	cell := fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"}}]}`, w.anna)
	write := func(tok string, l int64) int {
		st, _, _ := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l), cell)
		return st
	}
	inspector := w.token(t, "inspector", identity.Inspector, w.region.ID, 0)
	mum := w.token(t, "mum", identity.Guardian, w.school.ID, w.mum)
	other := w.token(t, "director2", identity.SchoolAdmin, w.school2.ID, 0)
	tutor := w.token(t, "tutor", identity.ClassTeacher, w.school.ID, w.ctutor)
	for name, c := range map[string]struct {
		tok    string
		lesson int64
		want   []int
	}{
		"teacher of history writes mathematics": {w.teacher(t, w.hist), lMath, []int{403, 404}},
		"teacher of 5Б writes 5А":               {w.teacher(t, w.math5b), lMath, []int{404}},
		"replaced teacher":                      {w.teacher(t, w.math), lSub, []int{403}},
		"inspector":                             {inspector, lMath, []int{403}},
		"guardian":                              {mum, lMath, []int{404}},
		"class teacher":                         {tutor, lMath, []int{403}},
		"other school":                          {other, lMath, []int{404}},
	} {
		st := write(c.tok, c.lesson)
		ok := false
		for _, s := range c.want {
			ok = ok || s == st
		}
		if !ok {
			t.Errorf("%s: %d, want %v", name, st, c.want)
		}
	}
	if n := w.count(t, "SELECT COUNT(*) FROM marks"); n != 0 {
		t.Fatalf("a denied write wrote %d marks", n)
	}
	// The substitute writes the lesson taken, and only that one.
	if st := write(w.teacher(t, w.sub), lSub); st != 200 {
		t.Errorf("substitute: %d", st)
	}
	if st := write(w.teacher(t, w.sub), lMath); st != 404 {
		t.Errorf("substitute on another lesson: %d", st)
	}
	// Reads: the class teacher every subject, the history teacher not
	// mathematics, the inspector within the region (audited), another
	// school nothing.
	grid := fmt.Sprintf("/api/v1/classes/%d/journal?subject=math", w.c5a)
	for name, c := range map[string]struct {
		tok  string
		want int
	}{
		"class teacher": {tutor, 200}, "history teacher": {w.teacher(t, w.hist), 404}, "inspector": {inspector, 200},
		"other school": {other, 404}, "guardian": {mum, 404}, "mathematics teacher": {w.teacher(t, w.math), 200},
	} {
		if st, _, out := w.call(t, c.tok, "GET", grid, ""); st != c.want {
			t.Errorf("%s reads the grid: %d, want %d: %s", name, st, c.want, out)
		}
	}
	if n := w.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'bulk_read' AND login = 'inspector'`); n != 1 {
		t.Errorf("inspector reads audited: %d", n)
	}
}

// loginTeacher signs a teacher in with a browser session.
func (w *journalWorld) loginTeacher(t *testing.T, person int64, user string) *http.Client {
	t.Helper()
	ctx := context.Background()
	acc, code, err := w.s.App.Accounts.Create(ctx, user, []identity.Grant{{Role: identity.Teacher, OrgID: w.school.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", person, acc.ID); err != nil {
		t.Fatal(err)
	}
	c := w.s.Client()
	if st, body := login(t, w.s, c, user, pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d %s", st, body)
	}
	return c
}

// The pages: the grid with its inputs and the rule, the autosave of one
// cell with the form token in a header, the lesson form that posts the
// whole column (the no-script way) with an error beside the bad row, and
// the cell's history.
func TestJournalPages(t *testing.T) {
	w := newJournalWorld(t)
	q1 := w.periods[0]
	l := w.lesson(t, w.c5a, "math", q1.StartsOn, w.math, nil, "")
	c := w.loginTeacher(t, w.math, "maria.m")
	grid := fmt.Sprintf("/journal/groups/%d?subject=math&period=%d", w.c5a, q1.ID)
	st, _, body := apptest.Do(t, c, "GET", w.s.URL+grid, nil)
	if st != 200 || !strings.Contains(body, "Андреева Анна") || !strings.Contains(body, fmt.Sprintf(`data-lesson="%d"`, l)) ||
		!strings.Contains(body, "4− = 3,75") || !strings.Contains(body, "journal.js") {
		t.Fatalf("grid: %d %s", st, body)
	}
	// The subjects page offers mathematics only to its teacher.
	if _, _, body := apptest.Do(t, c, "GET", w.s.URL+fmt.Sprintf("/journal/groups/%d", w.c5a), nil); !strings.Contains(body, "?subject=math") || strings.Contains(body, "?subject=hist") {
		t.Errorf("subjects: %s", body)
	}
	m := regexp.MustCompile(`data-csrf="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		_, _, body = apptest.Do(t, c, "GET", w.s.URL+grid, nil)
		m = regexp.MustCompile(`data-csrf="([^"]+)"`).FindStringSubmatch(body)
	}
	cell := fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"},"attendance":{"status":"present"}}]}`, w.anna)
	if st, _, out := apptest.Do(t, c, "POST", w.s.URL+fmt.Sprintf("/journal/lessons/%d/cells", l), strings.NewReader(cell),
		"Content-Type", "application/json"); st != 403 && st != 400 {
		t.Errorf("autosave without the form token: %d %s", st, out)
	}
	st, _, out := apptest.Do(t, c, "POST", w.s.URL+fmt.Sprintf("/journal/lessons/%d/cells", l), strings.NewReader(cell),
		"Content-Type", "application/json", "X-CSRF-Token", m[1], "Idempotency-Key", "k1")
	if st != 200 || !strings.Contains(out, `"status":"saved"`) {
		t.Fatalf("autosave: %d %s", st, out)
	}
	// The lesson page's form: Борис absent through illness, Вера a mark off the scale.
	page := fmt.Sprintf("/journal/lessons/%d", l)
	k := func(p int64) string { return fmt.Sprint(p) }
	st, _, out = w.s.PostForm(t, c, page, page, "person", k(w.anna), "mark_"+k(w.anna), "5", "att_"+k(w.anna), "present",
		"person", k(w.boris), "mark_"+k(w.boris), "", "att_"+k(w.boris), "absent", "reason_"+k(w.boris), "illness",
		"person", k(w.vera), "mark_"+k(w.vera), "9", "att_"+k(w.vera), "present")
	if st != 422 || !strings.Contains(out, "from 2 to 5") || !strings.Contains(out, `value="9"`) {
		t.Fatalf("lesson form: %d %s", st, out)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM attendance WHERE lesson_id = $1 AND person_id = $2 AND reason = 'illness'", l, w.boris); n != 1 {
		t.Errorf("Борис's absence was not saved beside Вера's refused mark")
	}
	st, _, out = apptest.Do(t, c, "GET", w.s.URL+fmt.Sprintf("/journal/lessons/%d/history/%d", l, w.anna), nil)
	if st != 200 || !strings.Contains(out, "maria.m") || !strings.Contains(out, "5/oral") {
		t.Errorf("history page: %d %s", st, out)
	}
	// The class card links to the journal.
	if _, _, out = apptest.Do(t, c, "GET", w.s.URL+fmt.Sprintf("/classes/%d", w.c5a), nil); !strings.Contains(out, fmt.Sprintf(`href="/journal/groups/%d"`, w.c5a)) {
		t.Errorf("class card: %s", out)
	}
}

// Concurrent retries of one request (a phone resending before the first
// answer arrived) write once; all get the same answer. A body over the
// server's limit is refused as a whole, naming the limit.
func TestJournalConcurrentRetries(t *testing.T) {
	w := newJournalWorld(t)
	l := w.lesson(t, w.c5a, "math", w.periods[0].StartsOn, w.math, nil, "")
	tok := w.teacher(t, w.math)
	path := fmt.Sprintf("/api/v1/lessons/%d/journal", l)
	body := fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"5"}},{"person_id":%d,"mark":{"value":"3"}}]}`, w.anna, w.vera)
	type answer struct {
		st   int
		body string
	}
	out := make(chan answer, 6)
	for range 6 {
		go func() {
			req, _ := http.NewRequest("PUT", w.s.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "same-request")
			resp, err := w.s.Client().Do(req)
			if err != nil {
				out <- answer{0, err.Error()}
				return
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			out <- answer{resp.StatusCode, strings.TrimSpace(b.String())}
		}()
	}
	first := <-out
	for range 5 {
		a := <-out
		if a.st != first.st || a.body != first.body {
			t.Errorf("answers differ: %d %s / %d %s", first.st, first.body, a.st, a.body)
		}
	}
	if first.st != 200 {
		t.Fatalf("answer: %d %s", first.st, first.body)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM journal_history WHERE lesson_id = $1", l); n != 2 {
		t.Errorf("%d history rows for two cells written once", n)
	}
	big := `{"cells":[{"person_id":1,"mark":{"value":"5","comment":"` + strings.Repeat("x", 1<<20) + `"}}]}`
	if st, _, out := w.call(t, tok, "PUT", path, big); st != 422 && st != 413 || !strings.Contains(out, "larger than") {
		t.Errorf("a body over the limit: %d %.200s", st, out)
	}
}

// The mark scale page: the school's own staff see the scale and where it
// comes from but get no form; a regional officer chooses the region's
// scale, which the school then inherits; an unknown scale is refused
// beside the field and changes nothing.
func TestMarkScalePage(t *testing.T) {
	w := newJournalWorld(t)
	ctx := context.Background()
	teacher := w.loginTeacher(t, w.math, "maria.m")
	page := fmt.Sprintf("/orgs/%d/mark-scale", w.school.ID)
	st, _, body := apptest.Do(t, teacher, "GET", w.s.URL+page, nil)
	if st != 200 || !strings.Contains(body, "по умолчанию для страны") || strings.Contains(body, `<select id="scale"`) {
		t.Fatalf("teacher's view: %d %s", st, body)
	}
	_, code, err := w.s.App.Accounts.Create(ctx, "olga.r", []identity.Grant{{Role: identity.RegionalOfficer, OrgID: w.region.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	officer := w.s.Client()
	loginWithTOTP(t, w.s, officer, "olga.r")
	region := fmt.Sprintf("/orgs/%d/mark-scale", w.region.ID)
	st, _, body = w.s.PostForm(t, officer, region, region, "scale", "no_such_scale")
	if st != 422 || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "Такой действующей шкалы нет") {
		t.Fatalf("unknown scale: %d %s", st, body)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM journal_scales"); n != 0 {
		t.Fatalf("a refused scale was written: %d rows", n)
	}
	st, _, body = w.s.PostForm(t, officer, region, region, "scale", "ua12")
	if st != 200 || !strings.Contains(body, "Шкала сохранена") {
		t.Fatalf("choose ua12: %d %s", st, body)
	}
	if _, _, body = apptest.Do(t, teacher, "GET", w.s.URL+page, nil); !strings.Contains(body, "от 1 до 12") || !strings.Contains(body, "унаследована") {
		t.Errorf("the school does not inherit the region's scale: %s", body)
	}
	// The teacher may not choose: the form is not offered and a post is refused.
	if st, _, _ := w.s.PostForm(t, teacher, page, page, "scale", "ru5"); st != 403 {
		t.Errorf("teacher set the scale: %d", st)
	}
}
