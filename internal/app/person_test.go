package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/identity"
)

func TestPersonRecords(t *testing.T) {
	s, id, region := withAccount(t, identity.RegionalOfficer)
	tok, err := s.App.Accounts.IssueToken(context.Background(), id, "t")
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) (int, string) {
		st, _, b := apptest.Do(t, s.Client(), "POST", s.URL+"/api/v1/persons", strings.NewReader(body),
			"Authorization", "Bearer "+tok, "Content-Type", "application/json")
		return st, b
	}
	org := strconv.FormatInt(region, 10)
	st, body := post(`{"org_id":` + org + `,"last_name":"Смирнова","first_name":"Ольга","birth_date":"2013-09-01","sex":"f","snils":"112-233-445 95","health_group":"III"}`)
	if st != http.StatusCreated || !strings.Contains(body, `"snils":"11223344595"`) || strings.Contains(body, "health_group") {
		t.Fatalf("create: %d %s (a regional officer sees SNILS but not health data)", st, body)
	}
	// Sealed at rest: neither value is in the table in clear.
	var raw string
	if err := s.App.DB.R.QueryRow("SELECT COALESCE(snils_enc, '') || ' ' || COALESCE(health_group_enc, '') FROM persons").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "11223344595") || strings.Contains(raw, "III") || !strings.HasPrefix(raw, "v1.") {
		t.Fatalf("stored in clear: %q", raw)
	}
	// The same SNILS again (written differently) is the same person.
	st, body = post(`{"org_id":` + org + `,"last_name":"Смирнова","first_name":"Оля","birth_date":"2013-09-01","sex":"f","snils":"11223344595"}`)
	if st != http.StatusConflict || !strings.Contains(body, `"rule":"unique"`) || !strings.Contains(body, "/api/v1/persons/") {
		t.Fatalf("duplicate SNILS: %d %s", st, body)
	}
	for _, tc := range []struct{ body, field, rule string }{
		{`{"org_id":` + org + `,"last_name":"А","first_name":"Б","birth_date":"2013-09-01","sex":"f","snils":"112-233-445 96"}`, "snils", "checksum"},
		{`{"org_id":` + org + `,"last_name":"А","first_name":"Б","birth_date":"2099-01-01","sex":"f"}`, "birth_date", "future"},
		{`{"org_id":` + org + `,"last_name":"","first_name":"Б","birth_date":"2013-02-30","sex":"x"}`, "last_name", "required"},
	} {
		st, body := post(tc.body)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"`+tc.field+`","rule":"`+tc.rule+`"`) {
			t.Errorf("%s/%s: %d %s", tc.field, tc.rule, st, body)
		}
	}
	var n int
	if err := s.App.DB.R.QueryRow("SELECT COUNT(*) FROM persons").Scan(&n); err != nil || n != 1 {
		t.Fatalf("refused records were written: %d %v", n, err)
	}
	// Echoing the SNILS the caller sent is no read of stored data; reading
	// the record is, and is audited.
	if err := s.App.DB.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'read.identity'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("identity reads audited after create: %d %v", n, err)
	}
	apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/persons/1", nil, "Authorization", "Bearer "+tok)
	if err := s.App.DB.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'read.identity'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("identity reads audited after a read: %d %v", n, err)
	}
}

// The audit log is searched by person: who read or changed this pupil's data.
func TestAuditByPerson(t *testing.T) {
	s, id, region := withAccount(t, identity.RegionalOfficer)
	tok, _ := s.App.Accounts.IssueToken(context.Background(), id, "t")
	_, _, body := apptest.Do(t, s.Client(), "POST", s.URL+"/api/v1/persons",
		strings.NewReader(`{"org_id":`+strconv.FormatInt(region, 10)+`,"last_name":"Орлова","first_name":"Вера","birth_date":"2012-04-04","sex":"f","snils":"112-233-445 95"}`),
		"Authorization", "Bearer "+tok, "Content-Type", "application/json")
	pid := body[strings.Index(body, `"id":`)+5 : strings.Index(body, `,"org_id"`)]
	apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/persons/"+pid, nil, "Authorization", "Bearer "+tok)
	st, _, found := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/audit?person_id="+pid, nil, "Authorization", "Bearer "+tok)
	if st != 200 || strings.Count(found, `"action":"read.identity"`) != 1 || strings.Count(found, `"action":"record.create"`) != 1 {
		t.Fatalf("audit by person: %d %s", st, found)
	}
}
