package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"shkola/internal/app"
	"shkola/internal/apptest"
	"shkola/internal/config"
	"shkola/internal/identity"
	"shkola/internal/org"
)

// portfolioWorld is a school with one class: a pupil of 15 and one of 12
// with the same mother (two children: the switcher), a pupil of another
// family, the class teacher, and a school admin; and a second school.
type portfolioWorld struct {
	s                                *apptest.Server
	s1, s2                           int64
	pupil15, pupil12, other, teacher int64
	mother, otherMother              int64
	tok                              map[string]string
}

func newPortfolioWorld(t *testing.T, mutate ...func(*config.Config)) *portfolioWorld {
	s := apptest.Start(t, mutate...)
	ctx := context.Background()
	w := &portfolioWorld{s: s, tok: map[string]string{}}
	mk := func(parent *int64, kind org.Kind, name string) int64 {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	region := mk(nil, org.Region, "Регион")
	m1, m2 := mk(&region, org.Municipality, "Округ 1"), mk(&region, org.Municipality, "Округ 2")
	w.s1, w.s2 = mk(&m1, org.School, "Школа 1"), mk(&m2, org.School, "Школа 2")
	now := time.Now().UTC()
	insert := func(q string, args ...any) int64 {
		var id int64
		if err := s.App.DB.W.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	person := func(last, first, born string) int64 {
		return insert(`INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, created_at, updated_at) VALUES ($1, $2, $3, $4, 'f', $5, $5)`,
			w.s1, last, first, born, now)
	}
	born15 := now.AddDate(-15, 0, -10).Format("2006-01-02")
	born12 := now.AddDate(-12, 0, 0).Format("2006-01-02")
	w.pupil15, w.pupil12, w.other = person("Звонарёва", "Алиса", born15), person("Звонарёва", "Вера", born12), person("Чужая", "Дарья", born15)
	w.mother, w.otherMother, w.teacher = person("Звонарёва", "Ирина", "1985-01-01"), person("Чужая", "Мать", "1984-01-01"), person("Учителева", "Ольга", "1980-01-01")
	year := insert(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, w.s1, now)
	class := insert(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, class_teacher_id, capacity, created_at, updated_at)
		VALUES ($1, $2, 'class', 9, 'А', '9А', 'ru_basic', $3, 30, $4, $4)`, w.s1, year, w.teacher, now)
	for _, p := range []int64{w.pupil15, w.pupil12, w.other} {
		insert("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", class, p, now)
	}
	for _, pair := range [][2]int64{{w.pupil15, w.mother}, {w.pupil12, w.mother}, {w.other, w.otherMother}} {
		insert(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, 'mother', '2014-01-01', $3, 't')`,
			pair[0], pair[1], now)
	}
	for _, a := range []struct {
		login  string
		role   identity.Role
		org    int64
		person int64
	}{
		{"admin", identity.SchoolAdmin, w.s1, 0}, {"admin2", identity.SchoolAdmin, w.s2, 0}, {"teacher", identity.ClassTeacher, w.s1, w.teacher},
		{"alisa", identity.Student, w.s1, w.pupil15}, {"vera", identity.Student, w.s1, w.pupil12},
		{"mother", identity.Guardian, w.s1, w.mother}, {"other.mother", identity.Guardian, w.s1, w.otherMother},
	} {
		acc, code, err := s.App.Accounts.Create(ctx, a.login, []identity.Grant{{Role: a.role, OrgID: a.org}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.App.Accounts.Activate(ctx, code, pw); err != nil {
			t.Fatal(err)
		}
		if a.person != 0 {
			if _, err := s.App.DB.W.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE id = $2", a.person, acc.ID); err != nil {
				t.Fatal(err)
			}
		}
		if w.tok[a.login], err = s.App.Accounts.IssueToken(ctx, acc.ID, "t"); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *portfolioWorld) api(t *testing.T, who, method, path, body string) (int, string) {
	t.Helper()
	h := []string{"Authorization", "Bearer " + w.tok[who]}
	var r io.Reader
	if body != "" {
		h, r = append(h, "Content-Type", "application/json"), strings.NewReader(body)
	}
	st, _, out := apptest.Do(t, w.s.Client(), method, w.s.URL+"/api/v1"+path, r, h...)
	return st, out
}

func (w *portfolioWorld) propose(t *testing.T, who string, person int64, achievement, file string, data []byte) (int, string) {
	t.Helper()
	ct, b := proposalBody(t, achievement, file, data)
	st, _, out := apptest.Do(t, w.s.Client(), "POST", fmt.Sprintf("%s/api/v1/persons/%d/proposals", w.s.URL, person), b,
		"Authorization", "Bearer "+w.tok[who], "Content-Type", ct)
	return st, out
}

func (w *portfolioWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.s.App.DB.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type portfolioAnswer struct {
	Gifted struct {
		Gifted         bool    `json:"gifted"`
		AchievementIDs []int64 `json:"achievement_ids"`
		Rule           string  `json:"rule"`
	} `json:"gifted"`
	Achievements []struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Counts bool   `json:"counts"`
	} `json:"achievements"`
	Certificates []struct {
		Number string `json:"number"`
	} `json:"certificates"`
}

func (w *portfolioWorld) portfolio(t *testing.T, who string, person int64) portfolioAnswer {
	t.Helper()
	st, body := w.api(t, who, "GET", fmt.Sprintf("/persons/%d/portfolio", person), "")
	if st != 200 {
		t.Fatalf("portfolio as %s: %d %s", who, st, body)
	}
	var p portfolioAnswer
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func idOf(t *testing.T, body string) int64 {
	t.Helper()
	var v struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return v.ID
}

func recent(months int) string { return time.Now().UTC().AddDate(0, -months, 0).Format("2006-01-02") }

// Staff enter an achievement; the pupil of 15 proposes one with a document;
// the class teacher confirms it and the gifted attribute follows, saying
// why; a rejection needs a reason; deleting recomputes.
func TestPortfolioEntryProposalAndGifted(t *testing.T) {
	w := newPortfolioWorld(t)
	path := fmt.Sprintf("/persons/%d", w.pupil15)
	st, body := w.api(t, "admin", "POST", path+"/achievements",
		`{"kind":"contest","title":"Конкурс чтецов","level":"municipal","result":"winner","date":"`+recent(2)+`"}`)
	if st != 201 || !strings.Contains(body, `"status":"confirmed"`) || !strings.Contains(body, `"reviewed_by":"admin"`) {
		t.Fatalf("staff entry: %d %s", st, body)
	}
	if p := w.portfolio(t, "alisa", w.pupil15); p.Gifted.Gifted || len(p.Achievements) != 1 {
		t.Fatalf("a municipal win is not regional: %+v", p)
	}
	st, body = w.propose(t, "alisa", w.pupil15,
		`{"kind":"olympiad","title":"Региональная олимпиада по физике","subject":"phys","level":"regional","result":"prize_winner","date":"`+recent(3)+`"}`,
		"диплом.pdf", testPDF)
	if st != 201 || !strings.Contains(body, `"status":"proposed"`) || !strings.Contains(body, `"name":"диплом.pdf"`) || !strings.Contains(body, `"proposed_by":"alisa"`) {
		t.Fatalf("proposal: %d %s", st, body)
	}
	proposal := idOf(t, body)
	if p := w.portfolio(t, "alisa", w.pupil15); p.Gifted.Gifted {
		t.Fatal("a proposal counts before it is confirmed")
	}
	// The class teacher sees it to review; the other school's admin does not.
	if st, body := w.api(t, "teacher", "GET", "/proposals", ""); st != 200 || !strings.Contains(body, fmt.Sprintf(`"id":%d,`, proposal)) ||
		!strings.Contains(body, `"person_name":"Звонарёва Алиса"`) {
		t.Fatalf("review list: %d %s", st, body)
	}
	if st, body := w.api(t, "admin2", "GET", "/proposals", ""); st != 200 || strings.Contains(body, "Звонарёва") {
		t.Fatalf("another school's review list: %d %s", st, body)
	}
	// Nobody but staff reviews.
	for _, who := range []string{"alisa", "mother"} {
		if st, body := w.api(t, who, "POST", fmt.Sprintf("/achievements/%d/review", proposal), `{"decision":"confirm"}`); st != 403 {
			t.Errorf("%s confirms: %d %s", who, st, body)
		}
	}
	if st, body := w.api(t, "admin2", "POST", fmt.Sprintf("/achievements/%d/review", proposal), `{"decision":"confirm"}`); st != 404 {
		t.Errorf("other school confirms: %d %s", st, body)
	}
	st, body = w.api(t, "teacher", "POST", fmt.Sprintf("/achievements/%d/review", proposal), `{"decision":"confirm"}`)
	if st != 200 || !strings.Contains(body, `"status":"confirmed"`) || !strings.Contains(body, `"reviewed_by":"teacher"`) {
		t.Fatalf("confirm: %d %s", st, body)
	}
	p := w.portfolio(t, "mother", w.pupil15)
	if !p.Gifted.Gifted || len(p.Gifted.AchievementIDs) != 1 || p.Gifted.AchievementIDs[0] != proposal ||
		p.Gifted.Rule != "result >= prize_winner AND level >= regional AND within 2 years" {
		t.Fatalf("gifted after confirmation: %+v", p.Gifted)
	}
	for _, a := range p.Achievements {
		if a.Counts != (a.ID == proposal) {
			t.Errorf("achievement %d counts=%v", a.ID, a.Counts)
		}
	}
	if st, body := w.api(t, "teacher", "POST", fmt.Sprintf("/achievements/%d/review", proposal), `{"decision":"reject","reason":"нет"}`); st != 409 ||
		!strings.Contains(body, `"rule":"reviewed"`) {
		t.Errorf("second review: %d %s", st, body)
	}
	// A rejection names its reason; without one it is refused by field.
	st, body = w.propose(t, "mother", w.pupil15, `{"kind":"other","title":"Грамота","level":"school","result":"participant","date":"`+recent(1)+`"}`, "грамота.png",
		[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	if st != 201 {
		t.Fatalf("guardian proposes: %d %s", st, body)
	}
	second := idOf(t, body)
	if st, body := w.api(t, "teacher", "POST", fmt.Sprintf("/achievements/%d/review", second), `{"decision":"reject"}`); st != 422 ||
		!strings.Contains(body, `"field":"reason","rule":"required"`) {
		t.Errorf("reject without reason: %d %s", st, body)
	}
	if st, body := w.api(t, "teacher", "POST", fmt.Sprintf("/achievements/%d/review", second), `{"decision":"reject","reason":"Грамота школьного уровня не подтверждена"}`); st != 200 ||
		!strings.Contains(body, `"status":"rejected"`) || !strings.Contains(body, `"reason":"Грамота школьного уровня не подтверждена"`) {
		t.Errorf("reject: %d %s", st, body)
	}
	// Every change is audited and in the change log, with ids only.
	if n := w.count(t, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'achievement' AND outcome = 'success'"); n != 5 {
		t.Errorf("%d achievement audit entries, want 5 (an entry, two proposals, a confirmation, a rejection)", n)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM changes WHERE entity = 'gifted'"); n < 2 {
		t.Errorf("gifted changes recorded: %d", n)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM changes WHERE entity = 'achievement' AND data LIKE '%олимпиада%'"); n != 0 {
		t.Error("the change log carries an achievement's title")
	}
	// Deleting the achievement that made the pupil gifted recomputes.
	if st, body := w.api(t, "admin", "DELETE", fmt.Sprintf("/achievements/%d", proposal), ""); st != 204 {
		t.Fatalf("delete: %d %s", st, body)
	}
	if p := w.portfolio(t, "alisa", w.pupil15); p.Gifted.Gifted || len(p.Gifted.AchievementIDs) != 0 {
		t.Fatalf("gifted after delete: %+v", p.Gifted)
	}
}

// Under 14 a pupil only reads; the guardian proposes for the child. A
// guardian sees own children and nothing of another family's.
func TestPortfolioAgeAndFamilies(t *testing.T) {
	w := newPortfolioWorld(t)
	ach := `{"kind":"contest","title":"Рисунок","level":"school","result":"winner","date":"` + recent(1) + `"}`
	st, body := w.propose(t, "vera", w.pupil12, ach, "рисунок.pdf", testPDF)
	if st != 403 || !strings.Contains(body, `"field":"person_id","rule":"age"`) {
		t.Fatalf("pupil of 12 proposes: %d %s", st, body)
	}
	if st, body := w.api(t, "vera", "GET", fmt.Sprintf("/persons/%d/portfolio", w.pupil12), ""); st != 200 || !strings.Contains(body, `"propose":false`) {
		t.Fatalf("pupil of 12 reads own: %d %s", st, body)
	}
	if st, body := w.propose(t, "mother", w.pupil12, ach, "рисунок.pdf", testPDF); st != 201 {
		t.Fatalf("guardian proposes for the child of 12: %d %s", st, body)
	}
	// Another family's child, its document and its review: not found.
	st, body = w.propose(t, "mother", w.other, ach, "рисунок.pdf", testPDF)
	if st != 404 {
		t.Fatalf("proposal for another family's child: %d %s", st, body)
	}
	st, body = w.propose(t, "other.mother", w.other, ach, "рисунок.pdf", testPDF)
	if st != 201 {
		t.Fatalf("other mother proposes: %d %s", st, body)
	}
	otherAch := idOf(t, body)
	for _, p := range []string{fmt.Sprintf("/persons/%d/portfolio", w.other), fmt.Sprintf("/achievements/%d/document", otherAch)} {
		if st, body := w.api(t, "mother", "GET", p, ""); st != 404 || strings.Contains(body, "Чужая") {
			t.Errorf("%s as another family: %d %s", p, st, body)
		}
		if st, _ := w.api(t, "alisa", "GET", p, ""); st != 404 {
			t.Errorf("%s as a classmate: %d", p, st)
		}
	}
	if st, body := w.api(t, "mother", "GET", fmt.Sprintf("/persons/%d/portfolio", w.pupil15), ""); st != 200 || !strings.Contains(body, "Алиса") {
		t.Errorf("own child: %d %s", st, body)
	}
	st, body = w.api(t, "mother", "GET", "/me/portfolios", "")
	if st != 200 || strings.Count(body, `"own":false`) != 2 || strings.Contains(body, "Чужая") {
		t.Errorf("my portfolios as a mother of two: %d %s", st, body)
	}
	if st, body := w.api(t, "alisa", "GET", "/me/portfolios", ""); st != 200 || strings.Count(body, `"own":true`) != 1 || strings.Contains(body, "Вера") {
		t.Errorf("my portfolios as a pupil: %d %s", st, body)
	}
}

// Bad input is refused by field and rule, and nothing is half-written: no
// achievement row and no file row stays behind a refused upload.
func TestPortfolioRefusals(t *testing.T) {
	w := newPortfolioWorld(t)
	ach := `{"kind":"olympiad","title":"Олимпиада","level":"regional","result":"winner","date":"` + recent(1) + `"}`
	files := w.count(t, "SELECT COUNT(*) FROM files")
	for _, c := range []struct {
		name       string
		data       []byte
		field, rul string
	}{
		{"вирус.exe", []byte("MZ\x90\x00"), "document", "type"},
		{"диплом.pdf", []byte("<html><script>alert(1)</script></html>"), "document", "type"},
		{"пусто.pdf", []byte{}, "document", "empty"},
		{"большой.pdf", append(append([]byte{}, testPDF...), bytes.Repeat([]byte("x"), 10<<20)...), "document", "size"},
		{"", nil, "document", "required"},
	} {
		st, body := w.propose(t, "alisa", w.pupil15, ach, c.name, c.data)
		if st != 422 || !strings.Contains(body, `"field":"`+c.field+`","rule":"`+c.rul+`"`) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	for body, want := range map[string]string{
		`{"kind":"olympiad","title":"","level":"regional","result":"winner","date":"2026-01-01"}`:                      `"field":"title","rule":"required"`,
		`{"kind":"lottery","title":"x","level":"regional","result":"winner","date":"2026-01-01"}`:                      `"field":"kind","rule":"enum"`,
		`{"kind":"olympiad","title":"x","level":"galactic","result":"winner","date":"2026-01-01"}`:                     `"field":"level","rule":"directory"`,
		`{"kind":"olympiad","title":"x","level":"regional","result":"winner","date":"2999-01-01"}`:                     `"field":"date","rule":"future"`,
		`{"kind":"olympiad","title":"x","level":"regional","result":"winner","date":"2026-01-01","x":1}`:               `"field":"x","rule":"unknown"`,
		`{"kind":"olympiad","title":"x","subject":"alchemy","level":"regional","result":"winner","date":"2026-01-01"}`: `"field":"subject","rule":"directory"`,
	} {
		if st, out := w.api(t, "admin", "POST", fmt.Sprintf("/persons/%d/achievements", w.pupil15), body); st != 422 || !strings.Contains(out, want) {
			t.Errorf("%s: %d %s", body, st, out)
		}
	}
	if n := w.count(t, "SELECT COUNT(*) FROM achievements"); n != 0 {
		t.Errorf("%d achievements written by refused requests", n)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM files"); n != files {
		t.Errorf("file rows after refusals: %d, before %d", n, files)
	}
	// Exams: by field; one per kind, subject and year.
	exams := fmt.Sprintf("/persons/%d/exams", w.pupil15)
	if st, body := w.api(t, "admin", "POST", exams, `{"kind":"oge","subject":"math","score":27,"max_score":31,"year":2026}`); st != 201 {
		t.Fatalf("exam: %d %s", st, body)
	}
	for body, want := range map[string]string{
		`{"kind":"oge","subject":"math","score":20,"max_score":31,"year":2026}`: `"rule":"duplicate"`,
		`{"kind":"oge","subject":"rus","score":40,"max_score":37,"year":2026}`:  `"field":"score","rule":"max_score"`,
		`{"kind":"sat","subject":"rus","score":4,"max_score":5,"year":2026}`:    `"field":"kind","rule":"directory"`,
		`{"kind":"ege","subject":"rus","max_score":100,"year":1900}`:            `"field":"year","rule":"range"`,
	} {
		if st, out := w.api(t, "admin", "POST", exams, body); (st != 422 && st != 409) || !strings.Contains(out, want) {
			t.Errorf("%s: %d %s", body, st, out)
		}
	}
	if st, body := w.api(t, "alisa", "POST", exams, `{"kind":"ege","subject":"rus","score":80,"max_score":100,"year":2026}`); st != 403 {
		t.Errorf("pupil records own exam: %d %s", st, body)
	}
}

// A certificate's number is sealed at rest, shown to the pupil's guardian
// and not to the class teacher, and reading it is audited.
func TestPortfolioCertificate(t *testing.T) {
	w := newPortfolioWorld(t)
	cert := fmt.Sprintf("/persons/%d/certificates/basic", w.pupil15)
	if st, body := w.api(t, "teacher", "PUT", cert, `{"number":"05224000123456","issued_on":"2026-06-20"}`); st != 403 {
		t.Fatalf("class teacher records a certificate: %d %s", st, body)
	}
	if st, body := w.api(t, "admin", "PUT", cert, `{"series":"","number":"","issued_on":"2026-06-20"}`); st != 422 || !strings.Contains(body, `"field":"number","rule":"required"`) {
		t.Fatalf("certificate without number: %d %s", st, body)
	}
	if st, body := w.api(t, "admin", "PUT", fmt.Sprintf("/persons/%d/certificates/master", w.pupil15), `{"number":"1","issued_on":"2026-06-20"}`); st != 422 ||
		!strings.Contains(body, `"field":"kind","rule":"enum"`) {
		t.Fatalf("certificate of unknown kind: %d %s", st, body)
	}
	if st, body := w.api(t, "admin", "PUT", cert, `{"number":"05224000123456","issued_on":"2026-06-20","honours":true}`); st != 200 ||
		!strings.Contains(body, `"honours":true`) {
		t.Fatalf("certificate: %d %s", st, body)
	}
	var raw string
	if err := w.s.App.DB.R.QueryRow("SELECT number_enc FROM certificates").Scan(&raw); err != nil || strings.Contains(raw, "05224000123456") || !strings.HasPrefix(raw, "v1.") {
		t.Fatalf("certificate number at rest: %q %v", raw, err)
	}
	before := w.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'read.identity' AND object_type = 'certificate'")
	if p := w.portfolio(t, "mother", w.pupil15); len(p.Certificates) != 1 || p.Certificates[0].Number != "05224000123456" {
		t.Fatalf("guardian's view: %+v", p.Certificates)
	}
	if after := w.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'read.identity' AND object_type = 'certificate'"); after != before+1 {
		t.Errorf("certificate read audited %d times, want 1", after-before)
	}
	if st, body := w.api(t, "teacher", "GET", fmt.Sprintf("/persons/%d/portfolio", w.pupil15), ""); st != 200 || strings.Contains(body, "05224000123456") ||
		strings.Contains(body, `"certificates"`) {
		t.Errorf("class teacher's view: %d %s", st, body)
	}
}

// A bad rule refuses to start, naming the setting, the column and the
// problem; a changed rule recomputes every stored flag at start.
func TestGiftedRuleFromConfiguration(t *testing.T) {
	w := newPortfolioWorld(t)
	if st, body := w.api(t, "admin", "POST", fmt.Sprintf("/persons/%d/achievements", w.pupil15),
		`{"kind":"olympiad","title":"Олимпиада","level":"municipal","result":"winner","date":"`+recent(1)+`"}`); st != 201 {
		t.Fatalf("entry: %d %s", st, body)
	}
	if p := w.portfolio(t, "admin", w.pupil15); p.Gifted.Gifted {
		t.Fatal("municipal winner gifted under the default rule")
	}
	start := func(rule string) (*app.App, error) {
		cfg := *w.s.App.Cfg
		cfg.GiftedRule = rule
		return app.New(&cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), w.s.App.DB)
	}
	_, err := start("result >= prize_winner AND level >= regionl")
	if err == nil || !strings.Contains(err.Error(), "SHKOLA_GIFTED_RULE") || !strings.Contains(err.Error(), "column 37") ||
		!strings.Contains(err.Error(), `"regionl" is not a level`) {
		t.Fatalf("bad rule: %v", err)
	}
	a, err := start("result = winner AND level >= municipal")
	if err != nil {
		t.Fatal(err)
	}
	var rule string
	var gifted bool
	if err := w.s.App.DB.R.QueryRow("SELECT rule, gifted FROM gifted WHERE person_id = $1", w.pupil15).Scan(&rule, &gifted); err != nil {
		t.Fatal(err)
	}
	if rule != "result = winner AND level >= municipal" || !gifted {
		t.Fatalf("after the rule changed: %q gifted=%v", rule, gifted)
	}
	// The old server reports its flag as computed with another rule.
	st, body := w.api(t, "admin", "GET", fmt.Sprintf("/persons/%d/portfolio", w.pupil15), "")
	if st != 200 || !strings.Contains(body, `"current":false`) {
		t.Errorf("stale flag: %d %s", st, body)
	}
	_ = a
}

// The pages: the rule in words in three languages, the children switcher,
// a proposal form with the refused file's message beside the field, and
// the review list for the class teacher.
func TestPortfolioPages(t *testing.T) {
	w := newPortfolioWorld(t)
	c := w.s.Client()
	if st, _ := login(t, w.s, c, "mother", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	st, _, page := apptest.Do(t, c, "GET", w.s.URL+"/portfolio", nil)
	if st != 200 || !strings.Contains(page, fmt.Sprintf(`href="/portfolio?person=%d"`, w.pupil12)) || !strings.Contains(page, "не ниже, чем «Региональный»") ||
		!strings.Contains(page, "не старше 2 лет") || !strings.Contains(page, `enctype="multipart/form-data"`) {
		t.Fatalf("my portfolio as a mother: %d %s", st, page)
	}
	for lang, want := range map[string]string{"en": "at least “Regional”", "uk": "не нижчий, ніж «Регіональний»"} {
		req, _ := http.NewRequest("GET", w.s.URL+"/portfolio", nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: rule not in words: %s", lang, b)
		}
	}
	// A refused file: the message beside the field, the values kept.
	tok := csrfField(t, page)
	var b bytes.Buffer
	mw := newMultipart(&b, map[string]string{"csrf": tok, "kind": "olympiad", "title": "Олимпиада по химии", "level": "regional", "result": "winner",
		"date": recent(1), "back": "/portfolio"}, "document", "вирус.exe", []byte("MZ"))
	st, _, page = apptest.Do(t, c, "POST", fmt.Sprintf("%s/persons/%d/portfolio/achievements", w.s.URL, w.pupil15), &b, "Content-Type", mw)
	if st != 422 || !strings.Contains(page, `id="document-err"`) || !strings.Contains(page, "Такой тип файла не принимается") ||
		!strings.Contains(page, `value="Олимпиада по химии"`) {
		t.Fatalf("refused file: %d %s", st, page)
	}
	b.Reset()
	mw = newMultipart(&b, map[string]string{"csrf": tok, "kind": "olympiad", "title": "Олимпиада по химии", "level": "regional", "result": "winner",
		"date": recent(1), "back": "/portfolio"}, "document", "диплом.pdf", testPDF)
	st, hdr, _ := apptest.Do(t, c, "POST", fmt.Sprintf("%s/persons/%d/portfolio/achievements", w.s.URL, w.pupil15), &b, "Content-Type", mw)
	if st != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/portfolio?done=proposed") {
		t.Fatalf("proposal by form: %d %v", st, hdr)
	}
	// The class teacher reviews it from the list.
	ct := w.s.Client()
	if st, _ := login(t, w.s, ct, "teacher", pw); st != http.StatusSeeOther {
		t.Fatalf("login teacher: %d", st)
	}
	st, _, page = apptest.Do(t, ct, "GET", w.s.URL+"/proposals", nil)
	if st != 200 || !strings.Contains(page, "Олимпиада по химии") || !strings.Contains(page, "Звонарёва Алиса") {
		t.Fatalf("review list: %d %s", st, page)
	}
	var id int64
	if err := w.s.App.DB.R.QueryRow("SELECT id FROM achievements WHERE status = 'proposed'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	st, hdr, _ = apptest.Do(t, ct, "POST", fmt.Sprintf("%s/achievements/%d/review", w.s.URL, id),
		apptest.Form("csrf", csrfField(t, page), "decision", "confirm", "back", "/proposals"), "Content-Type", "application/x-www-form-urlencoded")
	if st != http.StatusSeeOther || hdr.Get("Location") != "/proposals?done=confirmed" {
		t.Fatalf("confirm by form: %d %v", st, hdr)
	}
	// A return address that leads off the site is not followed: the form
	// comes back to the pupil's portfolio instead.
	for _, evil := range []string{"https://evil.example/portfolio", "//evil.example/portfolio", "/portfolio\\..\\@evil.example", "/\t/evil.example"} {
		b.Reset()
		mw = newMultipart(&b, map[string]string{"csrf": tok, "kind": "olympiad", "title": "Олимпиада по физике", "level": "regional", "result": "winner",
			"date": recent(1), "back": evil}, "document", "диплом.pdf", testPDF)
		st, hdr, _ = apptest.Do(t, c, "POST", fmt.Sprintf("%s/persons/%d/portfolio/achievements", w.s.URL, w.pupil15), &b, "Content-Type", mw)
		if want := fmt.Sprintf("/persons/%d/portfolio?done=proposed#achievements", w.pupil15); st != http.StatusSeeOther || hdr.Get("Location") != want {
			t.Errorf("back=%q: %d %q, want %q", evil, st, hdr.Get("Location"), want)
		}
	}
	st, _, page = apptest.Do(t, c, "GET", fmt.Sprintf("%s/portfolio?person=%d", w.s.URL, w.pupil15), nil)
	if st != 200 || !strings.Contains(page, "Признак установлен") || !strings.Contains(page, `href="#a`) {
		t.Fatalf("gifted on the page: %d %s", st, page)
	}
	// The pupil of 12 reads and is told why there is no form.
	cv := w.s.Client()
	login(t, w.s, cv, "vera", pw)
	if st, _, page := apptest.Do(t, cv, "GET", w.s.URL+"/portfolio", nil); st != 200 || strings.Contains(page, `enctype="multipart/form-data"`) ||
		!strings.Contains(page, "С 14 лет ученик может сам предлагать записи") {
		t.Fatalf("pupil of 12: %d %s", st, page)
	}
	// The person card links to the portfolio.
	if st, _, page := apptest.Do(t, ct, "GET", fmt.Sprintf("%s/persons/%d", w.s.URL, w.pupil15), nil); st != 200 ||
		!strings.Contains(page, fmt.Sprintf(`href="/persons/%d/portfolio"`, w.pupil15)) {
		t.Errorf("person card: %d", st)
	}
}

// newMultipart writes a form with one file into b and returns its
// content type.
func newMultipart(b *bytes.Buffer, fields map[string]string, fileField, fileName string, data []byte) string {
	mw := multipart.NewWriter(b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(fileField, fileName)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return mw.FormDataContentType()
}

func csrfField(t *testing.T, page string) string {
	t.Helper()
	m := dirCSRF.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf field")
	}
	return m[1]
}
