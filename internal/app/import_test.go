package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/importer"
	"shkola/internal/natid"
	"shkola/internal/registry"
)

// upload posts a file to the import route and decodes the report.
func (c *contingentRegion) upload(t *testing.T, tok, query string, file []byte) (int, importer.Report, string) {
	t.Helper()
	st, _, body := apptest.Do(t, c.s.Client(), "POST", c.s.URL+"/api/v1/imports?"+query, bytes.NewReader(file),
		"Authorization", "Bearer "+tok, "Content-Type", "text/csv")
	var rep importer.Report
	if st < 300 || st == http.StatusUnprocessableEntity {
		_ = json.Unmarshal([]byte(body), &rep)
	}
	return st, rep, body
}

func (c *contingentRegion) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.s.App.DB.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func hasCell(rep importer.Report, row int, column, rule string) bool {
	for _, e := range rep.Errors {
		if e.Row == row && e.Column == column && e.Rule == rule && e.Message != "" {
			return true
		}
	}
	return false
}

const pupilsHeader = "last_name,first_name,middle_name,birth_date,sex,snils,class,admission_date,basis_number,basis_date," +
	"guardian1_kind,guardian1_last_name,guardian1_first_name,guardian1_birth_date,guardian1_sex,guardian1_snils," +
	"guardian2_kind,guardian2_last_name,guardian2_first_name,guardian2_birth_date,guardian2_sex\n"

