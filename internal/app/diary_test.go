package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/demo"
	"shkola/internal/diary"
	"shkola/internal/identity"
	"shkola/internal/journal"
)

// diaryWorld is the demo region with the diary's clock on the demo's
// today: parent1 has three children (two in the first class of school 1),
// teacher1 is that class's teacher.
type diaryWorld struct {
	s              *apptest.Server
	child, class   int64 // parent1's first child in the first class
	children       []int64
	parent1, other string // API tokens: parent1, and a mother of another family of the class
	teacher1       string
	otherChild     int64
}

func newDiaryWorld(t *testing.T) *diaryWorld {
	t.Helper()
	s := apptest.Start(t)
	ctx := context.Background()
	if _, err := demo.Generate(ctx, s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts,
		People: s.App.People, Contingent: s.App.Contingent.S, Portfolio: s.App.Portfolio.S}); err != nil {
		t.Fatal(err)
	}
	today, _ := time.Parse("2006-01-02", demo.Today())
	s.App.Diary.S.Now = func() time.Time { return today.Add(10 * time.Hour) }
	w := &diaryWorld{s: s}
	rows, err := s.App.DB.R.Query(`SELECT gd.child_id FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id
		WHERE a.login = 'parent1' AND gd.ends_on IS NULL ORDER BY gd.child_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		w.children = append(w.children, id)
	}
	rows.Close()
	if len(w.children) < 2 {
		t.Fatalf("parent1 has %d children in the demo, the switcher needs two", len(w.children))
	}
	w.child = w.children[0]
	w.class = w.id(t, `SELECT g.id FROM groups g JOIN accounts a ON a.person_id = g.class_teacher_id WHERE a.login = 'teacher1' AND g.kind = 'class'`)
	// A mother of a classmate of another family.
	var mother int64
	if err := s.App.DB.R.QueryRow(`SELECT gd.guardian_id, gd.child_id FROM group_members m JOIN guardianships gd ON gd.child_id = m.person_id
		WHERE m.group_id = $1 AND m.ends_on IS NULL AND gd.guardian_id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL)
		AND gd.child_id NOT IN (SELECT child_id FROM guardianships g2 JOIN accounts a ON a.person_id = g2.guardian_id WHERE a.login = 'parent1')
		ORDER BY gd.id LIMIT 1`, w.class).Scan(&mother, &w.otherChild); err != nil {
		t.Fatal(err)
	}
	acc, _, err := s.App.Accounts.Create(ctx, "other.mother", []identity.Grant{{Role: identity.Guardian, OrgID: w.id(t, "SELECT org_id FROM groups WHERE id = $1", w.class)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", mother, acc.ID); err != nil {
		t.Fatal(err)
	}
	w.other = w.token(t, "other.mother")
	w.parent1, w.teacher1 = w.token(t, "parent1"), w.token(t, "teacher1")
	return w
}

func (w *diaryWorld) id(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := w.s.App.DB.R.QueryRow(q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (w *diaryWorld) token(t *testing.T, login string) string {
	t.Helper()
	tok, err := w.s.App.Accounts.IssueToken(context.Background(), w.id(t, "SELECT id FROM accounts WHERE login = $1", login), "t")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (w *diaryWorld) api(t *testing.T, tok, path string, into any) (int, string) {
	t.Helper()
	st, _, body := apptest.Do(t, w.s.Client(), "GET", w.s.URL+"/api/v1"+path, nil, "Authorization", "Bearer "+tok)
	if into != nil && st == http.StatusOK {
		if err := json.Unmarshal([]byte(body), into); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return st, body
}

// The week of a known pupil holds exactly the pupil's lessons, homework,
// marks and absences as the journal and the schedule have them.
func TestDiaryWeekOfAKnownPupil(t *testing.T) {
	w := newDiaryWorld(t)
	const from, to = "2026-11-23", "2026-11-29"
	var wk diary.Week
	if st, body := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary?week=2026-11-25", w.child), &wk); st != http.StatusOK {
		t.Fatalf("week: %d %s", st, body)
	}
	if wk.From != from || wk.To != to || wk.Prev != "2026-11-16" || wk.Next != "2026-11-30" || wk.Pupil.ID != w.child || wk.Pupil.Class == "" {
		t.Errorf("week frame: %+v", wk)
	}
	if len(wk.Children) != len(w.children) {
		t.Errorf("switcher lists %d children, parent1 has %d", len(wk.Children), len(w.children))
	}
	q := w.s.App.DB.R
	var lessons, marks, absences, homework int
	if err := q.QueryRow(`SELECT COUNT(*) FROM lessons l WHERE l.on_date >= $1 AND l.on_date <= $2 AND EXISTS (SELECT 1 FROM group_members m
		WHERE m.person_id = $3 AND m.group_id = l.group_id AND m.starts_on <= l.on_date AND (m.ends_on IS NULL OR m.ends_on > l.on_date))`, from, to, w.child).Scan(&lessons); err != nil {
		t.Fatal(err)
	}
	type cell struct{ value, kind string }
	want := map[int64]cell{}
	rows, err := q.Query(`SELECT x.lesson_id, x.value, x.work_kind FROM marks x JOIN lessons l ON l.id = x.lesson_id
		WHERE x.person_id = $1 AND l.on_date >= $2 AND l.on_date <= $3`, w.child, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var c cell
		if err := rows.Scan(&id, &c.value, &c.kind); err != nil {
			t.Fatal(err)
		}
		want[id] = c
	}
	rows.Close()
	seen := 0
	for _, d := range wk.Days {
		for _, l := range d.Lessons {
			seen++
			if l.StartsAt == "" || l.Teacher == "" || l.SubjectName == "" || l.SubjectName == l.Subject {
				t.Errorf("lesson %d lacks its time, teacher or subject name: %+v", l.ID, l)
			}
			if l.Mark != nil {
				marks++
				if c, ok := want[l.ID]; !ok || c.value != l.Mark.Value || c.kind != l.Mark.Kind || l.Mark.KindName == "" || l.Mark.Weight < 1 {
					t.Errorf("lesson %d: mark %+v, the journal has %+v", l.ID, l.Mark, c)
				}
			}
			if l.Attendance != nil {
				absences++
			}
			if l.Homework != nil {
				homework++
				if l.Homework.Text == "" || l.Homework.DueOn <= d.Date {
					t.Errorf("lesson %d: homework %+v", l.ID, l.Homework)
				}
			}
		}
	}
	if seen != lessons || lessons < 15 {
		t.Errorf("%d lessons in the week, the schedule has %d", seen, lessons)
	}
	if marks != len(want) || marks == 0 {
		t.Errorf("%d marks shown, the journal has %d of this pupil", marks, len(want))
	}
	var wantAbs, wantHW int
	q.QueryRow(`SELECT COUNT(*) FROM attendance a JOIN lessons l ON l.id = a.lesson_id WHERE a.person_id = $1 AND l.on_date >= $2 AND l.on_date <= $3`,
		w.child, from, to).Scan(&wantAbs)
	q.QueryRow(`SELECT COUNT(*) FROM homework h JOIN lessons l ON l.id = h.lesson_id WHERE l.on_date >= $1 AND l.on_date <= $2 AND EXISTS
		(SELECT 1 FROM group_members m WHERE m.person_id = $3 AND m.group_id = l.group_id AND m.ends_on IS NULL)`, from, to, w.child).Scan(&wantHW)
	if absences != wantAbs || homework != wantHW || homework == 0 {
		t.Errorf("absences %d (journal %d), homework %d (schedule %d)", absences, wantAbs, homework, wantHW)
	}
	// Directory names follow the language asked.
	if _, body := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary?week=2026-11-25&lang=en", w.child), nil); !strings.Contains(body, `"subject_name":"Mathematics"`) {
		t.Errorf("English names: %.300s", body)
	}
	if st, _ := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary?week=25.11.2026", w.child), nil); st != http.StatusUnprocessableEntity {
		t.Errorf("a malformed week: %d", st)
	}
}

// The guardian's week page: the switcher, the weeks, the lesson a
// notification points at, no script, and two round trips to the database:
// the session (with the notification badge's count) and the week.
func TestDiaryWeekPage(t *testing.T) {
	w := newDiaryWorld(t)
	s := w.s
	c := s.Client()
	if st, _ := login(t, s, c, "parent1", demo.DemoPassword); st != http.StatusSeeOther {
		t.Fatal("parent1 login")
	}
	st, hdr, _ := apptest.Do(t, c, "GET", s.URL+"/diary", nil)
	if st != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/diary/") {
		t.Fatalf("/diary: %d %s", st, hdr.Get("Location"))
	}
	page := fmt.Sprintf("%s/diary/%d?week=2026-11-23", s.URL, w.child)
	apptest.Do(t, c, "GET", page, nil)
	before := s.App.DB.Queries.Read()
	st, _, body := apptest.Do(t, c, "GET", page, nil)
	trips := s.App.DB.Queries.Read().Sub(before).RoundTrips()
	if st != http.StatusOK {
		t.Fatalf("week page: %d", st)
	}
	if trips > 2 {
		t.Errorf("the week page took %d round trips, at most 2 allowed", trips)
	}
	t.Logf("week page: %d bytes, %d round trips", len(body), trips)
	if strings.Contains(body, "<script") || len(body) > 40_000 {
		t.Errorf("the week page has a script or is %d bytes", len(body))
	}
	for _, id := range w.children {
		if !strings.Contains(body, fmt.Sprintf(`href="/diary/%d?week=2026-11-23"`, id)) {
			t.Errorf("the switcher lacks child %d", id)
		}
	}
	for _, want := range []string{`href="/diary/` + fmt.Sprint(w.child) + `?week=2026-11-16" rel="prev"`, `?week=2026-11-30" rel="next"`, "Понедельник, 23.11"} {
		if !strings.Contains(body, want) {
			t.Errorf("the week page lacks %q", want)
		}
	}
	var lesson int64
	if err := s.App.DB.R.QueryRow(`SELECT x.lesson_id FROM marks x JOIN lessons l ON l.id = x.lesson_id WHERE x.person_id = $1 AND l.on_date < '2026-11-20'
		ORDER BY l.on_date DESC LIMIT 1`, w.child).Scan(&lesson); err != nil {
		t.Fatal(err)
	}
	_, _, body = apptest.Do(t, c, "GET", fmt.Sprintf("%s/diary/%d?lesson=%d", s.URL, w.child, lesson), nil)
	if !strings.Contains(body, fmt.Sprintf(`id="lesson-%d" class="hl"`, lesson)) {
		t.Errorf("a notification's lesson is not shown in its week")
	}
	// Another family's child: not found, however asked.
	if st, _, _ := apptest.Do(t, c, "GET", fmt.Sprintf("%s/diary/%d", s.URL, w.otherChild), nil); st != http.StatusNotFound {
		t.Errorf("another family's diary page: %d", st)
	}
	css := regexpFind(body, `href="(/static/[^"]+/diary.css)"`)
	if _, _, sheet := apptest.Do(t, c, "GET", s.URL+css, nil); !strings.Contains(sheet, "@media print") {
		t.Errorf("the diary has no print styles (%s)", css)
	}
	if st, _, body := apptest.Do(t, c, "GET", fmt.Sprintf("%s/diary/%d/period", s.URL, w.child), nil); st != http.StatusOK || !strings.Contains(body, "Медиана класса") {
		t.Errorf("period page: %d", st)
	}
}

