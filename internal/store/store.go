// Package store opens the database on either engine, runs migrations, and
// gives every write one path: a transaction that can also record a change.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is the application's database. Writes go to W; reads may go to R, which
// for SQLite is a separate read-only pool (WAL lets readers run beside the one
// writer) and for PostgreSQL is the same pool or a replica.
type DB struct {
	Engine Engine
	W      *sql.DB
	R      *sql.DB
	// Location says where the data is, for logs and errors (never a password).
	Location string
	// Queries counts what both pools send to the database (count.go).
	Queries *QueryCounter
}

// Open connects to url: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is a SQLite file path ("" means
// dataDir/shkola.db). It pings before returning, so a bad configuration stops
// the program before it serves anything.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	path := strings.TrimPrefix(url, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
		}
		path = filepath.Join(dataDir, "shkola.db")
	}
	return openSQLite(ctx, path)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	dir := filepath.Dir(path)
	if err := writable(dir); err != nil {
		return nil, fmt.Errorf("database directory %s is not writable: %w", dir, err)
	}
	qc := &QueryCounter{}
	w, err := openCounted("sqlite", sqliteDSN(path, false), qc, true)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1) // one writer: SQLite serialises writes anyway
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// The file and WAL exist once the writer has connected; readers follow.
	if _, err := w.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		_ = w.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("sqlite %s: enable WAL: %w", path, err)
	}
	r, err := openCounted("sqlite", sqliteDSN(path, true), qc, true)
	if err != nil {
		_ = w.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
	r.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	return &DB{Engine: SQLite, W: w, R: r, Location: path, Queries: qc}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	qc := &QueryCounter{}
	db, err := openCounted("pgx", url, qc, false)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	db.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	db.SetConnMaxLifetime(30 * time.Minute)
	loc := redact(url)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("postgres %s is unreachable: %w", loc, err)
	}
	return &DB{Engine: Postgres, W: db, R: db, Location: loc, Queries: qc}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.W.Close()
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	return errors.Join(f.Close(), os.Remove(name))
}

// redact drops the password from a database URL before it is logged.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		userinfo = userinfo[:i] + ":***"
	}
	return url[:scheme+3] + userinfo + url[at:]
}
