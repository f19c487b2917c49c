package browsertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"shkola/internal/browsertest"
	"shkola/internal/calendar"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// A teacher opens the journal of 5А in mathematics, types a mark into the
// first cell by keyboard, moves down with the arrow key and marks the next
// pupil absent with "н"; both cells show they were saved, and after a
// reload they are still there. The grid passes axe and, on a phone, scrolls
// inside its own box with the names in view.
func TestJournalGridByKeyboard(t *testing.T) {
	b := browsertest.New(t)
	r := region(t, b)
	ctx := context.Background()
	app := b.Server.App
	app.Journal.S.Now = func() time.Time { return time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC) }
	school, err := app.Orgs.Create(ctx, org.New{ParentID: &r, Kind: org.School, Name: "Школа № 3", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: r}}})
	person := func(last, first, born string) int64 {
		p, err := app.People.Create(officer, registry.NewPerson{OrgID: school.ID, LastName: last, FirstName: first, BirthDate: born, Sex: "m"})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	y, err := app.Calendar.S.CreateYear(ctx, school.ID, calendar.NewYear{StartsOn: "2026-09-01", EndsOn: "2027-05-31", PeriodKind: calendar.Quarter, Status: calendar.Current})
	if err != nil {
		t.Fatal(err)
	}
	teacher := person("Учителева", "Ольга", "1980-01-01")
	pupils := []int64{person("Антонов", "Антон", "2015-01-01"), person("Борисов", "Борис", "2015-02-02")}
	var class int64
	var lessons []int64
	now := time.Now().UTC()
	err = app.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', 5, 'А', '5А', 'ru_basic', 30, $3, $3) RETURNING id`, school.ID, y.ID, now).Scan(&class); err != nil {
			return err
		}
		for _, p := range pupils {
			if _, err := tx.ExecContext(ctx, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", class, p, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO assignments (group_id, teacher_id, subject, starts_on, created_at) VALUES ($1, $2, 'math', '2026-09-01', $3)", class, teacher, now); err != nil {
			return err
		}
		for _, d := range []string{"2026-09-02", "2026-09-04"} {
			id, err := schedule.InsertLessonTx(ctx, tx, schedule.Lesson{OrgID: school.ID, GroupID: class, Subject: "math", TeacherID: teacher, Date: d, Slot: 1}, now)
			if err != nil {
				return err
			}
			lessons = append(lessons, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	account(t, b, "olga.u", identity.Teacher, school.ID, "a teacher's passphrase")
	if _, err := app.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE login = 'olga.u'", teacher); err != nil {
		t.Fatal(err)
	}
	logIn(b, "olga.u", "a teacher's passphrase")
	grid := fmt.Sprintf("/journal/groups/%d?subject=math", class)
	if st := b.Visit(grid); st != 200 {
		t.Fatalf("grid: %d", st)
	}
	first := fmt.Sprintf(`input.mark[data-lesson="%d"][data-person="%d"]`, lessons[0], pupils[0])
	second := fmt.Sprintf(`input.mark[data-lesson="%d"][data-person="%d"]`, lessons[0], pupils[1])
	b.Click(first)
	b.Type(first, "4-"+kb.ArrowDown) // the mark, then the down arrow
	if got := browsertest.Eval[bool](b, `document.activeElement.matches('`+second+`')`); !got {
		t.Fatal("the down arrow did not move to the next pupil")
	}
	b.Type(second, "н"+kb.Enter) // absent, then Enter
	saved := func(sel string) bool {
		for range 50 {
			if browsertest.Eval[string](b, `document.querySelector('`+sel+`').parentNode.getAttribute('data-state') || ''`) == "saved" {
				return true
			}
			time.Sleep(100 * time.Millisecond)
		}
		return false
	}
	if !saved(first) || !saved(second) {
		t.Fatalf("cells not shown as saved: %q %q", b.Attr(first, "title"), b.Attr(second, "title"))
	}
	b.ExpectNoAxeViolations("journal grid")
	if st := b.Visit(grid); st != 200 {
		t.Fatalf("reload: %d", st)
	}
	if v := b.Attr(first, "value"); v != "4-" {
		t.Errorf("after reload the first cell holds %q", v)
	}
	if v := b.Attr(second, "value"); v != "н" {
		t.Errorf("after reload the second cell holds %q", v)
	}
	// A mark off the scale is refused in its cell, with the reason.
	b.Type(first, "7"+kb.ArrowDown)
	for range 50 {
		if browsertest.Eval[string](b, `document.querySelector('`+first+`').parentNode.getAttribute('data-state') || ''`) == "failed" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if title := b.Attr(first, "title"); title == "" || !containsAny(title, "2", "5") {
		t.Errorf("the refused cell explains nothing: %q", title)
	}
	// On a phone the table scrolls inside its box, not the page.
	b.Viewport(390, 844, true)
	b.Visit(grid)
	if o := b.HorizontalOverflow(); o > 0 {
		t.Errorf("the page scrolls sideways by %d px on a phone", o)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}
