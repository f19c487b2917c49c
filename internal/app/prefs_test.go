package app_test

import (
	"strings"
	"testing"

	"shkola/internal/apptest"
)

// A visitor chooses a language and the low-vision mode with one click each,
// and the choice is remembered on the next page.
func TestLanguageAndLowVisionAreRemembered(t *testing.T) {
	s := apptest.Start(t)
	c := s.Client()
	_, _, body := apptest.Do(t, c, "GET", s.URL+"/", nil)
	if !strings.Contains(body, `<html lang="ru">`) || !strings.Contains(body, "Добро пожаловать") {
		t.Fatalf("default page is not Russian:\n%s", body)
	}
	for _, tc := range []struct{ lang, want string }{{"uk", "Ласкаво просимо"}, {"en", "Welcome"}, {"ru", "Добро пожаловать"}} {
		st, h, _ := apptest.Do(t, c, "POST", s.URL+"/prefs", apptest.Form("lang", tc.lang, "back", "/"), "Content-Type", "application/x-www-form-urlencoded")
		if st != 303 || h.Get("Location") != "/" {
			t.Fatalf("prefs: %d %s", st, h.Get("Location"))
		}
		_, _, body = apptest.Do(t, c, "GET", s.URL+"/", nil)
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.want) {
			t.Fatalf("after choosing %s the page is not in it", tc.lang)
		}
	}
	apptest.Do(t, c, "POST", s.URL+"/prefs", apptest.Form("lv", "1", "back", "/"), "Content-Type", "application/x-www-form-urlencoded")
	_, _, body = apptest.Do(t, c, "GET", s.URL+"/", nil)
	if !strings.Contains(body, `class="lv"`) || !strings.Contains(body, "Обычная версия") {
		t.Fatal("low-vision mode not on after one click")
	}
}

func TestPrefsRedirectStaysOnSite(t *testing.T) {
	s := apptest.Start(t)
	for _, back := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		_, h, _ := apptest.Do(t, s.Client(), "POST", s.URL+"/prefs", apptest.Form("lang", "en", "back", back), "Content-Type", "application/x-www-form-urlencoded")
		if h.Get("Location") != "/" {
			t.Errorf("back=%q redirected to %q", back, h.Get("Location"))
		}
	}
}
