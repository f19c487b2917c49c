package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// A statement given as text is prepared once per connection and run again
// from there, on either engine (the store's cache on SQLite, pgx's own on
// PostgreSQL); round trips are counted as before, a query each.
func TestStatementPreparedOncePerConnection(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1), ($2)", "a", "b"); err != nil {
		t.Fatal(err)
	}
	const q = "SELECT name FROM things WHERE name > $1 ORDER BY name"
	one, err := db.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := db.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	trips, stmts := db.Queries.Read(), db.Queries.Statements()
	for i := range 7 {
		conn := one
		if i >= 5 {
			conn = two
		}
		var name string
		if err := conn.QueryRowContext(ctx, q, "a").Scan(&name); err != nil || name != "b" {
			t.Fatalf("run %d: %q %v", i, name, err)
		}
	}
	if got := db.Queries.Read().Sub(trips); got != (store.QueryCounts{Queries: 7}) {
		t.Errorf("round trips %+v, want 7 queries and no prepare", got)
	}
	got := db.Queries.Statements().Sub(stmts)
	switch storetest.Engine() {
	case store.SQLite:
		if want := (store.StmtCounts{Kept: 2, Reused: 5}); got != want {
			t.Errorf("statement cache %+v, want %+v", got, want)
		}
	case store.Postgres:
		if got != (store.StmtCounts{}) {
			t.Errorf("the store's cache ran on PostgreSQL: %+v", got)
		}
		for i, conn := range []interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}{one, two} {
			var n int
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("connection %d holds %d prepared statements of the query, want 1", i+1, n)
			}
		}
	}
}

// Inside a transaction a statement may run again while Rows of the same
// text are still being read: the kept statement is busy, so the run is
// prepared aside, and neither disturbs the other. PostgreSQL runs one
// statement at a time on a connection (pgx answers "conn busy"), so only
// SQLite allows this at all.
func TestStatementRunsAsideWhileItsRowsAreOpen(t *testing.T) {
	if storetest.Engine() != store.SQLite {
		t.Skip("PostgreSQL (pgx) runs no statement while a result is open on the connection")
	}
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	const q = "SELECT name FROM things WHERE name >= $1 ORDER BY name"
	want := []string{"a", "b", "c"}
	var during, after store.StmtCounts
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for _, n := range want {
			if _, err := tx.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", n); err != nil {
				return err
			}
		}
		before := db.Queries.Statements()
		rows, err := tx.QueryContext(ctx, q, "a")
		if err != nil {
			return err
		}
		defer rows.Close()
		var outer []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			outer = append(outer, name)
			var first string
			if err := tx.QueryRowContext(ctx, q, name).Scan(&first); err != nil || first != name {
				t.Errorf("the same query nested, from %q: %q %v", name, first, err)
			}
			if got := names(t, tx, q, "a"); !slices.Equal(got, want) {
				t.Errorf("the same query read whole inside: %q", got)
			}
			if _, err := tx.ExecContext(ctx, q, "a"); err != nil {
				t.Errorf("the same text as exec: %v", err)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if !slices.Equal(outer, want) {
			t.Errorf("the outer rows read %q, want %q", outer, want)
		}
		during = db.Queries.Statements().Sub(before)
		// Closed, the kept statement runs again.
		before = db.Queries.Statements()
		if got := names(t, tx, q, "b"); !slices.Equal(got, want[1:]) {
			t.Errorf("after the rows closed: %q", got)
		}
		after = db.Queries.Statements().Sub(before)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.StmtCounts{Kept: 1, OneOff: 9}); during != want {
		t.Errorf("while the rows were open: %+v, want %+v", during, want)
	}
	if want := (store.StmtCounts{Reused: 1}); after != want {
		t.Errorf("after they closed: %+v, want %+v", after, want)
	}
}

// A kept statement that failed runs again; a text that does not parse, and
// a script of several statements, are not kept and still answer as before.
func TestStatementCacheAfterErrors(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	const ins = "INSERT INTO things (name) VALUES ($1)"
	before := db.Queries.Statements()
	for i, n := range []string{"a", "a", "b"} {
		_, err := db.W.ExecContext(ctx, ins, n)
		if dup := i == 1; dup != store.IsUniqueViolation(err) || !dup && err != nil {
			t.Fatalf("insert %d (%s): %v", i, n, err)
		}
	}
	for range 2 {
		if _, err := db.W.ExecContext(ctx, "INSERT INTO nothing (name) VALUES ($1)", "x"); err == nil {
			t.Fatal("an insert into a missing table succeeded")
		}
	}
	if storetest.Engine() == store.SQLite {
		for range 2 {
			if _, err := db.W.ExecContext(ctx, "UPDATE things SET raw = NULL; UPDATE things SET at = NULL;"); err != nil {
				t.Fatalf("script: %v", err)
			}
		}
		if want := (store.StmtCounts{Kept: 1, Reused: 2, OneOff: 2}); db.Queries.Statements().Sub(before) != want {
			t.Errorf("statement cache %+v, want %+v", db.Queries.Statements().Sub(before), want)
		}
	}
	if got := names(t, db.R, "SELECT name FROM things WHERE name >= $1 ORDER BY name", ""); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("things %q", got)
	}
	// Column types come through the kept statement's rows.
	rows, err := db.R.QueryContext(ctx, "SELECT name FROM things")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil || len(types) != 1 || types[0].DatabaseTypeName() != "TEXT" {
		t.Fatalf("column types %v %v", types, err)
	}
}

func names(t *testing.T, q store.Querier, query string, arg any) []string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query, arg)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
