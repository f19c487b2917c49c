package store_test

import (
	"context"
	"testing"
	"testing/fstest"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

var fkSet = store.MigrationSet{Domain: "fk", FS: fstest.MapFS{
	"0001_fk.sql": {Data: []byte(`CREATE TABLE fk_parent (id {{pk}}, name TEXT NOT NULL);
CREATE TABLE fk_child (id {{pk}}, parent_id BIGINT NOT NULL REFERENCES fk_parent (id), other_id BIGINT REFERENCES fk_parent (id));`)},
}}

// While the foreign keys of a bulk load are suspended, PostgreSQL takes
// rows unchecked and restore checks them all: a child without a parent
// fails the restore (and the transaction), good rows pass, and the keys
// hold again afterwards. SQLite keeps checking row by row.
func TestSuspendForeignKeys(t *testing.T) {
	db := storetest.Open(t, fkSet)
	ctx := context.Background()
	var parent int64
	if err := db.W.QueryRowContext(ctx, "INSERT INTO fk_parent (name) VALUES ('p') RETURNING id").Scan(&parent); err != nil {
		t.Fatal(err)
	}
	orphan := parent + 1000
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		restore, err := tx.SuspendForeignKeys(ctx, "fk_child")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO fk_child (parent_id) VALUES ($1)", orphan); err != nil {
			if db.Engine == store.SQLite {
				return nil // checked at once, as always
			}
			t.Errorf("an orphan refused while the keys are suspended: %v", err)
			return err
		}
		if db.Engine == store.SQLite {
			t.Error("SQLite took a child without a parent")
		}
		return restore(ctx)
	})
	if db.Engine == store.Postgres && err == nil {
		t.Fatal("restore took a child without a parent")
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		restore, err := tx.SuspendForeignKeys(ctx, "fk_child")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO fk_child (parent_id, other_id) VALUES ($1, $1), ($1, NULL)", parent); err != nil {
			return err
		}
		return restore(ctx)
	})
	if err != nil {
		t.Fatalf("good rows: %v", err)
	}
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM fk_child").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d children (%v), want the 2 good ones", n, err)
	}
	if _, err := db.W.ExecContext(ctx, "INSERT INTO fk_child (parent_id) VALUES ($1)", orphan); err == nil {
		t.Fatal("the key does not hold after restore")
	}
	if _, err := db.W.ExecContext(ctx, "INSERT INTO fk_child (parent_id, other_id) VALUES ($1, $2)", parent, orphan); err == nil {
		t.Fatal("the second key does not hold after restore")
	}
}
