package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/org"
)

// A school admin checks a pupils file on the import page: the preview
// lists the bad row's error in the page's language, and the page with its
// table passes axe in every language, in low-vision mode and on a phone.
func TestImportPreview(t *testing.T) {
	b := browsertest.New(t)
	r := region(t, b)
	ctx := context.Background()
	school, err := b.Server.App.Orgs.Create(ctx, org.New{ParentID: &r, Kind: org.School, Name: "Школа № 3", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var year int64
	if err := b.Server.App.DB.W.QueryRow(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2) RETURNING id`, school.ID, now).Scan(&year); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Server.App.DB.W.Exec(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, capacity, created_at, updated_at)
		VALUES ($1, $2, 'class', 5, 'Б', '5Б', 'ru_basic', 30, $3, $3)`, school.ID, year, now); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pupils.csv")
	if err := os.WriteFile(file, []byte("last_name,first_name,birth_date,sex,class,admission_date,basis_number,basis_date\n"+
		"Белов,Борис,2015-04-01,m,5Б,2026-09-01,12-у,2026-08-30\n"+
		"Чернов,Чеслав,2015-04-01,m,5Я,2026-09-01,12-у,2026-08-30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	account(t, b, "director", identity.SchoolAdmin, school.ID, "the director's passphrase")
	logIn(b, "director", "the director's passphrase")
	otp, err := totp.GenerateCode(b.Text("#totp-secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Type("#totp", otp)
	b.ClickAndWait("form.form button[type=submit]")
	for _, tc := range []struct{ lang, heading, rule string }{
		{"ru", "Проверка файла", "Не найдено (класс, ученик, учебный год или организация)"},
		{"uk", "Перевірка файлу", "Не знайдено (клас, учень, навчальний рік або організація)"},
		{"en", "Check of the file", "Not found (class, pupil, academic year or organisation)"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := b.For(t)
			b.SetLanguage(tc.lang)
			if st := b.ClickAndWait(`nav a[href="/imports"]`); st != 200 {
				t.Fatalf("import page: %d", st)
			}
			b.ExpectNoAxeViolations("import form")
			b.Upload("#i-file", file)
			if st := b.ClickAndWait("#i-file ~ p button[type=submit]"); st != 200 {
				t.Fatalf("check: %d", st)
			}
			if got := b.Text("#report"); got != tc.heading {
				t.Fatalf("report heading %q", got)
			}
			if got := b.Text("main tbody tr td:nth-child(4)"); got != tc.rule {
				t.Fatalf("row error %q, want %q", got, tc.rule)
			}
			if got := b.Text("main tbody tr td:first-child"); got != "3" {
				t.Fatalf("row %q, want 3", got)
			}
			b.ExpectNoAxeViolations("import preview")
			b.SetLowVision(true)
			b.ExpectNoAxeViolations("import preview, low vision")
			b.Viewport(375, 740, true)
			b.WaitVisible("main h1")
			if px := b.HorizontalOverflow(); px > 0 {
				t.Errorf("the preview scrolls sideways by %d px on a phone in low-vision mode (%s)", px, b.Screenshot("import"))
			}
			b.Viewport(1280, 900, false)
			b.SetLowVision(false)
			b.ExpectNoConsoleErrors("import pages")
		})
	}
}
