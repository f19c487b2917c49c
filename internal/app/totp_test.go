package app_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"shkola/internal/apptest"
	"shkola/internal/identity"
)

var secretRe = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
var codeRe = regexp.MustCompile(`<li><code>([a-z0-9_-]+)</code></li>`)

// A school admin cannot act before setting up TOTP; afterwards every login
// needs a code, and each recovery code works once.
func TestSecondFactorForSchoolAdmin(t *testing.T) {
	s, _, _ := withAccount(t, identity.SchoolAdmin)
	c := s.Client()
	if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	st, h, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil)
	if st != http.StatusSeeOther || h.Get("Location") != "/me/totp" {
		t.Fatalf("before TOTP setup /me: %d %s, want redirect to /me/totp", st, h.Get("Location"))
	}
	_, _, page := apptest.Do(t, c, "GET", s.URL+"/me/totp", nil)
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("setup page shows no secret")
	}
	st, _, _ = s.PostForm(t, c, "/me/totp", "/me/totp", "totp", "000000")
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code accepted: %d", st)
	}
	// A reload shows the same secret, so an app that scanned it stays right.
	_, _, page = apptest.Do(t, c, "GET", s.URL+"/me/totp", nil)
	secret := secretRe.FindStringSubmatch(page)[1]
	if secret != m[1] || !strings.Contains(page, "otpauth://totp/Shkola:anna.k?") {
		t.Fatal("the setup page changed the secret on reload or shows no otpauth URI")
	}
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	code, _ := totp.GenerateCode(secret, time.Now())
	st, _, page = apptest.Do(t, c, "POST", s.URL+"/me/totp", apptest.Form("totp", code, "csrf", tok), "Content-Type", "application/x-www-form-urlencoded")
	codes := codeRe.FindAllStringSubmatch(page, -1)
	if st != 200 || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d recovery codes", st, len(codes))
	}
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st != 200 {
		t.Fatalf("after setup /me: %d", st)
	}
	// A new login owes the second factor.
	c2 := s.Client()
	login(t, s, c2, "anna.k", pw)
	if st, h, _ := apptest.Do(t, c2, "GET", s.URL+"/me", nil); st != http.StatusSeeOther || h.Get("Location") != "/login/totp" {
		t.Fatalf("second login without code: %d %s", st, h.Get("Location"))
	}
	if st, _, _ := s.PostForm(t, c2, "/login/totp", "/login/totp", "totp", codes[0][1]); st != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", st)
	}
	if st, _, _ := apptest.Do(t, c2, "GET", s.URL+"/me", nil); st != 200 {
		t.Fatalf("after recovery code: %d", st)
	}
	c3 := s.Client()
	login(t, s, c3, "anna.k", pw)
	if st, _, body := s.PostForm(t, c3, "/login/totp", "/login/totp", "totp", codes[0][1]); st != http.StatusUnprocessableEntity || !strings.Contains(body, "totp-err") {
		t.Fatalf("recovery code used twice: %d", st)
	}
}

// A pending session carries no role: the API-free UI sees an anonymous-like actor.
func TestPendingSessionHasNoRoles(t *testing.T) {
	s, _, _ := withAccount(t, identity.RegionalOfficer)
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	for _, p := range []string{"/orgs", "/me/sessions", "/"} {
		if st, _, _ := apptest.Do(t, c, "GET", s.URL+p, nil); st != http.StatusSeeOther {
			t.Errorf("%s before the second factor: %d, want a redirect to setup", p, st)
		}
	}
}

// A TOTP code is good once: the code that confirmed the setup, or one seen
// over a shoulder, cannot be replayed within its 30 seconds.
func TestTOTPCodeWorksOnce(t *testing.T) {
	s, _, _ := withAccount(t, identity.SchoolAdmin)
	now := time.Now()
	s.App.Accounts.Now = func() time.Time { return now }
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	_, _, page := apptest.Do(t, c, "GET", s.URL+"/me/totp", nil)
	secret := secretRe.FindStringSubmatch(page)[1]
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	code, _ := totp.GenerateCode(secret, now)
	// Posted from the page just shown: every visit of it makes a new secret.
	if st, _, _ := apptest.Do(t, c, "POST", s.URL+"/me/totp", apptest.Form("totp", code, "csrf", tok), "Content-Type", "application/x-www-form-urlencoded"); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	c2 := s.Client()
	login(t, s, c2, "anna.k", pw)
	if st, _, _ := s.PostForm(t, c2, "/login/totp", "/login/totp", "totp", code); st != http.StatusUnprocessableEntity {
		t.Fatalf("replayed code: %d, want 422", st)
	}
	now = now.Add(30 * time.Second)
	next, _ := totp.GenerateCode(secret, now)
	if st, _, _ := s.PostForm(t, c2, "/login/totp", "/login/totp", "totp", next); st != http.StatusSeeOther {
		t.Fatalf("the next code: %d", st)
	}
	if st, _, _ := apptest.Do(t, c2, "GET", s.URL+"/me", nil); st != 200 {
		t.Fatalf("after the second factor /me: %d", st)
	}
}