// The period's averages are the journal's: the same number the class
// journal shows beside the pupil, and the class median is the median of
// the journal's averages; the answer carries nothing of another pupil.
func TestDiaryPeriodFollowsTheJournal(t *testing.T) {
	w := newDiaryWorld(t)
	var pv diary.PeriodView
	if st, body := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary/period", w.child), &pv); st != http.StatusOK {
		t.Fatalf("period: %d %s", st, body)
	}
	w.s.App.Journal.S.Now = w.s.App.Diary.S.Now
	var grid journal.Grid
	if st, body := w.api(t, w.teacher1, fmt.Sprintf("/classes/%d/journal?subject=math&period=%d", w.class, pv.Period.ID), &grid); st != http.StatusOK {
		t.Fatalf("journal: %d %s", st, body)
	}
	var averages []float64
	var mine *float64
	for _, r := range grid.Rows {
		if r.Average != nil {
			averages = append(averages, *r.Average)
		}
		if r.PersonID == w.child {
			mine = r.Average
		}
	}
	sort.Float64s(averages)
	median := (averages[(len(averages)-1)/2] + averages[len(averages)/2]) / 2
	checked := false
	for _, sr := range pv.Subjects {
		if sr.Subject != "math" {
			continue
		}
		checked = true
		if sr.Average == nil || mine == nil || math.Abs(*sr.Average-*mine) > 1e-9 {
			t.Errorf("diary average %v, journal %v", sr.Average, mine)
		}
		if sr.ClassMedian == nil || math.Abs(*sr.ClassMedian-median) > 1e-9 || sr.ClassPupils != len(averages) {
			t.Errorf("class median %v of %d, the journal's averages give %v of %d", sr.ClassMedian, sr.ClassPupils, median, len(averages))
		}
		var scored []journal.Scored
		for _, m := range sr.Marks {
			scored = append(scored, journal.Scored{Score: m.Score, Weight: m.Weight})
		}
		if got := journal.WeightedAverage(scored); got == nil || math.Abs(*got-*sr.Average) > 1e-9 {
			t.Errorf("the marks shown average %v, the diary says %v", got, sr.Average)
		}
	}
	if !checked {
		t.Fatal("no mathematics in the period")
	}
	// Only the median: no classmate's name, id or average is in the answer.
	_, body := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary/period", w.child), nil)
	family := map[string]bool{}
	for _, r := range grid.Rows {
		for _, c := range w.children {
			if r.PersonID == c {
				family[r.LastName] = true
			}
		}
	}
	for _, r := range grid.Rows {
		if family[r.LastName] {
			continue
		}
		if strings.Contains(body, r.LastName) || strings.Contains(body, fmt.Sprintf(`:%d,`, r.PersonID)) && r.PersonID > 1000 {
			t.Errorf("classmate %d (%s) appears in the period answer", r.PersonID, r.LastName)
		}
		if r.Average != nil && len(fmt.Sprint(*r.Average)) > 6 && strings.Contains(body, fmt.Sprintf(`:%v,`, *r.Average)) && (mine == nil || *r.Average != *mine) && *r.Average != median {
			t.Errorf("classmate %d's average %v appears in the period answer", r.PersonID, *r.Average)
		}
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"subject": true, "subject_name": true, "marks": true, "average": true, "trend": true, "class_median": true,
		"class_pupils": true, "compared": true, "period_mark": true, "annual": true, "final": true, "lessons": true, "absent": true, "unexcused": true, "late": true}
	for _, sr := range raw["subjects"].([]any) {
		for k := range sr.(map[string]any) {
			if !allowed[k] {
				t.Errorf("a subject of the period carries %q", k)
			}
		}
	}
	if pv.Trend.Weeks != 3 || pv.Trend.Threshold <= 0 || pv.MinClass != diary.MinClassForMedian {
		t.Errorf("the rules are not stated: %+v, min %d", pv.Trend, pv.MinClass)
	}
	// Another period of the class's year, and one of no year of this class.
	if st, _ := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary/period?period=%d", w.child, pv.Periods[0].ID), nil); st != http.StatusOK {
		t.Errorf("the first period: %d", st)
	}
	if st, _ := w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary/period?period=999999", w.child), nil); st != http.StatusUnprocessableEntity {
		t.Errorf("a period of another year: %d", st)
	}
}

