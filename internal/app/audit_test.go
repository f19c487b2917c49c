package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/identity"
)

// The inspector searches and exports the log of the region; a teacher finds
// no such page; each search is itself written to the log.
func TestAuditSearchPage(t *testing.T) {
	s, _, _ := withAccount(t, identity.Inspector)
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	st, _, body := apptest.Do(t, c, "GET", s.URL+"/audit", nil)
	if st != 200 || !strings.Contains(body, "Журнал аудита") {
		t.Fatalf("inspector /audit: %d", st)
	}
	st, h, csv := apptest.Do(t, c, "GET", s.URL+"/audit/export.csv", nil)
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv, "seq,at,action") {
		t.Fatalf("export: %d %s %q", st, h.Get("Content-Type"), csv[:min(40, len(csv))])
	}
	var reads int
	if err := s.App.DB.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action IN ('audit.read', 'export')").Scan(&reads); err != nil || reads < 3 {
		t.Fatalf("audit reads recorded: %d (%v), want at least 3", reads, err)
	}

	t2, _, _ := withAccount(t, identity.Teacher)
	c2 := t2.Client()
	login(t, t2, c2, "anna.k", pw)
	if st, _, _ := apptest.Do(t, c2, "GET", t2.URL+"/audit", nil); st != http.StatusNotFound {
		t.Fatalf("teacher /audit: %d, want 404", st)
	}
	if st, h, _ := apptest.Do(t, t2.Client(), "GET", t2.URL+"/audit", nil); st != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Fatalf("anonymous /audit: %d", st)
	}
}

// The inspector sees the accounts of the region but cannot create one; a
// teacher has no such page.
func TestAccountAdminPage(t *testing.T) {
	s, _, region := withAccount(t, identity.Inspector)
	c := s.Client()
	login(t, s, c, "anna.k", pw)
	st, _, body := apptest.Do(t, c, "GET", s.URL+"/admin/accounts", nil)
	if st != 200 || !strings.Contains(body, "<td>anna.k</td>") {
		t.Fatalf("inspector list: %d", st)
	}
	st, _, body = s.PostForm(t, c, "/admin/accounts", "/admin/accounts", "login", "newbie", "role", "teacher", "org_id", strconv.FormatInt(region, 10))
	if st != http.StatusForbidden || !strings.Contains(body, "вне ваших полномочий") {
		t.Fatalf("inspector create: %d", st)
	}
	st, _, body = s.PostForm(t, c, "/admin/accounts", "/admin/accounts", "login", "newbie", "role", "", "org_id", "")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="role-err"`) {
		t.Fatalf("missing role: %d", st)
	}
	t2, _, _ := withAccount(t, identity.Teacher)
	c2 := t2.Client()
	login(t, t2, c2, "anna.k", pw)
	if st, _, _ := apptest.Do(t, c2, "GET", t2.URL+"/admin/accounts", nil); st != http.StatusNotFound {
		t.Fatalf("teacher: %d", st)
	}
}
