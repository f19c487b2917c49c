package browsertest_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
)

// A school admin's first login goes to the second-factor setup; the key is
// read off the page, the app's code typed in, the recovery codes shown; the
// next login asks for a code. Every page accessible, in each language.
func TestSecondFactorPages(t *testing.T) {
	b := browsertest.New(t)
	reg := region(t, b)
	for i, lang := range []string{"ru", "uk", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := b.For(t)
			login := "director" + string(rune('1'+i))
			account(t, b, login, identity.SchoolAdmin, reg, "the director's passphrase")
			b.Visit("/login")
			b.SetLanguage(lang)
			logIn(b, login, "the director's passphrase")
			secret := b.Text("#totp-secret")
			if len(secret) < 16 {
				t.Fatalf("no key on the setup page: %q", secret)
			}
			b.ExpectNoAxeViolations("second-factor setup")
			otp, err := totp.GenerateCode(secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			b.Type("#totp", otp)
			b.ClickAndWait("form.form button[type=submit]")
			if n := browsertest.Eval[int](b, `document.querySelectorAll("ul.codes li").length`); n != 10 {
				t.Fatalf("%d recovery codes shown, want 10", n)
			}
			b.ExpectNoAxeViolations("recovery codes")
			b.ClickAndWait("header form[action='/logout'] button")
			logIn(b, login, "the director's passphrase")
			if !browsertest.Eval[bool](b, `location.pathname === "/login/totp"`) {
				t.Fatal("second login did not ask for the code")
			}
			b.ExpectNoAxeViolations("second-factor prompt")
			b.ClickAndWait("header form[action='/logout'] button")
			b.ExpectNoConsoleErrors("second factor")
		})
	}
}
