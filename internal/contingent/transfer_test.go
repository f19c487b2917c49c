package contingent_test

import (
	"testing"

	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

func pending(t *testing.T, e *env, who int64, orgID int64, dir string) []contingent.Transfer {
	t.Helper()
	ts, err := e.g.Transfers(e.as(identity.SchoolAdmin, who), orgID, contingent.TransferFilter{Direction: dir, Status: contingent.Pending, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// A pupil leaves school A for school C (another municipality): the
// transfer waits in C's incoming list until C accepts it, enrolling the
// pupil; the record moves to C, and the trajectory shows both schools.
func TestTransferBetweenSchools(t *testing.T) {
	e := newEnv(t)
	adminA, adminC := e.as(identity.SchoolAdmin, e.a), e.as(identity.SchoolAdmin, e.c)
	p := e.pupil(e.a, "Морозов", "2014-02-02")
	e.admit(adminA, p, e.a, e.a5, e.date(-100))

	_, err := e.record(adminA, p, req{Kind: contingent.KindDeparture, Date: e.date(-10), ToOrgID: e.a, BasisNumber: "7", BasisDate: e.date(-10)})
	refused(t, "departure to itself", err, errs.Invalid, "to_org_id", "same")
	_, err = e.record(adminA, p, req{Kind: contingent.KindDeparture, Date: e.date(-10), Destination: contingent.ToOutside, BasisNumber: "7", BasisDate: e.date(-10)})
	refused(t, "outside without a place", err, errs.Invalid, "place", "required")
	dep := e.must(adminA, p, req{Kind: contingent.KindDeparture, Date: e.date(-10), ToOrgID: e.c, BasisNumber: "7-к", BasisDate: e.date(-10),
		Reason: "переезд"})
	if dep.Destination != contingent.ToOrg || dep.OtherOrg == nil || dep.OtherOrg.ID != e.c || dep.TransferID == nil {
		t.Fatalf("departure: %+v", dep)
	}
	if n := e.count("group_members WHERE person_id = $1 AND ends_on IS NULL", p); n != 0 {
		t.Fatalf("departed pupil is still in %d groups", n)
	}
	in := pending(t, e, e.c, e.c, "in")
	if len(in) != 1 || in[0].Person.ID != p || in[0].From.ID != e.a || in[0].DaysOpen != 10 {
		t.Fatalf("C's incoming: %+v", in)
	}
	if out := pending(t, e, e.a, e.a, "out"); len(out) != 1 || out[0].To == nil || out[0].To.ID != e.c {
		t.Fatalf("A's outgoing: %+v", out)
	}
	// Only C decides: A may not, B (same municipality as A) sees nothing.
	acc := contingent.Accept{ClassID: e.c5, Date: e.date(-8), BasisNumber: "31-к", BasisDate: e.date(-8)}
	if _, err := e.g.Accept(adminA, in[0].ID, acc); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("A accepting: %v", err)
	}
	if _, err := e.g.Accept(e.as(identity.Inspector, e.region), in[0].ID, acc); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("inspector accepting: %v, want forbidden", err)
	}
	bad := acc
	bad.ClassID = e.a5
	_, err = e.g.Accept(adminC, in[0].ID, bad)
	refused(t, "class of the origin", err, errs.Invalid, "class_id", "organisation")
	bad = acc
	bad.Date = e.date(-11)
	_, err = e.g.Accept(adminC, in[0].ID, bad)
	refused(t, "arrival before the departure", err, errs.Invalid, "date", "before_previous")

	tr, err := e.g.Accept(adminC, in[0].ID, acc)
	if err != nil {
		t.Fatalf("accept: %v %v", err, fields(err))
	}
	if tr.Status != contingent.Arrived || tr.ArrivalID == nil || tr.To.ID != e.c || tr.DaysOpen != 0 {
		t.Fatalf("accepted transfer: %+v", tr)
	}
	if got := e.id("SELECT org_id FROM persons WHERE id = $1", p); got != e.c {
		t.Fatalf("the record stays at %d, want C (%d)", got, e.c)
	}
	en, enrolled, err := e.g.Enrolment(adminC, p)
	if err != nil || !enrolled || en.Org.ID != e.c || en.Class.ID != e.c5 {
		t.Fatalf("enrolment at C: %+v %v %v", en, enrolled, err)
	}
	traj, err := e.g.Trajectory(adminC, p, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(traj) != 3 || traj[0].Org.Name != "Школа А" || traj[1].Kind != contingent.KindDeparture ||
		traj[2].Kind != contingent.KindArrival || traj[2].Org.Name != "Школа В" || traj[2].OtherOrg.Name != "Школа А" || traj[2].Class.Name != "5А" {
		t.Fatalf("trajectory: %+v", traj)
	}
	// The region sees it; A no longer holds the record.
	if _, err := e.g.Trajectory(e.as(identity.RegionalOfficer, e.region), p, 0, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.Trajectory(adminA, p, 0, 50); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("A reading the trajectory after the arrival: %v", err)
	}
	if _, err := e.g.Accept(adminC, in[0].ID, acc); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("accepting twice: %v", err)
	}
	if n := e.count("audit_log WHERE action = 'transfer.accept' AND person_id = $1", p); n != 1 {
		t.Fatalf("%d accept audit entries", n)
	}
}

// The receiving school declines: the transfer stays open for the origin,
// and another school may admit the pupil, which resolves it.
func TestDeclinedTransfer(t *testing.T) {
	e := newEnv(t)
	adminA, adminB, adminC := e.as(identity.SchoolAdmin, e.a), e.as(identity.SchoolAdmin, e.b), e.as(identity.SchoolAdmin, e.c)
	p := e.pupil(e.a, "Волков", "2014-03-03")
	e.admit(adminA, p, e.a, e.a5, e.date(-50))
	e.must(adminA, p, req{Kind: contingent.KindDeparture, Date: e.date(-40), ToOrgID: e.b, BasisNumber: "8", BasisDate: e.date(-40)})
	tid := pending(t, e, e.b, e.b, "in")[0].ID
	// While B has not decided, nobody else admits the pupil.
	_, err := e.record(adminC, p, req{Kind: contingent.KindAdmission, Date: e.date(-5), OrgID: e.c, ClassID: e.c5, BasisNumber: "1", BasisDate: e.date(-5)})
	refused(t, "admission while B decides", err, errs.Conflict, "org_id", "transfer_pending")

	if _, err := e.g.DeclineTransfer(adminB, tid, contingent.Decline{}); err == nil {
		t.Fatal("declined without a reason")
	} else {
		refused(t, "decline", err, errs.Invalid, "reason", "required")
	}
	if _, err := e.g.DeclineTransfer(adminC, tid, contingent.Decline{Reason: "нет мест"}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("C declining B's transfer: %v", err)
	}
	tr, err := e.g.DeclineTransfer(adminB, tid, contingent.Decline{Reason: "нет мест"})
	if err != nil || tr.Status != contingent.Declined || tr.DeclinedBy == nil || tr.DeclinedBy.ID != e.b || tr.DaysOpen != 40 {
		t.Fatalf("declined: %+v %v", tr, err)
	}
	if _, err := e.g.Accept(adminB, tid, contingent.Accept{ClassID: e.b5, Date: e.date(-1), BasisNumber: "1", BasisDate: e.date(-1)}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("accepting a declined transfer: %v", err)
	}
	// Open for the origin, and past the threshold: whereabouts unknown.
	if out := pendingOrDeclined(t, e, e.a); len(out) != 1 {
		t.Fatalf("A's open transfers: %+v", out)
	}
	if lost, _ := e.g.Whereabouts(e.as(identity.MunicipalOfficer, e.m1), e.m1, 0, 50); len(lost) != 1 || lost[0].Person.ID != p {
		t.Fatalf("declined transfer past the threshold is not listed: %+v", lost)
	}
	// C admits the pupil (a former pupil, whose record C could not see).
	m := e.must(adminC, p, req{Kind: contingent.KindAdmission, Date: e.date(-2), OrgID: e.c, ClassID: e.c5, BasisNumber: "9", BasisDate: e.date(-2)})
	if m.OtherOrg == nil || m.OtherOrg.ID != e.a {
		t.Fatalf("admission does not name the origin: %+v", m)
	}
	var status string
	if err := e.db.R.QueryRow("SELECT status FROM transfers WHERE id = $1", tid).Scan(&status); err != nil || status != contingent.Arrived {
		t.Fatalf("transfer after admission elsewhere: %s %v", status, err)
	}
}

func pendingOrDeclined(t *testing.T, e *env, orgID int64) []contingent.Transfer {
	t.Helper()
	all, err := e.g.Transfers(e.as(identity.SchoolAdmin, orgID), orgID, contingent.TransferFilter{Direction: "out", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []contingent.Transfer
	for _, tr := range all {
		if tr.Status != contingent.Arrived {
			out = append(out, tr)
		}
	}
	return out
}

// A pupil who left for nobody knows where is listed as whereabouts
// unknown once the threshold has passed (the clock is the service's), for
// the municipality and the region of the origin and for the origin itself,
// and leaves the list when admitted anywhere.
func TestWhereaboutsUnknown(t *testing.T) {
	e := newEnv(t)
	adminA := e.as(identity.SchoolAdmin, e.a)
	p := e.pupil(e.a, "Пропавший", "2013-05-05")
	q := e.pupil(e.a, "Уехавший", "2013-06-06")
	e.admit(adminA, p, e.a, e.a5, e.date(-60))
	e.admit(adminA, q, e.a, e.a5, e.date(-60))
	dep := e.must(adminA, p, req{Kind: contingent.KindDeparture, Date: e.date(0), Destination: contingent.ToUnknown, BasisNumber: "11", BasisDate: e.date(0)})
	if dep.Destination != contingent.ToUnknown || dep.TransferID == nil {
		t.Fatalf("departure to the unknown: %+v", dep)
	}
	// Leaving the region names the place and opens no transfer.
	out := e.must(adminA, q, req{Kind: contingent.KindDeparture, Date: e.date(0), Destination: contingent.ToOutside, Place: "Республика Беларусь",
		BasisNumber: "12", BasisDate: e.date(0)})
	if out.TransferID != nil || out.OtherPlace != "Республика Беларусь" {
		t.Fatalf("departure outside: %+v", out)
	}
	lost := func(role identity.Role, orgID, of int64) []contingent.Transfer {
		t.Helper()
		l, err := e.g.Whereabouts(e.as(role, orgID), of, 0, 50)
		if err != nil {
			t.Fatalf("%s at %d: %v", role, orgID, err)
		}
		return l
	}
	e.now = e.now.AddDate(0, 0, 30)
	if l := lost(identity.MunicipalOfficer, e.m1, e.m1); len(l) != 0 {
		t.Fatalf("listed after exactly 30 days: %+v", l)
	}
	e.now = e.now.AddDate(0, 0, 1)
	for _, who := range []struct {
		role    identity.Role
		org, of int64
	}{{identity.MunicipalOfficer, e.m1, e.m1}, {identity.RegionalOfficer, e.region, e.region}, {identity.SchoolAdmin, e.a, e.a}} {
		l := lost(who.role, who.org, who.of)
		if len(l) != 1 || l[0].Person.ID != p || l[0].From.Name != "Школа А" || l[0].DaysOpen != 31 || l[0].To != nil {
			t.Fatalf("%s: %+v", who.role, l)
		}
	}
	if l := lost(identity.MunicipalOfficer, e.m2, e.m2); len(l) != 0 {
		t.Fatalf("another municipality sees %+v", l)
	}
	if _, err := e.g.Whereabouts(e.as(identity.MunicipalOfficer, e.m2), e.m1, 0, 50); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another municipality asking for m1: %v", err)
	}
	if _, err := e.g.Whereabouts(e.as(identity.Teacher, e.a), e.a, 0, 50); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("a teacher: %v", err)
	}
	// Found: school C (the other municipality) admits the child.
	adminC := e.as(identity.SchoolAdmin, e.c)
	e.must(adminC, p, req{Kind: contingent.KindAdmission, Date: e.date(0), OrgID: e.c, ClassID: e.c5, BasisNumber: "77", BasisDate: e.date(0)})
	if l := lost(identity.RegionalOfficer, e.region, e.region); len(l) != 0 {
		t.Fatalf("still listed after the admission: %+v", l)
	}
	if got := e.id("SELECT org_id FROM persons WHERE id = $1", p); got != e.c {
		t.Fatalf("record at %d, want C", got)
	}
	// A record that was never a pupil's stays out of another school's reach.
	stranger := e.pupil(e.a, "Чужой", "2013-01-01")
	denials := e.denials
	_, err := e.record(adminC, stranger, req{Kind: contingent.KindAdmission, Date: e.date(0), OrgID: e.c, ClassID: e.c5, BasisNumber: "78", BasisDate: e.date(0)})
	if errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("admitting a stranger's record: %v", err)
	}
	if e.denials == denials {
		t.Fatal("the refused admission was not reported as a denial")
	}
}

// The municipality records movements of its schools, not of others, and
// pupils are enrolled at schools, not at the municipality.
func TestMunicipalOfficerRecords(t *testing.T) {
	e := newEnv(t)
	off := e.as(identity.MunicipalOfficer, e.m1)
	p := e.pupil(e.a, "Иванов", "2014-01-01")
	_, err := e.record(off, p, req{Kind: contingent.KindAdmission, Date: e.date(-1), OrgID: e.m1, ClassID: e.a5, BasisNumber: "1", BasisDate: e.date(-1)})
	refused(t, "admission to a municipality", err, errs.Invalid, "org_id", "kind")
	e.admit(off, p, e.a, e.a5, e.date(-1))
	_, err = e.record(off, p, req{Kind: contingent.KindClassTransfer, Date: e.date(0), ClassID: e.c5})
	refused(t, "class of a school of another municipality", err, errs.Invalid, "class_id", "organisation")
	for _, who := range []identity.Role{identity.RegionalOfficer, identity.Inspector} {
		_, err = e.record(e.as(who, e.region), p, req{Kind: contingent.KindClassTransfer, Date: e.date(0), ClassID: e.a6})
		if errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("%s recording: %v, want forbidden", who, err)
		}
	}
}