func TestImportTemplates(t *testing.T) {
	s := apptest.Start(t)
	for _, k := range importer.Kinds() {
		st, hdr, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/imports/template?kind="+string(k), nil)
		var want []string
		for _, c := range importer.Layout(k) {
			want = append(want, c.Name)
		}
		if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || strings.TrimSpace(body) != strings.Join(want, ",") {
			t.Fatalf("%s csv template: %d %s %q", k, st, hdr.Get("Content-Type"), body)
		}
		st, _, body = apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/imports/template?kind="+string(k)+"&format=xlsx", nil)
		f, err := excelize.OpenReader(strings.NewReader(body))
		if st != 200 || err != nil {
			t.Fatalf("%s xlsx template: %d %v", k, st, err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(rows) != 1 || strings.Join(rows[0], ",") != strings.Join(want, ",") {
			t.Fatalf("%s xlsx header: %v %v", k, rows, err)
		}
		if doc, _ := f.GetRows("columns"); len(doc) != len(want)+1 {
			t.Errorf("%s xlsx: the columns sheet describes %d columns, want %d", k, len(doc)-1, len(want))
		}
	}
	if st, _, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/imports/template?kind=marks", nil); st != 422 || !strings.Contains(body, `"kind"`) {
		t.Errorf("unknown kind: %d %s", st, body)
	}
}

func TestImportPupils(t *testing.T) {
	c := newContingentRegion(t)
	r := rand.New(rand.NewPCG(7, 7))
	sn := func() string { return natid.GenSNILS(r) }
	// A person already registered with a SNILS: a row giving that SNILS
	// under another name is a duplicate person.
	officer := officerCtx(c)
	taken := sn()
	if _, err := c.s.App.People.Create(officer, registry.NewPerson{OrgID: c.s2, LastName: "Котов", FirstName: "Олег", BirthDate: "2013-02-02", Sex: "m", SNILS: taken}); err != nil {
		t.Fatal(err)
	}
	good1 := fmt.Sprintf("Иванов,Иван,Петрович,2015-04-01,m,%s,5Б,2026-09-01,12-у,2026-08-30,mother,Иванова,Мария,1988-03-03,f,%s,father,Иванов,Пётр,1986-05-05,m\n", sn(), sn())
	good2 := "Смирнова,Ольга,,2015-06-07,f,,5Б,2026-09-01,12-у,2026-08-30,mother,Смирнова,Анна,1990-01-01,f,,,,,,\n"
	badSNILS := "Петров,Пётр,,2015-01-01,m,123-456-789 00,5Б,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	bornAfter := "Сидоров,Семён,,2026-10-01,m,,5Б,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	future := "Кузнецов,Кирилл,,2015-01-01,m,,5Б,2027-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	noClass := "Попов,Павел,,2015-01-01,m,,5Я,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n"
	dupe := fmt.Sprintf("Лебедев,Лев,,2015-01-01,m,%s,5Б,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n", taken)
	wrongSex := "Морозов,Марк,,2015-01-01,m,,5Б,2026-09-01,12-у,2026-08-30,mother,Морозов,Макс,1980-01-01,m,,,,,,\n"
	file := []byte(pupilsHeader + good1 + good2 + badSNILS + bornAfter + future + noClass + dupe + wrongSex)
	persons := func() int { return c.count(t, "SELECT COUNT(*) FROM persons") }
	before, changesBefore := persons(), c.count(t, "SELECT COUNT(*) FROM changes")
	q := fmt.Sprintf("kind=pupils&org_id=%d", c.s1)

	// Dry run: every row's errors, named by row, column and rule; nothing written.
	st, rep, body := c.upload(t, c.adminS1, q+"&dry_run=true&file_name=pupils.csv", file)
	if st != 200 || !rep.DryRun || rep.Written || rep.Rows != 8 || rep.Failed != 6 || rep.Created != 2 {
		t.Fatalf("dry run: %d %s", st, body)
	}
	for _, want := range []struct {
		row          int
		column, rule string
	}{{4, "snils", "checksum"}, {5, "admission_date", "before_birth"}, {6, "admission_date", "future"}, {7, "class", "exists"},
		{8, "snils", "unique"}, {9, "guardian1_kind", "sex"}} {
		if !hasCell(rep, want.row, want.column, want.rule) {
			t.Errorf("dry run: no error at row %d column %s rule %s: %s", want.row, want.column, want.rule, body)
		}
	}
	if persons() != before || c.count(t, "SELECT COUNT(*) FROM changes") != changesBefore {
		t.Fatal("a dry run wrote")
	}

	// All or nothing: one bad row and nothing is written.
	st, rep, body = c.upload(t, c.adminS1, q, file)
	if st != http.StatusUnprocessableEntity || rep.Written || rep.ErrorCount == 0 || persons() != before {
		t.Fatalf("all or nothing: %d %s", st, body)
	}

	// Valid only: the two good rows (pupils, parents, links, admissions) in one go.
	st, rep, body = c.upload(t, c.adminS1, q+"&mode=valid_only", file)
	if st != http.StatusCreated || !rep.Written || rep.Created != 2 || rep.Failed != 6 {
		t.Fatalf("valid only: %d %s", st, body)
	}
	if got := persons() - before; got != 5 {
		t.Errorf("valid only wrote %d people, want 5 (2 pupils, 3 parents)", got)
	}
	var ivanov int64
	if err := c.s.App.DB.R.QueryRow("SELECT id FROM persons WHERE last_name = 'Иванов' AND first_name = 'Иван'").Scan(&ivanov); err != nil {
		t.Fatal(err)
	}
	st, body = c.api(t, c.adminS1, "GET", fmt.Sprintf("/persons/%d/enrolment", ivanov), "")
	if st != 200 || !strings.Contains(body, fmt.Sprintf(`"id":%d`, c.class1)) {
		t.Errorf("the imported pupil is not enrolled in 5Б: %d %s", st, body)
	}
	st, body = c.api(t, c.adminS1, "GET", fmt.Sprintf("/persons/%d/guardians", ivanov), "")
	if st != 200 || !strings.Contains(body, `"kind":"mother"`) || !strings.Contains(body, `"kind":"father"`) {
		t.Errorf("the imported pupil's parents: %d %s", st, body)
	}
	st, body = c.api(t, c.adminS1, "GET", fmt.Sprintf("/persons/%d/movements", ivanov), "")
	if st != 200 || !strings.Contains(body, `"kind":"admission"`) {
		t.Errorf("the admission movement: %d %s", st, body)
	}
	// One audit entry per import, with counts and the file's hash.
	if n := c.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND outcome = 'success' AND object_id = $1 AND detail LIKE 'pupils valid_only%'", rep.SHA256); n != 1 {
		t.Errorf("%d audit entries of the written import", n)
	}

	// The same file again changes nothing.
	written := c.count(t, "SELECT COUNT(*) FROM changes")
	after := persons()
	st, rep, body = c.upload(t, c.adminS1, q+"&mode=valid_only", file)
	if st != http.StatusUnprocessableEntity || rep.Created != 0 || rep.Unchanged != 2 || rep.Written || persons() != after || c.count(t, "SELECT COUNT(*) FROM changes") != written {
		t.Fatalf("re-import: %d %s", st, body)
	}
	// A file of good rows only, in all-or-nothing mode, is all unchanged too.
	st, rep, body = c.upload(t, c.adminS1, q, []byte(pupilsHeader+good1+good2))
	if st != http.StatusOK || rep.Unchanged != 2 || rep.Created != 0 || rep.Written || persons() != after {
		t.Fatalf("re-import all or nothing: %d %s", st, body)
	}
	// The same pupil twice in one file.
	st, rep, body = c.upload(t, c.adminS1, q+"&dry_run=true", []byte(pupilsHeader+good2+good2))
	if st != 200 || !hasCell(rep, 3, "last_name", "duplicate_row") {
		t.Errorf("a pupil twice: %d %s", st, body)
	}
	// A pupil enrolled at another school cannot be admitted here: that is
	// a movement against the rules, named.
	st, rep, body = c.upload(t, c.adminS2, fmt.Sprintf("kind=pupils&org_id=%d&dry_run=true", c.s2), []byte(pupilsHeader+strings.Replace(good2, "5Б", "5Б", 1)))
	if st != 200 || !hasCell(rep, 2, "class", "enrolled") {
		t.Errorf("admission of a pupil enrolled elsewhere: %d %s", st, body)
	}
	// A header the layout does not know.
	st, rep, body = c.upload(t, c.adminS1, q+"&dry_run=true", []byte("last_name,first_name,shoe_size\nА,Б,42\n"))
	if st != 200 || !hasCell(rep, 1, "shoe_size", "unknown_column") || !hasCell(rep, 1, "birth_date", "required_column") {
		t.Errorf("bad header: %d %s", st, body)
	}
}

