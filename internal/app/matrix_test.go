package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/apptest"
	"shkola/internal/audit"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
)

// matrixEnv is the small region every cell is tried in: two municipalities
// with a school each. Scenarios place the actor's grant on the target's
// organisation ("scope" holds) or on the unrelated one (only "any" holds).
type matrixEnv struct {
	s                      *apptest.Server
	region, m1, m2, s1, s2 org.Organisation
	tokens                 map[string]string
	accounts               map[string]int64
	n                      int
	target                 int64 // an account with a role at school 1
	person                 int64 // a pupil of school 1 with SNILS and health data, in class1
	// Relationships to the pupil: its mother, the teacher of class1 (maths)
	// and class1's class teacher. class1 is a class of school 1, class2 one of
	// school 2; year1 and year2 are their schools' academic years.
	guardian, teacher, classTeacher int64
	class1, class2, year1, year2    int64
	// The lessons and study periods the journal and schedule probes act on
	// (matrix_journal_test.go): substitute takes lesson1 in place of teacher.
	journal journalFixture
}

// holder is the person who holds rel towards the pupil (and its class).
func (e *matrixEnv) holder(rel access.Relationship) int64 {
	switch rel {
	case access.Self:
		return e.person
	case access.GuardianOf:
		return e.guardian
	case access.Teaches:
		return e.teacher
	case access.ClassTeacherOf:
		return e.classTeacher
	case access.TakesLesson:
		return e.journal.substitute
	}
	return 0
}

// scenario says where the actor stands relative to the target: the
// organisation of its grant, and the person its account belongs to.
type scenario struct {
	name   string
	holds  []access.Relationship // relationships true in this scenario
	grant  func(p probe, e *matrixEnv) int64
	person int64
}

// probe performs one resource/action through the API and says whether it
// was allowed. target and unrelated pick the organisations it is tried on.
type probe struct {
	target, unrelated func(e *matrixEnv) int64
	do                func(t *testing.T, e *matrixEnv, token string) (allowed bool)
	// supports lists the relationships this probe can set up.
	supports []access.Relationship
}

// token returns a bearer token of an account holding role at orgID and, when
// person is not 0, belonging to that person. A person has one account, so
// the person is moved to this account before the token is used.
func (e *matrixEnv) token(t *testing.T, role identity.Role, orgID, person int64) string {
	if role == access.Anonymous {
		return ""
	}
	ctx := context.Background()
	key := fmt.Sprintf("%s@%d/%d", role, orgID, person)
	tok, ok := e.tokens[key]
	if !ok {
		e.n++
		acc, _, err := e.s.App.Accounts.Create(ctx, fmt.Sprintf("m%d", e.n), []identity.Grant{{Role: role, OrgID: orgID}})
		if err != nil {
			t.Fatal(err)
		}
		if tok, err = e.s.App.Accounts.IssueToken(ctx, acc.ID, "matrix"); err != nil {
			t.Fatal(err)
		}
		e.tokens[key], e.accounts[key] = tok, acc.ID
	}
	if person != 0 {
		e.exec(t, "UPDATE accounts SET person_id = NULL WHERE person_id = $1", person)
		e.exec(t, "UPDATE accounts SET person_id = $1 WHERE id = $2", person, e.accounts[key])
	}
	return tok
}

