package access_test

import (
	"context"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// flagPolicy has a database without tables, whose statements are counted:
// the tests below show that the flags alone decide.
func flagPolicy(t *testing.T) *access.Policy {
	t.Helper()
	m, err := access.ParseMatrix(`teacher,teaches,journal,read,allow
teacher,takes_lesson,journal,write,allow
school_admin,scope,journal,read,allow
school_admin,scope,journal,write,allow
`)
	if err != nil {
		t.Fatal(err)
	}
	p := access.NewPolicy(m, storetest.Open(t))
	p.RelateObject(access.Teaches, func(a *identity.Actor, c access.Columns, args *store.Args) string {
		return "teaches(" + args.Add(a.PersonID) + ", " + c.Class + ")"
	})
	p.RelateObject(access.TakesLesson, func(a *identity.Actor, c access.Columns, args *store.Args) string {
		if c.Lesson == "" {
			return ""
		}
		return "takes(" + args.Add(a.PersonID) + ", " + c.Lesson + ")"
	})
	return p
}

// answer sets the flag whose condition contains what to v (all others 0)
// and returns the target the answers make.
func answer(t *testing.T, f *access.Flags, answers map[string]int64) access.Target {
	t.Helper()
	items := strings.Split(f.Select(), ", CASE WHEN ")[1:]
	dest := f.Dest()
	if len(items) != len(dest) {
		t.Fatalf("%d columns, %d destinations", len(items), len(dest))
	}
	for i, item := range items {
		*(dest[i].(*int64)) = 0
		for what, v := range answers {
			if strings.HasPrefix(item, what) {
				*(dest[i].(*int64)) = v
			}
		}
	}
	tg := access.Target{OrgIDs: []int64{30}, ClassID: 7, LessonID: 9}
	f.Apply(&tg)
	return tg
}

func TestFlagsDecideWithoutQueries(t *testing.T) {
	p := flagPolicy(t)
	a := &identity.Actor{AccountID: 1, PersonID: 5, Login: "t",
		Grants: []identity.Grant{{Role: identity.Teacher, OrgID: 10}, {Role: identity.SchoolAdmin, OrgID: 20}}}
	var args store.Args
	f := p.Flags(a, "journal", []string{"read", "write"}, access.Columns{Org: "x.org", Class: "x.class", Lesson: "x.lesson"}, &args)
	sel := f.Select()
	for _, want := range []string{"teaches($1, x.class)", "takes($", "flag_ot.ancestor_id = $", "flag_ot.descendant_id = x.org"} {
		if !strings.Contains(sel, want) {
			t.Errorf("select lacks %q: %s", want, sel)
		}
	}
	if len(f.Dest()) != 3 || !f.Asks(access.Teaches) || f.Asks(access.ClassTeacherOf) {
		t.Fatalf("flags: %d columns, asks teaches %v, class teacher %v", len(f.Dest()), f.Asks(access.Teaches), f.Asks(access.ClassTeacherOf))
	}
	ctx := context.Background()
	before := p.DB.Queries.Read().RoundTrips()
	cases := []struct {
		answers     map[string]int64
		read, write bool
	}{
		{map[string]int64{}, false, false},
		{map[string]int64{"teaches": 1}, true, false},
		{map[string]int64{"takes": 1}, false, true},
		{map[string]int64{"EXISTS": 1}, true, true}, // within the administrator's school
	}
	for _, c := range cases {
		tg := answer(t, f, c.answers)
		for action, want := range map[string]bool{"read": c.read, "write": c.write} {
			got, err := p.Allowed(ctx, a, "journal", action, tg)
			if err != nil || got != want {
				t.Errorf("%v %s: %v %v, want %v", c.answers, action, got, err, want)
			}
		}
	}
	if n := p.DB.Queries.Read().RoundTrips() - before; n != 0 {
		t.Errorf("deciding sent %d statements", n)
	}
}

// Relationships without an SQL form for the columns given, and actors
// without a person, get no flags: the policy asks them itself.
func TestFlagsLeaveTheRestToThePolicy(t *testing.T) {
	p := flagPolicy(t)
	var args store.Args
	teacher := &identity.Actor{AccountID: 1, PersonID: 5, Grants: []identity.Grant{{Role: identity.Teacher, OrgID: 10}}}
	if f := p.Flags(teacher, "journal", []string{"write"}, access.Columns{Org: "x.org", Class: "x.class"}, &args); len(f.Dest()) != 0 || !f.Asks(access.TakesLesson) {
		t.Errorf("takes_lesson without a lesson column: %q", f.Select())
	}
	nobody := &identity.Actor{AccountID: 2, Grants: []identity.Grant{{Role: identity.Teacher, OrgID: 10}}}
	if f := p.Flags(nobody, "journal", []string{"read", "write"}, access.Columns{Org: "x.org", Class: "x.class", Lesson: "x.lesson"}, &args); len(f.Dest()) != 0 {
		t.Errorf("an account without a person: %q", f.Select())
	}
	if len(args.Values) != 0 {
		t.Errorf("arguments added for no condition: %v", args.Values)
	}
}
