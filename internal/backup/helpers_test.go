package backup_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"testing/fstest"
	"time"

	"shkola/internal/backup"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// testSet is a small domain: parents and children written in one
// transaction each, and a self-referencing tree. Table names sort children
// before parents, so loading in name order would break the foreign key.
var testSet = store.MigrationSet{Domain: "backuptest", FS: fstest.MapFS{
	"0001_pairs.sql": {Data: []byte(`
CREATE TABLE parents (id {{pk}}, label TEXT NOT NULL, at {{ts}} NOT NULL, raw {{blob}}, score REAL, flag BOOLEAN NOT NULL);
CREATE TABLE children (id {{pk}}, parent_id BIGINT NOT NULL REFERENCES parents (id), n INTEGER NOT NULL);`)},
	"0002_tree.sql": {Data: []byte(`
CREATE TABLE orgs (id {{pk}}, parent_id BIGINT REFERENCES orgs (id), name TEXT NOT NULL);`)},
}}

func migrations() []store.MigrationSet {
	return []store.MigrationSet{store.PlatformMigrations(), testSet}
}

// emptyDB is a database with no tables at all, on the test's engine.
func emptyDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.URL(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type parent struct {
	ID    int64
	Label string
	At    time.Time
	Raw   []byte
	Score *float64
	Flag  bool
}

func (p parent) String() string {
	s := "nil"
	if p.Score != nil {
		s = fmt.Sprint(*p.Score)
	}
	return fmt.Sprintf("{%d %q %s %x %s %v}", p.ID, p.Label, p.At.UTC().Format(time.RFC3339Nano), p.Raw, s, p.Flag)
}

// insertPair writes a parent and its child in one transaction, with a change
// record, and returns the parent's id.
func insertPair(ctx context.Context, db *store.DB, i int) (int64, error) {
	var id int64
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		var score any
		if i%3 != 0 {
			score = float64(i) + 0.25
		}
		raw := []byte{byte(i), 0, 0xff, byte(i >> 8)}
		at := time.Date(2025, 9, 1, 8, 30, 0, 123456000, time.UTC).Add(time.Duration(i) * time.Minute)
		if err := tx.QueryRowContext(ctx, `INSERT INTO parents (label, at, raw, score, flag) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			fmt.Sprintf("pair %d «ё»", i), at, raw, score, i%2 == 0).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO children (parent_id, n) VALUES ($1, $2)`, id, i); err != nil {
			return err
		}
		err := tx.Record(ctx, store.Change{Entity: "pair", EntityID: fmt.Sprint(id), Op: store.OpCreate})
		return err
	})
	return id, err
}

func readParents(t *testing.T, db *store.DB) map[int64]parent {
	t.Helper()
	rows, err := db.R.Query(`SELECT id, label, at, raw, score, flag FROM parents ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]parent{}
	for rows.Next() {
		var p parent
		if err := rows.Scan(&p.ID, &p.Label, &p.At, &p.Raw, &p.Score, &p.Flag); err != nil {
			t.Fatal(err)
		}
		out[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func tableCount(t *testing.T, db *store.DB) int {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Engine == store.Postgres {
		q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var n int
	if err := db.R.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func takeBackup(t *testing.T, db *store.DB) ([]byte, *backup.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := backup.Backup(context.Background(), db, &buf, time.Now())
	if err != nil {
		t.Fatalf("%v", err)
	}
	return buf.Bytes(), m
}

func restore(ctx context.Context, archive []byte, target *store.DB, verify backup.Verifier) (*backup.Manifest, error) {
	return backup.Restore(ctx, bytes.NewReader(archive), int64(len(archive)), target, migrations(), verify)
}

// rewrite rebuilds an archive with edit applied to every file's content.
func rewrite(t *testing.T, archive []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(edit(f.Name, b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func zipReader(b []byte) (*zip.Reader, error) {
	return zip.NewReader(bytes.NewReader(b), int64(len(b)))
}