func (e *matrixEnv) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := e.s.App.DB.W.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (e *matrixEnv) insert(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := e.s.App.DB.W.QueryRowContext(context.Background(), query+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

// relate sets up the pupil's class, guardian, teacher and class teacher
// directly in the tables, so every domain's probes can rely on them.
func (e *matrixEnv) relate(t *testing.T, officer context.Context) {
	mk := func(last, first, born, sex string) int64 {
		p, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: last, FirstName: first, BirthDate: born, Sex: sex})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	e.guardian = mk("Петрова", "Мария", "1985-01-20", "f")
	e.teacher = mk("Соколов", "Андрей", "1979-11-03", "m")
	e.classTeacher = mk("Лебедева", "Ольга", "1981-06-15", "f")
	now := time.Now().UTC()
	year := func(org int64) int64 {
		return e.insert(t, `INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
			VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, org, now)
	}
	e.year1, e.year2 = year(e.s1.ID), year(e.s2.ID)
	class := func(org, year int64, teacher any) int64 {
		return e.insert(t, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, class_teacher_id, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', 5, 'А', '5А', 'ru_basic', $3, 30, $4, $4)`, org, year, teacher, now)
	}
	e.class1, e.class2 = class(e.s1.ID, e.year1, e.classTeacher), class(e.s2.ID, e.year2, nil)
	e.insert(t, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", e.class1, e.person, now)
	e.insert(t, "INSERT INTO assignments (group_id, teacher_id, subject, starts_on, created_at) VALUES ($1, $2, 'math', '2026-09-01', $3)", e.class1, e.teacher, now)
	e.insert(t, `INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by)
		VALUES ($1, $2, 'mother', '2014-05-02', $3, 'matrix')`, e.person, e.guardian, now)
	e.relateJournal(t, officer)
}

func (e *matrixEnv) call(t *testing.T, token, method, path, body string, header ...string) (int, http.Header, string) {
	if token != "" {
		header = append(header, "Authorization", "Bearer "+token)
	}
	if body != "" {
		header = append(header, "Content-Type", "application/json")
	}
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	if r == nil {
		return apptest.Do(t, e.s.Client(), method, e.s.URL+path, nil, header...)
	}
	return apptest.Do(t, e.s.Client(), method, e.s.URL+path, r, header...)
}

// verdict turns a status into allowed/denied; anything else is a broken probe.
func verdict(t *testing.T, what string, status int, body string) bool {
	switch {
	case status >= 200 && status < 300:
		return true
	case status == 401 || status == 403 || status == 404:
		return false
	}
	t.Fatalf("%s: status %d is neither a grant nor a denial: %s", what, status, body)
	return false
}

func accountProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	scope := []access.Relationship{access.InScope}
	path := func(e *matrixEnv) string { return "/api/v1/accounts/" + strconv.FormatInt(e.target, 10) }
	return map[[2]string]probe{
		{"account", "list"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/accounts?q=target", "")
				return verdict(t, "account list", st, body) && strings.Contains(body, `"login":"target-acc"`)
			}},
		{"account", "read"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", path(e), "")
				return verdict(t, "account read", st, body)
			}},
		{"account", "update"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", path(e)+"/enable", "")
				return verdict(t, "account update", st, body)
			}},
		{"account", "create"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "POST", "/api/v1/accounts", fmt.Sprintf(`{"login":"new%d","role":"teacher","org_id":%d}`, e.n, e.s1.ID))
				return verdict(t, "account create", st, body)
			}},
	}
}

func auditProbes() map[[2]string]probe {
	return map[[2]string]probe{
		{"audit", "read"}: {target: func(e *matrixEnv) int64 { return e.s1.ID }, unrelated: func(e *matrixEnv) int64 { return e.s2.ID },
			supports: []access.Relationship{access.InScope},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/audit?object_type=matrix-marker", "")
				if !verdict(t, "audit read", st, body) {
					return false
				}
				return strings.Contains(body, `"object_id":"school-1"`)
			}},
	}
}

func orgProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	scopeAny := []access.Relationship{access.Anyone, access.InScope}
	return map[[2]string]probe{
		{"organisation", "read"}: {target: onS1, unrelated: onS2, supports: scopeAny,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/organisations/"+strconv.FormatInt(e.s1.ID, 10), "")
				return verdict(t, "read", st, body)
			}},
		{"organisation", "list"}: {target: onS1, unrelated: onS2, supports: scopeAny,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/organisations?limit=500", "")
				if !verdict(t, "list", st, body) {
					return false
				}
				return strings.Contains(body, fmt.Sprintf(`"id":%d,`, e.s1.ID))
			}},
		{"organisation", "update"}: {target: onS1, unrelated: onS2, supports: scopeAny,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				cur, err := e.s.App.Orgs.Get(context.Background(), e.s1.ID)
				if err != nil {
					t.Fatal(err)
				}
				e.n++
				st, _, body := e.call(t, tok, "PATCH", "/api/v1/organisations/"+strconv.FormatInt(e.s1.ID, 10),
					fmt.Sprintf(`{"short_name":"Школа %d"}`, e.n), "If-Match", fmt.Sprintf(`W/"%d"`, cur.Version))
				return verdict(t, "update", st, body)
			}},
		{"organisation", "create"}: {target: func(e *matrixEnv) int64 { return e.m1.ID }, unrelated: func(e *matrixEnv) int64 { return e.m2.ID }, supports: scopeAny,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "POST", "/api/v1/organisations",
					fmt.Sprintf(`{"parent_id":%d,"kind":"school","name":"Новая школа %d","country":"RU"}`, e.m1.ID, e.n))
				return verdict(t, "create", st, body)
			}},
	}
}

