package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"testing"

	"shkola/internal/store"
)

// Migrated returns the URL of a fresh database that lives as long as the
// test, with sets already applied. On PostgreSQL it is a copy of a template
// database migrated once per schema (named by a hash of the migration
// files, built under an advisory lock so parallel test processes build it
// once): CREATE DATABASE … TEMPLATE takes a fraction of the time the
// migrations take. On SQLite the migrations simply run.
func Migrated(t testing.TB, sets []store.MigrationSet) string {
	t.Helper()
	if Engine() == store.SQLite {
		u := URL(t)
		migrate(t, u, sets)
		return u
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	// The advisory lock belongs to a session: hold one connection.
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("postgres at %s: %v", AdminURL(), err)
	}
	defer conn.Close()
	const lock = 0x73686b6f6c61 // "shkola"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lock); err != nil {
		t.Fatalf("postgres: lock: %v", err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lock) }()
	tpl := "shkola_tpl_" + schemaHash(t, sets)
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", tpl).Scan(&n); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if n == 0 {
		// Built under another name and renamed when whole, so a failed
		// build never leaves a half-migrated template behind.
		tmp := newName()
		if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+tmp); err != nil {
			t.Fatalf("postgres: create template: %v", err)
		}
		t.Cleanup(func() { dropDatabase(tmp) })
		migrate(t, dbURL(t, tmp), sets)
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+tmp+" RENAME TO "+tpl); err != nil {
			t.Fatalf("postgres: name the template: %v", err)
		}
	}
	name := newName()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl); err != nil {
		t.Fatalf("postgres: create database from template: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return dbURL(t, name)
}

// migrate applies sets to the database at u and closes it.
func migrate(t testing.TB, u string, sets []store.MigrationSet) {
	t.Helper()
	db, err := store.Open(context.Background(), u, t.TempDir())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background(), sets); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// schemaHash names the schema the sets make: their domains, file names and
// contents, in order.
func schemaHash(t testing.TB, sets []store.MigrationSet) string {
	h := sha256.New()
	for _, s := range sets {
		h.Write([]byte(s.Domain + "\x00"))
		err := fs.WalkDir(s.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(s.FS, p)
			h.Write([]byte(p + "\x00"))
			h.Write(b)
			return err
		})
		if err != nil {
			t.Fatalf("migrations of %s: %v", s.Domain, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// dbURL is the admin URL pointing at database name.
func dbURL(t testing.TB, name string) string {
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("SHKOLA_TEST_PG: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
