package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"shkola/internal/portfolio"
	"shkola/internal/store"
)

// genPortfolio gives a share of pupils from grade 5 up achievements in
// olympiads, competitions and contests (mostly school and municipal, some
// regional and national prize-winners, so the gifted attribute shows for
// some), exam results and the basic-school certificate to pupils who
// finished grade 9, an achievement and a proposal (by parent1, for
// teacher1 to review) for parent1's child, and for pupil1 a regional prize
// plus a proposal with a document waiting for review.
// Rows go through the portfolio's in-transaction functions, so the gifted
// attribute is computed as in production.
func genPortfolio(ctx context.Context, g *Gen, tx *store.Tx) error {
	if g.Portfolio == nil || g.People == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.person_id, c.parallel, p.org_id, p.last_name, p.first_name, p.middle_name, p.birth_date
		FROM group_members m JOIN groups c ON c.id = m.group_id AND c.kind = 'class' JOIN persons p ON p.id = m.person_id AND p.merged_into IS NULL
		WHERE m.ends_on IS NULL ORDER BY c.org_id, c.parallel, c.letter, m.person_id`)
	if err != nil {
		return err
	}
	type pupil struct {
		portfolio.Pupil
		parallel int
	}
	var all []pupil
	for rows.Next() {
		var p pupil
		if err := rows.Scan(&p.ID, &p.parallel, &p.OrgID, &p.LastName, &p.FirstName, &p.MiddleName, &p.BirthDate); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		all = append(all, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	ps := g.Portfolio
	add := func(id int64, n portfolio.NewAchievement, status string, doc *portfolio.Upload, by string) error {
		p, err := portfolio.LoadPupil(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := ps.AddAchievementTx(ctx, tx, p, n, status, by, doc, nil); err != nil {
			return fmt.Errorf("achievement of %d: %w", id, err)
		}
		g.Sum.Counts["achievements"]++
		return nil
	}
	// A school's portfolios go in in bulk, the gifted attribute computed
	// once per pupil.
	var b portfolio.Bulk
	flush := func() error {
		if err := ps.WriteBulk(ctx, tx, b); err != nil {
			return err
		}
		b = portfolio.Bulk{}
		return nil
	}
	for i, p := range all {
		if i > 0 && all[i-1].OrgID != p.OrgID {
			if err := flush(); err != nil {
				return err
			}
		}
		if p.parallel >= 5 && g.R.IntN(100) < 18 {
			for range 1 + g.R.IntN(3) {
				b.Achievements = append(b.Achievements, portfolio.BulkAchievement{Pupil: p.Pupil, New: g.achievement(), Status: portfolio.Confirmed, By: "demo"})
				g.Sum.Counts["achievements"]++
			}
		}
		if p.parallel == 10 || p.parallel == 11 {
			g.basicSchoolResults(&b, p.Pupil, Epoch().Year()-(p.parallel-10))
		}
	}
	if err := flush(); err != nil {
		return err
	}
	var parentChild, pupil1 int64
	_ = tx.QueryRowContext(ctx, `SELECT g.child_id FROM guardianships g JOIN accounts a ON a.person_id = g.guardian_id
		WHERE a.login = 'parent1' AND g.ends_on IS NULL ORDER BY g.child_id LIMIT 1`).Scan(&parentChild)
	_ = tx.QueryRowContext(ctx, "SELECT person_id FROM accounts WHERE login = 'pupil1' AND person_id IS NOT NULL").Scan(&pupil1)
	if parentChild != 0 {
		n := portfolio.NewAchievement{Kind: "contest", Title: "Конкурс рисунков «Моя семья»", Level: "school", Result: "winner",
			Date: day(-40), Organiser: "Школа"}
		if err := add(parentChild, n, portfolio.Confirmed, nil, "demo"); err != nil {
			return err
		}
		// parent1 proposes one for the child: teacher1, the class teacher,
		// finds it under "proposals".
		n = portfolio.NewAchievement{Kind: "contest", Title: "Городской конкурс чтецов «Живая классика»", Level: "municipal", Result: "prize_winner",
			Date: day(-5), Organiser: "Управление образования"}
		if err := add(parentChild, n, portfolio.Proposed, &portfolio.Upload{Name: "грамота.pdf", R: bytes.NewReader(demoDiploma(n.Title))}, "parent1"); err != nil {
			return err
		}
	}
	if pupil1 != 0 {
		n := portfolio.NewAchievement{Kind: "olympiad", Title: "Всероссийская олимпиада школьников по математике, региональный этап",
			Subject: "math", Level: "regional", Result: "prize_winner", Date: day(-190), Organiser: "Министерство образования региона"}
		if err := add(pupil1, n, portfolio.Confirmed, nil, "demo"); err != nil {
			return err
		}
		n = portfolio.NewAchievement{Kind: "competition", Title: "Первенство района по шахматам", Level: "municipal", Result: "winner",
			Date: day(-10), Organiser: "Спортивная школа района"}
		if err := add(pupil1, n, portfolio.Proposed, &portfolio.Upload{Name: "диплом-шахматы.pdf", R: bytes.NewReader(demoDiploma(n.Title))}, "pupil1"); err != nil {
			return err
		}
	}
	return nil
}

// day is a date relative to the demo's epoch.
func day(offset int) string { return Epoch().AddDate(0, 0, offset).Format("2006-01-02") }

// demoDiploma is a small valid PDF naming the achievement.
func demoDiploma(title string) []byte {
	return []byte("%PDF-1.4\n% demo diploma\n1 0 obj << /Title (" + fmt.Sprintf("%x", title) + ") >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

var (
	olympiadSubjects = []struct{ code, by string }{
		{"math", "математике"}, {"phys", "физике"}, {"chem", "химии"}, {"bio", "биологии"}, {"inf", "информатике"},
		{"rus", "русскому языку"}, {"hist", "истории"}, {"eng", "английскому языку"}, {"geo", "географии"}, {"lit", "литературе"},
	}
	stageOf   = map[string]string{"school": "школьный", "municipal": "муниципальный", "regional": "региональный", "national": "заключительный", "international": "международный"}
	organiser = map[string]string{"school": "Школа", "municipal": "Управление образования", "regional": "Министерство образования региона",
		"national": "Министерство просвещения", "international": "Международный оргкомитет"}
	contests = []struct{ kind, title string }{
		{"contest", "Конкурс чтецов «Живая классика»"}, {"contest", "Конкурс исследовательских работ «Шаг в будущее»"},
		{"competition", "Турнир по шахматам"}, {"competition", "Президентские состязания"}, {"contest", "Конкурс «Юный эколог»"},
		{"other", "Научно-практическая конференция школьников"},
	}
)

// achievement draws one achievement: mostly school and municipal stages,
// some regional, few national and international.
func (g *Gen) achievement() portfolio.NewAchievement {
	levels := []string{"school", "municipal", "regional", "national", "international"}
	weights := []int{40, 33, 19, 7, 1}
	n := g.R.IntN(100)
	level := levels[0]
	for i, w := range weights {
		if n < w {
			level = levels[i]
			break
		}
		n -= w
	}
	result := "participant"
	switch r := g.R.IntN(100); {
	case r < 15:
		result = "winner"
	case r < 45:
		result = "prize_winner"
	}
	on := day(-10 - g.R.IntN(600))
	if g.R.IntN(100) < 65 {
		s := olympiadSubjects[g.R.IntN(len(olympiadSubjects))]
		return portfolio.NewAchievement{Kind: "olympiad", Subject: s.code, Level: level, Result: result, Date: on, Organiser: organiser[level],
			Title: fmt.Sprintf("Всероссийская олимпиада школьников по %s, %s этап", s.by, stageOf[level])}
	}
	c := contests[g.R.IntN(len(contests))]
	return portfolio.NewAchievement{Kind: c.kind, Level: level, Result: result, Date: on, Organiser: organiser[level], Title: c.title}
}

// basicSchoolResults adds to b the ОГЭ of a pupil who finished grade 9 in
// year (Russian and mathematics, and two subjects of choice) and the
// basic-school certificate.
func (g *Gen) basicSchoolResults(b *portfolio.Bulk, p portfolio.Pupil, year int) {
	exams := []struct {
		subject string
		top     int
	}{{"rus", 37}, {"math", 31}}
	choice := []struct {
		subject string
		top     int
	}{{"phys", 45}, {"chem", 40}, {"bio", 48}, {"inf", 19}, {"soc", 37}, {"eng", 68}, {"geo", 31}, {"hist", 37}}
	for _, i := range g.R.Perm(len(choice))[:2] {
		exams = append(exams, choice[i])
	}
	for _, e := range exams {
		score := e.top/3 + g.R.IntN(e.top-e.top/3+1)
		top := e.top
		b.Exams = append(b.Exams, portfolio.BulkExam{Pupil: p, New: portfolio.NewExam{Kind: "oge", Subject: e.subject, Score: &score, MaxScore: &top, Year: year},
			By: "demo"})
		g.Sum.Counts["exam results"]++
	}
	issued := time.Date(year, time.June, 25+g.R.IntN(4), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	number := fmt.Sprintf("%05d%09d", 10000+g.R.IntN(89999), g.R.IntN(1_000_000_000))
	b.Certificates = append(b.Certificates, portfolio.BulkCertificate{Pupil: p, Kind: "basic",
		New: portfolio.NewCertificate{Number: number, IssuedOn: issued, Honours: g.R.IntN(100) < 8}})
}
