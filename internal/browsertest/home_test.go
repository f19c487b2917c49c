package browsertest_test

import (
	"strings"
	"testing"

	"shkola/internal/browsertest"
)

// The home page as a visitor sees it: each language picked with the header
// buttons, with and without low-vision mode, on a desktop and a phone.
func TestHomePage(t *testing.T) {
	b := browsertest.New(t)
	if st := b.Visit("/"); st != 200 {
		t.Fatalf("GET / answered %d", st)
	}
	b.ExpectNoConsoleErrors("first visit of /")
	// ru is the default, so every language is reached by a click.
	langs := []struct{ lang, heading string }{
		{"uk", "Ласкаво просимо"},
		{"en", "Welcome"},
		{"ru", "Добро пожаловать"},
	}
	for _, lv := range []bool{false, true} {
		for _, l := range langs {
			name := l.lang
			if lv {
				name += "/low-vision"
			}
			t.Run(name, func(t *testing.T) {
				b := b.For(t)
				b.SetLanguage(l.lang)
				b.SetLowVision(lv)
				checkHome(t, b, l.lang, l.heading, lv)
			})
		}
	}

	for _, lv := range []bool{false, true} {
		name := "phone"
		if lv {
			name += "/low-vision"
		}
		t.Run(name, func(t *testing.T) {
			b := b.For(t)
			b.SetLowVision(lv)
			b.Viewport(375, 800, true)
			b.WaitVisible("main h1")
			if over := b.HorizontalOverflow(); over > 0 {
				t.Errorf("at 375px wide the page scrolls sideways by %dpx (screenshot %s; set SHKOLA_SCREENSHOTS=dir to keep it)", over, b.Screenshot(strings.ReplaceAll(t.Name(), "/", "_")))
			}
			b.ExpectNoConsoleErrors("home at phone width")
			b.ExpectNoAxeViolations("home at phone width")
		})
	}
}

// lowVisionMinPx is the smallest text low-vision mode may show: 1.25 times
// the usual 16px.
const lowVisionMinPx = 20

func checkHome(t *testing.T, b *browsertest.Browser, lang, heading string, lv bool) {
	t.Helper()
	b.WaitVisible("main h1")
	if got := b.Attr("html", "lang"); got != lang {
		t.Errorf(`<html lang=%q>, want %q`, got, lang)
	}
	if got := b.Text("main h1"); got != heading {
		t.Errorf("heading %q, want %q", got, heading)
	}
	if got := b.Attr(`form.langs button[value="`+lang+`"]`, "aria-pressed"); got != "true" {
		t.Errorf("the %s button is not shown as chosen: aria-pressed=%q", lang, got)
	}
	if got := b.LowVision(); got != lv {
		t.Errorf("low-vision class on <html>: %v, want %v", got, lv)
	}
	// Low-vision mode must enlarge all text, not just the body copy.
	if px, where := b.SmallestText(); lv && px < lowVisionMinPx {
		t.Errorf("low-vision mode shows %vpx text (want at least %vpx): %s", px, lowVisionMinPx, where)
	}
	b.ExpectNoConsoleErrors("home")
	b.ExpectNoAxeViolations("home")
}
