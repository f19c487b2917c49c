package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shkola/internal/account"
	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/org"
)

const pw = "correct horse battery"

// withAccount starts a server with a region and an account holding role there.
func withAccount(t *testing.T, role identity.Role) (*apptest.Server, int64, int64) {
	t.Helper()
	s := apptest.Start(t)
	ctx := context.Background()
	region, err := s.App.Orgs.Create(ctx, org.New{Kind: org.Region, Name: "Тестовый регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	acc, code, err := s.App.Accounts.Create(ctx, "Anna.K", []identity.Grant{{Role: role, OrgID: region.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	return s, acc.ID, region.ID
}

func login(t *testing.T, s *apptest.Server, c *http.Client, user, pass string) (int, string) {
	t.Helper()
	st, _, body := s.PostForm(t, c, "/login", "/login", "login", user, "password", pass)
	return st, body
}

func sessionCookie(s *apptest.Server, c *http.Client) string {
	u := s.URL + "/"
	req, _ := http.NewRequest("GET", u, nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		if ck.Name == "sid" {
			return ck.Value
		}
	}
	return ""
}

func TestLoginAndLogout(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	c := s.Client()
	if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	first := sessionCookie(s, c)
	if len(first) < 20 {
		t.Fatalf("session cookie %q", first)
	}
	_, _, body := apptest.Do(t, c, "GET", s.URL+"/me", nil)
	if !strings.Contains(body, "anna.k") {
		t.Fatal("profile does not show the login")
	}
	// A new login gets a new session id.
	login(t, s, c, "anna.k", pw)
	if sessionCookie(s, c) == first {
		t.Fatal("session id not rotated at login")
	}
	s.PostForm(t, c, "/me", "/logout")
	if st, h, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Fatalf("after logout /me: %d %s", st, h.Get("Location"))
	}
	// The old cookie value no longer works either.
	c2 := s.Client()
	req, _ := http.NewRequest("GET", s.URL+"/me", nil)
	req.AddCookie(&http.Cookie{Name: "sid", Value: first})
	resp, err := c2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session id still works: %d", resp.StatusCode)
	}
}

// An unknown login and a wrong password get the same answer.
func TestNoUserEnumeration(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	c := s.Client()
	st1, b1 := login(t, s, c, "nobody", pw)
	st2, b2 := login(t, s, c, "anna.k", "wrong password here")
	// The form echoes the login typed; apart from that, the pages are equal.
	b1, b2 = strings.ReplaceAll(b1, "nobody", "LOGIN"), strings.ReplaceAll(b2, "anna.k", "LOGIN")
	if st1 != st2 || b1 != b2 || st1 != http.StatusUnauthorized {
		t.Fatalf("unknown login %d vs wrong password %d; bodies equal: %v", st1, st2, b1 == b2)
	}
	if !strings.Contains(b1, "Неверный логин или пароль") {
		t.Fatal("no generic message")
	}
}

// After five failures the account is locked, and locked attempts cost no
// password hashing at all.
func TestLockoutCostsNoHashing(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	var hashes atomic.Int64
	s.App.Accounts.Hasher.Count = func() { hashes.Add(1) }
	c := s.Client()
	for i := range 5 {
		if st, _ := login(t, s, c, "anna.k", "wrong password "+string(rune('a'+i))); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	before := hashes.Load()
	for range 20 {
		if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusTooManyRequests {
			t.Fatalf("locked account: %d, want 429", st)
		}
	}
	if hashes.Load() != before {
		t.Fatalf("%d hashes computed while locked", hashes.Load()-before)
	}
}

func TestLockoutEndsAfterItsTime(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	now := time.Now()
	s.App.Accounts.Now = func() time.Time { return now }
	c := s.Client()
	for range 5 {
		login(t, s, c, "anna.k", "not the password")
	}
	if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusTooManyRequests {
		t.Fatalf("not locked: %d", st)
	}
	now = now.Add(16 * time.Minute)
	if st, _ := login(t, s, c, "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("still locked after the lockout: %d", st)
	}
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	t0 := time.Now()
	now := t0
	s.App.Accounts.Now = func() time.Time { return now }
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	// Active every 25 minutes: the idle timeout is never reached...
	for elapsed := 25 * time.Minute; elapsed < 12*time.Hour; elapsed += 25 * time.Minute {
		now = t0.Add(elapsed)
		if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st != 200 {
			t.Fatalf("session ended after %v of activity: %d", elapsed, st)
		}
	}
	// ...but the absolute one is.
	now = t0.Add(12*time.Hour + time.Minute)
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st == 200 {
		t.Fatal("session outlived the absolute timeout")
	}
	login(t, s, c, "anna.k", pw)
	now = now.Add(31 * time.Minute)
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st == 200 {
		t.Fatal("session outlived the idle timeout")
	}
}

// The API takes bearer tokens only; the session cookie gives nothing there.
func TestAPIIsBearerOnly(t *testing.T) {
	s, id, _ := withAccount(t, identity.Teacher)
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/api/v1/me", nil); st != http.StatusUnauthorized {
		t.Fatalf("API with session cookie: %d, want 401", st)
	}
	tok, err := s.App.Accounts.IssueToken(context.Background(), id, "test")
	if err != nil {
		t.Fatal(err)
	}
	st, _, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me", nil, "Authorization", "Bearer "+tok)
	if st != 200 || !strings.Contains(body, `"login":"anna.k"`) {
		t.Fatalf("bearer: %d %s", st, body)
	}
	if st, _, _ := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me", nil, "Authorization", "Bearer shk_forged"); st != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", st)
	}
}

