package browsertest_test

import (
	"strings"
	"testing"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
)

// A teacher logs in with the keyboard-reachable form, sees the profile and
// the sessions list, in each language and in low-vision mode, with no
// accessibility violations; a wrong password shows the message in the
// page's language.
func TestLoginProfileAndSessions(t *testing.T) {
	b := browsertest.New(t)
	account(t, b, "teacher", identity.Teacher, region(t, b), "a long class journal")
	for _, tc := range []struct{ lang, bad, profile string }{
		{"ru", "Неверный логин или пароль.", "Мой профиль"},
		{"uk", "Неправильний логін або пароль.", "Мій профіль"},
		{"en", "Wrong login or password.", "My profile"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.Visit("/login")
			b.SetLanguage(tc.lang)
			b.ExpectNoAxeViolations("login page")
			b.Type("#login", "teacher")
			b.Type("#password", "not the password")
			if st := b.ClickAndWait("form.form button[type=submit]"); st != 401 {
				t.Fatalf("wrong password answered %d", st)
			}
			if got := b.Text("#form-error"); got != tc.bad {
				t.Fatalf("message %q, want %q", got, tc.bad)
			}
			// The 401 of the refused login is the one expected console line.
			for _, e := range b.ConsoleErrors() {
				if !strings.Contains(e, "401") {
					t.Errorf("console: %s", e)
				}
			}
			b.ExpectNoAxeViolations("login page with an error")
			b.Type("#password", "a long class journal")
			b.ClickAndWait("form.form button[type=submit]")
			if got := b.Text("main h1"); got != tc.profile {
				t.Fatalf("after login the page says %q, want %q", got, tc.profile)
			}
			b.ExpectNoAxeViolations("profile")
			b.SetLowVision(true)
			b.Visit("/me/sessions")
			b.ExpectNoAxeViolations("sessions in low-vision mode")
			b.SetLowVision(false)
			b.ClickAndWait("header form[action='/logout'] button")
			b.ExpectNoConsoleErrors("login, profile, sessions, logout")
		})
	}
}
