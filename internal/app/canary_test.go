package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/audit"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
)

// canary is planted only in records of school 2 that nobody of
// municipality 1 may see.
const canary = "canary-7f3a9"

// TestCanary plants a marker in records outside the callers' reach, then
// calls every API read route (each {id} filled with the hidden records' ids
// and with the caller's own) and the UI pages as people of the other
// municipality, and searches every answer and every log line for it.
func TestCanary(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	mk := func(parent *int64, kind org.Kind, name string) org.Organisation {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	region := mk(nil, org.Region, "Регион")
	m1 := mk(&region.ID, org.Municipality, "Округ 1")
	m2 := mk(&region.ID, org.Municipality, "Округ 2")
	s1 := mk(&m1.ID, org.School, "Школа 1")
	s2 := mk(&m2.ID, org.School, "Школа 2")

	hidden, _, err := s.App.Accounts.Create(ctx, canary+"-login", []identity.Grant{{Role: identity.Teacher, OrgID: s2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.Audit.Write(ctx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: "mark",
		ObjectID: canary + "-object", OrgID: &s2.ID, Detail: canary + "-detail"}); err != nil {
		t.Fatal(err)
	}

	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: region.ID}}})
	person, err := s.App.People.Create(officer, registry.NewPerson{OrgID: s2.ID, LastName: "Канареечная", FirstName: "Скрытая",
		BirthDate: "2012-01-01", Sex: "f", SNILS: "112-233-445 95", HealthGroup: "IV", Disability: "child", DisabilityCause: canary + "-health",
		FactAddress: canary + "-address", Documents: []registry.NewDocument{{Kind: "passport_foreign", Number: "К" + canary}}})
	if err != nil {
		t.Fatal(err)
	}
	hiddenAchievement := plantPortfolio(t, s, person.ID)

	// The hidden pupil is told about marks: the notifications carry her
	// name, and their ids run over the ids the callers try.
	notifyHiddenPupil(t, s, s2.ID, person.ID)
	diaryPlanted := plantDiary(t, s, s2.ID, person.ID)

	// Callers: every role that reads anything, granted in municipality 1 or school 1.
	type caller struct {
		role identity.Role
		org  int64
	}
	callers := []caller{{identity.SchoolAdmin, s1.ID}, {identity.Teacher, s1.ID}, {identity.MunicipalOfficer, m1.ID},
		{identity.Inspector, m1.ID}, {identity.Operator, m1.ID}, {identity.Guardian, s1.ID}, {identity.Student, s1.ID}}
	type answer struct{ what, body string }
	var bodies []answer
	for i, c := range callers {
		acc, _, err := s.App.Accounts.Create(ctx, "caller"+strconv.Itoa(i), []identity.Grant{{Role: c.role, OrgID: c.org}})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.App.Accounts.IssueToken(ctx, acc.ID, "canary")
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{hidden.ID, s2.ID, person.ID, acc.ID, s1.ID}
		for _, rt := range s.App.API.Routes() {
			if rt.Method != http.MethodGet {
				continue
			}
			paths := []string{rt.Path}
			if strings.Contains(rt.Path, "{") {
				paths = nil
				for _, id := range ids {
					paths = append(paths, fillPath(rt.Path, strconv.FormatInt(id, 10)))
				}
			}
			for _, p := range paths {
				for _, q := range []string{"", "?q=" + canary, "?object_id=" + canary + "-object"} {
					_, _, body := apptest.Do(t, s.Client(), "GET", s.URL+p+q, nil, "Authorization", "Bearer "+tok)
					bodies = append(bodies, answer{rt.String() + q + " as " + string(c.role), body})
				}
			}
		}
	}
	// The UI as an inspector of municipality 1 (no second factor needed).
	insp, code, err := s.App.Accounts.Create(ctx, "inspector-m1", []identity.Grant{{Role: identity.Inspector, OrgID: m1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	_ = insp
	c := s.Client()
	login(t, s, c, "inspector-m1", pw)
	for _, p := range []string{"/", "/orgs", "/orgs/" + strconv.FormatInt(s2.ID, 10), "/me", "/me/sessions", "/audit", "/audit?object_id=" + canary + "-object",
		"/audit/export.csv", "/admin/accounts", "/admin/accounts?q=" + canary} {
		_, _, body := apptest.Do(t, c, "GET", s.URL+p, nil)
		bodies = append(bodies, answer{"UI " + p, body})
	}
	for _, p := range portfolioCanaryPages(person.ID, hiddenAchievement) {
		_, _, body := apptest.Do(t, c, "GET", s.URL+p, nil)
		bodies = append(bodies, answer{"UI " + p, body})
	}
	for _, p := range []string{"/diary", fmt.Sprintf("/diary/%d", person.ID), fmt.Sprintf("/diary/%d/period", person.ID),
		fmt.Sprintf("/diary/%d/homework/%d/files/%d", person.ID, diaryPlanted.hw, diaryPlanted.file)} {
		_, _, body := apptest.Do(t, c, "GET", s.URL+p, nil)
		bodies = append(bodies, answer{"UI " + p, body})
	}
	for i, body := range readNeighbourDiary(t, s, diaryPlanted, person.ID) {
		bodies = append(bodies, answer{fmt.Sprintf("the classmate's family's diary read %d", i), body})
	}
	if len(bodies) < 50 {
		t.Fatalf("only %d answers searched", len(bodies))
	}
	// Requests carry the bare marker as search input, and a search form may
	// show what was typed; the hidden records' own values never may appear.
	hiddenValues := []string{canary + "-login", canary + "-detail", "Канареечная", canary + "-health", canary + "-address", "11223344595", "К" + canary}
	hiddenValues = append(hiddenValues, "Скрытая")
	hiddenValues = append(hiddenValues, portfolioCanaries()...)
	hiddenValues = append(hiddenValues, diaryCanaries()...)
	for _, a := range bodies {
		for _, hv := range hiddenValues {
			if i := strings.Index(a.body, hv); i >= 0 {
				t.Errorf("%s leaked in %s: …%s…", hv, a.what, a.body[max(0, i-120):min(len(a.body), i+60)])
			}
		}
	}
	for _, hiddenValue := range hiddenValues {
		for _, line := range strings.Split(s.Logs.String(), "\n") {
			if strings.Contains(line, hiddenValue) {
				t.Errorf("hidden value %s in a log line: %s", hiddenValue, line[:min(len(line), 300)])
			}
		}
	}
}

func fillPath(p, id string) string {
	for {
		i := strings.Index(p, "{")
		if i < 0 {
			return p
		}
		j := strings.Index(p[i:], "}")
		p = p[:i] + id + p[i+j+1:]
	}
}
