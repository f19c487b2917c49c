package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/registry"
)

// The school year through the API: a year with its quarters, classes with
// field-level refusals, pupils admitted, then the rollover promotes 5А to
// 6А with its pupil, graduates 11А (a graduation movement in the pupil's
// trajectory) and is refused the second time.
func TestYearClassesAndRollover(t *testing.T) {
	w := newRegistryWorld(t)
	post := func(path, body string) (int, string) {
		st, _, out := w.call(t, w.admin, "POST", path, body)
		return st, out
	}
	id := func(body string) int64 {
		var v struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
			t.Fatalf("no id in %s", body)
		}
		return v.ID
	}
	st, body := post(fmt.Sprintf("/api/v1/organisations/%d/years", w.school.ID),
		`{"starts_on":"2025-09-01","ends_on":"2026-05-31","period_kind":"quarter","status":"current"}`)
	if st != 201 {
		t.Fatalf("year: %d %s", st, body)
	}
	year := id(body)
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/years/%d/periods", year), "")
	if st != 200 || strings.Count(body, `"seq":`) != 4 {
		t.Fatalf("quarters: %d %s", st, body)
	}
	mkClass := func(parallel int) int64 {
		st, body := post("/api/v1/classes", fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":%d,"letter":"А","capacity":25}`, year, parallel))
		if st != 201 || !strings.Contains(body, fmt.Sprintf(`"name":"%dА"`, parallel)) {
			t.Fatalf("class %d: %d %s", parallel, st, body)
		}
		return id(body)
	}
	c5, c11 := mkClass(5), mkClass(11)
	for body, want := range map[string]string{
		fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":5,"letter":"А"}`, year):                `"rule":"unique"`,
		fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":5,"letter":"Б","capacity":99}`, year):  `"field":"capacity"`,
		fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":14,"letter":"Б"}`, year):               `"field":"parallel"`,
		fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":6,"letter":"Б","level":"mars"}`, year): `"field":"level"`,
	} {
		if st, out := post("/api/v1/classes", body); (st != 422 && st != 409) || !strings.Contains(out, want) {
			t.Errorf("%s: %d %s", body, st, out)
		}
	}
	pupil := func(last string, born string, class int64) int64 {
		p := w.person(t, registry.NewPerson{LastName: last, FirstName: "Тест", BirthDate: born, Sex: "m"})
		st, body := post(fmt.Sprintf("/api/v1/persons/%d/movements", p), fmt.Sprintf(
			`{"kind":"admission","date":"2025-09-01","org_id":%d,"class_id":%d,"basis_number":"12-у","basis_date":"2025-08-30"}`, w.school.ID, class))
		if st != 201 {
			t.Fatalf("admission: %d %s", st, body)
		}
		return p
	}
	young, senior := pupil("Младший", "2014-03-03", c5), pupil("Старший", "2008-03-03", c11)
	// A second admission is refused naming the school.
	st, body = post(fmt.Sprintf("/api/v1/persons/%d/movements", young), fmt.Sprintf(
		`{"kind":"admission","date":"2025-09-02","org_id":%d,"class_id":%d,"basis_number":"13-у","basis_date":"2025-09-01"}`, w.school.ID, c11))
	if st != 409 && st != 422 || !strings.Contains(body, "Школа № 1") {
		t.Errorf("second admission: %d %s", st, body)
	}

	st, body = post(fmt.Sprintf("/api/v1/years/%d/rollover", year), `{}`)
	if st != 200 {
		t.Fatalf("rollover: %d %s", st, body)
	}
	var res struct {
		To       struct{ ID int64 }
		Promoted []struct {
			FromName string `json:"from_name"`
			ToName   string `json:"to_name"`
			ToID     int64  `json:"to_id"`
			Members  int
		}
		Graduated []struct {
			FromName string `json:"from_name"`
			Members  int
		}
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Promoted) != 1 || res.Promoted[0].FromName != "5А" || res.Promoted[0].ToName != "6А" || res.Promoted[0].Members != 1 ||
		len(res.Graduated) != 1 || res.Graduated[0].FromName != "11А" || res.Graduated[0].Members != 1 {
		t.Fatalf("rollover result: %s", body)
	}
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/classes/%d/members", res.Promoted[0].ToID), "")
	if st != 200 || !strings.Contains(body, "Младший") {
		t.Errorf("6А members: %d %s", st, body)
	}
	st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/persons/%d/movements", senior), "")
	if st != 200 || !strings.Contains(body, `"kind":"graduation"`) {
		t.Errorf("graduate's trajectory: %d %s", st, body)
	}
	// Last year's class keeps its history; the rollover is not repeated.
	if st, _, body = w.call(t, w.admin, "GET", fmt.Sprintf("/api/v1/classes/%d/members?on=2026-01-15", c5), ""); st != 200 || !strings.Contains(body, "Младший") {
		t.Errorf("5А as it was in January: %d %s", st, body)
	}
	if st, body = post(fmt.Sprintf("/api/v1/years/%d/rollover", year), `{}`); st < 400 || st >= 500 {
		t.Errorf("second rollover: %d %s", st, body)
	}
}

// The class pages for an inspector: the organisation card links to its
// classes and calendar, the list shows the class, the card its pupils.
func TestClassPages(t *testing.T) {
	w := newRegistryWorld(t)
	st, _, body := w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/organisations/%d/years", w.school.ID),
		`{"starts_on":"2026-09-01","ends_on":"2027-05-31","period_kind":"trimester","status":"current"}`)
	if st != 201 {
		t.Fatalf("year: %d %s", st, body)
	}
	var y struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &y)
	st, _, body = w.call(t, w.admin, "POST", "/api/v1/classes", fmt.Sprintf(`{"year_id":%d,"kind":"class","parallel":7,"letter":"Б"}`, y.ID))
	var c struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &c); st != 201 || err != nil {
		t.Fatalf("class: %d %s", st, body)
	}
	p := w.person(t, registry.NewPerson{LastName: "Гусева", FirstName: "Алла", BirthDate: "2013-01-01", Sex: "f"})
	if st, _, body = w.call(t, w.admin, "POST", fmt.Sprintf("/api/v1/persons/%d/movements", p), fmt.Sprintf(
		`{"kind":"admission","date":"2026-09-01","org_id":%d,"class_id":%d,"basis_number":"1-у","basis_date":"2026-08-30"}`, w.school.ID, c.ID)); st != 201 {
		t.Fatalf("admission: %d %s", st, body)
	}
	_, code, err := w.s.App.Accounts.Create(context.Background(), "anna.k", []identity.Grant{{Role: identity.Inspector, OrgID: w.school.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.App.Accounts.Activate(context.Background(), code, pw); err != nil {
		t.Fatal(err)
	}
	cl := w.s.Client()
	login(t, w.s, cl, "anna.k", pw)
	org := fmt.Sprintf("/orgs/%d", w.school.ID)
	for path, want := range map[string]string{
		org:                              `href="` + org + `/classes"`,
		org + "/classes":                 fmt.Sprintf(`<a href="/classes/%d">7Б</a>`, c.ID),
		org + "/calendar":                "2026/2027",
		fmt.Sprintf("/classes/%d", c.ID): "Гусева Алла",
	} {
		st, _, body := apptest.Do(t, cl, "GET", w.s.URL+path, nil)
		if st != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %q", path, st, want)
		}
	}
	// The inspector reads but is offered no form to add a class.
	if _, _, body := apptest.Do(t, cl, "GET", w.s.URL+org+"/classes", nil); strings.Contains(body, `action="`+org+`/classes"`) {
		t.Error("the inspector is offered the new-class form")
	}
}
