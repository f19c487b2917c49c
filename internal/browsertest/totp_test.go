package browsertest_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/org"
)

// A school admin's first login goes to the second-factor setup; the key is
// read off the page, the app's code typed in, the recovery codes shown; the
// next login asks for a code. Every page accessible, in each language.
func TestSecondFactorPages(t *testing.T) {
	b := browsertest.New(t)
	ctx := context.Background()
	app := b.Server.App
	region, err := app.Orgs.Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	for i, lang := range []string{"ru", "uk", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := b.For(t)
			login := "director" + string(rune('1'+i))
			_, code, err := app.Accounts.Create(ctx, login, []identity.Grant{{Role: identity.SchoolAdmin, OrgID: region.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.Accounts.Activate(ctx, code, "the director's passphrase"); err != nil {
				t.Fatal(err)
			}
			b.Visit("/login")
			b.SetLanguage(lang)
			b.Type("#login", login)
			b.Type("#password", "the director's passphrase")
			b.ClickAndWait("form.form button[type=submit]")
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
			b.Visit("/login")
			b.Type("#login", login)
			b.Type("#password", "the director's passphrase")
			b.ClickAndWait("form.form button[type=submit]")
			if !browsertest.Eval[bool](b, `location.pathname === "/login/totp"`) {
				t.Fatal("second login did not ask for the code")
			}
			b.ExpectNoAxeViolations("second-factor prompt")
			b.ClickAndWait("header form[action='/logout'] button")
			b.ExpectNoConsoleErrors("second factor")
		})
	}
}
