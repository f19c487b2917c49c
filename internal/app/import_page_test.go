package app_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shkola/internal/apptest"
)

// The import page: a school admin checks a file (every row's errors in a
// table, in the page's language), confirms with the same file (another is
// refused), and downloads a list from the link on its page.
func TestImportPage(t *testing.T) {
	c := newContingentRegion(t)
	s := c.s
	client := s.Client()
	loginWithTOTP(t, s, client, "admin.s1")
	st, _, page := apptest.Do(t, client, "GET", s.URL+"/imports", nil)
	if st != 200 || !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, "/api/v1/imports/template?kind=pupils&amp;format=xlsx") {
		t.Fatalf("import page: %d", st)
	}
	csrf := contingentCSRF.FindStringSubmatch(page)[1]
	good := "Белов,Борис,,2015-04-01,m,,5Б,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	bad := "Чернов,Чеслав,,2015-04-01,m,,5Б,2027-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	post := func(file string, kv ...string) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for i := 0; i+1 < len(kv); i += 2 {
			_ = mw.WriteField(kv[i], kv[i+1])
		}
		_ = mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", "pupils.csv")
		_, _ = fw.Write([]byte(file))
		_ = mw.Close()
		st, _, body := apptest.Do(t, client, "POST", s.URL+"/imports", &b, "Content-Type", mw.FormDataContentType())
		return st, body
	}
	org := fmt.Sprint(c.s1)
	st, body := post(pupilsHeader+good+bad, "kind", "pupils", "org_id", org, "mode", "all_or_nothing")
	if st != 200 || !strings.Contains(body, "<td>3</td><td><code>admission_date</code></td><td><code>future</code></td><td>Дата в будущем</td>") ||
		strings.Contains(body, `name="confirm"`) {
		t.Fatalf("preview, all or nothing: %d\n%s", st, body)
	}
	st, body = post(pupilsHeader+good+bad, "kind", "pupils", "org_id", org, "mode", "valid_only")
	m := regexp.MustCompile(`name="confirm" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("preview, valid only: no confirm form: %d", st)
	}
	if st, body = post(pupilsHeader+good, "kind", "pupils", "org_id", org, "mode", "valid_only", "confirm", m[1]); st != 422 || !strings.Contains(body, "Это не тот файл") {
		t.Fatalf("confirm with another file: %d", st)
	}
	if c.count(t, "SELECT COUNT(*) FROM persons WHERE last_name = 'Белов'") != 0 {
		t.Fatal("written before confirmation")
	}
	if st, body = post(pupilsHeader+good+bad, "kind", "pupils", "org_id", org, "mode", "valid_only", "confirm", m[1]); st != 200 || !strings.Contains(body, "Данные записаны.") {
		t.Fatalf("confirm: %d\n%s", st, body)
	}
	if c.count(t, "SELECT COUNT(*) FROM persons WHERE last_name = 'Белов'") != 1 {
		t.Fatal("the confirmed row was not written")
	}
	// Another school's import is refused on the page.
	if st, body = post(pupilsHeader+good, "kind", "pupils", "org_id", fmt.Sprint(c.s2), "mode", "valid_only"); st != 422 || !strings.Contains(body, "Вы не можете импортировать") {
		t.Errorf("import into another school: %d", st)
	}
	// The persons list links its download with the page's filters.
	st, _, page = apptest.Do(t, client, "GET", s.URL+"/persons?q=Белов", nil)
	if st != 200 || !strings.Contains(page, `href="/exports/persons?format=csv&amp;q=%D0%91%D0%B5%D0%BB%D0%BE%D0%B2"`) {
		t.Fatalf("persons page has no export link: %d", st)
	}
	st, hdr, csv := apptest.Do(t, client, "GET", s.URL+"/exports/persons?format=csv&q=Белов&cursor=x", nil)
	if st != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(csv, "Белов,Борис") || strings.Contains(csv, "Орлов") {
		t.Fatalf("export from the page: %d %s", st, csv)
	}
}