// Homework files: the family downloads them; another family, or a path
// that pairs the file with a pupil who was not at the lesson, finds none.
func TestDiaryHomeworkFiles(t *testing.T) {
	w := newDiaryWorld(t)
	ctx := context.Background()
	q := w.s.App.DB.R
	var lesson int64
	if err := q.QueryRow(`SELECT h.lesson_id FROM homework h JOIN lessons l ON l.id = h.lesson_id WHERE l.group_id = $1 AND l.on_date = '2026-11-24'
		ORDER BY l.slot LIMIT 1`, w.class).Scan(&lesson); err != nil {
		t.Fatal(err)
	}
	f, err := w.s.App.Schedule.S.AddHomeworkFile(ctx, lesson, "задание.pdf", bytes.NewReader(testPDF), nil)
	if err != nil {
		t.Fatal(err)
	}
	hw := w.id(t, "SELECT id FROM homework WHERE lesson_id = $1", lesson)
	var wk diary.Week
	w.api(t, w.parent1, fmt.Sprintf("/persons/%d/diary?week=2026-11-24", w.child), &wk)
	listed := false
	for _, d := range wk.Days {
		for _, l := range d.Lessons {
			if l.ID == lesson && l.Homework != nil && len(l.Homework.Files) == 1 && l.Homework.Files[0].ID == f.ID {
				listed = true
			}
		}
	}
	if !listed {
		t.Error("the week does not list the homework's file")
	}
	path := func(pupil int64) string {
		return fmt.Sprintf("/persons/%d/diary/homework/%d/files/%d", pupil, hw, f.ID)
	}
	if st, body := w.api(t, w.parent1, path(w.child), nil); st != http.StatusOK || body != string(testPDF) {
		t.Errorf("parent1 downloads the file: %d", st)
	}
	// The classmate's mother reads her own child's homework: the class's.
	if st, _ := w.api(t, w.other, path(w.otherChild), nil); st != http.StatusOK {
		t.Errorf("the classmate's mother, her child's homework: %d", st)
	}
	for _, c := range []struct {
		tok  string
		path string
	}{
		{w.other, path(w.child)}, // another family's child
		{w.parent1, path(w.otherChild)},
		{w.parent1, fmt.Sprintf("/persons/%d/diary/homework/%d/files/%d", w.child, hw+1, f.ID)}, // the file is not that homework's
	} {
		if st, _ := w.api(t, c.tok, c.path, nil); st != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", c.path, st)
		}
	}
	// A pupil of another class was not at the lesson.
	var outsider int64
	if err := q.QueryRow(`SELECT m.person_id FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.kind = 'class' AND g.id <> $1
		AND g.org_id = (SELECT org_id FROM groups WHERE id = $1) AND m.ends_on IS NULL ORDER BY m.person_id LIMIT 1`, w.class).Scan(&outsider); err != nil {
		t.Fatal(err)
	}
	admin := w.token(t, "director1")
	if st, _ := w.api(t, admin, path(outsider), nil); st != http.StatusNotFound {
		t.Errorf("the file through a pupil who was not at the lesson: %d", st)
	}
	// The page link downloads it too, for the session of parent1.
	c := w.s.Client()
	login(t, w.s, c, "parent1", demo.DemoPassword)
	if st, _, body := apptest.Do(t, c, "GET", fmt.Sprintf("%s/diary/%d/homework/%d/files/%d", w.s.URL, w.child, hw, f.ID), nil); st != http.StatusOK || body != string(testPDF) {
		t.Errorf("the page's file link: %d", st)
	}
}

