package browsertest_test

import (
	"context"
	"strconv"
	"testing"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
)

// An inspector finds a pupil by a transliterated name from the navigation
// and reads the card with its guardian: both pages pass axe in every
// language, in low-vision mode and on a phone without sideways scrolling.
func TestPersonListAndCard(t *testing.T) {
	b := browsertest.New(t)
	r := region(t, b)
	ctx := context.Background()
	school, err := b.Server.App.Orgs.Create(ctx, org.New{ParentID: &r, Kind: org.School, Name: "Школа № 7", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: r}}})
	child, err := b.Server.App.People.Create(officer, registry.NewPerson{OrgID: school.ID, LastName: "Щукина", FirstName: "Юлия", BirthDate: "2013-03-04",
		Sex: "f", SNILS: "112-233-445 95", FactAddress: "ул. Садовая, д. 5, кв. 12 — длинный адрес, который на телефоне переносится на несколько строк"})
	if err != nil {
		t.Fatal(err)
	}
	mother, err := b.Server.App.People.Create(officer, registry.NewPerson{OrgID: school.ID, LastName: "Щукина", FirstName: "Ольга", BirthDate: "1984-01-02",
		Sex: "f", Phone: "+7 912 000-11-22"})
	if err != nil {
		t.Fatal(err)
	}
	admin := identity.With(ctx, &identity.Actor{AccountID: -2, Login: "setup-admin", Grants: []identity.Grant{{Role: identity.SchoolAdmin, OrgID: school.ID}}})
	if _, err := b.Server.App.People.Link(admin, child.ID, registry.NewGuardianship{GuardianID: mother.ID, Kind: "mother"}); err != nil {
		t.Fatal(err)
	}
	account(t, b, "inspector", identity.Inspector, r, "an inspector's passphrase")
	logIn(b, "inspector", "an inspector's passphrase")
	card := "/persons/" + strconv.FormatInt(child.ID, 10)
	for _, tc := range []struct{ lang, list, guardians string }{
		{"ru", "Реестр людей", "Законные представители"}, {"uk", "Реєстр людей", "Законні представники"}, {"en", "People registry", "Legal representatives"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.SetLanguage(tc.lang)
			if st := b.ClickAndWait(`nav a[href="/persons"]`); st != 200 {
				t.Fatalf("people page: %d", st)
			}
			if got := b.Text("main h1"); got != tc.list {
				t.Fatalf("heading %q, want %q", got, tc.list)
			}
			b.Type("#q", "Shchukina Yu")
			b.ClickAndWait("form.filters button[type=submit]")
			if n := browsertest.Eval[int](b, `document.querySelectorAll('main tbody a[href="`+card+`"]').length`); n != 1 {
				t.Fatalf("the search by Latin spelling found the pupil %d times", n)
			}
			b.ExpectNoAxeViolations("people list")
			if st := b.ClickAndWait(`main tbody a[href="` + card + `"]`); st != 200 {
				t.Fatalf("card: %d", st)
			}
			if got := b.Text("#guardians"); got != tc.guardians {
				t.Fatalf("guardians heading %q", got)
			}
			b.ExpectNoAxeViolations("person card")
			b.SetLowVision(true)
			b.ExpectNoAxeViolations("person card, low vision")
			b.Viewport(375, 740, true)
			b.WaitVisible("main h1")
			if px := b.HorizontalOverflow(); px > 0 {
				t.Log(browsertest.Eval[string](b, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 375 || e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth + '/' + e.clientWidth).slice(0, 12).join(' ')`), b.Screenshot("card"))
				t.Errorf("the card scrolls sideways by %d px on a phone in low-vision mode", px)
			}
			b.Viewport(1280, 900, false)
			b.SetLowVision(false)
			b.ExpectNoConsoleErrors("people pages")
		})
	}
}
