// Package storetest gives each test a fresh, migrated database on the engine
// chosen by SHKOLA_TEST_DB: "sqlite" (default) or "postgres". For PostgreSQL
// SHKOLA_TEST_PG names the server (default postgres://postgres@127.0.0.1:5432/test)
// and every test gets its own database, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"shkola/internal/store"
)

// Engine is the engine this test run uses.
func Engine() store.Engine {
	if os.Getenv("SHKOLA_TEST_DB") == "postgres" {
		return store.Postgres
	}
	return store.SQLite
}

// AdminURL is the PostgreSQL server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("SHKOLA_TEST_PG"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// URL returns a database URL for a fresh empty database that lives as long as
// the test: a file in the test's temp dir, or a new PostgreSQL database.
func URL(t testing.TB) string {
	t.Helper()
	if Engine() == store.SQLite {
		return filepath.Join(t.TempDir(), "test.db")
	}
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	name := newName()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		// With CI=true a missing PostgreSQL is a failure, never a skip.
		t.Fatalf("postgres at %s: create database: %v", AdminURL(), err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return dbURL(t, name)
}

// newName is a fresh database name.
func newName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "shkola_t_" + hex.EncodeToString(b)
}

// dropDatabase drops a test's database, whoever is still connected.
func dropDatabase(name string) {
	a, err := sql.Open("pgx", AdminURL())
	if err != nil {
		return
	}
	defer a.Close()
	_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// Open returns a fresh database migrated with sets (the platform set is
// always applied first), closed when the test ends.
func Open(t testing.TB, sets ...store.MigrationSet) *store.DB {
	t.Helper()
	ctx := context.Background()
	all := append([]store.MigrationSet{store.PlatformMigrations()}, sets...)
	db, err := store.Open(ctx, Migrated(t, all), t.TempDir())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close the test database: %v", err)
		}
	})
	return db
}