func officerCtx(c *contingentRegion) context.Context {
	return identity.With(context.Background(), &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: c.region}}})
}

func TestImportDenials(t *testing.T) {
	c := newContingentRegion(t)
	file := []byte(pupilsHeader + "Иванов,Иван,,2015-04-01,m,,5Б,2026-09-01,12-у,2026-08-30,,,,,,,,,,,\n")
	for _, tc := range []struct {
		name, tok string
		want      int
	}{{"another school's admin", c.adminS2, 404}, {"inspector", c.insp, 403}, {"operator", c.operator, 404},
		{"guardian", c.guardian, 404}, {"anonymous", "", 401}, {"municipal officer of another municipality", c.municipalM2, 404}} {
		h := []string{"Content-Type", "text/csv"}
		if tc.tok != "" {
			h = append(h, "Authorization", "Bearer "+tc.tok)
		}
		st, _, body := apptest.Do(t, c.s.Client(), "POST", fmt.Sprintf("%s/api/v1/imports?kind=pupils&org_id=%d&dry_run=true", c.s.URL, c.s1), bytes.NewReader(file), h...)
		if st != tc.want && !(tc.want == 403 && st == 404) {
			t.Errorf("%s: %d %s", tc.name, st, body)
		}
	}
	// The municipal officer of the school's municipality imports people,
	// but not classes (the classes matrix gives them no create).
	if st, _, body := c.upload(t, c.municipalM1, fmt.Sprintf("kind=pupils&org_id=%d&dry_run=true", c.s1), file); st != 200 {
		t.Errorf("municipal officer, pupils: %d %s", st, body)
	}
	if st, _, body := c.upload(t, c.municipalM1, fmt.Sprintf("kind=classes&org_id=%d&dry_run=true", c.s1), []byte("parallel,letter\n6,А\n")); st != 403 && st != 404 {
		t.Errorf("municipal officer, classes: %d %s", st, body)
	}
	// A body over the upload limit is refused, and the global limit does
	// not apply to the import route.
	big := append([]byte(pupilsHeader), bytes.Repeat([]byte(",,,,,,,,,,,,,,,,,,,,\n"), 60000)...)
	if st, rep, body := c.upload(t, c.adminS1, fmt.Sprintf("kind=pupils&org_id=%d&dry_run=true", c.s1), big); st != 200 || rep.Rows != 0 {
		t.Errorf("a 1.2 MB file (blank rows) over the 1 MiB body limit: %d %.300s", st, body)
	}
}

