package store_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

var rowsSet = store.MigrationSet{Domain: "rows", FS: fstest.MapFS{
	"0001_rows.sql": {Data: []byte(`CREATE TABLE rows_t (id {{pk}}, name TEXT NOT NULL UNIQUE, n BIGINT, at {{ts}} NOT NULL);`)},
}}

// CopyRows writes what fill gives, below and above the size from which
// PostgreSQL takes COPY, inside the caller's transaction (a rollback
// leaves nothing), and a duplicate is the engine's unique violation on
// either path.
func TestCopyRowsWritesEveryRowInTheTransaction(t *testing.T) {
	db := storetest.Open(t, rowsSet)
	ctx := context.Background()
	at := time.Date(2026, 9, 1, 8, 30, 0, 0, time.UTC)
	fill := func(prefix string) func(i int, a []any) error {
		return func(i int, a []any) error {
			var n any
			if i%3 != 0 {
				n = int64(i)
			}
			a[0], a[1], a[2] = fmt.Sprintf("%s-%04d", prefix, i), n, at
			return nil
		}
	}
	cols := []string{"name", "n", "at"}
	for _, size := range []int{3, 1000} {
		prefix := fmt.Sprintf("p%d", size)
		copies := 0
		db.Queries.Trace(func(kind, _ string) {
			if kind == "copy" {
				copies++
			}
		})
		if err := db.WithTx(ctx, func(tx *store.Tx) error { return store.CopyRows(ctx, tx, "rows_t", cols, size, fill(prefix)) }); err != nil {
			t.Fatalf("%d rows: %v", size, err)
		}
		db.Queries.Trace(nil)
		if wantCopy := db.Engine == store.Postgres && size >= 200; (copies > 0) != wantCopy {
			t.Errorf("%d rows on %s: %d COPY statements", size, db.Engine, copies)
		}
		var count, nulls int
		var sum int64
		if err := db.R.QueryRow("SELECT count(*), COALESCE(SUM(n), 0), SUM(CASE WHEN n IS NULL THEN 1 ELSE 0 END) FROM rows_t WHERE name LIKE $1",
			prefix+"-%").Scan(&count, &sum, &nulls); err != nil {
			t.Fatal(err)
		}
		var want int64
		for i := range size {
			if i%3 != 0 {
				want += int64(i)
			}
		}
		if count != size || sum != want || nulls != (size+2)/3 {
			t.Errorf("%d rows: read back %d rows, sum %d (want %d), %d nulls", size, count, sum, want, nulls)
		}
		var got time.Time
		if err := db.R.QueryRow("SELECT at FROM rows_t WHERE name = $1", prefix+"-0001").Scan(&got); err != nil || !got.Equal(at) {
			t.Errorf("%d rows: time %v (%v), want %v", size, got, err, at)
		}
		// The same rows again break the unique name, and nothing of them stays.
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			return store.CopyRows(ctx, tx, "rows_t", cols, size, func(i int, a []any) error {
				if err := fill(prefix)(i, a); err != nil {
					return err
				}
				if i < size-1 {
					a[0] = fmt.Sprintf("x%s-%04d", prefix, i)
				}
				return nil
			})
		})
		if !store.IsUniqueViolation(err) {
			t.Errorf("%d rows: a duplicate gave %v, want a unique violation", size, err)
		}
		if err := db.R.QueryRow("SELECT count(*) FROM rows_t WHERE name LIKE $1", "x"+prefix+"-%").Scan(&count); err != nil || count != 0 {
			t.Errorf("%d rows: %d rows of a failed transaction stayed (%v)", size, count, err)
		}
	}
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return store.CopyRows(ctx, tx, "rows_t; DROP", cols, 1, fill("z")) }); err == nil {
		t.Error("a table name that is not a plain name was accepted")
	}
}
