package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/portfolio"
	"shkola/internal/store"
)

// The class teacher reads a pupil's portfolio with the gifted attribute,
// a proposal to review and every form, and a mother switches between her
// two children: the pages pass axe in every language, in low-vision mode,
// and on a phone without sideways scrolling.
func TestPortfolioPages(t *testing.T) {
	b := browsertest.New(t)
	r := region(t, b)
	ctx := context.Background()
	school, err := b.Server.App.Orgs.Create(ctx, org.New{ParentID: &r, Kind: org.School, Name: "Школа № 7", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	db := b.Server.App.DB
	now := time.Now().UTC()
	insert := func(q string, args ...any) int64 {
		var id int64
		if err := db.W.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	person := func(last, first, born string) int64 {
		return insert(`INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, created_at, updated_at) VALUES ($1, $2, $3, $4, 'f', $5, $5)`,
			school.ID, last, first, born, now)
	}
	older, younger := person("Константинопольская", "Александра", now.AddDate(-15, 0, -3).Format("2006-01-02")), person("Константинопольская", "Вера", "2015-04-04")
	mother, teacher := person("Константинопольская", "Ирина", "1983-02-02"), person("Учителева", "Ольга", "1980-01-01")
	year := insert(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, school.ID, now)
	class := insert(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, class_teacher_id, capacity, created_at, updated_at)
		VALUES ($1, $2, 'class', 9, 'А', '9А', 'ru_basic', $3, 30, $4, $4)`, school.ID, year, teacher, now)
	for _, p := range []int64{older, younger} {
		insert("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", class, p, now)
		insert(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, 'mother', '2015-04-04', $3, 't')`, p, mother, now)
	}
	ps := b.Server.App.Portfolio.S
	p, err := portfolio.LoadPupil(ctx, db.Read(), older)
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := ps.AddAchievementTx(ctx, tx, p, portfolio.NewAchievement{Kind: "olympiad", Subject: "math", Level: "national", Result: "prize_winner",
			Date: now.AddDate(0, -5, 0).Format("2006-01-02"), Organiser: "Министерство просвещения",
			Title: "Всероссийская олимпиада школьников по математике, заключительный этап"}, portfolio.Confirmed, "setup", nil, nil); err != nil {
			return err
		}
		if _, err := ps.AddAchievementTx(ctx, tx, p, portfolio.NewAchievement{Kind: "competition", Level: "municipal", Result: "winner",
			Date: now.AddDate(0, -1, 0).Format("2006-01-02"), Title: "Первенство района по шахматам среди юношей и девушек"}, portfolio.Proposed, "alexandra",
			&portfolio.Upload{Name: "очень-длинное-имя-файла-с-дипломом-первенства-района.pdf", R: bytes.NewReader(pdf)}, nil); err != nil {
			return err
		}
		score, top := 29, 31
		_, err := ps.AddExamTx(ctx, tx, p, portfolio.NewExam{Kind: "oge", Subject: "math", Score: &score, MaxScore: &top, Year: 2026}, "setup", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	account(t, b, "teacher", identity.ClassTeacher, school.ID, "a teacher's passphrase")
	account(t, b, "mother", identity.Guardian, school.ID, "a mother's passphrase")
	for login, id := range map[string]int64{"teacher": teacher, "mother": mother} {
		if _, err := db.W.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE login = $2", id, login); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, b *browsertest.Browser, what string) {
		b.ExpectNoAxeViolations(what)
		b.SetLowVision(true)
		b.ExpectNoAxeViolations(what + ", low vision")
		b.Viewport(375, 740, true)
		b.WaitVisible("main h1")
		if px := b.HorizontalOverflow(); px > 0 {
			t.Log(browsertest.Eval[string](b, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 375 || e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth + '/' + e.clientWidth).slice(0, 12).join(' ')`))
			t.Errorf("%s scrolls sideways by %d px on a phone in low-vision mode", what, px)
		}
		b.Viewport(1280, 900, false)
		b.SetLowVision(false)
		b.ExpectNoConsoleErrors(what)
	}
	logIn(b, "teacher", "a teacher's passphrase")
	page := fmt.Sprintf("/persons/%d/portfolio", older)
	for _, tc := range []struct{ lang, gifted, review string }{
		{"ru", "Признак установлен", "Подтвердить"}, {"uk", "Ознаку встановлено", "Підтвердити"}, {"en", "The attribute is set", "Confirm"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.SetLanguage(tc.lang)
			if st := b.Visit(page); st != 200 {
				t.Fatalf("portfolio: %d", st)
			}
			if got := b.Text("#gifted strong"); got != tc.gifted {
				t.Fatalf("gifted %q, want %q", got, tc.gifted)
			}
			if got := b.Text(`button[name="decision"][value="confirm"]`); got != tc.review {
				t.Fatalf("review button %q", got)
			}
			check(t, b, "portfolio as class teacher")
		})
	}
	b = b.For(t)
	b.SetCookie("sid", "")
	logIn(b, "mother", "a mother's passphrase")
	b.SetLanguage("ru")
	if st := b.ClickAndWait(`nav a[href="/portfolio"]`); st != 200 {
		t.Fatalf("my portfolio: %d", st)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('ul.switch a').length`); n != 2 {
		t.Fatalf("the switcher offers %d children", n)
	}
	check(t, b, "my portfolio as a mother")
}