func TestImportOtherKinds(t *testing.T) {
	c := newContingentRegion(t)
	// The region's people were written straight into the table; give them
	// the duplicate key the registry gives every record.
	if _, err := c.s.App.DB.W.Exec("UPDATE persons SET name_key = $1 WHERE id = $2", registry.NameKey("Орлов", "Пётр"), c.pupil); err != nil {
		t.Fatal(err)
	}
	q := func(kind string) string { return fmt.Sprintf("kind=%s&org_id=%d", kind, c.s1) }
	// Guardians: a father for the pupil registered without SNILS, found by
	// name and birth date; an unknown child is named.
	guardians := []byte("child_last_name,child_first_name,child_birth_date,kind,last_name,first_name,birth_date,sex\n" +
		"Орлов,Пётр,2014-09-09,father,Орлов,Игорь,1985-02-02,m\n" +
		"Нетов,Нет,2014-01-01,father,Нетов,Ноль,1985-02-02,m\n")
	st, rep, body := c.upload(t, c.adminS1, q("guardians")+"&mode=valid_only", guardians)
	if st != 201 || rep.Created != 1 || !hasCell(rep, 3, "child_last_name", "exists") {
		t.Fatalf("guardians: %d %s", st, body)
	}
	if st, rep, body = c.upload(t, c.adminS1, q("guardians")+"&mode=valid_only", guardians); st != 422 || rep.Unchanged != 1 || rep.Created != 0 {
		t.Fatalf("guardians again: %d %s", st, body)
	}
	st, body = c.api(t, c.adminS1, "GET", fmt.Sprintf("/persons/%d/guardians", c.pupil), "")
	if st != 200 || !strings.Contains(body, `"kind":"father"`) {
		t.Errorf("the father was not linked: %s", body)
	}
	// Staff: hired through the staff rules; a position outside the directory is named.
	staff := []byte("last_name,first_name,birth_date,sex,position,rate,starts_on\nУчителева,Ульяна,1980-03-03,f,teacher,1,2025-09-01\nНиктов,Ник,1980-03-03,m,astronaut,1,2025-09-01\n")
	st, rep, body = c.upload(t, c.adminS1, q("staff")+"&dry_run=true", staff)
	if st != 200 || rep.Created != 1 || !hasCell(rep, 3, "position", "enum") || c.count(t, "SELECT COUNT(*) FROM employments") != 0 {
		t.Fatalf("staff dry run: %d %s", st, body)
	}
	if st, rep, body = c.upload(t, c.adminS1, q("staff"), staff); st != 422 || c.count(t, "SELECT COUNT(*) FROM employments") != 0 {
		t.Fatalf("staff all or nothing: %d %s", st, body)
	}
	if st, rep, body = c.upload(t, c.adminS1, q("staff")+"&mode=valid_only", staff); st != 201 || rep.Created != 1 || c.count(t, "SELECT COUNT(*) FROM employments") != 1 {
		t.Fatalf("staff: %d %s", st, body)
	}
	if st, rep, body = c.upload(t, c.adminS1, q("staff")+"&mode=valid_only", staff); st != 422 || rep.Unchanged != 1 || c.count(t, "SELECT COUNT(*) FROM employments") != 1 {
		t.Fatalf("staff again: %d %s", st, body)
	}
	// Classes: created in the current year; the existing one unchanged.
	classes := []byte("parallel,letter,capacity\n6,А,25\n5,Б,30\n")
	if st, rep, body = c.upload(t, c.adminS1, q("classes"), classes); st != 201 || rep.Created != 1 || rep.Unchanged != 1 {
		t.Fatalf("classes: %d %s", st, body)
	}
	if st, rep, body = c.upload(t, c.adminS1, q("classes"), []byte("parallel,letter\n40,А\n")); st != 422 || !hasCell(rep, 2, "parallel", "range") {
		t.Fatalf("bad class: %d %s", st, body)
	}
}