// Disabling an account ends its sessions and tokens at once; removing a role
// applies to the very next request.
func TestRevocationsApplyAtOnce(t *testing.T) {
	s, id, region := withAccount(t, identity.Teacher)
	ctx := context.Background()
	tok, _ := s.App.Accounts.IssueToken(ctx, id, "test")
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	if err := s.App.Accounts.Revoke(ctx, id, identity.Grant{Role: identity.Teacher, OrgID: region}); err != nil {
		t.Fatal(err)
	}
	_, _, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me", nil, "Authorization", "Bearer "+tok)
	if !strings.Contains(body, `"grants":[]`) {
		t.Fatalf("revoked grant still there: %s", body)
	}
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st != http.StatusSeeOther {
		t.Fatalf("session survived the removal of its role: %d", st)
	}
	login(t, s, c, "anna.k", pw)
	if err := s.App.Accounts.SetDisabled(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st != http.StatusSeeOther {
		t.Fatalf("disabled account's session still works: %d", st)
	}
	if st, _, _ := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me", nil, "Authorization", "Bearer "+tok); st != http.StatusUnauthorized {
		t.Fatalf("disabled account's token still works: %d", st)
	}
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusUnauthorized {
		t.Fatalf("disabled account can log in: %d", st)
	}
}

// An admin reset gives a one-time code; the old password stops working and
// the code works once.
func TestResetByOneTimeCode(t *testing.T) {
	s, id, _ := withAccount(t, identity.Teacher)
	code, err := s.App.Accounts.ResetPassword(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusUnauthorized {
		t.Fatalf("old password works after reset: %d", st)
	}
	c := s.Client()
	st, _, _ := s.PostForm(t, c, "/activate", "/activate", "code", code, "password", "a new long passphrase", "password2", "a new long passphrase")
	if st != 200 {
		t.Fatalf("activate: %d", st)
	}
	st, _, body := s.PostForm(t, c, "/activate", "/activate", "code", code, "password", "yet another passphrase", "password2", "yet another passphrase")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "уже использован") {
		t.Fatalf("code used twice: %d", st)
	}
	if st, _ := login(t, s, s.Client(), "anna.k", "a new long passphrase"); st != http.StatusSeeOther {
		t.Fatalf("new password: %d", st)
	}
}

// Password rules give a message beside the field that names the rule.
func TestPasswordRulesNameTheRule(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	for _, tc := range []struct{ pass, want string }{
		{"short", "короче 8"}, {strings.Repeat("я", 129), "длиннее 128"}, {"qwerty123", "самых распространённых"},
	} {
		st, _, body := s.PostForm(t, c, "/me", "/me/password", "current_password", pw, "new_password", tc.pass, "new_password2", tc.pass)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `id="np-err"`) {
			t.Errorf("%q: %d, message %q missing beside the field", tc.pass[:min(10, len(tc.pass))], st, tc.want)
		}
	}
}

func TestProductionArgon2Parameters(t *testing.T) {
	p := account.DefaultArgon2()
	if p.MemoryKiB < 19456 || p.Time < 2 || p.Threads < 1 {
		t.Fatalf("argon2id %+v is below m=19MiB, t=2, p=1", p)
	}
}

