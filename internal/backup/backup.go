// Package backup takes a consistent online copy of a Shkola database and
// restores it, on either engine, in one portable format.
//
// Why a logical dump through the application: the archive is a zip holding
// manifest.json and one JSON-lines file per table, read inside a single
// snapshot transaction (PostgreSQL REPEATABLE READ READ ONLY; on SQLite one
// read transaction, which WAL pins to the snapshot of its first read). So the
// server keeps running and writing while a backup is taken, and the copy is
// what one instant of the database held — never a copy of a live file. The
// same archive restores into either engine (a region can move from SQLite to
// PostgreSQL), its integrity is checked (SHA-256 and row count of every
// table file, the schema version against this binary) before anything is
// written, and the application can verify its own invariants (the audit hash
// chain) after loading.
//
// pg_dump remains the tool for very large PostgreSQL databases, where a
// logical dump through the application is too slow; an operator may run
//
//	pg_dump --format=custom --file=shkola.dump "$SHKOLA_DB"
//	pg_restore --dbname="$SHKOLA_DB" --exit-on-error --single-transaction shkola.dump
//
// pg_dump also reads one snapshot, so its copy is consistent too, but it is
// engine-specific and is not checked by Shkola before it is restored; run
// `shkola migrate` and the audit verifier after pg_restore.
package backup

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"shkola/internal/store"
)

// Format is the version of the archive layout this package writes and reads.
const Format = 1

const manifestName = "manifest.json"

// Manifest describes an archive. It is written last, so it can carry the
// checksum of every table file.
type Manifest struct {
	Format     int         `json:"format"`
	Engine     string      `json:"engine"`
	CreatedAt  time.Time   `json:"created_at"`
	Migrations []Migration `json:"schema_migrations"`
	Tables     []Table     `json:"tables"`
}

// Migration is one applied schema migration of the backed-up database.
type Migration struct {
	Domain  string `json:"domain"`
	Version int    `json:"version"`
	Name    string `json:"name"`
}

// Table is one table file of the archive.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
	SHA256  string   `json:"sha256"`
}

// Rows returns the total number of rows in the archive.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

func tableFile(name string) string { return "tables/" + name + ".jsonl" }

// Backup writes an archive of db to w, read from one snapshot, and returns
// its manifest. It only reads, so it runs beside a serving instance. at is the
// creation time recorded in the manifest.
func Backup(ctx context.Context, db *store.DB, w io.Writer, at time.Time) (*Manifest, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.R.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin snapshot: %w", err)
	}
	// Nothing was written; rollback just ends the snapshot.
	defer tx.Rollback() //nolint:errcheck // read-only transaction

	cat := catalog{q: tx, engine: db.Engine}
	names, err := cat.tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	m := &Manifest{Format: Format, Engine: string(db.Engine), CreatedAt: at.UTC()}
	zw := zip.NewWriter(w)
	for _, name := range names {
		info, err := cat.table(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", name, err)
		}
		t, err := dumpTable(ctx, tx, zw, info)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", name, err)
		}
		m.Tables = append(m.Tables, t)
		if name == "schema_migrations" {
			if m.Migrations, err = readMigrations(ctx, tx); err != nil {
				return nil, fmt.Errorf("schema_migrations: %w", err)
			}
		}
	}
	mw, err := zw.Create(manifestName)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return m, nil
}

// dumpTable writes the rows of one table, in primary-key order so that a
// tree (a parent row referencing its own table) loads parents first.
func dumpTable(ctx context.Context, q querier, zw *zip.Writer, info tableInfo) (Table, error) {
	t := Table{Name: info.name, Columns: info.columnNames()}
	fw, err := zw.Create(tableFile(info.name))
	if err != nil {
		return t, err
	}
	h := sha256.New()
	out := io.MultiWriter(fw, h)
	cols := make([]string, len(info.columns))
	for i, c := range info.columns {
		cols[i] = quoteIdent(c.name)
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteIdent(info.name)
	if order := info.orderBy(); order != "" {
		query += " ORDER BY " + order
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return t, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range info.columns {
			v, err := encodeValue(vals[i])
			if err != nil {
				return t, fmt.Errorf("column %q: %w", c.name, err)
			}
			row[c.name] = v
		}
		line, err := json.Marshal(row)
		if err != nil {
			return t, err
		}
		if _, err := out.Write(append(line, '\n')); err != nil {
			return t, err
		}
		t.Rows++
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return t, err
	}
	t.SHA256 = hex.EncodeToString(h.Sum(nil))
	return t, nil
}

func readMigrations(ctx context.Context, q querier) ([]Migration, error) {
	rows, err := q.QueryContext(ctx, "SELECT domain, version, name FROM schema_migrations ORDER BY domain, version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		if err := rows.Scan(&m.Domain, &m.Version, &m.Name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}
