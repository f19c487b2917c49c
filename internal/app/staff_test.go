package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
)

// staffEnv is a region with two municipalities: m1 holds schools s1 and s3,
// m2 holds s2. Анна is registered at s1, Борис at s2. Staff dates are
// judged on a fixed day.
type staffEnv struct {
	s              *apptest.Server
	region, m1, m2 org.Organisation
	s1, s2, s3     org.Organisation
	anna, boris    int64
	tokens         map[string]string
	n              int
}

var staffToday = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newStaffEnv(t *testing.T) *staffEnv {
	t.Helper()
	s := apptest.Start(t)
	s.App.Staff.S.Now = func() time.Time { return staffToday }
	ctx := context.Background()
	e := &staffEnv{s: s, tokens: map[string]string{}}
	mk := func(parent *int64, kind org.Kind, name string) org.Organisation {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	e.region = mk(nil, org.Region, "Регион")
	e.m1 = mk(&e.region.ID, org.Municipality, "Округ 1")
	e.m2 = mk(&e.region.ID, org.Municipality, "Округ 2")
	e.s1 = mk(&e.m1.ID, org.School, "Школа 1")
	e.s2 = mk(&e.m2.ID, org.School, "Школа 2")
	e.s3 = mk(&e.m1.ID, org.School, "Школа 3")
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: e.region.ID}}})
	person := func(org int64, last, first, middle, born, sex string) int64 {
		p, err := s.App.People.Create(officer, registry.NewPerson{OrgID: org, LastName: last, FirstName: first, MiddleName: middle, BirthDate: born, Sex: sex})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	e.anna = person(e.s1.ID, "Кузнецова", "Анна", "Сергеевна", "1984-02-10", "f")
	e.boris = person(e.s2.ID, "Орлов", "Борис", "Игоревич", "1979-07-07", "m")
	return e
}