func regexpFind(s, expr string) string {
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// Who reads whose diary, beyond the matrix's own pupil: the pupil its own
// only, a guardian its children only, the class teacher its class.
func TestDiaryDenials(t *testing.T) {
	w := newDiaryWorld(t)
	pupil1 := w.token(t, "pupil1")
	own := w.id(t, "SELECT person_id FROM accounts WHERE login = 'pupil1'")
	for _, c := range []struct {
		who  string
		tok  string
		of   int64
		want int
	}{
		{"parent1, each child", w.parent1, w.children[len(w.children)-1], 200},
		{"parent1, a classmate", w.parent1, w.otherChild, 404},
		{"the classmate's mother, parent1's child", w.other, w.child, 404},
		{"pupil1, own", pupil1, own, 200},
		{"pupil1, another pupil", pupil1, w.child, 404},
		{"teacher1, a pupil of the class led", w.teacher1, w.child, 200},
		{"teacher1, a pupil of the school not led", w.teacher1, own, 404},
		{"the operator", w.token(t, "operator"), w.child, 404},
		{"nobody", "", w.child, 401},
	} {
		if st, body := w.api(t, c.tok, fmt.Sprintf("/persons/%d/diary", c.of), nil); st != c.want {
			t.Errorf("%s: %d, want %d: %.200s", c.who, st, c.want, body)
		}
	}
}