// Sessions list own sessions only; revoking another account's session is not found.
func TestOwnSessions(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	a, b := s.Client(), s.Client()
	login(t, s, a, "anna.k", pw)
	login(t, s, b, "anna.k", pw)
	_, _, body := apptest.Do(t, a, "GET", s.URL+"/me/sessions", nil)
	if strings.Count(body, "<tr>") != 3 || !strings.Contains(body, "Этот сеанс") {
		t.Fatalf("sessions page should list 2 sessions with the current one marked")
	}
	s.PostForm(t, a, "/me/sessions", "/me/sessions/everywhere")
	if st, _, _ := apptest.Do(t, b, "GET", s.URL+"/me", nil); st != http.StatusSeeOther {
		t.Fatalf("log out everywhere left another session alive: %d", st)
	}
	if st, _, _ := s.PostForm(t, s.Client(), "/", "/me/sessions/revoke", "id", "whatever"); st != http.StatusSeeOther {
		t.Fatalf("anonymous revoke: %d, want redirect to login", st)
	}
}

// Failures from one address across many logins lock that address out, with
// no hashing, even for an account that has no failures of its own.
func TestAddressThrottle(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	s.App.Accounts.MaxFailures = 2 // per account; the per-address limit is ten times that
	c := s.Client()
	for i := range 20 {
		if st, _ := login(t, s, c, "guess"+string(rune('a'+i)), pw); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	var hashes atomic.Int64
	s.App.Accounts.Hasher.Count = func() { hashes.Add(1) }
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusTooManyRequests {
		t.Fatalf("address over the limit: %d, want 429", st)
	}
	if hashes.Load() != 0 {
		t.Fatalf("%d hashes computed for a throttled address", hashes.Load())
	}
}

// A hash made with older parameters is replaced at the next good login.
func TestRehashOnLogin(t *testing.T) {
	s, id, _ := withAccount(t, identity.Teacher)
	stored := func() string {
		var h string
		if err := s.App.DB.Read().QueryRowContext(context.Background(), "SELECT password_hash FROM accounts WHERE id = $1", id).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if !strings.Contains(stored(), "$m=64,t=1,p=1$") {
		t.Fatalf("unexpected test hash %s", stored())
	}
	s.App.Accounts.Hasher = account.NewHasher(account.Argon2{MemoryKiB: 128, Time: 2, Threads: 1}, 2)
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	if h := stored(); !strings.Contains(h, "$m=128,t=2,p=1$") {
		t.Fatalf("not rehashed with the new parameters: %s", h)
	}
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusSeeOther {
		t.Fatalf("login after rehash: %d", st)
	}
}

// The API lists the account's browser sessions and ends one of them; another
// account's session is not found.
func TestAPIOwnSessions(t *testing.T) {
	s, id, region := withAccount(t, identity.Teacher)
	ctx := context.Background()
	tok, err := s.App.Accounts.IssueToken(ctx, id, "test")
	if err != nil {
		t.Fatal(err)
	}
	bearer := []string{"Authorization", "Bearer " + tok}
	a, b := s.Client(), s.Client()
	login(t, s, a, "anna.k", pw)
	login(t, s, b, "anna.k", pw)
	st, _, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me/sessions", nil, bearer...)
	var list struct {
		Items []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &list); st != 200 || err != nil || len(list.Items) != 2 {
		t.Fatalf("sessions: %d %s", st, body)
	}
	// The cookie alone opens nothing in the API.
	if st, _, _ := apptest.Do(t, a, "DELETE", s.URL+"/api/v1/me/sessions/"+list.Items[0].ID, nil); st != http.StatusUnauthorized {
		t.Fatalf("DELETE with the session cookie: %d, want 401", st)
	}
	if st, _, body := apptest.Do(t, s.Client(), "DELETE", s.URL+"/api/v1/me/sessions/"+list.Items[0].ID, nil, bearer...); st != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", st, body)
	}
	alive := 0
	for _, c := range []*http.Client{a, b} {
		if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/me", nil); st == 200 {
			alive++
		}
	}
	if alive != 1 {
		t.Fatalf("%d sessions alive after revoking one of two", alive)
	}
	if st, _, _ := apptest.Do(t, s.Client(), "DELETE", s.URL+"/api/v1/me/sessions/"+list.Items[0].ID, nil, bearer...); st != http.StatusNotFound {
		t.Fatalf("revoking twice: %d, want 404", st)
	}
	// Someone else's token cannot end Anna's remaining session.
	other, code, err := s.App.Accounts.Create(ctx, "boris", []identity.Grant{{Role: identity.Teacher, OrgID: region}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	otherTok, _ := s.App.Accounts.IssueToken(ctx, other.ID, "test")
	if st, _, _ := apptest.Do(t, s.Client(), "DELETE", s.URL+"/api/v1/me/sessions/"+list.Items[1].ID, nil, "Authorization", "Bearer "+otherTok); st != http.StatusNotFound {
		t.Fatalf("another account's session: %d, want 404", st)
	}
	if st, _, _ := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/me/sessions", nil); st != http.StatusUnauthorized {
		t.Fatalf("no token: %d, want 401", st)
	}
}

// Nobody grants a role above their own, and nobody administers their own account.
func TestNoEscalation(t *testing.T) {
	s, id, region := withAccount(t, identity.SchoolAdmin)
	tok, err := s.App.Accounts.IssueToken(context.Background(), id, "t")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	call := func(method, path, body string) (int, string) {
		h := []string{"Authorization", "Bearer " + tok}
		if body != "" {
			h = append(h, "Content-Type", "application/json")
			st, _, b := apptest.Do(t, c, method, s.URL+path, strings.NewReader(body), h...)
			return st, b
		}
		st, _, b := apptest.Do(t, c, method, s.URL+path, nil, h...)
		return st, b
	}
	if st, body := call("POST", "/api/v1/accounts", `{"login":"boss","role":"regional_officer","org_id":`+strconv.FormatInt(region, 10)+`}`); st != http.StatusForbidden || !strings.Contains(body, `"rule":"grantable"`) {
		t.Fatalf("school admin granting regional_officer: %d %s", st, body)
	}
	if st, body := call("POST", "/api/v1/accounts", `{"login":"colleague","role":"teacher","org_id":`+strconv.FormatInt(region, 10)+`}`); st != http.StatusCreated || !strings.Contains(body, "activation_code") {
		t.Fatalf("school admin creating a teacher: %d %s", st, body)
	}
	if st, _ := call("POST", "/api/v1/accounts/"+strconv.FormatInt(id, 10)+"/disable", ""); st != http.StatusForbidden {
		t.Fatalf("disabling one's own account: %d", st)
	}
	if st, body := call("POST", "/api/v1/accounts", `{"login":"x","role":"teacher","org_id":0,"is_admin":true}`); st != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"is_admin"`) {
		t.Fatalf("unknown field: %d %s", st, body)
	}
}

// A signed-in form needs its session's token: one from another session or
// none at all is refused, and the session survives.
func TestSessionFormToken(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	a, b := s.Client(), s.Client()
	login(t, s, a, "anna.k", pw)
	login(t, s, b, "anna.k", pw)
	other := s.CSRF(t, b, "/me")
	for _, tok := range []string{"", other} {
		st, _, _ := apptest.Do(t, a, "POST", s.URL+"/logout", apptest.Form("csrf", tok), "Content-Type", "application/x-www-form-urlencoded")
		if st != http.StatusForbidden {
			t.Fatalf("logout with token %q: %d, want 403", tok, st)
		}
	}
	if st, _, _ := apptest.Do(t, a, "GET", s.URL+"/me", nil); st != 200 {
		t.Fatalf("refused logout ended the session: %d", st)
	}
}

// Made-up activation codes cost no hashing; wrong current passwords count
// towards the lockout like wrong logins.
func TestGuessingCostsAndCounts(t *testing.T) {
	s, _, _ := withAccount(t, identity.Teacher)
	var hashes atomic.Int64
	s.App.Accounts.Hasher.Count = func() { hashes.Add(1) }
	st, _, body := s.PostForm(t, s.Client(), "/activate", "/activate", "code", "made-up", "password", "a new long passphrase", "password2", "a new long passphrase")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-err"`) || hashes.Load() != 0 {
		t.Fatalf("made-up code: %d, %d hashes", st, hashes.Load())
	}
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	for i := range 5 {
		st, _, _ := s.PostForm(t, c, "/me", "/me/password", "current_password", "guess "+string(rune('a'+i)), "new_password", "a new long passphrase", "new_password2", "a new long passphrase")
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d: %d", i, st)
		}
	}
	if st, _ := login(t, s, s.Client(), "anna.k", pw); st != http.StatusTooManyRequests {
		t.Fatalf("after 5 wrong current passwords the login is not locked: %d", st)
	}
}