// TestAccessMatrix walks every cell of matrix.csv, and every unlisted cell of
// the same resources as a denial, through the real HTTP server.
func TestAccessMatrix(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	e := &matrixEnv{s: s, tokens: map[string]string{}, accounts: map[string]int64{}}
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

	m, err := access.LoadMatrix()
	if err != nil {
		t.Fatal(err)
	}
	// An audit entry about school 1, for the audit probe to find or not.
	if err := s.App.Audit.Write(ctx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: "matrix-marker",
		ObjectID: "school-1", OrgID: &e.s1.ID}); err != nil {
		t.Fatal(err)
	}
	probes := orgProbes()
	for _, more := range []map[[2]string]probe{auditProbes(), accountProbes(), personProbes(), directoryProbes(), staffProbes(), contingentProbes(), calendarProbes(), classesProbes(), loginsProbes(), journalProbes()} {
		for k, p := range more {
			probes[k] = p
		}
	}
	for k, p := range notifyProbes() {
		probes[k] = p
	}
	for k, p := range scheduleProbes() {
		probes[k] = p
	}
	for k, p := range portfolioProbes() {
		probes[k] = p
	}
	for k, p := range importProbes() {
		probes[k] = p
	}
	for k, p := range diaryProbes() {
		probes[k] = p
	}
	target, _, err := s.App.Accounts.Create(ctx, "target-acc", []identity.Grant{{Role: identity.Teacher, OrgID: e.s1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.target = target.ID
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: e.region.ID}}})
	p, err := s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: "Петров", FirstName: "Илья", BirthDate: "2011-05-02",
		Sex: "m", SNILS: "112-233-445 95", HealthGroup: "II", Disability: "child", Phone: "+7 912 345-67-89",
		Documents: []registry.NewDocument{{Kind: "birth_certificate_ru", Series: "II-МЮ", Number: "123456"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.person = p.ID
	e.relate(t, officer)
	for _, ra := range m.Resources() {
		if _, ok := probes[ra]; !ok {
			t.Errorf("the matrix has %s/%s but no probe walks it", ra[0], ra[1])
		}
	}
	for _, r := range m.Rules {
		p, ok := probes[[2]string{r.Resource, r.Action}]
		if !ok {
			continue
		}
		supported := false
		for _, rel := range p.supports {
			supported = supported || rel == r.Rel
		}
		if !supported {
			t.Errorf("%s:%d: the %s/%s probe cannot set up relationship %s", r.File, r.Line, r.Resource, r.Action, r.Rel)
		}
	}
	unrelated := func(p probe, e *matrixEnv) int64 { return p.unrelated(e) }
	scenarios := []scenario{
		{"in scope", []access.Relationship{access.Anyone, access.InScope}, func(p probe, e *matrixEnv) int64 { return p.target(e) }, 0},
		{"unrelated", []access.Relationship{access.Anyone}, unrelated, 0},
	}
	// Each relationship on its own: the grant is out of scope, the account
	// belongs to the person who holds the relationship to the pupil.
	for _, rel := range []access.Relationship{access.Self, access.GuardianOf, access.Teaches, access.ClassTeacherOf, access.TakesLesson} {
		scenarios = append(scenarios, scenario{string(rel), []access.Relationship{access.Anyone, rel}, unrelated, e.holder(rel)})
	}
	scenarios = append(scenarios, scenario{string(access.TakesLesson), []access.Relationship{access.Anyone, access.TakesLesson}, unrelated, e.holder(access.TakesLesson)})
	roles := append([]identity.Role{access.Anonymous}, identity.Roles...)
	cells := 0
	for ra, p := range probes {
		for _, role := range roles {
			for _, sc := range scenarios {
				want := false
				for _, rel := range sc.holds {
					want = want || m.Allows(role, rel, ra[0], ra[1])
				}
				tok := e.token(t, role, sc.grant(p, e), sc.person)
				if got := p.do(t, e, tok); got != want {
					t.Errorf("%s %s/%s %s: allowed=%v, matrix says %v", role, ra[0], ra[1], sc.name, got, want)
				}
				cells++
			}
		}
	}
	t.Logf("%d cells walked", cells)
}