// token is a bearer token of an account holding role at org.
func (e *staffEnv) token(t *testing.T, role identity.Role, org int64) string {
	t.Helper()
	key := fmt.Sprintf("%s@%d", role, org)
	if tok, ok := e.tokens[key]; ok {
		return tok
	}
	e.n++
	ctx := context.Background()
	acc, _, err := e.s.App.Accounts.Create(ctx, fmt.Sprintf("staff%d", e.n), []identity.Grant{{Role: role, OrgID: org}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.s.App.Accounts.IssueToken(ctx, acc.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	e.tokens[key] = tok
	return tok
}

func (e *staffEnv) call(t *testing.T, tok, method, path, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	header = append(header, "Authorization", "Bearer "+tok)
	if body == "" {
		return apptest.Do(t, e.s.Client(), method, e.s.URL+"/api/v1"+path, nil, header...)
	}
	return apptest.Do(t, e.s.Client(), method, e.s.URL+"/api/v1"+path, strings.NewReader(body), append(header, "Content-Type", "application/json")...)
}

func hasField(body, field, rule string) bool {
	return strings.Contains(body, `"field":"`+field+`","rule":"`+rule+`"`)
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func TestStaffAPI(t *testing.T) {
	e := newStaffEnv(t)
	admin1 := e.token(t, identity.SchoolAdmin, e.s1.ID)
	admin2 := e.token(t, identity.SchoolAdmin, e.s2.ID)
	muni1 := e.token(t, identity.MunicipalOfficer, e.m1.ID)
	inspector := e.token(t, identity.Inspector, e.region.ID)
	teacher := e.token(t, identity.Teacher, e.s1.ID)
	operator := e.token(t, identity.Operator, e.region.ID)
	hire := func(tok string, person, org int64, position, rate, start string) (int, http.Header, string) {
		return e.call(t, tok, "POST", "/employments", fmt.Sprintf(`{"person_id":%d,"org_id":%d,"position":%q,"rate":%s,"starts_on":%q,"basis":"Приказ № 7-к от 30.08.2019"}`,
			person, org, position, rate, start))
	}

	st, h, body := hire(admin1, e.anna, e.s1.ID, "teacher", "0.5", "2019-09-01")
	if st != http.StatusCreated || h.Get("ETag") != `W/"1"` || !strings.HasPrefix(h.Get("Location"), "/api/v1/employments/") ||
		!strings.Contains(body, `"rate":0.5`) || !strings.Contains(body, `"current":true`) {
		t.Fatalf("hire: %d %v %s", st, h, body)
	}
	var emp struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &emp); err != nil {
		t.Fatal(err)
	}
	var audited int
	if err := e.s.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'record.create' AND object_type = 'employment'
		AND object_id = $1 AND person_id = $2`, idStr(emp.ID), e.anna).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("hire audited %d times (%v)", audited, err)
	}

	// Refusals, each naming the field and the rule; nothing is written.
	st, _, body = hire(admin1, e.anna, e.s1.ID, "teacher", "1", "2024-09-01")
	if st != http.StatusConflict || !hasField(body, "position", "overlap") || !strings.Contains(body, "/api/v1/employments/"+idStr(emp.ID)) {
		t.Fatalf("overlap: %d %s", st, body)
	}
	st, _, body = e.call(t, admin1, "POST", "/employments", fmt.Sprintf(`{"person_id":%d,"org_id":%d,"position":"janitor","rate":0.33,"starts_on":"2020-09-01","ends_on":"2020-08-01"}`, e.anna, e.s1.ID))
	if st != http.StatusUnprocessableEntity || !hasField(body, "position", "enum") || !hasField(body, "rate", "step") || !hasField(body, "ends_on", "order") {
		t.Fatalf("bad input: %d %s", st, body)
	}
	st, _, body = e.call(t, admin1, "POST", "/employments", fmt.Sprintf(`{"person_id":%d,"org_id":%d,"position":"teacher","starts_on":"2020-09-01","salary":1}`, e.anna, e.s1.ID))
	if st != http.StatusUnprocessableEntity || !hasField(body, "salary", "unknown") {
		t.Fatalf("unknown field: %d %s", st, body)
	}
	// Борис is registered at school 2: out of the reach of school 1.
	if st, _, body = hire(admin1, e.boris, e.s1.ID, "teacher", "1", "2020-09-01"); st != http.StatusUnprocessableEntity || !hasField(body, "person_id", "exists") {
		t.Fatalf("a person out of reach: %d %s", st, body)
	}
	if st, _, body = hire(admin1, e.anna, e.s2.ID, "teacher", "1", "2020-09-01"); st != http.StatusNotFound {
		t.Fatalf("another municipality's school: %d %s", st, body)
	}
	for who, tok := range map[string]string{"inspector": inspector, "teacher": teacher, "operator": operator} {
		if st, _, body = hire(tok, e.anna, e.s1.ID, "tutor", "1", "2020-09-01"); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("%s hires: %d %s", who, st, body)
		}
	}
	var n int
	if err := e.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM employments").Scan(&n); err != nil || n != 1 {
		t.Fatalf("refused hires were written: %d %v", n, err)
	}
	// The municipality employs her part-time at a second school of its own.
	if st, _, body = hire(muni1, e.anna, e.s3.ID, "teacher", "0.25", "2021-09-01"); st != http.StatusCreated {
		t.Fatalf("part-time at a second school: %d %s", st, body)
	}

	// Reading: the municipality sees both employments, school 1 only its own,
	// school 2 nothing; a teacher lists names and positions only.
	count := func(tok string) (int, string) {
		st, _, body := e.call(t, tok, "GET", "/persons/"+idStr(e.anna)+"/employments", "")
		return st, body
	}
	if st, body := count(muni1); st != 200 || strings.Count(body, `"position":"teacher"`) != 2 {
		t.Fatalf("municipality reads: %d %s", st, body)
	}
	if st, body := count(admin1); st != 200 || strings.Count(body, `"position":"teacher"`) != 1 || strings.Contains(body, "Школа 3") {
		t.Fatalf("school 1 reads: %d %s", st, body)
	}
	for who, tok := range map[string]string{"school 2": admin2, "teacher": teacher, "operator": operator} {
		if st, body := count(tok); st != http.StatusNotFound {
			t.Errorf("%s reads the employments: %d %s", who, st, body)
		}
	}
	st, _, body = e.call(t, inspector, "GET", "/organisations/"+idStr(e.s1.ID)+"/staff", "")
	if st != 200 || !strings.Contains(body, `"last_name":"Кузнецова"`) || !strings.Contains(body, `"rate":0.5`) {
		t.Fatalf("inspector lists: %d %s", st, body)
	}
	st, _, body = e.call(t, teacher, "GET", "/organisations/"+idStr(e.s1.ID)+"/staff", "")
	if st != 200 || !strings.Contains(body, `"last_name":"Кузнецова"`) || !strings.Contains(body, `"posts":[{"position":"teacher"}]`) ||
		strings.Contains(body, "rate") || strings.Contains(body, "starts_on") || strings.Contains(body, "employment_id") {
		t.Fatalf("teacher lists (names and positions only): %d %s", st, body)
	}
	if st, _, body = e.call(t, admin2, "GET", "/organisations/"+idStr(e.s1.ID)+"/staff", ""); st != http.StatusNotFound {
		t.Fatalf("school 2 lists school 1: %d %s", st, body)
	}
	if st, _, body = e.call(t, teacher, "GET", "/organisations/"+idStr(e.s1.ID)+"/staff?salary=1", ""); st != http.StatusUnprocessableEntity || !hasField(body, "salary", "unknown_filter") {
		t.Fatalf("unknown filter: %d %s", st, body)
	}

	// Subjects and qualifications: changed where she works now.
	st, _, body = e.call(t, admin1, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":["inf","math","math"]}`)
	if st != 200 || body != `{"subjects":["math","inf"]}`+"\n" {
		t.Fatalf("subjects: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin1, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":["math","chess"]}`); st != 422 || !hasField(body, "subjects[1]", "enum") {
		t.Fatalf("unknown subject: %d %s", st, body)
	}
	if st, _, body = e.call(t, inspector, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":[]}`); st != http.StatusForbidden {
		t.Fatalf("inspector changes subjects: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin2, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":[]}`); st != http.StatusNotFound {
		t.Fatalf("school 2 changes subjects: %d %s", st, body)
	}
	st, _, body = e.call(t, admin1, "POST", "/persons/"+idStr(e.anna)+"/qualifications",
		`{"kind":"education","title":"Калужский государственный университет, учитель математики","issued_on":"2006-06-30","document":"ВСГ 0123456"}`)
	if st != http.StatusCreated || !strings.Contains(body, `"kind":"education"`) {
		t.Fatalf("qualification: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin1, "POST", "/persons/"+idStr(e.anna)+"/qualifications", `{"kind":"prize","title":""}`); st != 422 ||
		!hasField(body, "kind", "enum") || !hasField(body, "title", "required") {
		t.Fatalf("bad qualification: %d %s", st, body)
	}
	st, _, body = e.call(t, muni1, "GET", "/persons/"+idStr(e.anna)+"/staff", "")
	if st != 200 || !strings.Contains(body, `"subjects":["math","inf"]`) || !strings.Contains(body, "ВСГ 0123456") || strings.Count(body, `"position"`) != 2 {
		t.Fatalf("card: %d %s", st, body)
	}

	// Ending: If-Match is required; the end is audited; she leaves the list.
	path := "/employments/" + idStr(emp.ID) + "/end"
	if st, _, body = e.call(t, admin1, "POST", path, `{"ends_on":"2026-11-20"}`); st != http.StatusPreconditionFailed {
		t.Fatalf("end without If-Match: %d %s", st, body)
	}
	if st, _, body = e.call(t, inspector, "POST", path, `{"ends_on":"2026-11-20"}`, "If-Match", `W/"1"`); st != http.StatusForbidden {
		t.Fatalf("inspector ends: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin1, "POST", path, `{"ends_on":"2019-08-01"}`, "If-Match", `W/"1"`); st != 422 || !hasField(body, "ends_on", "order") {
		t.Fatalf("end before start: %d %s", st, body)
	}
	st, h, body = e.call(t, admin1, "POST", path, `{"ends_on":"2026-11-20","basis":"Приказ № 90-к"}`, "If-Match", `W/"1"`)
	if st != 200 || h.Get("ETag") != `W/"2"` || !strings.Contains(body, `"ends_on":"2026-11-20"`) || !strings.Contains(body, `"current":false`) {
		t.Fatalf("end: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin1, "POST", path, `{"ends_on":"2026-11-19"}`, "If-Match", `W/"1"`); st != http.StatusPreconditionFailed {
		t.Fatalf("stale end: %d %s", st, body)
	}
	if err := e.s.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'record.update' AND object_type = 'employment'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("end audited %d times (%v)", n, err)
	}
	if _, _, body = e.call(t, admin1, "GET", "/organisations/"+idStr(e.s1.ID)+"/staff", ""); strings.Contains(body, "Кузнецова") {
		t.Fatalf("an ended employment is still on the list: %s", body)
	}
	// School 1 still reads its former teacher's card but may no longer
	// change it; the municipality, where she still works, may.
	if st, _, body = e.call(t, admin1, "GET", "/persons/"+idStr(e.anna)+"/staff", ""); st != 200 {
		t.Fatalf("former employer reads: %d %s", st, body)
	}
	if st, _, body = e.call(t, admin1, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":[]}`); st != http.StatusForbidden {
		t.Fatalf("former employer changes: %d %s", st, body)
	}
	if st, _, body = e.call(t, muni1, "PUT", "/persons/"+idStr(e.anna)+"/subjects", `{"subjects":["math"]}`); st != 200 {
		t.Fatalf("current employer changes: %d %s", st, body)
	}
	if err := e.s.App.DB.R.QueryRow(`SELECT COUNT(*) FROM changes WHERE entity IN ('employment', 'staff_subjects', 'qualification')`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("change log: %d rows (%v), want 6", n, err)
	}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// staffSession logs a web client in with role at org, setting up the second
// factor when the role needs one.
func staffWebSession(t *testing.T, e *staffEnv, role identity.Role, org int64) *http.Client {
	t.Helper()
	ctx := context.Background()
	e.n++
	login := fmt.Sprintf("web%d", e.n)
	_, code, err := e.s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: org}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	c := e.s.Client()
	if st, _ := loginAs(t, e.s, c, login); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	if !role.NeedsSecondFactor() {
		return c
	}
	_, _, page := apptest.Do(t, c, "GET", e.s.URL+"/me/totp", nil)
	secret := secretRe.FindStringSubmatch(page)
	if secret == nil {
		t.Fatal("no TOTP secret shown")
	}
	totpCode, _ := totp.GenerateCode(secret[1], time.Now())
	st, _, _ := apptest.Do(t, c, "POST", e.s.URL+"/me/totp", apptest.Form("totp", totpCode, "csrf", csrfRe.FindStringSubmatch(page)[1]),
		"Content-Type", "application/x-www-form-urlencoded")
	if st != 200 {
		t.Fatalf("TOTP setup: %d", st)
	}
	return c
}

func loginAs(t *testing.T, s *apptest.Server, c *http.Client, user string) (int, string) {
	t.Helper()
	return login(t, s, c, user, pw)
}

func TestStaffPages(t *testing.T) {
	e := newStaffEnv(t)
	c := staffWebSession(t, e, identity.SchoolAdmin, e.s1.ID)
	list := "/orgs/" + idStr(e.s1.ID) + "/staff"
	if st, h, _ := apptest.Do(t, c, "GET", e.s.URL+"/staff", nil); st != http.StatusSeeOther || h.Get("Location") != list {
		t.Fatalf("/staff: %d %s", st, h.Get("Location"))
	}
	st, _, body := apptest.Do(t, c, "GET", e.s.URL+list, nil)
	if st != 200 || !strings.Contains(body, `action="`+list+`"`) || !strings.Contains(body, "Никого не найдено") || !strings.Contains(body, ">Учитель<") {
		t.Fatalf("empty list with the form: %d", st)
	}
	// A bad rate and a missing date are named beside their fields.
	st, _, body = e.s.PostForm(t, c, list, list, "person_id", idStr(e.anna), "position", "teacher", "rate", "3", "starts_on", "")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="h-rate-err">Ставка — от 0,1 до 2.`) || !strings.Contains(body, `id="h-start-err"`) ||
		!strings.Contains(body, `value="3"`) {
		t.Fatalf("bad form: %d\n%s", st, body)
	}
	st, h, _ := e.s.PostForm(t, c, list, list, "person_id", idStr(e.anna), "position", "teacher", "rate", "0,75", "starts_on", "2018-09-01",
		"basis", "Приказ № 15-к")
	card := "/staff/" + idStr(e.anna)
	if st != http.StatusSeeOther || h.Get("Location") != card+"?done=hired" {
		t.Fatalf("hire: %d %s", st, h.Get("Location"))
	}
	// The same again overlaps, and the message links the card.
	st, _, body = e.s.PostForm(t, c, list, list, "person_id", idStr(e.anna), "position", "teacher", "rate", "1", "starts_on", "2020-09-01")
	if st != http.StatusConflict || !strings.Contains(body, `id="h-position-err"`) || !strings.Contains(body, `href="`+card+`"`) {
		t.Fatalf("overlap: %d", st)
	}
	_, _, body = apptest.Do(t, c, "GET", e.s.URL+card+"?done=hired", nil)
	if !strings.Contains(body, "Назначение добавлено.") || !strings.Contains(body, "<h3>Учитель</h3>") || !strings.Contains(body, "0.75") ||
		!strings.Contains(body, "Приказ № 15-к") {
		t.Fatalf("card after hire:\n%s", body)
	}
	st, h, _ = e.s.PostForm(t, c, card, card+"/subjects", "subjects", "math", "subjects", "inf")
	if st != http.StatusSeeOther {
		t.Fatalf("subjects: %d", st)
	}
	_, _, body = apptest.Do(t, c, "GET", e.s.URL+h.Get("Location"), nil)
	if !strings.Contains(body, `<span class="tag">Математика</span>`) || !strings.Contains(body, `<option value="inf" selected>`) {
		t.Fatalf("card after subjects:\n%s", body)
	}
	st, _, body = e.s.PostForm(t, c, card, card+"/qualifications", "kind", "category", "title", "", "issued_on", "2024-02-01", "valid_until", "2023-01-01")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="q-title-err"`) || !strings.Contains(body, `id="q-valid-err"`) {
		t.Fatalf("bad qualification: %d", st)
	}
	if st, _, _ = e.s.PostForm(t, c, card, card+"/qualifications", "kind", "category", "title", "Первая квалификационная категория",
		"issued_on", "2024-02-01", "valid_until", "2029-01-31"); st != http.StatusSeeOther {
		t.Fatalf("qualification: %d", st)
	}
	var emp, version int64
	if err := e.s.App.DB.R.QueryRow("SELECT id, version FROM employments WHERE person_id = $1", e.anna).Scan(&emp, &version); err != nil {
		t.Fatal(err)
	}
	end := "/staff/employments/" + idStr(emp) + "/end"
	st, _, body = e.s.PostForm(t, c, card, end, "ends_on", "2017-01-01", "version", idStr(version))
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="end-`+idStr(emp)+`-date-err"`) || !strings.Contains(body, "<details open>") {
		t.Fatalf("end before start: %d", st)
	}
	if st, _, body = e.s.PostForm(t, c, card, end, "ends_on", "2026-11-20", "version", "99"); st != http.StatusPreconditionFailed ||
		!strings.Contains(body, "Запись уже изменили") {
		t.Fatalf("stale end: %d", st)
	}
	if st, _, _ = e.s.PostForm(t, c, card, end, "ends_on", "2026-11-20", "version", idStr(version)); st != http.StatusSeeOther {
		t.Fatalf("end: %d", st)
	}
	_, _, body = apptest.Do(t, c, "GET", e.s.URL+card+"?done=ended", nil)
	if !strings.Contains(body, "Работа в должности завершена.") || !strings.Contains(body, "2018-09-01 — 2026-11-20") ||
		!strings.Contains(body, "Первая квалификационная категория") || strings.Contains(body, "/end\"") {
		t.Fatalf("card after end:\n%s", body)
	}
	// In English, and for a school 2 admin the card does not exist.
	e.s.PostForm(t, c, list, "/prefs", "lang", "en", "back", list)
	if _, _, body = apptest.Do(t, c, "GET", e.s.URL+list, nil); !strings.Contains(body, "Add an employment") || !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("the staff page is not in English")
	}
	c2 := staffWebSession(t, e, identity.SchoolAdmin, e.s2.ID)
	if st, _, _ = apptest.Do(t, c2, "GET", e.s.URL+card, nil); st != http.StatusNotFound {
		t.Fatalf("school 2 opens the card: %d", st)
	}
	if st, _, _ = apptest.Do(t, c2, "GET", e.s.URL+list, nil); st != http.StatusNotFound {
		t.Fatalf("school 2 opens the list: %d", st)
	}
	if st, h, _ = apptest.Do(t, e.s.Client(), "GET", e.s.URL+list, nil); st != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Fatalf("anonymous: %d %s", st, h.Get("Location"))
	}
}

// A teacher sees the names and positions of the school's staff: no links to
// cards, no rates, no form; a card is not found. An inspector reads but
// changes nothing.
func TestStaffPagesForTeacher(t *testing.T) {
	e := newStaffEnv(t)
	muni := e.token(t, identity.MunicipalOfficer, e.m1.ID)
	if st, _, body := e.call(t, muni, "POST", "/employments", fmt.Sprintf(`{"person_id":%d,"org_id":%d,"position":"director","starts_on":"2015-08-25"}`, e.anna, e.s1.ID)); st != 201 {
		t.Fatalf("the municipality appoints a director: %d %s", st, body)
	}
	c := staffWebSession(t, e, identity.Teacher, e.s1.ID)
	list := "/orgs/" + idStr(e.s1.ID) + "/staff"
	st, _, body := apptest.Do(t, c, "GET", e.s.URL+list, nil)
	if st != 200 || !strings.Contains(body, "Кузнецова Анна Сергеевна") || !strings.Contains(body, `<span class="tag">Директор</span>`) ||
		strings.Contains(body, "/staff/"+idStr(e.anna)) || strings.Contains(body, `method="post" action="`+list+`"`) {
		t.Fatalf("teacher's list: %d\n%s", st, body)
	}
	if st, _, _ = apptest.Do(t, c, "GET", e.s.URL+"/staff/"+idStr(e.anna), nil); st != http.StatusNotFound {
		t.Fatalf("teacher opens a card: %d", st)
	}
	if st, _, _ = e.s.PostForm(t, c, list, list, "person_id", idStr(e.anna), "position", "tutor", "starts_on", "2020-01-01"); st != http.StatusNotFound {
		t.Fatalf("teacher posts the form: %d", st)
	}
	// The inspector reads the card but is shown no forms, and a change
	// posted all the same is refused with a message.
	ci := staffWebSession(t, e, identity.Inspector, e.region.ID)
	card := "/staff/" + idStr(e.anna)
	st, _, body = apptest.Do(t, ci, "GET", e.s.URL+card, nil)
	if st != 200 || !strings.Contains(body, "<h3>Директор</h3>") || strings.Contains(body, `action="`+card+`/subjects"`) || strings.Contains(body, "/end\"") {
		t.Fatalf("inspector's card: %d\n%s", st, body)
	}
	if st, _, body = e.s.PostForm(t, ci, card, card+"/subjects", "subjects", "math"); st != http.StatusForbidden || !strings.Contains(body, "вне ваших полномочий") {
		t.Fatalf("inspector changes subjects: %d", st)
	}
	if st, _, body = e.s.PostForm(t, ci, list, list, "person_id", idStr(e.anna), "position", "tutor", "starts_on", "2020-01-01"); st != http.StatusForbidden ||
		!strings.Contains(body, "вне ваших полномочий") {
		t.Fatalf("inspector hires: %d", st)
	}
}
