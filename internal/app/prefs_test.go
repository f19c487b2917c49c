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
		st, h, _ := s.PostForm(t, c, "/", "/prefs", "lang", tc.lang, "back", "/")
		if st != 303 || h.Get("Location") != "/" {
			t.Fatalf("prefs: %d %s", st, h.Get("Location"))
		}
		_, _, body = apptest.Do(t, c, "GET", s.URL+"/", nil)
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.want) {
			t.Fatalf("after choosing %s the page is not in it", tc.lang)
		}
	}
	s.PostForm(t, c, "/", "/prefs", "lv", "1", "back", "/")
	_, _, body = apptest.Do(t, c, "GET", s.URL+"/", nil)
	if !strings.Contains(body, `class="lv"`) || !strings.Contains(body, "Обычная версия") {
		t.Fatal("low-vision mode not on after one click")
	}
}

func TestFormWithoutTokenIsRefused(t *testing.T) {
	s := apptest.Start(t)
	c := s.Client()
	apptest.Do(t, c, "GET", s.URL+"/", nil) // has the cookie, but sends no token
	st, _, _ := apptest.Do(t, c, "POST", s.URL+"/prefs", apptest.Form("lang", "en", "back", "/"), "Content-Type", "application/x-www-form-urlencoded")
	if st != 403 {
		t.Fatalf("form without csrf token: %d, want 403", st)
	}
	st, _, _ = apptest.Do(t, c, "POST", s.URL+"/prefs", apptest.Form("lang", "en", "back", "/", "csrf", "forged-token-forged-token"), "Content-Type", "application/x-www-form-urlencoded")
	if st != 403 {
		t.Fatalf("form with a wrong token: %d, want 403", st)
	}
}

func TestPrefsRedirectStaysOnSite(t *testing.T) {
	s := apptest.Start(t)
	for _, back := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
		"/\t/evil.example", "https:evil.example", "\\\\evil.example", " //evil.example", "/%2Fevil.example/ "} {
		_, h, _ := s.PostForm(t, s.Client(), "/", "/prefs", "lang", "en", "back", back)
		if h.Get("Location") != "/" {
			t.Errorf("back=%q redirected to %q", back, h.Get("Location"))
		}
	}
}
