package app_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/identity"
)

// dirAPI sends an API request with an optional bearer token.
func dirAPI(t *testing.T, s *apptest.Server, tok, method, path, ctype, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	if tok != "" {
		header = append(header, "Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		header = append(header, "Content-Type", ctype)
	}
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
		return apptest.Do(t, s.Client(), method, s.URL+"/api/v1"+path, r, header...)
	}
	return apptest.Do(t, s.Client(), method, s.URL+"/api/v1"+path, nil, header...)
}

func TestDirectoryAPI(t *testing.T) {
	s, officerID, region := withAccount(t, identity.RegionalOfficer)
	ctx := context.Background()
	tok, err := s.App.Accounts.IssueToken(ctx, officerID, "t")
	if err != nil {
		t.Fatal(err)
	}
	other := func(login string, role identity.Role) string {
		acc, _, err := s.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: region}})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := s.App.Accounts.IssueToken(ctx, acc.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	admin, teacher := other("admin", identity.SchoolAdmin), other("teacher", identity.Teacher)

	// Reading is public.
	st, _, body := dirAPI(t, s, "", "GET", "/directories", "", "")
	if st != 200 || !strings.Contains(body, `{"name":"subject","entries":27,"active":27}`) {
		t.Fatalf("directories: %d %s", st, body)
	}
	st, _, body = dirAPI(t, s, "", "GET", "/directories/work_kind", "", "")
	if st != 200 || !strings.Contains(body, `"code":"control","name_ru":"Контрольная работа"`) || !strings.Contains(body, `"attrs":{"weight":3}`) {
		t.Fatalf("work kinds: %d %s", st, body)
	}
	for path, want := range map[string]int{
		"/directories/nope": 404, "/directories/subject/alchemy": 404, "/directories/subject?include_inactive=maybe": 422,
		"/directories/subject?colour=red": 422, "/directories?x=1": 422,
	} {
		if st, _, body := dirAPI(t, s, teacher, "GET", path, "", ""); st != want || !strings.Contains(body, `"status":`) {
			t.Errorf("GET %s: %d, want %d: %s", path, st, want, body)
		}
	}

	// The officer adds, changes and retires an entry.
	st, h, body := dirAPI(t, s, tok, "POST", "/directories/work_kind", "application/json", `{"code":"quiz","name_ru":"Самостоятельная работа","attrs":{"weight":2},"sort":15}`)
	if st != 201 || h.Get("ETag") != `W/"1"` || h.Get("Location") != "/api/v1/directories/work_kind/quiz" || !strings.Contains(body, `"active":true`) {
		t.Fatalf("create: %d %v %s", st, h, body)
	}
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/work_kind", "application/json", `{"code":"quiz","name_ru":"Снова","attrs":{"weight":1}}`)
	if st != 409 || !strings.Contains(body, `"field":"code","rule":"unique"`) {
		t.Fatalf("duplicate code: %d %s", st, body)
	}
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/work_kind", "application/json", `{"code":"oral2","name_ru":"Опрос","attrs":{"weight":20}}`)
	if st != 422 || !strings.Contains(body, `"field":"attrs.weight","rule":"range"`) {
		t.Fatalf("weight out of range: %d %s", st, body)
	}
	st, _, body = dirAPI(t, s, tok, "PUT", "/directories/work_kind/quiz", "application/json", `{"name_en":"Quiz"}`)
	if st != 412 || !strings.Contains(body, `"field":"If-Match","rule":"required"`) {
		t.Fatalf("update without If-Match: %d %s", st, body)
	}
	st, h, body = dirAPI(t, s, tok, "PUT", "/directories/work_kind/quiz", "application/json", `{"name_en":"Quiz"}`, "If-Match", `W/"1"`)
	if st != 200 || h.Get("ETag") != `W/"2"` || !strings.Contains(body, `"name_en":"Quiz"`) {
		t.Fatalf("update: %d %s", st, body)
	}
	if st, _, _ := dirAPI(t, s, tok, "PUT", "/directories/work_kind/quiz", "application/json", `{"name_en":"Stale"}`, "If-Match", `W/"1"`); st != 412 {
		t.Fatalf("stale update: %d", st)
	}
	if st, _, body := dirAPI(t, s, tok, "PUT", "/directories/work_kind/quiz", "application/json", `{"code":"q2"}`, "If-Match", `W/"2"`); st != 422 || !strings.Contains(body, `"field":"code","rule":"unknown"`) {
		t.Fatalf("changing the code: %d %s", st, body)
	}
	if st, _, _ := dirAPI(t, s, tok, "PUT", "/directories/work_kind/quiz", "application/json", `{"active":false}`, "If-Match", `W/"2"`); st != 200 {
		t.Fatalf("retire: %d", st)
	}
	if _, _, body := dirAPI(t, s, "", "GET", "/directories/work_kind", "", ""); strings.Contains(body, `"quiz"`) {
		t.Fatal("a retired entry is listed by default")
	}
	if _, _, body := dirAPI(t, s, "", "GET", "/directories/work_kind?include_inactive=true", "", ""); !strings.Contains(body, `"code":"quiz"`) {
		t.Fatal("a retired entry is missing with include_inactive")
	}
	st, h, _ = dirAPI(t, s, "", "GET", "/directories/work_kind/quiz", "", "")
	if st != 200 || h.Get("ETag") != `W/"3"` {
		t.Fatalf("get: %d %s", st, h.Get("ETag"))
	}
	st, _, body = dirAPI(t, s, "", "GET", "/directories/work_kind/quiz/history", "", "")
	if st != 200 || strings.Count(body, `"version":`) != 3 || !strings.Contains(body, `"changed_by":"anna.k"`) {
		t.Fatalf("history: %d %s", st, body)
	}

	// Import: a dry run, the write, the same file again.
	file := "code,name_ru,name_en,attrs\ntrip,Поездка,Trip,\"{\"\"excused\"\":true}\"\nillness,По болезни,Illness,\"{\"\"excused\"\":true}\"\n"
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/absence_reason/import?dry_run=true", "text/csv; charset=utf-8", file)
	if st != 200 || !strings.Contains(body, `"dry_run":true,"rows":2,"created":1,"updated":0,"unchanged":1`) {
		t.Fatalf("dry run: %d %s", st, body)
	}
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/absence_reason/import", "text/csv", file)
	if st != 200 || !strings.Contains(body, `"dry_run":false,"rows":2,"created":1`) {
		t.Fatalf("import: %d %s", st, body)
	}
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/absence_reason/import", "text/csv", file)
	if st != 200 || !strings.Contains(body, `"created":0,"updated":0,"unchanged":2`) {
		t.Fatalf("import again: %d %s", st, body)
	}
	bad := "code,name_ru,attrs\nsport,Соревнования,\"{\"\"excused\"\":true}\"\nSport!,Плохо,\"{\"\"excused\"\":1}\"\n"
	st, _, body = dirAPI(t, s, tok, "POST", "/directories/absence_reason/import", "text/csv", bad)
	if st != 422 || !strings.Contains(body, `"field":"row 3: code","rule":"format"`) || !strings.Contains(body, `"field":"row 3: attrs.excused","rule":"type"`) {
		t.Fatalf("bad import: %d %s", st, body)
	}
	if st, _, _ := dirAPI(t, s, "", "GET", "/directories/absence_reason/sport", "", ""); st != 404 {
		t.Fatalf("the good row of a refused file was written: %d", st)
	}
	if st, _, body := dirAPI(t, s, tok, "POST", "/directories/absence_reason/import", "application/json", `{}`); st != 422 || !strings.Contains(body, `"field":"Content-Type"`) {
		t.Fatalf("import as JSON: %d %s", st, body)
	}

	// Everybody else: 401 without a token, 403 with one.
	changes := []struct{ method, path, ctype, body string }{
		{"POST", "/directories/subject", "application/json", `{"code":"lat","name_ru":"Латынь"}`},
		{"PUT", "/directories/subject/math", "application/json", `{"name_en":"Maths"}`},
		{"POST", "/directories/subject/import", "text/csv", "code,name_ru\nlat,Латынь\n"},
		{"POST", "/directories/subject/import?dry_run=true", "text/csv", "code,name_ru\nlat,Латынь\n"},
	}
	for _, c := range changes {
		for who, want := range map[string]int{"": 401, admin: 403, teacher: 403} {
			if st, _, body := dirAPI(t, s, who, c.method, c.path, c.ctype, c.body, "If-Match", `W/"1"`); st != want {
				t.Errorf("%s %s as %q: %d, want %d: %s", c.method, c.path, who[:min(len(who), 6)], st, want, body)
			}
		}
	}
	if st, _, body := dirAPI(t, s, "", "GET", "/directories/subject/math", "", ""); st != 200 || !strings.Contains(body, `"version":1`) {
		t.Fatalf("refused changes changed math: %s", body)
	}

	// Every change is audited with its fields; the import once more as a whole.
	var creates, updates, imports, denials int
	q := func(dst *int, query string) {
		if err := s.App.DB.R.QueryRow(query).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(&creates, `SELECT COUNT(*) FROM audit_log WHERE action = 'record.create' AND object_type = 'directory_entry' AND changes LIKE '%"field":"name_ru"%'`)
	q(&updates, `SELECT COUNT(*) FROM audit_log WHERE action = 'record.update' AND object_type = 'directory_entry' AND object_id = 'work_kind/quiz'`)
	q(&imports, `SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND object_type = 'directory' AND object_id = 'absence_reason'`)
	q(&denials, `SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied' AND object_type = 'directory'`)
	if creates != 2 || updates != 2 || imports != 2 || denials < 8 {
		t.Fatalf("audit: %d creates, %d updates, %d imports, %d denials", creates, updates, imports, denials)
	}
}

var dirCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginOfficer logs the regional officer in through the UI, setting up the
// second factor that the role requires.
func loginOfficer(t *testing.T, s *apptest.Server, c *http.Client) {
	t.Helper()
	loginWithTOTP(t, s, c, "anna.k")
}

// upload posts a CSV file from the directory page as the browser's form does.
func upload(t *testing.T, s *apptest.Server, c *http.Client, dir, file string) (int, string) {
	t.Helper()
	tok := s.CSRF(t, c, "/directories/"+dir)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", tok)
	_ = mw.WriteField("mode", "check")
	fw, err := mw.CreateFormFile("file", "kinds.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, body := apptest.Do(t, c, "POST", s.URL+"/directories/"+dir+"/import", &b, "Content-Type", mw.FormDataContentType())
	return st, body
}

var hiddenData = regexp.MustCompile(`name="data" value="([^"]*)"`)

func TestDirectoryPages(t *testing.T) {
	s, _, region := withAccount(t, identity.RegionalOfficer)
	ctx := context.Background()

	// Anyone reads, in their language; no forms for a visitor.
	anon := s.Client()
	st, _, body := apptest.Do(t, anon, "GET", s.URL+"/directories", nil)
	if st != 200 || !strings.Contains(body, `<a href="/directories/subject">Учебные предметы</a>`) {
		t.Fatalf("list: %d", st)
	}
	st, _, body = apptest.Do(t, anon, "GET", s.URL+"/directories/subject", nil, "Cookie", "lang=uk")
	if st != 200 || !strings.Contains(body, "<th scope=\"row\">Українська мова</th>") || strings.Contains(body, `action="/directories/subject"`) {
		t.Fatalf("subjects in Ukrainian: %d", st)
	}
	if st, _, _ := apptest.Do(t, anon, "GET", s.URL+"/directories/nope", nil); st != 404 {
		t.Fatalf("unknown directory: %d", st)
	}
	if st, h, _ := s.PostForm(t, anon, "/directories/subject", "/directories/subject", "code", "lat", "name_ru", "Латынь", "active", "on"); st != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Fatalf("visitor's create: %d %s", st, h.Get("Location"))
	}

	// The officer adds an entry, with errors beside the fields first.
	c := s.Client()
	loginOfficer(t, s, c)
	st, _, body = apptest.Do(t, c, "GET", s.URL+"/directories/work_kind", nil)
	if st != 200 || !strings.Contains(body, `action="/directories/work_kind"`) || !strings.Contains(body, `enctype="multipart/form-data"`) ||
		!strings.Contains(body, `href="/directories"`) {
		t.Fatalf("officer's page: %d", st)
	}
	st, _, body = s.PostForm(t, c, "/directories/work_kind", "/directories/work_kind", "code", "Quiz!", "name_ru", "Опрос", "attrs", `{"weight":`, "sort", "1", "active", "on")
	if st != 422 || !strings.Contains(body, `id="attrs-err"`) || strings.Contains(body, "directory.rule.") {
		t.Fatalf("unreadable attrs: %d", st)
	}
	st, _, body = s.PostForm(t, c, "/directories/work_kind", "/directories/work_kind", "code", "Quiz!", "name_ru", "Опрос", "attrs", `{"weight":50}`, "sort", "1", "active", "on")
	if st != 422 || !strings.Contains(body, `id="code-err"`) || !strings.Contains(body, `id="attrs-err">weight: Значение вне допустимых пределов.`) {
		t.Fatalf("bad code and weight: %d", st)
	}
	st, h, _ := s.PostForm(t, c, "/directories/work_kind", "/directories/work_kind", "code", "quiz", "name_ru", "Опрос", "attrs", `{"weight":2}`, "sort", "15", "active", "on")
	if st != http.StatusSeeOther || h.Get("Location") != "/directories/work_kind/quiz" {
		t.Fatalf("create: %d %s", st, h.Get("Location"))
	}
	// Then changes it from the entry page; a stale form is refused.
	st, _, body = apptest.Do(t, c, "GET", s.URL+"/directories/work_kind/quiz", nil)
	if st != 200 || !strings.Contains(body, `name="version" value="1"`) || !strings.Contains(body, "вес: 2") {
		t.Fatalf("entry page: %d", st)
	}
	edit := func(version string) (int, string) {
		st, _, body := s.PostForm(t, c, "/directories/work_kind/quiz", "/directories/work_kind/quiz/edit", "version", version,
			"name_ru", "Опрос", "name_en", "Quiz", "attrs", `{"weight":1}`, "sort", "15", "active", "off")
		return st, body
	}
	if st, _ := edit("1"); st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	if st, body := edit("1"); st != http.StatusPreconditionFailed || !strings.Contains(body, "Запись уже изменил кто-то другой") {
		t.Fatalf("stale edit: %d", st)
	}
	_, _, body = apptest.Do(t, c, "GET", s.URL+"/directories/work_kind/quiz", nil)
	if !strings.Contains(body, "<th scope=\"row\">2</th>") || !strings.Contains(body, "<th scope=\"row\">1</th>") || !strings.Contains(body, "Выведена из употребления") {
		t.Fatal("the entry page does not show both versions")
	}

	// A file with problems is refused row by row; a good one is previewed,
	// then written from the preview.
	st, body = upload(t, s, c, "work_kind", "code,name_ru,attrs\nquiz2,Опрос 2,\"{\"\"weight\"\":2}\"\nBAD,Плохой,\"{\"\"weight\"\":2}\"\n")
	if st != 422 || !strings.Contains(body, "<tr><td>3</td><td><code>code</code></td><td>Неверный формат значения.</td></tr>") || strings.Contains(body, "directory.rule.") {
		t.Fatalf("problems: %d", st)
	}
	if ok, _ := s.App.Dirs.S.Has(ctx, "work_kind", "quiz2"); ok {
		t.Fatal("a checked file was written")
	}
	st, body = upload(t, s, c, "work_kind", "code,name_ru,attrs\nquiz2,Опрос 2,\"{\"\"weight\"\":2}\"\noral,Устный ответ,\"{\"\"weight\"\":1}\"\n")
	m := hiddenData.FindStringSubmatch(body)
	if st != 200 || m == nil || !strings.Contains(body, "будет добавлена") || !strings.Contains(body, "без изменений") {
		t.Fatalf("preview: %d", st)
	}
	if ok, _ := s.App.Dirs.S.Has(ctx, "work_kind", "quiz2"); ok {
		t.Fatal("the preview wrote the file")
	}
	data := strings.NewReplacer("&#34;", `"`, "&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(m[1])
	st, _, body = s.PostForm(t, c, "/directories/work_kind", "/directories/work_kind/import", "mode", "write", "data", data)
	if st != 200 || !strings.Contains(body, "Файл загружен: добавлено 1, изменено 0, без изменений 1.") {
		t.Fatalf("write: %d", st)
	}
	if ok, _ := s.App.Dirs.S.Has(ctx, "work_kind", "quiz2"); !ok {
		t.Fatal("the written file is not in the directory")
	}

	// A teacher sees the directories in the menu but no forms, and may not post.
	_, code, err := s.App.Accounts.Create(ctx, "teacher1", []identity.Grant{{Role: identity.Teacher, OrgID: region}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	tc := s.Client()
	login(t, s, tc, "teacher1", pw)
	if _, _, home := apptest.Do(t, tc, "GET", s.URL+"/", nil); !strings.Contains(home, `<li><a href="/directories">Справочники</a></li>`) {
		t.Fatal("no menu item for a teacher")
	}
	if _, _, home := apptest.Do(t, anon, "GET", s.URL+"/", nil); strings.Contains(home, `href="/directories"`) {
		t.Fatal("a menu item for a visitor")
	}
	_, _, body = apptest.Do(t, tc, "GET", s.URL+"/directories/subject", nil)
	if strings.Contains(body, `action="/directories/subject"`) || strings.Contains(body, "multipart/form-data") {
		t.Fatal("a teacher is offered the forms")
	}
	if st, _, body := s.PostForm(t, tc, "/directories/subject", "/directories/subject", "code", "lat", "name_ru", "Латынь", "active", "on"); st != 403 ||
		!strings.Contains(body, "только региональный орган") {
		t.Fatalf("teacher's create: %d", st)
	}
	if st, _, _ := s.PostForm(t, tc, "/directories/subject", "/directories/subject/math/edit", "version", "1", "name_ru", "Матем", "active", "on"); st != 403 {
		t.Fatalf("teacher's edit: %d", st)
	}
	if e, _ := s.App.Dirs.S.Get(ctx, "subject", "math"); e.Version != 1 {
		t.Fatal("a refused edit changed the entry")
	}
}
