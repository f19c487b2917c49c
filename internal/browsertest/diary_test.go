package browsertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"shkola/internal/browsertest"
	"shkola/internal/demo"
	"shkola/internal/store"
)

// A guardian reads the diary: the week of the eldest child, the switcher
// to another child, the previous week, a notification from the bell that
// lands on its lesson in the diary, the period page; in three languages,
// in low-vision mode and at phone width, each passing axe.
func TestDiaryPages(t *testing.T) {
	b := browsertest.New(t)
	s := b.Server
	ctx := context.Background()
	if _, err := demo.Generate(ctx, s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts, People: s.App.People,
		Contingent: s.App.Contingent.S, Portfolio: s.App.Portfolio.S}); err != nil {
		t.Fatal(err)
	}
	today, _ := time.Parse("2006-01-02", demo.Today())
	s.App.Diary.S.Now = func() time.Time { return today.Add(10 * time.Hour) }
	var children []int64
	rows, err := s.App.DB.R.Query(`SELECT gd.child_id FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id
		JOIN persons p ON p.id = gd.child_id WHERE a.login = 'parent1' AND gd.ends_on IS NULL ORDER BY p.birth_date, p.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		children = append(children, id)
	}
	rows.Close()
	if len(children) < 2 {
		t.Fatalf("parent1 has %d children", len(children))
	}
	eldest, other := children[0], children[1]
	name := func(id int64) string {
		var first string
		if err := s.App.DB.R.QueryRow("SELECT first_name FROM persons WHERE id = $1", id).Scan(&first); err != nil {
			t.Fatal(err)
		}
		return first
	}
	// A new mark of the other child: the dispatcher tells parent1.
	var lesson, school int64
	if err := s.App.DB.R.QueryRow(`SELECT x.lesson_id, x.org_id FROM marks x JOIN lessons l ON l.id = x.lesson_id WHERE x.person_id = $1
		AND l.on_date < $2 ORDER BY l.on_date DESC, l.slot DESC LIMIT 1`, other, demo.Today()).Scan(&lesson, &school); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"person_id": other, "lesson_id": lesson, "group_id": 0, "subject": "math"})
	if err := s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
		err := tx.Record(ctx, store.Change{Entity: "mark", EntityID: "1", Op: "create", OrgID: &school, Data: data})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := s.App.Notifier.Dispatch.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	check := b.ExpectAccessibleEverywhere

	if st := logIn(b, "parent1", demo.DemoPassword); st != 200 {
		t.Fatalf("parent1 login: %d", st)
	}
	for _, tc := range []struct{ lang, title string }{{"ru", "Дневник"}, {"uk", "Щоденник"}, {"en", "Diary"}} {
		b.SetLanguage(tc.lang)
		if st := b.ClickAndWait(`nav a[href="/diary"]`); st != 200 {
			t.Fatalf("diary: %d", st)
		}
		if h := b.Text("main h1"); !strings.HasPrefix(h, tc.title) || !strings.Contains(h, name(eldest)) {
			t.Errorf("%s: the diary opens on %q, want the eldest child %s", tc.lang, h, name(eldest))
		}
		if n := browsertest.Eval[int](b, `document.querySelectorAll('main li[id^="lesson-"]').length`); n == 0 {
			t.Errorf("%s: the week shows no lessons", tc.lang)
		}
		check("diary week " + tc.lang)
	}
	b.SetLanguage("ru")
	b.Visit(fmt.Sprintf("/diary/%d", eldest))
	// Switching children keeps the week.
	if st := b.ClickAndWait(fmt.Sprintf(`nav ul.switch a[href^="/diary/%d?"]`, other)); st != 200 {
		t.Fatalf("switch child: %d", st)
	}
	if h := b.Text("main h1"); !strings.Contains(h, name(other)) {
		t.Errorf("after switching: %q", h)
	}
	if cur := b.Attr(`nav ul.switch a[aria-current="page"]`, "href"); !strings.HasPrefix(cur, fmt.Sprintf("/diary/%d?", other)) {
		t.Errorf("the switcher marks %s as current", cur)
	}
	before := b.Text("nav.wk b")
	if st := b.ClickAndWait(`a[rel="prev"]`); st != 200 || b.Text("nav.wk b") == before {
		t.Errorf("previous week: %d, still %s", st, before)
	}
	// The bell: the notification opens the lesson in the child's diary.
	if st := b.ClickAndWait(`a.bell`); st != 200 {
		t.Fatalf("notifications: %d", st)
	}
	if st := b.ClickAndWait(`ul.inbox li form button.primary`); st != 200 {
		t.Fatalf("open the notification: %d", st)
	}
	loc := browsertest.Eval[string](b, `location.pathname + location.search + location.hash`)
	if want := fmt.Sprintf("/diary/%d?lesson=%d#lesson-%d", other, lesson, lesson); loc != want {
		t.Errorf("the notification leads to %s, want %s", loc, want)
	}
	if n := browsertest.Eval[int](b, fmt.Sprintf(`document.querySelectorAll('#lesson-%d.hl .mk').length`, lesson)); n != 1 {
		t.Errorf("the notified lesson is not marked with its mark (%s)", b.Screenshot("notified lesson"))
	}
	check("diary week from a notification")
	// The period with averages, trends and the class median.
	if st := b.ClickAndWait(fmt.Sprintf(`main a[href="/diary/%d/period"]`, other)); st != 200 {
		t.Fatalf("period: %d", st)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('table.pt tbody tr').length`); n == 0 {
		t.Error("the period lists no subjects")
	}
	check("diary period")
	// Low vision stays on across the diary's pages.
	b.SetLowVision(true)
	b.Visit(fmt.Sprintf("/diary/%d", eldest))
	if !b.LowVision() {
		t.Error("low-vision mode is lost on the diary")
	}
	if px, where := b.SmallestText(); px < lowVisionMinPx {
		t.Errorf("low vision: text of %.1f px in %s", px, where)
	}
	b.SetLowVision(false)
}
