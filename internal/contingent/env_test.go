package contingent_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/app"
	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

type storeTx = store.Tx

// env is a small region on the engine under test: municipality 1 with
// schools A and B, municipality 2 with school C; two classes at A, one at B
// and C; and a clock the test moves.
type env struct {
	t   *testing.T
	db  *store.DB
	g   *contingent.Guard
	now time.Time
	// denials counts the policy's refusals (the app audits each).
	denials int

	region, m1, m2, a, b, c        int64
	a5, a6, aClosed, b5, c5, aClub int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sets := app.Migrations()[1:] // storetest applies the platform set itself
	db := storetest.Open(t, sets...)
	e := &env{t: t, db: db, now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	m, err := access.LoadMatrix()
	if err != nil {
		t.Fatal(err)
	}
	p := access.NewPolicy(m, db)
	p.OnDeny = func(context.Context, string, string, access.Target) { e.denials++ }
	p.Relate(access.GuardianOf, registry.GuardianOf, registry.GuardianOfSQL)
	p.Relate(access.ClassTeacherOf, classes.ClassTeacherOf, classes.ClassTeacherOfSQL)
	p.Relate(access.Teaches, classes.Teaches, classes.TeachesSQL)
	svc := &contingent.Service{DB: db, Audit: audit.New(db, nil, nil), Now: func() time.Time { return e.now }, LostAfterDays: 30}
	e.g = &contingent.Guard{S: svc, Policy: p}

	orgs := org.NewService(db)
	mk := func(parent *int64, kind org.Kind, name string) int64 {
		o, err := orgs.Create(context.Background(), org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	e.region = mk(nil, org.Region, "Регион")
	e.m1 = mk(&e.region, org.Municipality, "Округ 1")
	e.m2 = mk(&e.region, org.Municipality, "Округ 2")
	e.a = mk(&e.m1, org.School, "Школа А")
	e.b = mk(&e.m1, org.School, "Школа Б")
	e.c = mk(&e.m2, org.School, "Школа В")
	class := func(orgID int64, name string, parallel int, kind, status string) int64 {
		year := e.id(`SELECT id FROM academic_years WHERE org_id = $1`, orgID)
		if year == 0 {
			year = e.insert(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
				VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, orgID, e.now)
		}
		return e.insert(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'А', $5, 'ru_basic', 3, $6, $7, $7)`, orgID, year, kind, parallel, name, status, e.now)
	}
	e.a5, e.a6 = class(e.a, "5А", 5, "class", "active"), class(e.a, "6А", 6, "class", "active")
	e.aClosed = class(e.a, "7А", 7, "class", "closed")
	e.aClub = class(e.a, "Шахматы", 0, "club", "active")
	e.b5, e.c5 = class(e.b, "5А", 5, "class", "active"), class(e.c, "5А", 5, "class", "active")
	return e
}

func (e *env) insert(query string, args ...any) int64 {
	e.t.Helper()
	var id int64
	if err := e.db.W.QueryRowContext(context.Background(), query+" RETURNING id", args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return id
}

// id returns the first column of the first row as a number, 0 when none.
func (e *env) id(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	err := e.db.R.QueryRowContext(context.Background(), query, args...).Scan(&n)
	if err != nil && !store.IsNoRows(err) {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *env) count(query string, args ...any) int {
	return int(e.id("SELECT COUNT(*) FROM "+query, args...))
}

// pupil adds a person to an organisation's records.
func (e *env) pupil(orgID int64, last, born string) int64 {
	return e.insert(`INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, created_at, updated_at)
		VALUES ($1, $2, 'Иван', $3, 'm', $4, $4)`, orgID, last, born, e.now)
}

// as is a context acting as role at orgID.
func (e *env) as(role identity.Role, orgID int64) context.Context {
	return identity.With(context.Background(), &identity.Actor{AccountID: 1, Login: fmt.Sprintf("%s@%d", role, orgID),
		Grants: []identity.Grant{{Role: role, OrgID: orgID}}})
}

// date is the clock's day shifted by days.
func (e *env) date(days int) string { return e.now.AddDate(0, 0, days).Format("2006-01-02") }

func (e *env) record(ctx context.Context, person int64, r contingent.Request) (contingent.Movement, error) {
	e.t.Helper()
	return e.g.Record(ctx, person, r)
}

// must records r and fails the test on a refusal.
func (e *env) must(ctx context.Context, person int64, r contingent.Request) contingent.Movement {
	e.t.Helper()
	m, err := e.g.Record(ctx, person, r)
	if err != nil {
		e.t.Fatalf("%s of %d: %v %v", r.Kind, person, err, fields(err))
	}
	return m
}

func (e *env) admit(ctx context.Context, person, orgID, classID int64, date string) contingent.Movement {
	e.t.Helper()
	return e.must(ctx, person, contingent.Request{Kind: contingent.KindAdmission, Date: date, OrgID: orgID, ClassID: classID,
		BasisNumber: "1-к", BasisDate: date})
}

func fields(err error) []errs.FieldError {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// refused checks that err is code naming field and rule.
func refused(t *testing.T, what string, err error, code errs.Code, field, rule string) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v, want %s %s/%s", what, err, code, field, rule)
	}
	if e.Code != code {
		t.Errorf("%s: code %s, want %s (%v)", what, e.Code, code, e.Fields)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return e
		}
	}
	t.Errorf("%s: fields %v, want %s/%s", what, e.Fields, field, rule)
	return e
}
