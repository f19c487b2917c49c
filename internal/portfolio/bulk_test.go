package portfolio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/errs"
	"shkola/internal/org"
	"shkola/internal/portfolio"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// A bulk write of portfolios keeps the rules of one by one: an exam result
// or a certificate the pupil already has (stored or earlier in the batch)
// and an achievement off the directory are refused, naming the row, and
// nothing of the batch remains. A good batch writes every row, seals the
// certificate's number to its row, and computes the gifted attribute once
// per pupil from all their confirmed achievements.
func TestWriteBulk(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	db := s.App.DB
	ps := s.App.Portfolio.S
	o, err := org.NewService(db).Create(ctx, org.New{Kind: org.Region, Name: "Область", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	pupil := func(last string) portfolio.Pupil {
		p := portfolio.Pupil{OrgID: o.ID, LastName: last, FirstName: "Ира", BirthDate: "2010-03-01"}
		if err := db.W.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, name_key, created_at, updated_at)
			VALUES ($1, $2, $3, '', $4, 'f', $5, $6, $6) RETURNING id`, o.ID, last, p.FirstName, p.BirthDate, registry.NameKey(last, p.FirstName), time.Now()).Scan(&p.ID); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ann, bea := pupil("Иванова"), pupil("Петрова")
	day := time.Now().AddDate(0, -2, 0).Format("2006-01-02")
	prize := portfolio.NewAchievement{Kind: "olympiad", Title: "Олимпиада по физике", Subject: "phys", Level: "regional", Result: "prize_winner", Date: day}
	school := portfolio.NewAchievement{Kind: "contest", Title: "Конкурс чтецов", Level: "school", Result: "participant", Date: day}
	score, top := 30, 37
	exam := portfolio.NewExam{Kind: "oge", Subject: "rus", Score: &score, MaxScore: &top, Year: 2026}
	cert := portfolio.NewCertificate{Number: "04012345678901", IssuedOn: "2026-06-27"}
	write := func(b portfolio.Bulk) error {
		return db.WithTx(ctx, func(tx *store.Tx) error { return ps.WriteBulk(ctx, tx, b) })
	}
	count := func(q string, args ...any) int {
		var n int
		if err := db.R.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := write(portfolio.Bulk{Exams: []portfolio.BulkExam{{Pupil: bea, New: exam, By: "t"}}}); err != nil {
		t.Fatal(err)
	}
	bad := prize
	bad.Level = "galactic"
	for name, c := range map[string]struct {
		b     portfolio.Bulk
		field string
	}{
		"a stored exam again": {portfolio.Bulk{Exams: []portfolio.BulkExam{{Pupil: ann, New: exam, By: "t"}, {Pupil: bea, New: exam, By: "t"}}}, "exams[1].subject"},
		"an exam twice":       {portfolio.Bulk{Exams: []portfolio.BulkExam{{Pupil: ann, New: exam, By: "t"}, {Pupil: ann, New: exam, By: "t"}}}, "exams[1].subject"},
		"a certificate twice": {portfolio.Bulk{Certificates: []portfolio.BulkCertificate{{Pupil: ann, Kind: "basic", New: cert},
			{Pupil: ann, Kind: "basic", New: cert}}}, "certificates[1].kind"},
		"a level off the directory": {portfolio.Bulk{Achievements: []portfolio.BulkAchievement{{Pupil: ann, New: school, Status: portfolio.Confirmed, By: "t"},
			{Pupil: ann, New: bad, Status: portfolio.Confirmed, By: "t"}}}, "achievements[1].level"},
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
	if n := count("SELECT COUNT(*) FROM achievements") + count("SELECT COUNT(*) FROM certificates") + count("SELECT COUNT(*) FROM exam_results"); n != 1 {
		t.Fatalf("refused batches left rows behind: %d rows", n)
	}
	err = write(portfolio.Bulk{
		Achievements: []portfolio.BulkAchievement{{Pupil: ann, New: school, Status: portfolio.Confirmed, By: "t"},
			{Pupil: ann, New: prize, Status: portfolio.Confirmed, By: "t"}, {Pupil: bea, New: school, Status: portfolio.Confirmed, By: "t"}},
		Exams:        []portfolio.BulkExam{{Pupil: ann, New: exam, By: "t"}},
		Certificates: []portfolio.BulkCertificate{{Pupil: ann, Kind: "basic", New: cert}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM achievements WHERE status = 'confirmed'"); n != 3 {
		t.Errorf("%d confirmed achievements, want 3", n)
	}
	if g := count("SELECT COUNT(*) FROM gifted WHERE gifted = TRUE AND person_id = $1", ann.ID); g != 1 {
		t.Error("a regional prize-winner is not gifted")
	}
	if g := count("SELECT COUNT(*) FROM gifted WHERE gifted = FALSE AND person_id = $1", bea.ID); g != 1 {
		t.Error("a school participant has no attribute computed, or is gifted")
	}
	certs, err := ps.Certificates(ctx, db.R, ann.ID)
	if err != nil || len(certs) != 1 || certs[0].Number != cert.Number {
		t.Errorf("certificates %+v (%v): the sealed number does not open to what was written", certs, err)
	}
}
