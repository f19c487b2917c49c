package app_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"shkola/internal/apptest"
	"shkola/internal/demo"
	"shkola/internal/identity"
	"shkola/internal/logins"
)

// loginsWorld is the small demo region with bearer tokens by login.
type loginsWorld struct {
	s      *apptest.Server
	tokens map[string]string
	class1 int64 // teacher1's class (the first class of school 1)
}

func newLoginsWorld(t *testing.T) *loginsWorld {
	t.Helper()
	s := apptest.Start(t)
	if _, err := demo.Generate(context.Background(), s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts,
		People: s.App.People, Contingent: s.App.Contingent.S}); err != nil {
		t.Fatal(err)
	}
	w := &loginsWorld{s: s, tokens: map[string]string{}}
	w.class1 = w.id(t, `SELECT g.id FROM groups g JOIN accounts a ON a.person_id = g.class_teacher_id WHERE a.login = 'teacher1' AND g.kind = 'class'`)
	return w
}

func (w *loginsWorld) id(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := w.s.App.DB.R.QueryRow(query, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return id
}

func (w *loginsWorld) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := w.s.App.DB.W.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// token is a bearer token of the account with login.
func (w *loginsWorld) token(t *testing.T, login string) string {
	t.Helper()
	if tok, ok := w.tokens[login]; ok {
		return tok
	}
	tok, err := w.s.App.Accounts.IssueToken(context.Background(), w.id(t, "SELECT id FROM accounts WHERE login = $1", login), "test")
	if err != nil {
		t.Fatal(err)
	}
	w.tokens[login] = tok
	return tok
}

// account makes an account with one grant, linked to person when not 0.
func (w *loginsWorld) account(t *testing.T, login string, role identity.Role, org, person int64) {
	t.Helper()
	acc, _, err := w.s.App.Accounts.Create(context.Background(), login, []identity.Grant{{Role: role, OrgID: org}})
	if err != nil {
		t.Fatal(err)
	}
	if person != 0 {
		w.exec(t, "UPDATE accounts SET person_id = $1 WHERE id = $2", person, acc.ID)
	}
}

func (w *loginsWorld) call(t *testing.T, tok, method, path, body string) (int, http.Header, string) {
	t.Helper()
	var h []string
	if tok != "" {
		h = append(h, "Authorization", "Bearer "+tok)
	}
	var r io.Reader
	if body != "" {
		r, h = strings.NewReader(body), append(h, "Content-Type", "application/json")
	}
	return apptest.Do(t, w.s.Client(), method, w.s.URL+path, r, h...)
}

func (w *loginsWorld) issue(t *testing.T, tok string, class int64, body string) logins.Result {
	t.Helper()
	st, hdr, out := w.call(t, tok, "POST", fmt.Sprintf("/api/v1/classes/%d/logins", class), body)
	if st != 200 || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("issue: %d %s %s", st, hdr.Get("Cache-Control"), out)
	}
	var r logins.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// issued lists the members of a result that got a code now, once each.
func issued(r logins.Result) []logins.Member {
	var out []logins.Member
	seen := map[int64]bool{}
	for _, f := range r.Families {
		for _, m := range append([]logins.Member{f.Pupil}, f.Guardians...) {
			if m.Code != "" && !seen[m.AccountID] {
				seen[m.AccountID] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// activate sets a password with a code through the activation form.
func activate(t *testing.T, s *apptest.Server, code, password string) (int, string) {
	t.Helper()
	st, _, body := s.PostForm(t, s.Client(), "/activate", "/activate", "code", code, "password", password, "password2", password)
	return st, body
}

// The class teacher issues the logins of the class: one account per
// guardian without one (pupils of the first class are under the minimum
// age), linked to the person, with codes that activate; issuing again
// creates nothing, reissuing replaces the codes of accounts not yet
// activated; everyone else is refused as if the class did not exist.
func TestClassTeacherIssuesLogins(t *testing.T) {
	w := newLoginsWorld(t)
	path := fmt.Sprintf("/api/v1/classes/%d/logins", w.class1)
	school := w.id(t, "SELECT org_id FROM groups WHERE id = $1", w.class1)
	other := w.id(t, "SELECT id FROM organisations WHERE kind = 'school' AND id <> $1 ORDER BY id LIMIT 1", school)
	// A teacher who teaches the class but does not lead it, another school's
	// administrator, an inspector and the operator.
	teaching := w.id(t, `SELECT a.teacher_id FROM assignments a JOIN groups g ON g.id = a.group_id
		WHERE a.group_id = $1 AND a.teacher_id <> g.class_teacher_id ORDER BY a.id LIMIT 1`, w.class1)
	w.account(t, "just.teaches", identity.Teacher, school, teaching)
	w.account(t, "other.director", identity.SchoolAdmin, other, 0)
	for _, login := range []string{"just.teaches", "other.director", "inspector", "operator", "parent1", "pupil1", "uo1"} {
		for _, m := range []string{"GET", "POST"} {
			if st, _, body := w.call(t, w.token(t, login), m, path, ""); st != 404 {
				t.Errorf("%s %s logins: %d %s, want 404", login, m, st, body)
			}
		}
	}
	if st, _, _ := w.call(t, "", "POST", path, ""); st != 401 {
		t.Errorf("anonymous issue: %d", st)
	}

	var pupils, want int
	if err := w.s.App.DB.R.QueryRow(`SELECT (SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND ends_on IS NULL),
		(SELECT COUNT(DISTINCT gd.guardian_id) FROM guardianships gd JOIN group_members m ON m.person_id = gd.child_id AND m.group_id = $1 AND m.ends_on IS NULL
		 WHERE gd.ends_on IS NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = gd.guardian_id))`, w.class1).Scan(&pupils, &want); err != nil {
		t.Fatal(err)
	}
	if want == 0 {
		t.Fatal("the demo class has no guardian without an account")
	}
	teacher := w.token(t, "teacher1")
	st, _, body := w.call(t, teacher, "GET", path, "")
	if st != 200 || strings.Count(body, `"role":"student"`) != pupils {
		t.Fatalf("roster: %d, want %d pupils: %s", st, pupils, body)
	}
	r := w.issue(t, teacher, w.class1, "")
	got := issued(r)
	if r.Created != want || len(got) != want || r.Reissued != 0 {
		t.Fatalf("created %d (%d with codes), want %d guardians", r.Created, len(got), want)
	}
	for _, m := range got {
		if m.Role != identity.Guardian || !m.Created || !regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+\d*$`).MatchString(m.Login) {
			t.Errorf("issued %+v", m)
		}
		var person int64
		var role string
		if err := w.s.App.DB.R.QueryRow(`SELECT a.person_id, g.role FROM accounts a JOIN account_grants g ON g.account_id = a.id
			WHERE a.id = $1 AND g.org_id = $2`, m.AccountID, school).Scan(&person, &role); err != nil || person != m.PersonID || role != "guardian" {
			t.Errorf("account of %s: person %d role %q (%v)", m.Login, person, role, err)
		}
	}
	for _, f := range r.Families {
		if f.Pupil.Eligible || f.Pupil.Code != "" {
			t.Errorf("a first-grader got an account: %+v", f.Pupil)
		}
	}
	// The codes are stored only as hashes, and never logged.
	for _, m := range got {
		var n int
		if err := w.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM one_time_codes WHERE code_hash = $1", m.Code).Scan(&n); err != nil || n != 0 {
			t.Errorf("a code is stored in clear (%v)", err)
		}
		if strings.Contains(w.s.Logs.String(), m.Code) {
			t.Errorf("a code is in the log")
		}
	}
	// The audit log says who issued which accounts.
	var detail, actor string
	if err := w.s.App.DB.R.QueryRow(`SELECT detail, login FROM audit_log WHERE action = 'account.create' AND object_type = 'class' AND object_id = $1`,
		fmt.Sprint(w.class1)).Scan(&detail, &actor); err != nil || actor != "teacher1" || !strings.Contains(detail, fmt.Sprintf("%d created", want)) {
		t.Errorf("audit: %q by %q (%v)", detail, actor, err)
	}

	// A code activates its account (typed in capitals without hyphens too);
	// its holder logs in.
	first, second := got[0], got[1]
	typed := strings.ToUpper(strings.ReplaceAll(first.Code, "-", ""))
	if st, body := activate(t, w.s, typed, "a-family-password-1"); st != 200 {
		t.Fatalf("activate: %d %s", st, body)
	}
	if st, _ := login(t, w.s, w.s.Client(), first.Login, "a-family-password-1"); st != http.StatusSeeOther {
		t.Errorf("login after activation: %d", st)
	}
	// Issuing again makes nothing; reissuing renews only the codes of the
	// accounts not yet activated, and the old ones stop working.
	if again := w.issue(t, teacher, w.class1, `{}`); again.Created != 0 || again.Reissued != 0 || len(issued(again)) != 0 {
		t.Fatalf("second issue: created %d reissued %d", again.Created, again.Reissued)
	}
	re := w.issue(t, teacher, w.class1, `{"reissue":true}`)
	if re.Created != 0 || re.Reissued != want-1 {
		t.Fatalf("reissue: created %d reissued %d, want %d", re.Created, re.Reissued, want-1)
	}
	if st, _ := activate(t, w.s, second.Code, "a-family-password-2"); st != 422 {
		t.Errorf("an old code after reissue: %d", st)
	}
	for _, m := range issued(re) {
		if m.AccountID == first.AccountID {
			t.Errorf("an active account got a new code")
		}
		if m.AccountID == second.AccountID {
			if st, body := activate(t, w.s, m.Code, "a-family-password-2"); st != 200 {
				t.Errorf("the new code: %d %s", st, body)
			}
		}
	}
	var accounts int
	if err := w.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM accounts").Scan(&accounts); err != nil {
		t.Fatal(err)
	}

	// The slips: one PDF, two families to a page, with the Cyrillic names,
	// the logins and the codes; no cache keeps it.
	fresh := issued(w.issue(t, teacher, w.class1, `{"reissue":true}`))
	var codes []logins.SlipCode
	for _, m := range fresh {
		codes = append(codes, logins.SlipCode{AccountID: m.AccountID, Code: m.Code})
	}
	js, _ := json.Marshal(map[string]any{"codes": codes})
	st, hdr, pdf := w.call(t, teacher, "POST", path+"/slips", string(js))
	if st != 200 || hdr.Get("Content-Type") != "application/pdf" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("slips: %d %v", st, hdr)
	}
	pages, text := pdfText(t, []byte(pdf))
	families := map[int64]bool{}
	for _, f := range w.issueRosterFamilies(t, teacher) {
		for _, g := range f.Guardians {
			for _, m := range fresh {
				if g.AccountID == m.AccountID {
					families[f.Pupil.PersonID] = true
				}
			}
		}
	}
	if pages != (len(families)+1)/2 {
		t.Errorf("%d pages for %d families", pages, len(families))
	}
	for _, m := range fresh {
		for _, s := range []string{m.Name, m.Login, m.Code} {
			if !strings.Contains(text, s) {
				t.Errorf("the slips lack %q", s)
			}
		}
	}
	if !strings.Contains(text, "Вход в электронный дневник") || !strings.Contains(text, w.s.App.Cfg.BaseURL+"/activate") {
		t.Errorf("the slips lack the title or the address")
	}
	// A code that is not live is not printed; nor are other roles' slips.
	codes[0].Code = "aaaa-bbbb-cccc-dddd-eeee"
	js, _ = json.Marshal(map[string]any{"codes": codes})
	if st, _, body := w.call(t, teacher, "POST", path+"/slips", string(js)); st != 422 || !strings.Contains(body, `"field":"codes[0].code"`) {
		t.Errorf("a wrong code printed: %d %s", st, body)
	}
	if st, _, _ := w.call(t, w.token(t, "just.teaches"), "POST", path+"/slips", string(js)); st != 404 {
		t.Errorf("slips by a subject teacher: %d", st)
	}
	var after int
	if err := w.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM accounts").Scan(&after); err != nil || after != accounts {
		t.Errorf("accounts %d -> %d", accounts, after)
	}
}

func (w *loginsWorld) issueRosterFamilies(t *testing.T, tok string) []logins.Family {
	t.Helper()
	st, _, body := w.call(t, tok, "GET", fmt.Sprintf("/api/v1/classes/%d/logins", w.class1), "")
	var r logins.Roster
	if st != 200 || json.Unmarshal([]byte(body), &r) != nil {
		t.Fatalf("roster: %d %s", st, body)
	}
	return r.Families
}

// pdfText returns a PDF's page count and the text of its content streams
// (Flate-compressed; the Go fonts' text is UTF-16 in literal strings).
func pdfText(t *testing.T, pdf []byte) (int, string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[len(pdf)-64:], []byte("%%EOF")) {
		t.Fatal("not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1))
	var text strings.Builder
	// A stream is read by its /Length: its compressed bytes may end in a
	// carriage return, which a pattern up to "endstream" would cut off.
	streams := regexp.MustCompile(`/Filter /FlateDecode[^>]*?/Length (\d+)[^>]*>>\s*stream\r?\n|/Length (\d+)[^>]*?/Filter /FlateDecode[^>]*>>\s*stream\r?\n`)
	literal := regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
	for _, m := range streams.FindAllSubmatchIndex(pdf, -1) {
		lenAt := m[2]
		if lenAt < 0 {
			lenAt = m[4]
		}
		n, _ := strconv.Atoi(string(pdf[lenAt : bytes.IndexAny(pdf[lenAt:], " />\n")+lenAt]))
		if m[1]+n > len(pdf) {
			t.Fatalf("a stream's length %d runs past the end of the PDF", n)
		}
		r, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			continue // a font program, not zlib text
		}
		content, err := io.ReadAll(r)
		if err != nil {
			continue
		}
		for _, s := range literal.FindAllSubmatch(content, -1) {
			raw := unescapePDF(s[1])
			if len(raw)%2 != 0 {
				continue
			}
			units := make([]uint16, len(raw)/2)
			for i := range units {
				units[i] = binary.BigEndian.Uint16(raw[2*i:])
			}
			text.WriteString(string(utf16.Decode(units)))
			text.WriteByte('\n')
		}
	}
	return pages, text.String()
}

func unescapePDF(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'r':
				out = append(out, '\r')
			case 'n':
				out = append(out, '\n')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// A guardian links a child's account with the child's code and, under 14,
// sets the child's login and password; the child cannot; from 14 the
// guardian only looks; another family's child is not found.
func TestGuardianLinksAndManagesChild(t *testing.T) {
	w := newLoginsWorld(t)
	// An older class of school 1: one pupil made 12, one 15, one 8 (under the
	// minimum age), each with a guardian.
	school := w.id(t, "SELECT org_id FROM groups WHERE id = $1", w.class1)
	class := w.id(t, `SELECT g.id FROM groups g WHERE g.org_id = $1 AND g.kind = 'class' AND g.parallel = 7 ORDER BY g.letter LIMIT 1`, school)
	rows, err := w.s.App.DB.R.Query(`SELECT m.person_id FROM group_members m WHERE m.group_id = $1 AND m.ends_on IS NULL
		AND EXISTS (SELECT 1 FROM guardianships gd WHERE gd.child_id = m.person_id AND gd.ends_on IS NULL)
		AND NOT EXISTS (SELECT 1 FROM guardianships a JOIN guardianships b ON b.guardian_id = a.guardian_id AND b.child_id <> a.child_id
			WHERE a.child_id = m.person_id) ORDER BY m.person_id LIMIT 3`, class)
	if err != nil {
		t.Fatal(err)
	}
	var kids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		kids = append(kids, id)
	}
	rows.Close()
	if len(kids) != 3 {
		t.Fatalf("found %d pupils with own guardians", len(kids))
	}
	young, senior, small := kids[0], kids[1], kids[2]
	born := func(years int) string { return time.Now().AddDate(-years, 0, -10).Format("2006-01-02") }
	w.exec(t, "UPDATE persons SET birth_date = $1 WHERE id = $2", born(12), young)
	w.exec(t, "UPDATE persons SET birth_date = $1 WHERE id = $2", born(15), senior)
	w.exec(t, "UPDATE persons SET birth_date = $1 WHERE id = $2", born(8), small)

	res := w.issue(t, w.token(t, "director1"), class, "")
	find := func(person int64) (pupil logins.Member, guardian logins.Member) {
		for _, f := range res.Families {
			if f.Pupil.PersonID == person {
				return f.Pupil, f.Guardians[0]
			}
		}
		t.Fatalf("pupil %d not in the result", person)
		return
	}
	yp, yg := find(young)
	sp, sg := find(senior)
	smallPupil, _ := find(small)
	if yp.Code == "" || sp.Code == "" || !yp.Under14 || sp.Under14 || smallPupil.Code != "" || smallPupil.Eligible {
		t.Fatalf("pupils: %+v %+v %+v", yp, sp, smallPupil)
	}
	// From 14 the pupil activates own account; under 14 the parent does.
	if st, body := activate(t, w.s, sp.Code, "a-senior-password-1"); st != 200 {
		t.Errorf("a 15-year-old activates: %d %s", st, body)
	}
	if st, body := activate(t, w.s, yp.Code, "a-young-password-1"); st != 403 || !strings.Contains(body, "code-err") {
		t.Errorf("a 12-year-old activates: %d", st)
	}
	tokOf := func(m logins.Member) string {
		if st, body := activate(t, w.s, m.Code, "a-parent-password-1"); st != 200 {
			t.Fatalf("parent activation: %d %s", st, body)
		}
		return w.token(t, m.Login)
	}
	parentY, parentS := tokOf(yg), tokOf(sg)

	// My children before linking: the child, no control.
	st, _, body := w.call(t, parentY, "GET", "/api/v1/me/children", "")
	if st != 200 || !strings.Contains(body, fmt.Sprintf(`"person_id":%d,`, young)) || !strings.Contains(body, `"linked":false`) || strings.Contains(body, yp.Login) {
		t.Fatalf("my children: %d %s", st, body)
	}
	pw := fmt.Sprintf("/api/v1/me/children/%d/password", young)
	if st, _, _ := w.call(t, parentY, "POST", pw, `{"password":"a-child-password-1"}`); st != 403 {
		t.Errorf("password before linking: %d", st)
	}
	// A wrong code, another family's child's code and one's own code get
	// the same refusal, naming the field only.
	var refusals []string
	for _, code := range []string{"not-a-code", sp.Code, yg.Code} {
		st, _, body := w.call(t, parentY, "POST", "/api/v1/me/children/link", fmt.Sprintf(`{"code":%q}`, code))
		var p struct {
			Errors []struct{ Field, Rule, Message string }
		}
		if st != 422 || json.Unmarshal([]byte(body), &p) != nil || len(p.Errors) != 1 || p.Errors[0].Field != "code" {
			t.Errorf("link with %q: %d %s", code, st, body)
			continue
		}
		refusals = append(refusals, p.Errors[0].Message)
		if strings.Contains(body, sp.Name) || strings.Contains(body, sp.Login) {
			t.Errorf("a refusal names the code's holder: %s", body)
		}
	}
	if len(refusals) == 3 && (refusals[0] != refusals[1] || refusals[1] != refusals[2]) {
		t.Errorf("refusals differ: %q", refusals)
	}
	// The right code links (its own slip: the child's code, typed loosely).
	st, _, body = w.call(t, parentY, "POST", "/api/v1/me/children/link", fmt.Sprintf(`{"code":%q}`, strings.ToUpper(yp.Code)))
	if st != 200 || !strings.Contains(body, `"linked":true`) || !strings.Contains(body, `"can_manage":true`) || !strings.Contains(body, yp.Login) {
		t.Fatalf("link: %d %s", st, body)
	}
	// Under 14: the parent sets the password and the login; the child logs
	// in with them and cannot change the password itself.
	if st, _, body := w.call(t, parentY, "POST", pw, `{"password":"short"}`); st != 422 || !strings.Contains(body, `"field":"password"`) {
		t.Errorf("a short password: %d %s", st, body)
	}
	if st, _, body := w.call(t, parentY, "POST", pw, `{"password":"a-child-password-1"}`); st != 200 {
		t.Fatalf("child password: %d %s", st, body)
	}
	if st, _, body := w.call(t, parentY, "POST", fmt.Sprintf("/api/v1/me/children/%d/login", young), `{"login":"pupil1"}`); st != 409 || !strings.Contains(body, `"field":"login"`) {
		t.Errorf("a taken login: %d %s", st, body)
	}
	if st, _, body := w.call(t, parentY, "POST", fmt.Sprintf("/api/v1/me/children/%d/login", young), `{"login":"young.one"}`); st != 200 || !strings.Contains(body, `"login":"young.one"`) {
		t.Fatalf("child login: %d %s", st, body)
	}
	if st, _ := activate(t, w.s, yp.Code, "a-young-password-2"); st == 200 {
		t.Errorf("the child's slip code still activates after the parent set the password")
	}
	child := w.s.Client()
	if st, _ := login(t, w.s, child, "young.one", "a-child-password-1"); st != http.StatusSeeOther {
		t.Fatalf("the child logs in: %d", st)
	}
	st, _, body = w.s.PostForm(t, child, "/me", "/me/password", "current_password", "a-child-password-1", "new_password", "my-own-password-9", "new_password2", "my-own-password-9")
	if st != 403 || !strings.Contains(body, "np-err") || !strings.Contains(body, "До 14 лет пароль задаёт родитель") {
		t.Errorf("a child under 14 changes own password: %d", st)
	}
	if st, _ := login(t, w.s, w.s.Client(), "young.one", "a-child-password-1"); st != http.StatusSeeOther {
		t.Errorf("the password the parent set no longer works: %d", st)
	}

	// From 14: linked for the view, no password or login changes.
	if st, _, body := w.call(t, parentS, "POST", "/api/v1/me/children/link", fmt.Sprintf(`{"code":%q}`, sp.Code)); st != 200 || !strings.Contains(body, `"can_manage":false`) {
		t.Errorf("link a 15-year-old: %d %s", st, body)
	}
	if st, _, _ := w.call(t, parentS, "POST", fmt.Sprintf("/api/v1/me/children/%d/password", senior), `{"password":"a-child-password-2"}`); st != 403 {
		t.Errorf("password of a 15-year-old: %d", st)
	}
	if st, _, _ := w.call(t, parentS, "POST", fmt.Sprintf("/api/v1/me/children/%d/login", senior), `{"login":"senior.one"}`); st != 403 {
		t.Errorf("login of a 15-year-old: %d", st)
	}
	// Another family's child is not found; a child does not manage itself.
	if st, _, _ := w.call(t, parentS, "POST", pw, `{"password":"a-child-password-3"}`); st != 404 {
		t.Errorf("another family's child: %d", st)
	}
	if st, _, _ := w.call(t, w.token(t, "young.one"), "POST", pw, `{"password":"a-child-password-3"}`); st != 404 {
		t.Errorf("the child itself: %d", st)
	}
	var audited int
	if err := w.s.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'guardian.link'`).Scan(&audited); err != nil || audited < 5 {
		t.Errorf("link events audited: %d (%v)", audited, err)
	}
}

// Through the pages: the class card offers the logins page only to those
// who may issue; the result page shows the codes once (no-store) and its
// button downloads the slips; a parent sees "My children".
func TestIssueLoginsPages(t *testing.T) {
	w := newLoginsWorld(t)
	s := w.s
	card := fmt.Sprintf("/classes/%d", w.class1)
	teaching := w.id(t, `SELECT a.teacher_id FROM assignments a JOIN groups g ON g.id = a.group_id
		WHERE a.group_id = $1 AND a.teacher_id <> g.class_teacher_id ORDER BY a.id LIMIT 1`, w.class1)
	school := w.id(t, "SELECT org_id FROM groups WHERE id = $1", w.class1)
	acc, code, err := s.App.Accounts.Create(context.Background(), "just.teaches", []identity.Grant{{Role: identity.Teacher, OrgID: school}})
	if err != nil {
		t.Fatal(err)
	}
	w.exec(t, "UPDATE accounts SET person_id = $1 WHERE id = $2", teaching, acc.ID)
	if st, body := activate(t, s, code, "a-teacher-password-1"); st != 200 {
		t.Fatalf("activate: %d %s", st, body)
	}
	other := s.Client()
	if st, _ := login(t, s, other, "just.teaches", "a-teacher-password-1"); st != http.StatusSeeOther {
		t.Fatal("teacher login")
	}
	if st, _, body := apptest.Do(t, other, "GET", s.URL+card, nil); st != 200 || strings.Contains(body, card+"/logins") {
		t.Errorf("a subject teacher's class card: %d, offers logins: %v", st, strings.Contains(body, card+"/logins"))
	}
	if st, _, _ := apptest.Do(t, other, "GET", s.URL+card+"/logins", nil); st != 404 {
		t.Errorf("a subject teacher's logins page: %d", st)
	}

	c := s.Client()
	if st, _ := login(t, s, c, "teacher1", demo.DemoPassword); st != http.StatusSeeOther {
		t.Fatal("teacher1 login")
	}
	if st, _, body := apptest.Do(t, c, "GET", s.URL+card, nil); st != 200 || !strings.Contains(body, card+"/logins") {
		t.Fatalf("the class teacher's card does not offer logins: %d", st)
	}
	st, hdr, body := s.PostForm(t, c, card+"/logins", card+"/logins")
	if st != 200 || hdr.Get("Cache-Control") != "no-store" || !strings.Contains(body, "Выданные коды") {
		t.Fatalf("issue page: %d %q", st, hdr.Get("Cache-Control"))
	}
	ids := regexp.MustCompile(`name="account_id" value="(\d+)"`).FindAllStringSubmatch(body, -1)
	codes := regexp.MustCompile(`name="code" value="([a-z0-9-]+)"`).FindAllStringSubmatch(body, -1)
	if len(ids) == 0 || len(ids) != len(codes) {
		t.Fatalf("%d accounts, %d codes on the result page", len(ids), len(codes))
	}
	form := url.Values{"csrf": {s.CSRF(t, c, card+"/logins")}}
	for i := range ids {
		form.Add("account_id", ids[i][1])
		form.Add("code", codes[i][1])
	}
	st, hdr, pdf := apptest.Do(t, c, "POST", s.URL+card+"/logins/slips", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if st != 200 || hdr.Get("Content-Type") != "application/pdf" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("slips: %d %v", st, hdr)
	}
	if pages, text := pdfText(t, []byte(pdf)); pages == 0 || !strings.Contains(text, codes[0][1]) {
		t.Errorf("slips: %d pages, first code printed: %v", pages, strings.Contains(text, codes[0][1]))
	}

	p := s.Client()
	if st, _ := login(t, s, p, "parent1", demo.DemoPassword); st != http.StatusSeeOther {
		t.Fatal("parent1 login")
	}
	var child string
	if err := s.App.DB.R.QueryRow(`SELECT p.last_name FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id
		JOIN persons p ON p.id = gd.child_id WHERE a.login = 'parent1' AND gd.ends_on IS NULL ORDER BY p.id LIMIT 1`).Scan(&child); err != nil {
		t.Fatal(err)
	}
	if st, _, body := apptest.Do(t, p, "GET", s.URL+"/children", nil); st != 200 || !strings.Contains(body, child) || !strings.Contains(body, `href="/children"`) {
		t.Errorf("my children: %d, lists %s: %v", st, child, strings.Contains(body, child))
	}
	st, _, body = s.PostForm(t, p, "/children", "/children/link", "code", "wrong-code")
	if st != 422 || !strings.Contains(body, "code-err") {
		t.Errorf("a wrong code on the page: %d", st)
	}
}
