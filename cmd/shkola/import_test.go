package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// shkola import runs with the rights of the named account: a school admin
// imports classes into the school (dry run first, then for real, then the
// same file changes nothing); an operator may not.
func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := storetest.URL(t)
	kr, err := crypt.Generate()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHKOLA_KEYS", string(kr.Marshal()))
	sh := func(args ...string) (int, string) {
		t.Helper()
		var out, errb bytes.Buffer
		n := 1
		if args[0] == "admin" {
			n = 2 // admin create: the subcommand comes first
		}
		full := append(append(append([]string{}, args[:n]...), "--db", dbURL, "--data-dir", dir), args[n:]...)
		code := run(ctx, full, &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := sh("migrate"); code != 0 {
		t.Fatalf("migrate: %s", out)
	}
	if _, _, err := audit.LoadSigner(filepath.Join(dir, audit.KeyFileName), true); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orgs := org.NewService(db)
	region, err := orgs.Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	school, err := orgs.Create(ctx, org.New{ParentID: &region.ID, Kind: org.School, Name: "Школа", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
		VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, school.ID, now); err != nil {
		t.Fatal(err)
	}
	sid := strconv.FormatInt(school.ID, 10)
	if code, out := sh("admin", "create", "--login", "director", "--role", "school_admin", "--org", sid); code != 0 {
		t.Fatal(out)
	}
	if code, out := sh("admin", "create", "--login", "boss"); code != 0 {
		t.Fatal(out)
	}
	file := filepath.Join(dir, "classes.csv")
	if err := os.WriteFile(file, []byte("parallel;letter;capacity\n5;А;25\n5;Б;99\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := sh("import", "--kind", "classes", "--org", sid, "--as", "director", "--dry-run", file)
	if code != 1 || !strings.Contains(out, "row 3\tcapacity\trange") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run with a bad row: exit %d\n%s", code, out)
	}
	code, out = sh("import", "--kind", "classes", "--org", sid, "--as", "director", "--valid-only", file)
	if code != 0 || !strings.Contains(out, "1 created") || !strings.Contains(out, "(written)") {
		t.Fatalf("valid only: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(file, []byte("parallel;letter;capacity\n5;А;25\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out = sh("import", "--kind", "classes", "--org", sid, "--as", "director", file)
	if code != 0 || !strings.Contains(out, "1 unchanged") {
		t.Fatalf("again: exit %d\n%s", code, out)
	}
	if code, out = sh("import", "--kind", "classes", "--org", sid, "--as", "boss", file); code != 1 || !strings.Contains(out, "not found") {
		t.Fatalf("operator: exit %d\n%s", code, out)
	}
	if code, _ = sh("import", "--kind", "classes", file); code != 2 {
		t.Fatalf("without --org and --as: exit %d", code)
	}
}
