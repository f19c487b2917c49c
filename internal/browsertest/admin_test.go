package browsertest_test

import (
	"testing"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
)

// An inspector of the region reaches the audit search and the account list
// from the navigation; both pages are accessible in every language and in
// low-vision mode, and a search narrows the log.
func TestAuditAndAccountPages(t *testing.T) {
	b := browsertest.New(t)
	account(t, b, "inspector", identity.Inspector, region(t, b), "an inspector's passphrase")
	logIn(b, "inspector", "an inspector's passphrase")
	for _, tc := range []struct{ lang, audit, accounts string }{
		{"ru", "Журнал аудита", "Учётные записи"}, {"uk", "Журнал аудиту", "Облікові записи"}, {"en", "Audit log", "Accounts"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.SetLanguage(tc.lang)
			if st := b.ClickAndWait(`nav a[href="/audit"]`); st != 200 {
				t.Fatalf("audit page: %d", st)
			}
			if got := b.Text("main h1"); got != tc.audit {
				t.Fatalf("audit heading %q, want %q", got, tc.audit)
			}
			b.ExpectNoAxeViolations("audit search")
			b.Type("#a-action", "grant.add")
			b.ClickAndWait("form.filters button[type=submit]")
			rows := `document.querySelectorAll("main tbody tr td:first-child:not([colspan])").length`
			if n := browsertest.Eval[int](b, rows); n != 1 {
				t.Fatalf("the search for role grants found %d entries, want the inspector's own one", n)
			}
			b.Type("#a-action", "grant.revoke")
			b.ClickAndWait("form.filters button[type=submit]")
			if n := browsertest.Eval[int](b, rows); n != 0 {
				t.Fatalf("the search for revocations found %d entries, want none", n)
			}
			if st := b.ClickAndWait(`nav a[href="/admin/accounts"]`); st != 200 {
				t.Fatalf("accounts page: %d", st)
			}
			if got := b.Text("main h1"); got != tc.accounts {
				t.Fatalf("accounts heading %q, want %q", got, tc.accounts)
			}
			b.ExpectNoAxeViolations("account administration")
			b.SetLowVision(true)
			b.ExpectNoAxeViolations("account administration, low vision")
			b.SetLowVision(false)
			b.ExpectNoConsoleErrors("audit and accounts")
		})
	}
}
