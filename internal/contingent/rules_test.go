package contingent_test

import (
	"fmt"
	"strings"
	"testing"

	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

type req = contingent.Request

// An admission enrols the pupil in a class of the organisation; every way
// it can break the rules is refused naming the field and the rule.
func TestAdmissionRules(t *testing.T) {
	e := newEnv(t)
	admin := e.as(identity.SchoolAdmin, e.a)
	p := e.pupil(e.a, "Петров", "2015-04-01")
	adm := func(r req) error {
		r.Kind = contingent.KindAdmission
		_, err := e.record(admin, p, r)
		return err
	}
	ok := req{Kind: contingent.KindAdmission, Date: e.date(-10), OrgID: e.a, ClassID: e.a5, BasisNumber: "17-к", BasisDate: e.date(-12)}
	with := func(f func(r *req)) req { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name        string
		r           req
		code        errs.Code
		field, rule string
	}{
		{"future date", with(func(r *req) { r.Date = e.date(3) }), errs.Invalid, "date", "future"},
		{"bad date", with(func(r *req) { r.Date = "2026-02-30" }), errs.Invalid, "date", "format"},
		{"before birth", with(func(r *req) { r.Date = "2015-03-01" }), errs.Invalid, "date", "before_birth"},
		{"no order", with(func(r *req) { r.BasisNumber = "" }), errs.Invalid, "basis_number", "required"},
		{"no order date", with(func(r *req) { r.BasisDate = "" }), errs.Invalid, "basis_date", "required"},
		{"order in the future", with(func(r *req) { r.BasisDate = e.date(5) }), errs.Invalid, "basis_date", "future"},
		{"no class", with(func(r *req) { r.ClassID = 0 }), errs.Invalid, "class_id", "required"},
		{"class of another school", with(func(r *req) { r.ClassID = e.b5 }), errs.Invalid, "class_id", "organisation"},
		{"closed class", with(func(r *req) { r.ClassID = e.aClosed }), errs.Invalid, "class_id", "active"},
		{"a club is no class", with(func(r *req) { r.ClassID = e.aClub }), errs.Invalid, "class_id", "kind"},
		{"unknown class", with(func(r *req) { r.ClassID = 999999 }), errs.Invalid, "class_id", "exists"},
		{"a municipality enrols nobody", with(func(r *req) { r.OrgID = e.m1 }), errs.NotFound, "", ""},
		{"form of study", with(func(r *req) { r.FormOfStudy = "evening" }), errs.Invalid, "form_of_study", "enum"},
		{"a field of another kind", with(func(r *req) { r.Place = "Тула" }), errs.Invalid, "place", "not_allowed"},
		{"reason too long", with(func(r *req) { r.Reason = strings.Repeat("я", 501) }), errs.Invalid, "reason", "max_length"},
	} {
		err := adm(tc.r)
		if tc.field == "" {
			if errs.CodeOf(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			continue
		}
		refused(t, tc.name, err, tc.code, tc.field, tc.rule)
	}
	if _, err := e.record(admin, p, req{Kind: contingent.KindArrival, Date: e.date(-1)}); err == nil {
		t.Error("an arrival was recorded directly")
	} else {
		refused(t, "arrival", err, errs.Invalid, "kind", "arrival")
	}
	if n := e.count("movements"); n != 0 {
		t.Fatalf("refused admissions wrote %d movements", n)
	}

	m := e.must(admin, p, ok)
	if m.Kind != contingent.KindAdmission || m.Org.Name != "Школа А" || m.Class == nil || m.Class.Name != "5А" || m.Author != fmt.Sprintf("school_admin@%d", e.a) {
		t.Fatalf("admission: %+v", m)
	}
	en, enrolled, err := e.g.Enrolment(admin, p)
	if err != nil || !enrolled || en.Status != contingent.Active || en.Class.ID != e.a5 || en.FormOfStudy != "full_time" || en.StartsOn != ok.Date {
		t.Fatalf("enrolment: %+v %v %v", en, enrolled, err)
	}
	if n := e.count("group_members WHERE group_id = $1 AND person_id = $2 AND ends_on IS NULL", e.a5, p); n != 1 {
		t.Fatalf("class membership: %d", n)
	}
	// A second admission anywhere is refused, naming the school and the date.
	err = adm(with(func(r *req) { r.ClassID = e.a6; r.Date = e.date(-1) }))
	if fe := refused(t, "second admission", err, errs.Conflict, "kind", "enrolled"); fe != nil &&
		(!strings.Contains(fe.Message, "Школа А") || !strings.Contains(fe.Message, ok.Date)) {
		t.Errorf("second admission does not name the school and date: %s", fe.Message)
	}
	// Even by a school that cannot see the pupil: it learns whom to ask.
	other := e.as(identity.SchoolAdmin, e.c)
	_, err = e.record(other, p, req{Kind: contingent.KindAdmission, Date: e.date(-1), OrgID: e.c, ClassID: e.c5, BasisNumber: "2", BasisDate: e.date(-1)})
	refused(t, "admission elsewhere", err, errs.Conflict, "kind", "enrolled")
	// Before the previous movement.
	_, err = e.record(admin, p, req{Kind: contingent.KindClassTransfer, Date: e.date(-11), ClassID: e.a6})
	refused(t, "before the previous movement", err, errs.Invalid, "date", "before_previous")
	// A full class (capacity 3) takes nobody more.
	for i := range 2 {
		e.admit(admin, e.pupil(e.a, "Сидоров", fmt.Sprintf("2015-01-%02d", i+1)), e.a, e.a5, e.date(-5))
	}
	_, err = e.record(admin, e.pupil(e.a, "Лишний", "2015-01-01"), req{Kind: contingent.KindAdmission, Date: e.date(-1), OrgID: e.a, ClassID: e.a5,
		BasisNumber: "3", BasisDate: e.date(-1)})
	refused(t, "full class", err, errs.Conflict, "class_id", "capacity")
}

// A class transfer stays within the school; leave and return follow each
// other; expulsion needs a reason; each ends what it should.
func TestMovementsWithinASchool(t *testing.T) {
	e := newEnv(t)
	admin := e.as(identity.SchoolAdmin, e.a)
	p := e.pupil(e.a, "Кузнецова", "2014-08-08")
	e.admit(admin, p, e.a, e.a5, e.date(-60))
	// The pupil's sub-group of 5А and a club of the school.
	sub := e.insert(`INSERT INTO groups (org_id, year_id, kind, parent_id, name, capacity, status, created_at, updated_at)
		SELECT org_id, year_id, 'subgroup', id, '5А англ.', 30, 'active', $2, $2 FROM groups WHERE id = $1`, e.a5, e.now)
	for _, g := range []int64{sub, e.aClub} {
		e.insert("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, $3, $4)", g, p, e.date(-50), e.now)
	}

	_, err := e.record(admin, p, req{Kind: contingent.KindClassTransfer, Date: e.date(-40), ClassID: e.b5})
	refused(t, "class of another school", err, errs.Invalid, "class_id", "organisation")
	_, err = e.record(admin, p, req{Kind: contingent.KindClassTransfer, Date: e.date(-40), ClassID: e.a5})
	refused(t, "same class", err, errs.Invalid, "class_id", "same")
	_, err = e.record(admin, p, req{Kind: contingent.KindClassTransfer, Date: e.date(-40), ClassID: e.aClosed})
	refused(t, "closed class", err, errs.Invalid, "class_id", "active")
	m := e.must(admin, p, req{Kind: contingent.KindClassTransfer, Date: e.date(-40), ClassID: e.a6, Reason: "по заявлению родителей"})
	if m.FromClass == nil || m.FromClass.ID != e.a5 || m.Class.ID != e.a6 {
		t.Fatalf("class transfer: %+v", m)
	}
	if e.count("group_members WHERE person_id = $1 AND ends_on IS NULL AND group_id IN ($2, $3)", p, e.a5, sub) != 0 ||
		e.count("group_members WHERE person_id = $1 AND ends_on IS NULL AND group_id IN ($2, $3)", p, e.a6, e.aClub) != 2 {
		t.Fatal("a class transfer leaves the old class and its sub-groups, joins the new one, and keeps the clubs")
	}

	_, err = e.record(admin, p, req{Kind: contingent.KindLeave, Date: e.date(-30)})
	refused(t, "leave without reason", err, errs.Invalid, "reason", "required")
	_, err = e.record(admin, p, req{Kind: contingent.KindReturn, Date: e.date(-30)})
	refused(t, "return while studying", err, errs.Conflict, "kind", "state")
	e.must(admin, p, req{Kind: contingent.KindLeave, Date: e.date(-30), Reason: "болезнь"})
	if en, _, _ := e.g.Enrolment(admin, p); en.Status != contingent.OnLeave {
		t.Fatalf("on leave: %+v", en)
	}
	_, err = e.record(admin, p, req{Kind: contingent.KindLeave, Date: e.date(-29), Reason: "ещё"})
	refused(t, "leave twice", err, errs.Conflict, "kind", "state")
	e.must(admin, p, req{Kind: contingent.KindReturn, Date: e.date(-20)})

	_, err = e.record(admin, p, req{Kind: contingent.KindExpulsion, Date: e.date(-10), BasisNumber: "50-к", BasisDate: e.date(-10)})
	refused(t, "expulsion without reason", err, errs.Invalid, "reason", "required")
	_, err = e.record(admin, p, req{Kind: contingent.KindGraduation, Date: e.date(-10)})
	refused(t, "graduation without order", err, errs.Invalid, "basis_number", "required")
	e.must(admin, p, req{Kind: contingent.KindExpulsion, Date: e.date(-10), Reason: "решение комиссии", BasisNumber: "50-к", BasisDate: e.date(-10)})
	if _, enrolled, _ := e.g.Enrolment(admin, p); enrolled {
		t.Fatal("expelled pupil still enrolled")
	}
	if n := e.count("group_members WHERE person_id = $1 AND ends_on IS NULL", p); n != 0 {
		t.Fatalf("expulsion left %d memberships", n)
	}
	_, err = e.record(admin, p, req{Kind: contingent.KindLeave, Date: e.date(-1), Reason: "x"})
	refused(t, "leave when not enrolled", err, errs.Conflict, "kind", "not_enrolled")

	traj, err := e.g.Trajectory(admin, p, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range traj {
		kinds = append(kinds, string(m.Kind))
	}
	if got := strings.Join(kinds, ","); got != "admission,class_transfer,leave,return,expulsion" {
		t.Fatalf("trajectory: %s", got)
	}
	// Every movement is an audit entry about the pupil, and a change.
	if n := e.count("audit_log WHERE action = 'movement.record' AND person_id = $1", p); n != 5 {
		t.Fatalf("%d audit entries, want 5", n)
	}
	if n := e.count("changes WHERE entity = 'movement'"); n != 5 {
		t.Fatalf("%d movement changes, want 5", n)
	}
}

// The classes rollover graduates a class: a graduation for each member.
func TestGraduateClass(t *testing.T) {
	e := newEnv(t)
	admin := e.as(identity.SchoolAdmin, e.a)
	p1, p2 := e.pupil(e.a, "Первый", "2008-01-01"), e.pupil(e.a, "Второй", "2008-02-02")
	e.admit(admin, p1, e.a, e.a6, e.date(-100))
	e.admit(admin, p2, e.a, e.a6, e.date(-100))
	err := e.db.WithTx(admin, func(tx *storeTx) error { return e.g.S.GraduateClass(admin, tx, e.a6, e.date(-1)) })
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count("movements WHERE kind = 'graduation' AND class_id = $1", e.a6); n != 2 {
		t.Fatalf("%d graduations, want 2", n)
	}
	if n := e.count("enrolments WHERE status <> 'ended' AND person_id IN ($1, $2)", p1, p2); n != 0 {
		t.Fatalf("%d enrolments left", n)
	}
	if n := e.count("group_members WHERE group_id = $1 AND ends_on IS NULL", e.a6); n != 0 {
		t.Fatalf("%d members left", n)
	}
}

// Nothing is half-written: a step that fails after the movement row leaves
// no movement, enrolment, change or audit entry.
func TestMovementIsAtomic(t *testing.T) {
	e := newEnv(t)
	admin := e.as(identity.SchoolAdmin, e.a)
	p := e.pupil(e.a, "Атомов", "2015-01-01")
	// The pupil is already a member of 5А (entered by hand), so joining it
	// fails after the enrolment is written.
	e.insert("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, $3, $4)", e.a5, p, e.date(-30), e.now)
	before := e.count("changes")
	audits := e.count("audit_log")
	_, err := e.record(admin, p, req{Kind: contingent.KindAdmission, Date: e.date(-1), OrgID: e.a, ClassID: e.a5, BasisNumber: "1", BasisDate: e.date(-1)})
	refused(t, "join fails", err, errs.Conflict, "class_id", "member")
	if n := e.count("movements"); n != 0 {
		t.Fatalf("%d movements written", n)
	}
	if n := e.count("enrolments"); n != 0 {
		t.Fatalf("%d enrolments written", n)
	}
	if e.count("changes") != before || e.count("audit_log") != audits {
		t.Fatal("changes or audit entries written for a refused movement")
	}
}

// Bulk admissions name the row that broke a rule and write nothing of the
// batch when run in one transaction.
func TestAdmitBulk(t *testing.T) {
	e := newEnv(t)
	p1, p2 := e.pupil(e.a, "Один", "2015-01-01"), e.pupil(e.a, "Два", "2015-01-01")
	rows := []contingent.Admission{
		{PersonID: p1, OrgID: e.a, ClassID: e.a5, Date: e.date(-3), BasisNumber: "1", BasisDate: e.date(-3)},
		{PersonID: p2, OrgID: e.a, ClassID: e.b5, Date: e.date(-3), BasisNumber: "1", BasisDate: e.date(-3)},
	}
	err := e.db.WithTx(e.as(identity.SchoolAdmin, e.a), func(tx *storeTx) error { return e.g.S.AdmitBulk(t.Context(), tx, rows) })
	refused(t, "bulk", err, errs.Invalid, "rows[1].class_id", "organisation")
	if n := e.count("movements"); n != 0 {
		t.Fatalf("%d movements of a refused batch", n)
	}
	rows[1].ClassID = e.a5
	if err := e.db.WithTx(t.Context(), func(tx *storeTx) error { return e.g.S.AdmitBulk(t.Context(), tx, rows) }); err != nil {
		t.Fatal(err)
	}
	if n := e.count("movements WHERE author_login = 'system'"); n != 2 {
		t.Fatalf("%d movements by the system, want 2", n)
	}
}
