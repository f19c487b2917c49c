package browsertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/notify"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// A mother sees the unread count in the header, her notifications, the
// announcement of her child's class and her settings: every page passes axe,
// in low-vision mode too, and does not scroll sideways on a phone.
func TestNotificationPages(t *testing.T) {
	b := browsertest.New(t)
	r := region(t, b)
	ctx := context.Background()
	app := b.Server.App
	school, err := app.Orgs.Create(ctx, org.New{ParentID: &r, Kind: org.School, Name: "Школа № 7", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: r}}})
	person := func(last, first, born, sex string) int64 {
		p, err := app.People.Create(officer, registry.NewPerson{OrgID: school.ID, LastName: last, FirstName: first, BirthDate: born, Sex: sex})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	child, mother := person("Щукина", "Юлия", "2013-03-04", "f"), person("Щукина", "Ольга", "1984-01-02", "f")
	now := time.Now().UTC()
	var year, class int64
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(app.DB.W.QueryRow(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2) RETURNING id`, school.ID, now).Scan(&year))
	must(app.DB.W.QueryRow(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
		VALUES ($1, $2, 'class', 7, 'А', '7А', 'ru_basic', 30, $3, $3) RETURNING id`, school.ID, year, now).Scan(&class))
	_, err = app.DB.W.Exec("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", class, child, now)
	must(err)
	_, err = app.DB.W.Exec(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, 'mother', '2013-03-04', $3, 'test')`, child, mother, now)
	must(err)
	account(t, b, "mother", identity.Guardian, school.ID, "a mother's passphrase")
	_, err = app.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE login = 'mother'", mother)
	must(err)
	must(app.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := app.Notify.S.CreateAnnouncementTx(ctx, tx, notify.NewAnnouncement{Audience: notify.AudienceClass, GroupID: class, Kind: notify.Meeting,
			Title: "Родительское собрание по итогам первой четверти", Body: "Пятница, 18:00, кабинет 21.\nПросьба быть обоим родителям.", EventOn: "2026-10-30"}, 0); err != nil {
			return err
		}
		org := school.ID
		err := tx.Record(ctx, store.Change{Entity: "mark", EntityID: "1", Op: "create", OrgID: &org,
			Data: json.RawMessage(fmt.Sprintf(`{"person_id":%d,"lesson_id":5,"group_id":%d,"subject":"math"}`, child, class))})
		return err
	}))
	for {
		n, err := app.Notifier.Dispatch.RunOnce(ctx)
		must(err)
		if n == 0 {
			break
		}
	}
	logIn(b, "mother", "a mother's passphrase")
	for _, tc := range []struct{ lang, heading string }{{"ru", "Уведомления"}, {"uk", "Сповіщення"}, {"en", "Notifications"}} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.SetLanguage(tc.lang)
			if st := b.ClickAndWait(`a.bell`); st != 200 {
				t.Fatalf("notifications: %d", st)
			}
			if got := b.Text("main h1"); got != tc.heading {
				t.Fatalf("heading %q", got)
			}
			if got := b.Text("a.bell .badge"); got == "" || got[0] != '2' {
				t.Errorf("badge %q, want 2 unread", got)
			}
			b.ExpectNoAxeViolations("notifications")
			for _, page := range []string{"/notifications/settings", "/announcements"} {
				if st := b.Visit(page); st != 200 {
					t.Fatalf("%s: %d", page, st)
				}
				b.ExpectNoAxeViolations(page)
			}
			b.Visit("/notifications")
			b.SetLowVision(true)
			b.ExpectNoAxeViolations("notifications, low vision")
			b.Viewport(375, 740, true)
			b.WaitVisible("main h1")
			if px := b.HorizontalOverflow(); px > 0 {
				t.Errorf("the list scrolls sideways by %d px on a phone in low-vision mode (%s)", px, b.Screenshot("notifications"))
			}
			b.Viewport(1280, 900, false)
			b.SetLowVision(false)
			b.ExpectNoConsoleErrors("notification pages")
		})
	}
	// Opening the announcement (the older one) marks it read and leads to its page.
	b.Visit("/notifications")
	if st := b.ClickAndWait(`ul.inbox li:nth-child(2) form button.primary`); st != 200 {
		t.Fatalf("open: %d", st)
	}
	if got := b.Text("main h1"); got != "Родительское собрание по итогам первой четверти" {
		t.Errorf("opened %q", got)
	}
	b.ExpectNoAxeViolations("announcement")
	if got := b.Text("a.bell .badge"); got == "" || got[0] != '1' {
		t.Errorf("badge after opening one: %q", got)
	}
}
