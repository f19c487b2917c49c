package demo_test

import (
	"context"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/demo"
)

// The demo gives a share of pupils achievements, some of them the gifted
// attribute, finishers of grade 9 their ОГЭ results and certificate, and
// pupil1 a proposal waiting for review.
func TestDemoPortfolio(t *testing.T) {
	s := apptest.Start(t)
	sum, err := demo.Generate(context.Background(), s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts, People: s.App.People,
		Contingent: s.App.Contingent.S, Portfolio: s.App.Portfolio.S})
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := s.App.DB.R.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pupils := count("SELECT COUNT(DISTINCT person_id) FROM group_members WHERE ends_on IS NULL")
	with := count("SELECT COUNT(DISTINCT person_id) FROM achievements")
	gifted := count("SELECT COUNT(*) FROM gifted WHERE gifted = TRUE")
	if sum.Counts["achievements"] == 0 || with*100 < pupils*5 || with*100 > pupils*25 {
		t.Errorf("%d of %d pupils have achievements (%d achievements)", with, pupils, sum.Counts["achievements"])
	}
	if gifted == 0 || gifted >= with {
		t.Errorf("%d gifted of %d with achievements", gifted, with)
	}
	if n := count(`SELECT COUNT(*) FROM achievements a JOIN accounts c ON c.person_id = a.person_id
		WHERE c.login = 'pupil1' AND a.status = 'proposed' AND a.file_id IS NOT NULL`); n != 1 {
		t.Errorf("pupil1 has %d proposals with a document waiting", n)
	}
	if n := count(`SELECT COUNT(*) FROM achievements a JOIN group_members m ON m.person_id = a.person_id AND m.ends_on IS NULL
		JOIN groups g ON g.id = m.group_id JOIN accounts c ON c.person_id = g.class_teacher_id
		WHERE c.login = 'teacher1' AND a.status = 'proposed' AND a.proposed_by = 'parent1'`); n != 1 {
		t.Errorf("teacher1 has %d proposals of parent1 to review", n)
	}
	if n := count(`SELECT COUNT(*) FROM gifted g JOIN accounts c ON c.person_id = g.person_id WHERE c.login = 'pupil1' AND g.gifted = TRUE`); n != 1 {
		t.Error("pupil1 is not gifted in the demo")
	}
	if count("SELECT COUNT(*) FROM exam_results WHERE kind = 'oge'") == 0 || count("SELECT COUNT(*) FROM certificates WHERE number_enc LIKE 'v1.%'") == 0 {
		t.Error("no exam results or sealed certificates for those who finished grade 9")
	}
}
