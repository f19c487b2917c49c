package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/demo"
	"shkola/internal/staff"
)

// staffDemo generates the small region with people into a fresh server.
func staffDemo(t *testing.T, seed int64) *apptest.Server {
	t.Helper()
	s := apptest.Start(t)
	if _, err := demo.Generate(context.Background(), s.App.DB, demo.Options{Seed: seed, Size: "small", People: s.App.People,
		Contingent: s.App.Contingent.S}); err != nil {
		t.Fatal(err)
	}
	return s
}

// staffDigest hashes the generated staff without sealed values (the key
// rings of two servers differ).
func staffDigest(t *testing.T, s *apptest.Server) string {
	t.Helper()
	rows, err := s.App.DB.R.Query(`SELECT p.last_name, p.first_name, p.middle_name, p.birth_date, e.org_id, e.position, e.rate, e.starts_on,
		COALESCE(e.ends_on, ''), e.basis FROM employments e JOIN persons p ON p.id = e.person_id ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var last, first, middle, born, pos, rate, start, end, basis string
		var org int64
		if err := rows.Scan(&last, &first, &middle, &born, &org, &pos, &rate, &start, &end, &basis); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, last, first, middle, born, org, pos, rate, start, end, basis)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDemoStaff(t *testing.T) {
	s := staffDemo(t, 3)
	ctx := context.Background()
	db := s.App.DB.R
	rows, err := db.Query(`SELECT o.id,
		(SELECT COUNT(*) FROM groups g WHERE g.org_id = o.id AND g.kind = 'class'),
		(SELECT COUNT(*) FROM employments e WHERE e.org_id = o.id AND e.position = 'director' AND e.ends_on IS NULL),
		(SELECT COUNT(*) FROM employments e WHERE e.org_id = o.id AND e.position = 'deputy_director' AND e.ends_on IS NULL),
		(SELECT COUNT(*) FROM employments e WHERE e.org_id = o.id AND e.position = 'teacher' AND e.ends_on IS NULL)
		FROM organisations o WHERE o.kind = 'school' ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	schools := 0
	for rows.Next() {
		var id int64
		var classes, directors, deputies, teachers int
		if err := rows.Scan(&id, &classes, &directors, &deputies, &teachers); err != nil {
			t.Fatal(err)
		}
		schools++
		// About two teachers per class, plus the leaders who also teach.
		if directors != 1 || deputies < 1 || deputies > 2 || teachers < classes*2*9/10 || teachers > classes*2*12/10+4 {
			t.Errorf("school %d: %d classes, %d directors, %d deputies, %d teachers", id, classes, directors, deputies, teachers)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if schools != 4 {
		t.Fatalf("%d schools", schools)
	}
	var noSubjects, partTime, history, quals int
	for q, dst := range map[string]*int{
		`SELECT COUNT(DISTINCT e.person_id) FROM employments e WHERE e.position = 'teacher'
			AND NOT EXISTS (SELECT 1 FROM staff_subjects s WHERE s.person_id = e.person_id)`: &noSubjects,
		`SELECT COUNT(*) FROM (SELECT person_id FROM employments WHERE ends_on IS NULL GROUP BY person_id HAVING COUNT(DISTINCT org_id) > 1) x`: &partTime,
		`SELECT COUNT(*) FROM employments WHERE ends_on IS NOT NULL`:                                                                            &history,
		`SELECT COUNT(*) FROM qualifications WHERE kind = 'education'`:                                                                          &quals,
	} {
		if err := db.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	var people int
	if err := db.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM employments`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	if noSubjects != 0 || partTime < 1 || history < 1 || quals != people {
		t.Fatalf("teachers without subjects %d, part-time at two schools %d, ended employments %d, diplomas %d of %d people",
			noSubjects, partTime, history, quals, people)
	}
	// The list a school sees: everyone current, in name order, on pages.
	var school int64
	if err := db.QueryRow(`SELECT MIN(id) FROM organisations WHERE kind = 'school'`).Scan(&school); err != nil {
		t.Fatal(err)
	}
	items, err := s.App.Staff.S.List(ctx, staff.Filter{OrgID: school, Position: "director", Limit: 10})
	if err != nil || len(items) != 1 {
		t.Fatalf("directors of a school: %v %v", items, err)
	}
	// Same seed, same staff.
	if a, b := staffDigest(t, s), staffDigest(t, staffDemo(t, 3)); a != b {
		t.Fatal("the same seed gave different staff")
	}
}
