package store_test

import (
	"context"
	"testing"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// Prepared answers as the read pool does, sees what is written after it
// prepared, and on SQLite parses a text once per connection rather than on
// every query.
func TestPreparedReads(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	p := store.NewPrepared(db)
	before := db.Queries.Read()
	count := func() int {
		t.Helper()
		var n int
		if err := p.QueryRowContext(ctx, "SELECT COUNT(*) FROM things WHERE name <> $1", "none").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("empty table: %d", n)
	}
	if _, err := db.W.ExecContext(ctx, "INSERT INTO things (name) VALUES ('a'), ('b')"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if n := count(); n != 2 {
			t.Fatalf("after the insert: %d", n)
		}
	}
	rows, err := p.QueryContext(ctx, "SELECT name FROM things ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	if err := rows.Close(); err != nil || len(names) != 2 || names[0] != "a" {
		t.Fatalf("names %v %v", names, err)
	}
	d := db.Queries.Read().Sub(before)
	if d.Queries != 22 {
		t.Errorf("%d queries, want 22", d.Queries)
	}
	// SQLite: each text prepared once per pooled connection (at most 4 in
	// this test), never once per query; PostgreSQL: pgx's own cache.
	sqliteOK := d.Prepares >= 2 && d.Prepares <= 2*4
	if db.Engine == store.SQLite && !sqliteOK || db.Engine == store.Postgres && d.Prepares != 0 {
		t.Errorf("%s: %d prepares for 22 queries of 2 texts", db.Engine, d.Prepares)
	}
}
