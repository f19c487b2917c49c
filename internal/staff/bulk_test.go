package staff_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"shkola/internal/errs"
	"shkola/internal/staff"
	"shkola/internal/store"
)

// A bulk write keeps Hire's rules: an employment overlapping one stored or
// one earlier in the same batch is refused, naming the row, and so is one
// before the person's 14th birthday; nothing of a refused batch remains.
// A good batch writes the employments, the subjects in the directory's
// order and the qualifications, each with its change record.
func TestWriteBulkKeepsTheRulesOfHire(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.hire(t, staff.NewEmployment{PersonID: e.anna, OrgID: e.s1, Position: "teacher", StartsOn: "2020-09-01"}); err != nil {
		t.Fatal(err)
	}
	write := func(b staff.Bulk) error {
		return e.tx(t, func(tx *store.Tx) error { return e.s.WriteBulk(ctx, tx, b) })
	}
	count := func(q string, args ...any) int {
		var n int
		if err := e.s.DB.R.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count("SELECT COUNT(*) FROM employments")
	for name, c := range map[string]struct {
		b     staff.Bulk
		field string
	}{
		"overlap with a stored one": {staff.Bulk{Employments: []staff.NewEmployment{
			{PersonID: e.boris, OrgID: e.s2, Position: "teacher", StartsOn: "2024-09-01"},
			{PersonID: e.anna, OrgID: e.s1, Position: "teacher", Rate: "0.5", StartsOn: "2026-09-01"}}}, "employments[1].position"},
		"overlap within the batch": {staff.Bulk{Employments: []staff.NewEmployment{
			{PersonID: e.boris, OrgID: e.s2, Position: "teacher", StartsOn: "2024-09-01"},
			{PersonID: e.boris, OrgID: e.s2, Position: "teacher", StartsOn: "2025-09-01"}}}, "employments[1].position"},
		"too young": {staff.Bulk{Employments: []staff.NewEmployment{{PersonID: e.young, OrgID: e.s1, Position: "librarian", StartsOn: "2026-09-01"}}},
			"employments[0].starts_on"},
		"not a subject": {staff.Bulk{Subjects: []staff.PersonSubjects{{PersonID: e.boris, Codes: []string{"math", "alchemy"}}}}, "subjects[0].codes[1]"},
		"a qualification without a title": {staff.Bulk{Qualifications: []staff.PersonQualification{{PersonID: e.boris, New: staff.NewQualification{Kind: "course"}}}},
			"qualifications[0].title"},
	} {
		err := write(c.b)
		var fe *errs.Error
		var fields []string
		if errors.As(err, &fe) {
			for _, f := range fe.Fields {
				fields = append(fields, f.Field)
			}
		}
		if !slices.Contains(fields, c.field) {
			t.Errorf("%s: %v, want a refusal naming %s", name, err, c.field)
		}
	}
	if n := count("SELECT COUNT(*) FROM employments"); n != before {
		t.Fatalf("refused batches left %d employments behind", n-before)
	}
	changes := count("SELECT COUNT(*) FROM changes")
	err := write(staff.Bulk{
		Employments: []staff.NewEmployment{{PersonID: e.boris, OrgID: e.s2, Position: "Teacher", Rate: "0.75", StartsOn: "2024-09-01"},
			{PersonID: e.anna, OrgID: e.s2, Position: "teacher", Rate: "0.25", StartsOn: "2026-09-01"}},
		Subjects: []staff.PersonSubjects{{PersonID: e.boris, Codes: []string{"phys", "math", "math"}}},
		Qualifications: []staff.PersonQualification{{PersonID: e.boris, New: staff.NewQualification{Kind: "education", Title: "Физика",
			IssuedOn: "2012-06-25"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM employments WHERE org_id = $1 AND position = 'teacher' AND ends_on IS NULL", e.s2); n != 2 {
		t.Errorf("%d current teachers at the second school, want 2", n)
	}
	subjects, err := e.s.Subjects(ctx, e.boris)
	if err != nil || strings.Join(subjects, ",") != "math,phys" {
		t.Errorf("subjects %v (%v), want math,phys in the directory's order", subjects, err)
	}
	quals, err := e.s.Qualifications(ctx, e.boris)
	if err != nil || len(quals) != 1 || quals[0].Title != "Физика" {
		t.Errorf("qualifications %+v (%v)", quals, err)
	}
	if n := count("SELECT COUNT(*) FROM changes") - changes; n != 4 {
		t.Errorf("%d change records, want 4 (two employments, the subjects, the qualification)", n)
	}
}
