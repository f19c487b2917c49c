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

// registryWorld is a school with an admin token and an officer context for setup.
type registryWorld struct {
	s       *apptest.Server
	school  org.Organisation
	admin   string // bearer token of the school's admin
	officer context.Context
	users   map[string]string
}

func newRegistryWorld(t *testing.T) *registryWorld {
	t.Helper()
	s := apptest.Start(t)
	ctx := context.Background()
	region, err := s.App.Orgs.Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	school, err := s.App.Orgs.Create(ctx, org.New{ParentID: &region.ID, Kind: org.School, Name: "Школа № 1", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	acc, _, err := s.App.Accounts.Create(ctx, "director", []identity.Grant{{Role: identity.SchoolAdmin, OrgID: school.ID}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.App.Accounts.IssueToken(ctx, acc.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: region.ID}}})
	return &registryWorld{s: s, school: school, admin: tok, officer: officer, users: map[string]string{}}
}

func (w *registryWorld) call(t *testing.T, tok, method, path, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	header = append(header, "Authorization", "Bearer "+tok, "Content-Type", "application/json")
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	if r == nil {
		return apptest.Do(t, w.s.Client(), method, w.s.URL+path, nil, header...)
	}
	return apptest.Do(t, w.s.Client(), method, w.s.URL+path, r, header...)
}

func (w *registryWorld) person(t *testing.T, n registry.NewPerson) int64 {
	t.Helper()
	n.OrgID = w.school.ID
	p, err := w.s.App.People.Create(w.officer, n)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// A person becomes a user: an account holding role at the school, linked to it.
func (w *registryWorld) userFor(t *testing.T, personID int64, role identity.Role) string {
	t.Helper()
	login := fmt.Sprintf("user%d.%s", personID, role)
	if tok, ok := w.users[login]; ok {
		return tok
	}
	ctx := context.Background()
	acc, _, err := w.s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: w.school.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = NULL WHERE person_id = $1", personID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", personID, acc.ID); err != nil {
		t.Fatal(err)
	}
	tok, err := w.s.App.Accounts.IssueToken(ctx, acc.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	w.users[login] = tok
	return tok
}

func TestPersonSearchFindsSpellingsAndIdentifiers(t *testing.T) {
	w := newRegistryWorld(t)
	id := w.person(t, registry.NewPerson{LastName: "Семёнова", FirstName: "Юлия", BirthDate: "2012-04-05", Sex: "f", SNILS: "112-233-445 95",
		Documents: []registry.NewDocument{{Kind: "birth_certificate_ru", Series: "II-МЮ", Number: "654321"}}})
	w.person(t, registry.NewPerson{LastName: "Соколов", FirstName: "Иван", BirthDate: "2012-01-01", Sex: "m"})
	for _, q := range []string{"q=семенова", "q=Semyonova+Yu", "q=СЕМЁНОВА+юлия", "snils=11223344595", "document=654321"} {
		st, _, body := w.call(t, w.admin, "GET", "/api/v1/persons?"+q, "")
		if st != 200 || !strings.Contains(body, fmt.Sprintf(`"id":%d,`, id)) || strings.Contains(body, "Соколов") {
			t.Errorf("%s: %d %s", q, st, body)
		}
	}
	st, _, body := w.call(t, w.admin, "GET", "/api/v1/persons?snils=11223344596", "")
	if st != 422 || !strings.Contains(body, `"field":"snils"`) {
		t.Errorf("bad SNILS search: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "GET", "/api/v1/persons?sort=name", "")
	if st != 422 || !strings.Contains(body, `"rule":"unknown_filter"`) {
		t.Errorf("unknown filter: %d %s", st, body)
	}
}

func TestPersonUpdateByCategoryAndAge(t *testing.T) {
	w := newRegistryWorld(t)
	young := w.person(t, registry.NewPerson{LastName: "Орлов", FirstName: "Миша", BirthDate: "2016-03-03", Sex: "m"})
	older := w.person(t, registry.NewPerson{LastName: "Орлова", FirstName: "Вера", BirthDate: "2010-03-03", Sex: "f", Phone: "+7 900 000-00-01"})
	mother := w.person(t, registry.NewPerson{LastName: "Орлова", FirstName: "Анна", BirthDate: "1985-01-01", Sex: "f"})
	for _, child := range []int64{young, older} {
		st, _, body := w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/guardians", child), fmt.Sprintf(`{"guardian_id":%d,"kind":"mother"}`, mother))
		if st != 201 {
			t.Fatalf("link: %d %s", st, body)
		}
	}
	patch := func(tok string, id int64, body string) (int, string) {
		_, h, _ := w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/persons/%d", id), "")
		st, _, out := w.call(t, tok, "PATCH", fmt.Sprintf("/api/v1/persons/%d", id), body, "If-Match", h.Get("ETag"))
		return st, out
	}
	// A pupil from 14 edits own contacts, not own name; under 14 not even contacts.
	if st, body := patch(w.userFor(t, older, identity.Student), older, `{"phone":"+7 900 000-00-02"}`); st != 200 || !strings.Contains(body, "000-00-02") {
		t.Errorf("pupil of 15, own phone: %d %s", st, body)
	}
	if st, body := patch(w.userFor(t, older, identity.Student), older, `{"last_name":"Иванова"}`); st != 403 {
		t.Errorf("pupil, own name: %d %s", st, body)
	}
	if st, body := patch(w.userFor(t, young, identity.Student), young, `{"phone":"+7 900 000-00-03"}`); st != 403 || !strings.Contains(body, "14") {
		t.Errorf("pupil of 10, own phone: %d %s", st, body)
	}
	// The mother changes the young child's contacts but not its SNILS.
	mum := w.userFor(t, mother, identity.Guardian)
	if st, body := patch(mum, young, `{"email":"misha@example.ru"}`); st != 200 {
		t.Errorf("mother, child's e-mail: %d %s", st, body)
	}
	if st, body := patch(mum, young, `{"snils":"112-233-445 95"}`); st != 403 {
		t.Errorf("mother, child's SNILS: %d %s", st, body)
	}
	// Stale version and bad values.
	st, _, body := w.call(t, w.admin, "PATCH", fmt.Sprintf("/api/v1/persons/%d", young), `{"middle_name":"Ильич"}`, "If-Match", `W/"1"`)
	if st != 412 {
		t.Errorf("stale: %d %s", st, body)
	}
	for body, want := range map[string]string{
		`{"birth_date":"2030-01-01"}`:   `"field":"birth_date","rule":"future"`,
		`{"rnokpp":"1234567890"}`:       `"field":"rnokpp"`,
		`{"org_id":"5"}`:                `"field":"org_id","rule":"unknown"`,
		`{"email":"not-an-address"}`:    `"field":"email","rule":"format"`,
		`{"health_group":"VII"}`:        `"field":"health_group","rule":"enum"`,
		`{"unzr":"20160303-00011"}`:     `"field":"unzr"`,
		`{"last_name":"Орлов2"}`:        `"field":"last_name","rule":"letters"`,
		`{"disability_cause":"травма"}`: `"field":"disability_cause","rule":"requires"`,
	} {
		if st, out := patch(w.admin, young, body); st != 422 || !strings.Contains(out, want) {
			t.Errorf("%s: %d %s", body, st, out)
		}
	}
	var lastName string
	if err := w.s.App.DB.R.QueryRow("SELECT last_name FROM persons WHERE id = $1", young).Scan(&lastName); err != nil || lastName != "Орлов" {
		t.Errorf("refused changes were written: %q %v", lastName, err)
	}
}

func TestGuardianSeesOwnChildrenOnly(t *testing.T) {
	w := newRegistryWorld(t)
	child := w.person(t, registry.NewPerson{LastName: "Зайцев", FirstName: "Петя", BirthDate: "2015-06-01", Sex: "m", HealthGroup: "II"})
	other := w.person(t, registry.NewPerson{LastName: "Волков", FirstName: "Дима", BirthDate: "2015-06-01", Sex: "m"})
	father := w.person(t, registry.NewPerson{LastName: "Зайцев", FirstName: "Олег", BirthDate: "1980-02-02", Sex: "m", Phone: "+7 900 111-22-33"})
	st, _, body := w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/guardians", child), fmt.Sprintf(`{"guardian_id":%d,"kind":"mother"}`, father))
	if st != 422 || !strings.Contains(body, `"field":"kind","rule":"sex"`) {
		t.Errorf("father as mother: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/guardians", child), fmt.Sprintf(`{"guardian_id":%d,"kind":"guardian"}`, father))
	if st != 422 || !strings.Contains(body, `"field":"doc_number","rule":"required"`) {
		t.Errorf("guardian without a document: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/guardians", child), fmt.Sprintf(`{"guardian_id":%d,"kind":"father"}`, father))
	if st != 201 {
		t.Fatalf("link: %d %s", st, body)
	}
	dad := w.userFor(t, father, identity.Guardian)
	st, _, body = w.call(t, dad, "GET", fmt.Sprintf("/api/v1/persons/%d", child), "")
	if st != 200 || !strings.Contains(body, `"health_group":"II"`) {
		t.Errorf("father reads own child with health data: %d %s", st, body)
	}
	if st, _, body = w.call(t, dad, "GET", fmt.Sprintf("/api/v1/persons/%d", other), ""); st != 404 {
		t.Errorf("father reads another child: %d %s", st, body)
	}
	st, _, body = w.call(t, dad, "GET", "/api/v1/persons?limit=500", "")
	var list struct{ Items []registry.Summary }
	if err := json.Unmarshal([]byte(body), &list); st != 200 || err != nil || len(list.Items) != 1 || list.Items[0].ID != child {
		t.Errorf("father's list: %d %s", st, body)
	}
	st, _, body = w.call(t, dad, "GET", fmt.Sprintf("/api/v1/persons/%d/children", father), "")
	if st != 200 || !strings.Contains(body, `"first_name":"Петя"`) {
		t.Errorf("children: %d %s", st, body)
	}
	// Ending the link ends the access on the next request.
	today := time.Now().UTC().Format("2006-01-02")
	var link int64
	if err := w.s.App.DB.R.QueryRow("SELECT id FROM guardianships WHERE child_id = $1", child).Scan(&link); err != nil {
		t.Fatal(err)
	}
	if st, _, body = w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/guardianships/%d/end", link), `{"ends_on":"`+today+`"}`); st != 200 {
		t.Fatalf("end link: %d %s", st, body)
	}
	if st, _, body = w.call(t, dad, "GET", fmt.Sprintf("/api/v1/persons/%d", child), ""); st != 404 {
		t.Errorf("after the link ended: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/persons/%d/guardians", child), "")
	if st != 200 || !strings.Contains(body, `"ends_on":"`+today+`"`) {
		t.Errorf("history of links: %d %s", st, body)
	}
}

func TestSuspectedDuplicatesMergeKeepsHistory(t *testing.T) {
	w := newRegistryWorld(t)
	a := w.person(t, registry.NewPerson{LastName: "Фёдоров", FirstName: "Артём", BirthDate: "2013-07-07", Sex: "m"})
	b := w.person(t, registry.NewPerson{LastName: "Fedorov", FirstName: "Artem", BirthDate: "2013-07-07", Sex: "m", SNILS: "112-233-445 95", Phone: "+7 900 555-44-33"})
	w.person(t, registry.NewPerson{LastName: "Фёдоров", FirstName: "Артём", BirthDate: "2014-07-07", Sex: "m"}) // another birth date
	mother := w.person(t, registry.NewPerson{LastName: "Федорова", FirstName: "Ирина", BirthDate: "1988-08-08", Sex: "f"})
	if st, _, body := w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/guardians", b), fmt.Sprintf(`{"guardian_id":%d,"kind":"mother"}`, mother)); st != 201 {
		t.Fatalf("link: %d %s", st, body)
	}
	st, _, body := w.call(t, w.admin, "GET", "/api/v1/persons/duplicates", "")
	var groups struct{ Items []registry.DuplicateGroup }
	if err := json.Unmarshal([]byte(body), &groups); st != 200 || err != nil || len(groups.Items) != 1 || len(groups.Items[0].People) != 2 {
		t.Fatalf("duplicates: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/merge", a), fmt.Sprintf(`{"from":%d}`, b))
	if st != 200 || !strings.Contains(body, `"snils":"11223344595"`) || !strings.Contains(body, "555-44-33") {
		t.Fatalf("merge: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/persons/%d/guardians", a), "")
	if st != 200 || !strings.Contains(body, `"first_name":"Ирина"`) {
		t.Errorf("guardian moved to the survivor: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/persons/%d", b), "")
	if st != 200 || !strings.Contains(body, `"merged_into":`+strconv.FormatInt(a, 10)) {
		t.Errorf("merged record kept, pointing to the survivor: %d %s", st, body)
	}
	if st, _, body = w.call(t, w.admin, "GET", "/api/v1/persons/duplicates", ""); !strings.Contains(body, `"items":[]`) {
		t.Errorf("after merge: %d %s", st, body)
	}
	var n int
	if err := w.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'person.merge' AND object_id = $1", strconv.FormatInt(a, 10)).Scan(&n); err != nil || n != 1 {
		t.Errorf("merge audited: %d %v", n, err)
	}
	// The SNILS now belongs to the survivor: a new record with it is refused naming it.
	st, _, body = w.call(t, w.admin, "POST", "/api/v1/persons", fmt.Sprintf(`{"org_id":%d,"last_name":"Третий","first_name":"Тест","birth_date":"2013-07-07","sex":"m","snils":"11223344595"}`, w.school.ID))
	if st != 409 || !strings.Contains(body, fmt.Sprintf("/api/v1/persons/%d", a)) {
		t.Errorf("SNILS after merge: %d %s", st, body)
	}
}

// staffSession logs anna.k in through the pages and sets up her second
// factor, as staff above teacher must.
func staffSession(t *testing.T, s *apptest.Server) *http.Client {
	t.Helper()
	c := s.Client()
	if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	_, _, page := apptest.Do(t, c, "GET", s.URL+"/me/totp", nil)
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no TOTP secret on the setup page")
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	if st, _, _ := s.PostForm(t, c, "/me/totp", "/me/totp", "totp", code); st != 200 {
		t.Fatalf("TOTP setup: %d", st)
	}
	return c
}

// The registry through the pages: a form refuses a bad SNILS beside the
// field and keeps what was typed, the corrected form creates the record, the
// list finds it, the edit form changes it.
func TestPersonPages(t *testing.T) {
	s, _, region := withAccount(t, identity.RegionalOfficer)
	c := staffSession(t, s)
	org := strconv.FormatInt(region, 10)
	st, _, body := s.PostForm(t, c, "/persons/new", "/persons/new", "org_id", org, "last_name", "Кузнецова", "first_name", "Лиза",
		"birth_date", "2014-02-02", "sex", "f", "snils", "112-233-445 96", "phone", "+7 900 123-45-67")
	if st != 422 || !strings.Contains(body, `id="snils-err"`) || !strings.Contains(body, "Неверная контрольная сумма") || !strings.Contains(body, `value="Кузнецова"`) {
		t.Fatalf("bad SNILS: %d", st)
	}
	st, h, _ := s.PostForm(t, c, "/persons/new", "/persons/new", "org_id", org, "last_name", "Кузнецова", "first_name", "Лиза",
		"birth_date", "2014-02-02", "sex", "f", "snils", "112-233-445 95", "phone", "+7 900 123-45-67")
	if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/persons/") {
		t.Fatalf("create: %d %s", st, h.Get("Location"))
	}
	card := h.Get("Location")
	st, _, body = apptest.Do(t, c, "GET", s.URL+card, nil)
	if st != 200 || !strings.Contains(body, "11223344595") || !strings.Contains(body, "900 123-45-67") || !strings.Contains(body, "12 лет") {
		t.Fatalf("card: %d %s", st, strings.Join(strings.Fields(body[strings.Index(body, "<main"):]), " "))
	}
	st, _, body = apptest.Do(t, c, "GET", s.URL+"/persons?q=kuznetsova", nil)
	if st != 200 || !strings.Contains(body, `href="`+card+`"`) {
		t.Fatalf("list by transliterated name: %d", st)
	}
	_, _, form := apptest.Do(t, c, "GET", s.URL+card+"/edit", nil)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form)
	if version == nil || !strings.Contains(form, `id="email"`) {
		t.Fatal("edit form without version or without the empty e-mail field the officer may fill")
	}
	st, _, _ = s.PostForm(t, c, card+"/edit", card+"/edit", "version", version[1], "last_name", "Кузнецова", "first_name", "Лиза",
		"birth_date", "2014-02-02", "sex", "f", "citizenship", "RU", "phone", "+7 900 765-43-21", "email", "")
	if st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	if _, _, body = apptest.Do(t, c, "GET", s.URL+card, nil); !strings.Contains(body, "900 765-43-21") {
		t.Fatal("the edit did not change the phone")
	}
	// A second save from the same (old) form is refused as stale.
	st, _, body = s.PostForm(t, c, card+"/edit", card+"/edit", "version", version[1], "last_name", "Кузнецова", "first_name", "Лиза",
		"birth_date", "2014-02-02", "sex", "f", "citizenship", "RU", "phone", "+7 900 000-00-00")
	if st != http.StatusPreconditionFailed || !strings.Contains(body, "изменил кто-то другой") {
		t.Fatalf("stale edit: %d", st)
	}
}
