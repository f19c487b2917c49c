package staff_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/account"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// env is a municipality with two schools and a few people, on a clock
// fixed at 2026-11-23.
type env struct {
	s                  *staff.Service
	muni, s1, s2       int64
	anna, boris, young int64
}

var today = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.Open(t, org.Migrations(), audit.Migrations(), account.Migrations(), registry.Migrations(), staff.Migrations())
	ctx := context.Background()
	orgs := org.NewService(db)
	mk := func(parent *int64, kind org.Kind, name string) int64 {
		o, err := orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	e := &env{s: staff.NewService(db)}
	e.s.Now = func() time.Time { return today }
	region := mk(nil, org.Region, "Область")
	e.muni = mk(&region, org.Municipality, "Округ")
	e.s1 = mk(&e.muni, org.School, "Школа № 1")
	e.s2 = mk(&e.muni, org.School, "Школа № 2")
	person := func(last, first, middle, born string) int64 {
		var id int64
		if err := db.W.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, name_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'f', $6, $7, $7) RETURNING id`, e.s1, last, first, middle, born, registry.NameKey(last, first), today).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	e.anna = person("Семёнова", "Анна", "Петровна", "1985-04-12")
	e.boris = person("Борисова", "Мария", "Ильинична", "1990-01-30")
	e.young = person("Юная", "Ева", "", "2013-02-01")
	return e
}

func (e *env) tx(t *testing.T, fn func(tx *store.Tx) error) error {
	t.Helper()
	return e.s.DB.WithTx(context.Background(), fn)
}

func (e *env) hire(t *testing.T, n staff.NewEmployment) (staff.Employment, error) {
	t.Helper()
	var out staff.Employment
	err := e.tx(t, func(tx *store.Tx) error {
		var err error
		out, err = e.s.Hire(context.Background(), tx, n)
		return err
	})
	return out, err
}

func (e *env) mustHire(t *testing.T, n staff.NewEmployment) staff.Employment {
	t.Helper()
	out, err := e.hire(t, n)
	if err != nil {
		t.Fatalf("hire %+v: %v", n, err)
	}
	return out
}

func fieldErr(t *testing.T, err error, code errs.Code, field, rule string) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("want %s error on %s/%s, got %v", code, field, rule, err)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return e
		}
	}
	t.Fatalf("error %v does not name %s/%s (fields %+v)", err, field, rule, e.Fields)
	return nil
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRateRules(t *testing.T) {
	for in, want := range map[string]string{"": "1", "1": "1", "0.5": "0.5", "0,25": "0.25", "1.50": "1.5", "2": "2", "0.1": "0.1", "0.15": "0.15"} {
		if got, rule := staff.ParseRate(in); rule != "" || string(got) != want {
			t.Errorf("%q: %q %q, want %q", in, got, rule, want)
		}
	}
	for in, rule := range map[string]string{"abc": "format", "-1": "format", "1.": "format", "0.125": "format", "3": "range",
		"0.05": "range", "2.05": "range", "0.33": "step", "1.01": "step"} {
		if _, got := staff.ParseRate(in); got != rule {
			t.Errorf("%q: rule %q, want %q", in, got, rule)
		}
	}
	// On the wire a rate is a number; a string holding one is accepted too.
	var n staff.NewEmployment
	if err := json.Unmarshal([]byte(`{"rate":0.5}`), &n); err != nil || n.Rate != "0.5" {
		t.Fatalf("number: %q %v", n.Rate, err)
	}
	if err := json.Unmarshal([]byte(`{"rate":"0,75"}`), &n); err != nil || n.Rate != "0,75" {
		t.Fatalf("string: %q %v", n.Rate, err)
	}
	b, _ := json.Marshal(staff.Employment{Rate: "1.25"})
	if !strings.Contains(string(b), `"rate":1.25`) {
		t.Fatalf("marshal: %s", b)
	}
}

func TestHireRulesAndRefusals(t *testing.T) {
	e := newEnv(t)
	ok := staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "teacher", Rate: "0,5", StartsOn: "2015-09-01", Basis: "Приказ № 12-к от 25.08.2015"}
	got := e.mustHire(t, ok)
	if got.Rate != "0.5" || !got.Current || got.Version != 1 || got.OrgName != "Школа № 1" || got.EndsOn != "" {
		t.Fatalf("hired: %+v", got)
	}
	for _, tc := range []struct {
		name        string
		mod         func(*staff.NewEmployment)
		code        errs.Code
		field, rule string
	}{
		{"no person", func(n *staff.NewEmployment) { n.PersonID = 0 }, errs.Invalid, "person_id", "required"},
		{"unknown person", func(n *staff.NewEmployment) { n.PersonID = 99999 }, errs.Invalid, "person_id", "exists"},
		{"unknown organisation", func(n *staff.NewEmployment) { n.OrgID = 99999 }, errs.Invalid, "org_id", "exists"},
		{"an authority employs nobody here", func(n *staff.NewEmployment) { n.OrgID = e.muni }, errs.Invalid, "org_id", "kind"},
		{"no position", func(n *staff.NewEmployment) { n.Position = "" }, errs.Invalid, "position", "required"},
		{"unknown position", func(n *staff.NewEmployment) { n.Position = "janitor" }, errs.Invalid, "position", "enum"},
		{"rate too high", func(n *staff.NewEmployment) { n.Rate = "2.5" }, errs.Invalid, "rate", "range"},
		{"rate off step", func(n *staff.NewEmployment) { n.Rate = "0.33" }, errs.Invalid, "rate", "step"},
		{"rate not a number", func(n *staff.NewEmployment) { n.Rate = "half" }, errs.Invalid, "rate", "format"},
		{"no start", func(n *staff.NewEmployment) { n.StartsOn = "" }, errs.Invalid, "starts_on", "required"},
		{"impossible start", func(n *staff.NewEmployment) { n.StartsOn = "2015-02-30" }, errs.Invalid, "starts_on", "format"},
		{"end before start", func(n *staff.NewEmployment) { n.Position = "tutor"; n.EndsOn = "2015-08-31" }, errs.Invalid, "ends_on", "order"},
		{"years ahead", func(n *staff.NewEmployment) { n.Position = "tutor"; n.StartsOn = "2029-09-01" }, errs.Invalid, "starts_on", "future"},
		{"a child", func(n *staff.NewEmployment) { n.PersonID = e.young; n.StartsOn = "2026-09-01" }, errs.Invalid, "starts_on", "age"},
		{"basis too long", func(n *staff.NewEmployment) { n.Position = "tutor"; n.Basis = strings.Repeat("я", 201) }, errs.Invalid, "basis", "max_length"},
		{"same post overlapping", func(n *staff.NewEmployment) { n.StartsOn = "2020-01-01" }, errs.Conflict, "position", "overlap"},
		{"same post, earlier and open-ended", func(n *staff.NewEmployment) { n.StartsOn = "2010-01-01" }, errs.Conflict, "position", "overlap"},
		{"same post, earlier, ending inside", func(n *staff.NewEmployment) { n.StartsOn = "2010-01-01"; n.EndsOn = "2015-09-01" }, errs.Conflict, "position", "overlap"},
	} {
		n := ok
		tc.mod(&n)
		_, err := e.hire(t, n)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		fe := fieldErr(t, err, tc.code, tc.field, tc.rule)
		if tc.rule == "overlap" && !strings.Contains(fe.Message, "employment "+itoa(got.ID)) {
			t.Errorf("%s: the refusal does not name the existing employment: %s", tc.name, fe.Message)
		}
	}
	if n := count(t, e.s.DB, "SELECT COUNT(*) FROM employments"); n != 1 {
		t.Fatalf("refused employments were written: %d rows", n)
	}
	// Allowed: the same post at another school (part-time at two schools),
	// another post at the same school, and the same post in a period that
	// does not overlap.
	e.mustHire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s2, Position: "teacher", Rate: "0.25", StartsOn: "2020-09-01"})
	e.mustHire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "deputy_director", StartsOn: "2021-09-01"})
	e.mustHire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "teacher", StartsOn: "2010-09-01", EndsOn: "2015-08-31"})
	if n := count(t, e.s.DB, "SELECT COUNT(*) FROM changes WHERE entity = 'employment' AND op = 'create'"); n != 4 {
		t.Fatalf("change log: %d creates, want 4", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEndEmployment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	emp := e.mustHire(t, staff.NewEmployment{PersonID: e.boris, OrgID: e.s1, Position: "librarian", StartsOn: "2019-09-01"})
	end := func(expected int64, in staff.End) (staff.Employment, error) {
		var out staff.Employment
		err := e.tx(t, func(tx *store.Tx) error {
			var err error
			_, out, err = e.s.EndEmployment(ctx, tx, emp.ID, expected, in)
			return err
		})
		return out, err
	}
	_, err := end(emp.Version, staff.End{EndsOn: "2019-08-31"})
	fieldErr(t, err, errs.Invalid, "ends_on", "order")
	_, err = end(emp.Version, staff.End{})
	fieldErr(t, err, errs.Invalid, "ends_on", "required")
	if _, err := end(emp.Version+5, staff.End{EndsOn: "2026-10-31"}); errs.CodeOf(err) != errs.Precondition {
		t.Fatalf("stale version: %v", err)
	}
	got, err := end(emp.Version, staff.End{EndsOn: "2026-10-31", Basis: "Приказ № 80-к от 31.10.2026"})
	if err != nil || got.EndsOn != "2026-10-31" || got.Current || got.Version != 2 || got.EndBasis == "" {
		t.Fatalf("end: %+v %v", got, err)
	}
	// An end can be brought forward, never pushed back; nothing is deleted.
	_, err = end(got.Version, staff.End{EndsOn: "2026-12-31"})
	fieldErr(t, err, errs.Invalid, "ends_on", "ended")
	if got, err = end(got.Version, staff.End{EndsOn: "2026-10-30", Basis: got.EndBasis}); err != nil || got.EndsOn != "2026-10-30" {
		t.Fatalf("brought forward: %+v %v", got, err)
	}
	if n := count(t, e.s.DB, "SELECT COUNT(*) FROM employments"); n != 1 {
		t.Fatalf("%d employments", n)
	}
	// The post is free again after the end.
	e.mustHire(t, staff.NewEmployment{PersonID: e.boris, OrgID: e.s1, Position: "librarian", StartsOn: "2026-11-01"})
}

func TestSubjectsAndQualifications(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := func(codes ...string) ([]string, error) {
		var out []string
		err := e.tx(t, func(tx *store.Tx) error {
			var err error
			_, out, err = e.s.SetSubjects(ctx, tx, e.anna, codes)
			return err
		})
		return out, err
	}
	got, err := set("geom", "MATH", "alg", "math")
	if err != nil || strings.Join(got, ",") != "math,alg,geom" {
		t.Fatalf("set: %v %v (want the directory order, each once)", got, err)
	}
	_, err = set("math", "astrology")
	fieldErr(t, err, errs.Invalid, "subjects[1]", "enum")
	if got, _ := e.s.Subjects(ctx, e.anna); strings.Join(got, ",") != "math,alg,geom" {
		t.Fatalf("a refused list changed the subjects: %v", got)
	}
	if got, err = set("phys"); err != nil || strings.Join(got, ",") != "phys" {
		t.Fatalf("replace: %v %v", got, err)
	}
	if got, err = set(); err != nil || len(got) != 0 {
		t.Fatalf("clear: %v %v", got, err)
	}

	add := func(n staff.NewQualification) (staff.Qualification, error) {
		var out staff.Qualification
		err := e.tx(t, func(tx *store.Tx) error {
			var err error
			out, err = e.s.AddQualification(ctx, tx, e.anna, n)
			return err
		})
		return out, err
	}
	q, err := add(staff.NewQualification{Kind: "category", Title: "Высшая квалификационная категория", Issuer: "Министерство образования",
		IssuedOn: "2024-03-15", ValidUntil: "2029-03-14", Document: "Приказ № 311"})
	if err != nil || q.ID == 0 || q.Kind != "category" {
		t.Fatalf("add: %+v %v", q, err)
	}
	for _, tc := range []struct {
		n           staff.NewQualification
		field, rule string
	}{
		{staff.NewQualification{Kind: "medal", Title: "x"}, "kind", "enum"},
		{staff.NewQualification{Kind: "course"}, "title", "required"},
		{staff.NewQualification{Kind: "course", Title: "x", IssuedOn: "2030-01-01"}, "issued_on", "future"},
		{staff.NewQualification{Kind: "course", Title: "x", IssuedOn: "2024-01-01", ValidUntil: "2023-01-01"}, "valid_until", "order"},
		{staff.NewQualification{Kind: "course", Title: "x", IssuedOn: "01.02.2024"}, "issued_on", "format"},
	} {
		_, err := add(tc.n)
		fieldErr(t, err, errs.Invalid, tc.field, tc.rule)
	}
	if _, err := e.s.AddQualification(ctx, nil, 99999, staff.NewQualification{Kind: "x"}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("validation comes before the database: %v", err)
	}
	list, err := e.s.Qualifications(ctx, e.anna)
	if err != nil || len(list) != 1 || list[0].ValidUntil != "2029-03-14" {
		t.Fatalf("qualifications: %+v %v", list, err)
	}
}

func TestStaffList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mustHire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "teacher", StartsOn: "2015-09-01"})
	e.mustHire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "deputy_director", Rate: "0.5", StartsOn: "2020-09-01"})
	e.mustHire(t, staff.NewEmployment{PersonID: e.boris, OrgID: e.s1, Position: "librarian", StartsOn: "2018-09-01", EndsOn: "2025-06-30"})
	e.mustHire(t, staff.NewEmployment{PersonID: e.boris, OrgID: e.s2, Position: "teacher", StartsOn: "2025-09-01"})
	if err := e.tx(t, func(tx *store.Tx) error {
		_, _, err := e.s.SetSubjects(ctx, tx, e.anna, []string{"rus", "lit"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	names := func(f staff.Filter) string {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 50
		}
		items, err := e.s.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range items {
			s := m.LastName
			for _, p := range m.Posts {
				s += " " + p.Position
			}
			out = append(out, s)
		}
		return strings.Join(out, ", ")
	}
	// A former librarian is not on the list of school 1; Борисова is on
	// that of school 2. Names are searched by prefix with ё = е.
	for _, tc := range []struct {
		f    staff.Filter
		want string
	}{
		{staff.Filter{OrgID: e.s1}, "Семёнова teacher deputy_director"},
		{staff.Filter{OrgID: e.s2}, "Борисова teacher"},
		{staff.Filter{OrgID: e.s1, Position: "deputy_director"}, "Семёнова teacher deputy_director"},
		{staff.Filter{OrgID: e.s1, Position: "librarian"}, ""},
		{staff.Filter{OrgID: e.s1, Subject: "lit"}, "Семёнова teacher deputy_director"},
		{staff.Filter{OrgID: e.s1, Subject: "math"}, ""},
		{staff.Filter{OrgID: e.s1, Q: "семенова ан"}, "Семёнова teacher deputy_director"},
		{staff.Filter{OrgID: e.s1, Q: "Semenova"}, "Семёнова teacher deputy_director"},
		{staff.Filter{OrgID: e.s1, Q: "Борис"}, ""},
	} {
		if got := names(tc.f); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
	_, err := e.s.List(ctx, staff.Filter{OrgID: e.s1, Position: "janitor", Limit: 10})
	fieldErr(t, err, errs.Invalid, "position", "enum")
	_, err = e.s.List(ctx, staff.Filter{OrgID: e.s1, Limit: 0})
	fieldErr(t, err, errs.Invalid, "limit", "range")
	if _, err := staff.ParseCursor("garbage!"); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("bad cursor: %v", err)
	}
}

// Pages follow the name order and neither skip nor repeat anybody.
func TestStaffListPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	surnames := []string{"Яковлева", "Абрамова", "Иванова", "Иванова", "Ёлкина", "Жукова", "Белова"}
	for i, last := range surnames {
		var id int64
		if err := e.s.DB.W.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, name_key, created_at, updated_at)
			VALUES ($1, $2, 'Анна', '', '1980-01-01', 'f', '', $3, $3) RETURNING id`, e.s2, last, today).Scan(&id); err != nil {
			t.Fatal(err)
		}
		e.mustHire(t, staff.NewEmployment{PersonID: id, OrgID: e.s2, Position: staff.Positions()[i%3], StartsOn: "2020-09-01"})
	}
	var seen []string
	var after *staff.Cursor
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		items, err := e.s.List(ctx, staff.Filter{OrgID: e.s2, Limit: 3, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range items {
			seen = append(seen, m.LastName)
		}
		c := staff.NextCursor(items, 3)
		if c == nil {
			break
		}
		if after, err = staff.ParseCursor(c.String()); err != nil {
			t.Fatal(err)
		}
	}
	// Every page continues where the last stopped: all of them once, the
	// two namesakes included (the order of Ё differs between collations).
	want := append([]string(nil), surnames...)
	sort.Strings(want)
	got := append([]string(nil), seen...)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pages gave %v", seen)
	}
}
