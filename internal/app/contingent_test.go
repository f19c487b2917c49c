package app_test

import (
	"context"
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
)

// contingentRegion is a region with a school in each of two
// municipalities, a class in each, a pupil of school 1 with its mother,
// and another family's child.
type contingentRegion struct {
	s                        *apptest.Server
	region, m1, m2, s1, s2   int64
	class1, class2           int64
	pupil, mother            int64
	otherChild, otherMother  int64
	adminS1, adminS2, insp   string
	guardian, otherGuardian  string
	operator, municipalM1    string
	municipalM2, regionalTok string
}

func (c *contingentRegion) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := c.s.App.DB.W.QueryRowContext(context.Background(), query+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (c *contingentRegion) token(t *testing.T, login string, role identity.Role, orgID, person int64) string {
	t.Helper()
	ctx := context.Background()
	acc, code, err := c.s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: orgID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	if person != 0 {
		if _, err := c.s.App.DB.W.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE id = $2", person, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := c.s.App.Accounts.IssueToken(ctx, acc.ID, "t")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func newContingentRegion(t *testing.T) *contingentRegion {
	s := apptest.Start(t)
	ctx := context.Background()
	c := &contingentRegion{s: s}
	mk := func(parent *int64, kind org.Kind, name string) int64 {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	c.region = mk(nil, org.Region, "Регион")
	c.m1, c.m2 = mk(&c.region, org.Municipality, "Округ 1"), mk(&c.region, org.Municipality, "Округ 2")
	c.s1, c.s2 = mk(&c.m1, org.School, "Школа 1"), mk(&c.m2, org.School, "Школа 2")
	now := time.Now().UTC()
	class := func(orgID int64) int64 {
		year := c.exec(t, `INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
			VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, orgID, now)
		return c.exec(t, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', 5, 'Б', '5Б', 'ru_basic', 30, $3, $3)`, orgID, year, now)
	}
	c.class1, c.class2 = class(c.s1), class(c.s2)
	person := func(orgID int64, last, first, born, sex string) int64 {
		return c.exec(t, `INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, orgID, last, first, born, sex, now)
	}
	c.pupil, c.mother = person(c.s1, "Орлов", "Пётр", "2014-09-09", "m"), person(c.s1, "Орлова", "Анна", "1988-01-01", "f")
	c.otherChild, c.otherMother = person(c.s1, "Соболев", "Ян", "2014-10-10", "m"), person(c.s1, "Соболева", "Ия", "1989-01-01", "f")
	for _, pair := range [][2]int64{{c.pupil, c.mother}, {c.otherChild, c.otherMother}} {
		c.exec(t, `INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, 'mother', '2014-09-09', $3, 't')`,
			pair[0], pair[1], now)
	}
	c.adminS1 = c.token(t, "admin.s1", identity.SchoolAdmin, c.s1, 0)
	c.adminS2 = c.token(t, "admin.s2", identity.SchoolAdmin, c.s2, 0)
	c.insp = c.token(t, "inspector", identity.Inspector, c.region, 0)
	c.guardian = c.token(t, "mother", identity.Guardian, c.s1, c.mother)
	c.otherGuardian = c.token(t, "other.mother", identity.Guardian, c.s1, c.otherMother)
	c.operator = c.token(t, "operator", identity.Operator, c.region, 0)
	c.municipalM1 = c.token(t, "officer.m1", identity.MunicipalOfficer, c.m1, 0)
	c.municipalM2 = c.token(t, "officer.m2", identity.MunicipalOfficer, c.m2, 0)
	c.regionalTok = c.token(t, "officer.region", identity.RegionalOfficer, c.region, 0)
	return c
}

func (c *contingentRegion) api(t *testing.T, tok, method, path, body string) (int, string) {
	t.Helper()
	h := []string{"Authorization", "Bearer " + tok}
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	var st int
	var out string
	if body == "" {
		st, _, out = apptest.Do(t, c.s.Client(), method, c.s.URL+"/api/v1"+path, nil, h...)
	} else {
		st, _, out = apptest.Do(t, c.s.Client(), method, c.s.URL+"/api/v1"+path, strings.NewReader(body), h...)
	}
	return st, out
}

func day(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

func (c *contingentRegion) person(id int64) string { return "/persons/" + strconv.FormatInt(id, 10) }

// The contingent through the API: rules refused with field and rule, the
// transfer from a school of one municipality to another, the trajectory for
// those who may read it and nobody else, and append-only movements.
func TestContingentAPI(t *testing.T) {
	c := newContingentRegion(t)
	pupil := c.person(c.pupil)
	admission := fmt.Sprintf(`{"kind":"admission","date":%q,"org_id":%d,"class_id":%d,"basis_number":"101-к","basis_date":%q}`,
		day(-30), c.s1, c.class1, day(-31))

	for _, tc := range []struct {
		who, tok string
		want     int
	}{{"inspector", c.insp, 403}, {"operator", c.operator, 404}, {"guardian", c.guardian, 403}, {"other school", c.adminS2, 404}} {
		if st, body := c.api(t, tc.tok, "POST", pupil+"/movements", admission); st != tc.want {
			t.Errorf("%s recording: %d %s, want %d", tc.who, st, body, tc.want)
		}
	}
	if st, body := c.api(t, c.adminS1, "POST", pupil+"/movements", `{"kind":"admission","date":"2026-01-01","colour":"red"}`); st != 422 ||
		!strings.Contains(body, `"field":"colour","rule":"unknown"`) {
		t.Fatalf("unknown field: %d %s", st, body)
	}
	st, body := c.api(t, c.adminS1, "POST", pupil+"/movements", fmt.Sprintf(`{"kind":"admission","date":%q,"org_id":%d,"class_id":%d,"basis_number":"1","basis_date":%q}`,
		day(5), c.s1, c.class2, day(-1)))
	if st != 422 || !strings.Contains(body, `"field":"date","rule":"future"`) {
		t.Fatalf("future date: %d %s", st, body)
	}
	if st, body = c.api(t, c.adminS1, "POST", pupil+"/movements", admission); st != 201 || !strings.Contains(body, `"kind":"admission"`) ||
		!strings.Contains(body, `"org":{"id":`+strconv.FormatInt(c.s1, 10)+`,"name":"Школа 1"}`) || !strings.Contains(body, `"author":"admin.s1"`) {
		t.Fatalf("admission: %d %s", st, body)
	}
	st, body = c.api(t, c.adminS1, "POST", pupil+"/movements", admission)
	if st != 409 || !strings.Contains(body, `"field":"kind","rule":"enrolled"`) || !strings.Contains(body, "Школа 1") {
		t.Fatalf("second admission: %d %s", st, body)
	}
	// Expulsion without a reason.
	st, body = c.api(t, c.adminS1, "POST", pupil+"/movements", fmt.Sprintf(`{"kind":"expulsion","date":%q,"basis_number":"5","basis_date":%q}`, day(-1), day(-1)))
	if st != 422 || !strings.Contains(body, `"field":"reason","rule":"required"`) {
		t.Fatalf("expulsion without reason: %d %s", st, body)
	}

	// Who reads the trajectory.
	for _, tc := range []struct {
		who, tok string
		want     int
	}{{"school", c.adminS1, 200}, {"mother", c.guardian, 200}, {"other family's mother", c.otherGuardian, 404},
		{"inspector", c.insp, 200}, {"municipality", c.municipalM1, 200}, {"other municipality", c.municipalM2, 404},
		{"operator", c.operator, 404}, {"other school", c.adminS2, 404}} {
		if st, body := c.api(t, tc.tok, "GET", pupil+"/movements", ""); st != tc.want {
			t.Errorf("%s reading the trajectory: %d %s, want %d", tc.who, st, body, tc.want)
		}
	}
	if st, body = c.api(t, c.guardian, "GET", pupil+"/enrolment", ""); st != 200 || !strings.Contains(body, `"status":"active"`) {
		t.Fatalf("mother reads the enrolment: %d %s", st, body)
	}
	if st, _ = c.api(t, c.adminS1, "GET", c.person(c.otherChild)+"/enrolment", ""); st != 404 {
		t.Fatalf("enrolment of a pupil not enrolled: %d", st)
	}

	// Departure to school 2, which accepts.
	st, body = c.api(t, c.adminS1, "POST", pupil+"/movements", fmt.Sprintf(`{"kind":"departure","date":%q,"to_org_id":%d,"basis_number":"140-к","basis_date":%q}`,
		day(-3), c.s2, day(-3)))
	if st != 201 || !strings.Contains(body, `"destination":"org"`) || !strings.Contains(body, `"transfer_id":`) {
		t.Fatalf("departure: %d %s", st, body)
	}
	s2 := "/organisations/" + strconv.FormatInt(c.s2, 10)
	st, body = c.api(t, c.adminS2, "GET", s2+"/transfers?direction=in&status=pending", "")
	m := regexp.MustCompile(`"items":\[\{"id":(\d+),"person":\{"id":` + strconv.FormatInt(c.pupil, 10)).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("school 2's incoming: %d %s", st, body)
	}
	transfer := "/transfers/" + m[1]
	if st, body = c.api(t, c.adminS1, "GET", s2+"/transfers", ""); st != 404 {
		t.Fatalf("school 1 reading school 2's transfers: %d %s", st, body)
	}
	if st, body = c.api(t, c.adminS2, "GET", s2+"/transfers?direction=sideways", ""); st != 422 || !strings.Contains(body, `"field":"direction"`) {
		t.Fatalf("bad direction: %d %s", st, body)
	}
	accept := fmt.Sprintf(`{"class_id":%d,"date":%q,"basis_number":"77-к","basis_date":%q}`, c.class2, day(-1), day(-1))
	if st, body = c.api(t, c.insp, "POST", transfer+"/accept", accept); st != 403 {
		t.Fatalf("inspector accepting: %d %s", st, body)
	}
	if st, body = c.api(t, c.adminS1, "POST", transfer+"/accept", accept); st != 404 {
		t.Fatalf("the origin accepting: %d %s", st, body)
	}
	if st, body = c.api(t, c.adminS2, "POST", transfer+"/accept", accept); st != 200 || !strings.Contains(body, `"status":"arrived"`) {
		t.Fatalf("accept: %d %s", st, body)
	}
	var orgID int64
	if err := c.s.App.DB.R.QueryRow("SELECT org_id FROM persons WHERE id = $1", c.pupil).Scan(&orgID); err != nil || orgID != c.s2 {
		t.Fatalf("the record is at %d, want school 2", orgID)
	}
	st, body = c.api(t, c.adminS2, "GET", pupil+"/movements", "")
	if st != 200 || strings.Count(body, `"kind":`) != 3 || !strings.Contains(body, `"name":"Школа 1"`) || !strings.Contains(body, `"kind":"arrival"`) {
		t.Fatalf("trajectory at school 2: %d %s", st, body)
	}
	if st, _ = c.api(t, c.guardian, "GET", pupil+"/movements", ""); st != 200 {
		t.Fatalf("the mother still reads it: %d", st)
	}
	if st, _ = c.api(t, c.adminS1, "GET", pupil+"/movements", ""); st != 404 {
		t.Fatalf("school 1 after the pupil left: %d", st)
	}

	// The register of school 1 for the period keeps the departure.
	s1 := "/organisations/" + strconv.FormatInt(c.s1, 10)
	st, body = c.api(t, c.adminS1, "GET", s1+"/movements?from="+day(-40)+"&to="+day(0)+"&kind=departure", "")
	if st != 200 || !strings.Contains(body, `"kind":"departure"`) || strings.Contains(body, `"kind":"admission"`) || !strings.Contains(body, `"last_name":"Орлов"`) {
		t.Fatalf("register: %d %s", st, body)
	}
	for _, q := range []string{"?from=yesterday", "?colour=red", "?limit=9999"} {
		if st, body = c.api(t, c.adminS1, "GET", s1+"/movements"+q, ""); st != 422 {
			t.Errorf("register %s: %d %s", q, st, body)
		}
	}
	// Paging walks the register in date order.
	st, body = c.api(t, c.regionalTok, "GET", "/organisations/"+strconv.FormatInt(c.region, 10)+"/movements?limit=1", "")
	next := regexp.MustCompile(`"next":"([^"]+)"`).FindStringSubmatch(body)
	if st != 200 || next == nil || !strings.Contains(body, `"kind":"admission"`) {
		t.Fatalf("register page 1: %d %s", st, body)
	}
	if st, body = c.api(t, c.regionalTok, "GET", "/organisations/"+strconv.FormatInt(c.region, 10)+"/movements?limit=1&cursor="+next[1], ""); st != 200 ||
		!strings.Contains(body, `"kind":"departure"`) {
		t.Fatalf("register page 2: %d %s", st, body)
	}

	// Append-only: no route changes or deletes a movement.
	for _, method := range []string{"PUT", "PATCH", "DELETE"} {
		if st, _ = c.api(t, c.adminS2, method, pupil+"/movements", "{}"); st != http.StatusMethodNotAllowed && st != http.StatusNotFound {
			t.Errorf("%s on movements: %d, want no such route", method, st)
		}
	}
	if n := countRows(t, c, "audit_log WHERE action = 'movement.record' AND person_id = $1", c.pupil); n != 3 {
		t.Fatalf("%d movement audit entries, want 3", n)
	}
}

func countRows(t *testing.T, c *contingentRegion, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM "+query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A pupil who left for nobody knows where appears in the whereabouts list
// of the municipality and the region once the threshold has passed (the
// server's clock is moved) and leaves it when another school admits it.
func TestWhereaboutsThroughAPI(t *testing.T) {
	c := newContingentRegion(t)
	pupil := c.person(c.pupil)
	for _, body := range []string{
		fmt.Sprintf(`{"kind":"admission","date":%q,"org_id":%d,"class_id":%d,"basis_number":"1","basis_date":%q}`, day(-20), c.s1, c.class1, day(-20)),
		fmt.Sprintf(`{"kind":"departure","date":%q,"destination":"unknown","basis_number":"2","basis_date":%q}`, day(-10), day(-10)),
	} {
		if st, out := c.api(t, c.adminS1, "POST", pupil+"/movements", body); st != 201 {
			t.Fatalf("%s: %d %s", body, st, out)
		}
	}
	m1 := "/organisations/" + strconv.FormatInt(c.m1, 10) + "/whereabouts-unknown"
	if st, body := c.api(t, c.municipalM1, "GET", m1, ""); st != 200 || strings.Contains(body, `"departed_on"`) {
		t.Fatalf("listed before the threshold: %d %s", st, body)
	}
	c.s.App.Contingent.S.Now = func() time.Time { return time.Now().AddDate(0, 0, 25) }
	st, body := c.api(t, c.municipalM1, "GET", m1, "")
	if st != 200 || !strings.Contains(body, `"person":{"id":`+strconv.FormatInt(c.pupil, 10)) || !strings.Contains(body, `"days_open":35`) ||
		!strings.Contains(body, `"from_org":{"id":`+strconv.FormatInt(c.s1, 10)+`,"name":"Школа 1"}`) {
		t.Fatalf("municipality's list: %d %s", st, body)
	}
	if st, body = c.api(t, c.municipalM2, "GET", m1, ""); st != 404 {
		t.Fatalf("another municipality: %d %s", st, body)
	}
	if st, body = c.api(t, c.guardian, "GET", m1, ""); st != 404 {
		t.Fatalf("a guardian: %d %s", st, body)
	}
	region := "/organisations/" + strconv.FormatInt(c.region, 10) + "/whereabouts-unknown"
	if st, body = c.api(t, c.regionalTok, "GET", region, ""); st != 200 || !strings.Contains(body, `"days_open":35`) {
		t.Fatalf("region's list: %d %s", st, body)
	}
	// School 2, in the other municipality, admits the child.
	if st, body = c.api(t, c.adminS2, "POST", pupil+"/movements", fmt.Sprintf(`{"kind":"admission","date":%q,"org_id":%d,"class_id":%d,"basis_number":"9","basis_date":%q}`,
		day(-1), c.s2, c.class2, day(-1))); st != 201 || !strings.Contains(body, `"other_org":{"id":`+strconv.FormatInt(c.s1, 10)) {
		t.Fatalf("admission elsewhere: %d %s", st, body)
	}
	if st, body = c.api(t, c.regionalTok, "GET", region, ""); st != 200 || strings.Contains(body, `"departed_on"`) {
		t.Fatalf("still listed: %d %s", st, body)
	}
}

var contingentCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginWithTOTP logs a staff account in through the UI, setting up the
// second factor its role requires.
func loginWithTOTP(t *testing.T, s *apptest.Server, c *http.Client, user string) {
	t.Helper()
	if st, _ := login(t, s, c, user, pw); st != http.StatusSeeOther {
		t.Fatalf("login %s: %d", user, st)
	}
	_, _, page := apptest.Do(t, c, "GET", s.URL+"/me/totp", nil)
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no TOTP setup page")
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	tok := contingentCSRF.FindStringSubmatch(page)[1]
	if st, _, _ := apptest.Do(t, c, "POST", s.URL+"/me/totp", apptest.Form("totp", code, "csrf", tok), "Content-Type", "application/x-www-form-urlencoded"); st != 200 {
		t.Fatalf("TOTP setup: %d", st)
	}
}

// The pages: a school admin records an admission and a departure from the
// pupil's page (a refused one shows the rule beside the field), the
// receiving school accepts from its transfers page, and the registers and
// the whereabouts list render for those who may see them.
func TestContingentPages(t *testing.T) {
	c := newContingentRegion(t)
	s := c.s
	a := s.Client()
	loginWithTOTP(t, s, a, "admin.s1")
	page := "/persons/" + strconv.FormatInt(c.pupil, 10) + "/movements"
	st, _, body := apptest.Do(t, a, "GET", s.URL+page+"?kind=admission", nil)
	if st != 200 || !strings.Contains(body, "Зачисление") || !strings.Contains(body, `name="class_id"`) || !strings.Contains(body, "Движений пока нет") {
		t.Fatalf("trajectory page: %d %s", st, body)
	}
	post := func(kv ...string) (int, http.Header, string) {
		return s.PostForm(t, a, page, page, kv...)
	}
	st, _, body = post("kind", "admission", "org_id", strconv.FormatInt(c.s1, 10), "class_id", strconv.FormatInt(c.class1, 10),
		"form_of_study", "full_time", "date", day(3), "basis_number", "", "basis_date", "")
	if st != 422 || !strings.Contains(body, `id="m-date-err">Дата в будущем.`) || !strings.Contains(body, `id="m-bn-err">Укажите номер приказа.`) {
		t.Fatalf("refused form: %d %s", st, body)
	}
	st, h, _ := post("kind", "admission", "org_id", strconv.FormatInt(c.s1, 10), "class_id", strconv.FormatInt(c.class1, 10),
		"form_of_study", "full_time", "date", day(-5), "basis_number", "12-к", "basis_date", day(-5))
	if st != http.StatusSeeOther || h.Get("Location") != page+"?done=1" {
		t.Fatalf("admission form: %d %v", st, h)
	}
	st, _, body = apptest.Do(t, a, "GET", s.URL+page+"?kind=departure", nil)
	if st != 200 || !strings.Contains(body, "Школа 2") || !strings.Contains(body, `value="unknown"`) || !strings.Contains(body, "12-к") {
		t.Fatalf("departure form: %d %s", st, body)
	}
	// A second admission names the school where the pupil is.
	st, _, body = post("kind", "admission", "org_id", strconv.FormatInt(c.s1, 10), "class_id", strconv.FormatInt(c.class1, 10),
		"date", day(-1), "basis_number", "13-к", "basis_date", day(-1))
	if st != 409 || !strings.Contains(body, "Учащийся зачислен в Школа 1 с "+day(-5)) {
		t.Fatalf("second admission: %d %s", st, body)
	}
	if st, h, _ = post("kind", "departure", "destination", "org", "to_org_id", strconv.FormatInt(c.s2, 10), "date", day(-2),
		"basis_number", "20-к", "basis_date", day(-2)); st != http.StatusSeeOther || h.Get("Location") != page+"?done=1" {
		t.Fatalf("departure form: %d %v", st, h)
	}

	b := s.Client()
	loginWithTOTP(t, s, b, "admin.s2")
	transfers := "/orgs/" + strconv.FormatInt(c.s2, 10) + "/transfers"
	st, _, body = apptest.Do(t, b, "GET", s.URL+transfers, nil)
	if st != 200 || !strings.Contains(body, "Орлов Пётр") || !strings.Contains(body, "Принять") {
		t.Fatalf("transfers page: %d %s", st, body)
	}
	var tid int64
	if err := s.App.DB.R.QueryRow("SELECT id FROM transfers WHERE person_id = $1", c.pupil).Scan(&tid); err != nil {
		t.Fatal(err)
	}
	action := transfers + "/" + strconv.FormatInt(tid, 10) + "/accept"
	st, _, body = s.PostForm(t, b, transfers, action, "class_id", strconv.FormatInt(c.class2, 10), "date", day(-1), "basis_number", "", "basis_date", day(-1))
	if st != 422 || !strings.Contains(body, "Укажите номер приказа.") {
		t.Fatalf("refused accept: %d %s", st, body)
	}
	st, h, _ = s.PostForm(t, b, transfers, action, "class_id", strconv.FormatInt(c.class2, 10), "date", day(-1), "form_of_study", "full_time",
		"basis_number", "88-к", "basis_date", day(-1))
	if st != http.StatusSeeOther || h.Get("Location") != transfers+"?done=accept" {
		t.Fatalf("accept form: %d %v", st, h)
	}
	st, _, body = apptest.Do(t, b, "GET", s.URL+page, nil)
	if st != 200 || !strings.Contains(body, "Прибытие") || !strings.Contains(body, "Выбытие") || !strings.Contains(body, "Школа 1") {
		t.Fatalf("trajectory at school 2: %d %s", st, body)
	}
	for _, p := range []string{"/contingent", "/orgs/" + strconv.FormatInt(c.s1, 10) + "/movements", "/orgs/" + strconv.FormatInt(c.s1, 10) + "/whereabouts",
		"/orgs/" + strconv.FormatInt(c.s1, 10) + "/transfers"} {
		if st, _, body = apptest.Do(t, a, "GET", s.URL+p, nil); st != 200 {
			t.Errorf("%s: %d %s", p, st, body)
		}
	}
	if _, _, body = apptest.Do(t, a, "GET", s.URL+"/orgs/"+strconv.FormatInt(c.s1, 10)+"/movements", nil); !strings.Contains(body, "Выбытие") {
		t.Error("school 1's register lacks the departure")
	}
	// School 1 sees nothing of school 2's transfers; a visitor is sent to log in.
	if st, _, _ = apptest.Do(t, a, "GET", s.URL+transfers, nil); st != 404 {
		t.Errorf("school 1 on school 2's transfers: %d", st)
	}
	if st, h, _ = apptest.Do(t, s.Client(), "GET", s.URL+page, nil); st != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Errorf("anonymous: %d %v", st, h)
	}
	// The navigation offers the contingent to the school admin.
	if _, _, body = apptest.Do(t, a, "GET", s.URL+"/", nil); !strings.Contains(body, `href="/contingent"`) {
		t.Error("no navigation entry")
	}
}
