package browsertest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"shkola/internal/browsertest"
	"shkola/internal/demo"
	"shkola/internal/identity"
)

// The class teacher opens the logins page from the class card and issues
// them; a parent sets a linked young child's password on "My children".
// Both pages pass axe, in low-vision mode too, and fit a phone.
func TestLoginsAndChildrenPages(t *testing.T) {
	b := browsertest.New(t)
	s := b.Server
	ctx := context.Background()
	if _, err := demo.Generate(ctx, s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts, People: s.App.People,
		Contingent: s.App.Contingent.S}); err != nil {
		t.Fatal(err)
	}
	var class, child, parent, school int64
	if err := s.App.DB.R.QueryRow(`SELECT g.id, g.org_id FROM groups g JOIN accounts a ON a.person_id = g.class_teacher_id
		WHERE a.login = 'teacher1' AND g.kind = 'class'`).Scan(&class, &school); err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.R.QueryRow(`SELECT gd.child_id, a.id FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id
		WHERE a.login = 'parent1' AND gd.ends_on IS NULL ORDER BY gd.child_id LIMIT 1`).Scan(&child, &parent); err != nil {
		t.Fatal(err)
	}
	check := b.ExpectAccessibleEverywhere

	if st := logIn(b, "teacher1", demo.DemoPassword); st != 200 {
		t.Fatalf("teacher1 login: %d", st)
	}
	card := "/classes/" + strconv.FormatInt(class, 10)
	b.Visit(card)
	if st := b.ClickAndWait(`main a[href="` + card + `/logins"]`); st != 200 {
		t.Fatalf("logins page: %d", st)
	}
	check("class logins")
	if st := b.ClickAndWait(`form[action="` + card + `/logins"] button[type=submit]`); st != 200 {
		t.Fatalf("issue: %d", st)
	}
	if n := browsertest.Eval[int](b, `document.querySelectorAll('ul.logins li').length`); n == 0 {
		t.Fatal("no codes on the result page")
	}
	check("issued logins")

	// The child gets an account linked to the parent's, as after linking.
	acc, _, err := s.App.Accounts.Create(ctx, "young.child", []identity.Grant{{Role: identity.Student, OrgID: school}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", child, acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.W.Exec("INSERT INTO account_links (guardian_account_id, child_account_id, linked_at) VALUES ($1, $2, $3)", parent, acc.ID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if st := logIn(b, "parent1", demo.DemoPassword); st != 200 {
		t.Fatalf("parent1 login: %d", st)
	}
	for _, tc := range []struct{ lang, title string }{{"ru", "Мои дети"}, {"uk", "Мої діти"}, {"en", "My children"}} {
		b.SetLanguage(tc.lang)
		if st := b.ClickAndWait(`nav a[href="/children"]`); st != 200 {
			t.Fatalf("my children: %d", st)
		}
		if got := b.Text("main h1"); got != tc.title {
			t.Errorf("heading %q, want %q", got, tc.title)
		}
		check("my children " + tc.lang)
	}
	id := strconv.FormatInt(child, 10)
	b.Type("#password-"+id, "a-child-password-1")
	b.Type("#password2-"+id, "a-child-password-1")
	if st := b.ClickAndWait(`form[action="/children/` + id + `/password"] button[type=submit]`); st != 200 {
		t.Fatalf("set password: %d", st)
	}
	if got := b.Text("main p.notice"); got != "The child's password is set." {
		t.Errorf("notice %q", got)
	}
	b.ExpectNoConsoleErrors("logins pages")
}
