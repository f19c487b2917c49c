package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/demo"
)

func TestDiarySmoke(t *testing.T) {
	s := apptest.Start(t)
	if _, err := demo.Generate(t.Context(), s.App.DB, demo.Options{Seed: 1, Size: "small", Accounts: s.App.Accounts,
		People: s.App.People, Contingent: s.App.Contingent.S, Portfolio: s.App.Portfolio.S}); err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	rows, _ := s.App.DB.R.Query(`SELECT gd.child_id, p.first_name, (SELECT MIN(g.name) FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.person_id = p.id) FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id JOIN persons p ON p.id = gd.child_id WHERE a.login = 'parent1'`)
	for rows.Next() {
		var id int64
		var n, g string
		rows.Scan(&id, &n, &g)
		fmt.Println("CHILD", id, n, g)
	}
	rows.Close()
	if st, _ := login(t, s, c, "parent1", demo.DemoPassword); st != http.StatusSeeOther {
		t.Fatal("login")
	}
	st, hdr, body := apptest.Do(t, c, "GET", s.URL+"/diary", nil)
	fmt.Println(st, hdr.Get("Location"), len(body))
	st, _, body = apptest.Do(t, c, "GET", s.URL+hdr.Get("Location"), nil)
	fmt.Println(st, len(body))
	fmt.Println(body)
	var child int64
	s.App.DB.R.QueryRow(`SELECT gd.child_id FROM guardianships gd JOIN accounts a ON a.person_id = gd.guardian_id WHERE a.login = 'parent1' ORDER BY 1 LIMIT 1`).Scan(&child)
	var acc int64
	s.App.DB.R.QueryRow(`SELECT id FROM accounts WHERE login = 'parent1'`).Scan(&acc)
	tok, _ := s.App.Accounts.IssueToken(t.Context(), acc, "x")
	st, _, body = apptest.Do(t, c, "GET", fmt.Sprintf("%s/api/v1/persons/%d/diary/period", s.URL, child), nil, "Authorization", "Bearer "+tok)
	fmt.Println(st, body)
	st, _, body = apptest.Do(t, c, "GET", fmt.Sprintf("%s/api/v1/persons/%d/diary?week=2026-11-23", s.URL, child), nil, "Authorization", "Bearer "+tok)
	fmt.Println(st, body)
	st, _, body = apptest.Do(t, c, "GET", fmt.Sprintf("%s/diary/%d/period", s.URL, child), nil)
	fmt.Println(st, len(body))
}