func TestImportXLSXAndExport(t *testing.T) {
	c := newContingentRegion(t)
	f := excelize.NewFile()
	var head []any
	for _, h := range strings.Split(strings.TrimSpace(pupilsHeader), ",") {
		head = append(head, h)
	}
	rows := [][]any{
		head,
		{"Волков", "Виктор", "", "2015-04-01", "m", "", "5Б", "2026-09-01", "12-у", "2026-08-30", "mother", "Волкова", "Вера", "1988-03-03", "f"},
		{"Зайцева", "Зоя", "", "2015-05-02", "f", "", "5Б", "2026-09-01", "12-у", "2026-08-30"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	st, rep, body := c.upload(t, c.adminS1, fmt.Sprintf("kind=pupils&org_id=%d&file_name=pupils.xlsx", c.s1), buf.Bytes())
	if st != 201 || rep.Format != "xlsx" || rep.Created != 2 {
		t.Fatalf("xlsx import: %d %s", st, body)
	}
	// Export the class as XLSX and read the pupils back.
	get := func(tok, path string) (int, string) {
		st, _, body := apptest.Do(t, c.s.Client(), "GET", c.s.URL+"/api/v1"+path, nil, "Authorization", "Bearer "+tok)
		return st, body
	}
	st, body = get(c.adminS1, fmt.Sprintf("/exports/persons?format=xlsx&class_id=%d", c.class1))
	x, err := excelize.OpenReader(strings.NewReader(body))
	if st != 200 || err != nil {
		t.Fatalf("xlsx export: %d %v", st, err)
	}
	got, _ := x.GetRows(x.GetSheetList()[0])
	names := map[string]bool{}
	for _, r := range got[1:] {
		names[r[2]+" "+r[3]] = true
	}
	if len(got) != 3 || !names["Волков Виктор"] || !names["Зайцева Зоя"] || strings.Join(got[0], ",") != "id,org_id,last_name,first_name,middle_name,birth_date,sex,class" {
		t.Errorf("xlsx round trip: %v", got)
	}
	// CSV export: the same scope as the list; no identifiers or health data.
	st, body = get(c.adminS1, fmt.Sprintf("/exports/persons?format=csv&org_id=%d", c.s1))
	if st != 200 || !strings.Contains(body, "Волкова,Вера") || strings.Contains(strings.ToLower(body), "snils") {
		t.Errorf("csv export: %d %s", st, body)
	}
	if st, body = get(c.adminS2, fmt.Sprintf("/exports/persons?format=csv&org_id=%d", c.s1)); st != 200 || strings.Contains(body, "Волков") {
		t.Errorf("another school's admin exports our pupils: %d %s", st, body)
	}
	if st, _ = get(c.adminS2, fmt.Sprintf("/exports/classes/%d/members?format=csv", c.class1)); st != 404 {
		t.Errorf("another school's class members: %d", st)
	}
	if st, body = get(c.adminS1, fmt.Sprintf("/exports/organisations/%d/movements?format=csv", c.s1)); st != 200 || !strings.Contains(body, "admission") {
		t.Errorf("movements export: %d %s", st, body)
	}
	for _, p := range []string{"/exports/organisations?format=csv", fmt.Sprintf("/exports/organisations/%d/staff?format=xlsx", c.s1),
		fmt.Sprintf("/exports/organisations/%d/whereabouts-unknown?format=csv", c.s1)} {
		if st, body = get(c.adminS1, p); st != 200 {
			t.Errorf("%s: %d %s", p, st, body)
		}
	}
	if st, _ = get(c.adminS1, "/exports/persons?format=pdf"); st != 422 {
		t.Errorf("format pdf: %d", st)
	}
	// Each export is audited; past the hourly allowance the account is
	// refused, and that is audited too.
	exported := c.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND outcome = 'success' AND login = 'admin.s1'")
	if exported != 6 {
		t.Errorf("%d export audit entries, want 6", exported)
	}
	c.s.App.Export.PerHour = exported + 1
	if st, _ = get(c.adminS1, "/exports/organisations?format=csv"); st != 200 {
		t.Errorf("last allowed export: %d", st)
	}
	if st, _ = get(c.adminS1, "/exports/organisations?format=csv"); st != http.StatusTooManyRequests {
		t.Errorf("over the limit: %d", st)
	}
	if n := c.count(t, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND outcome = 'denied'"); n != 1 {
		t.Errorf("%d denied export entries", n)
	}
}
