package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MigrationSet is one domain's migrations: files named NNNN_what.sql at the
// root of FS, applied in number order, each in its own transaction. Domains
// are applied in the order given, so a domain may reference tables of the
// domains before it.
type MigrationSet struct {
	Domain string
	FS     fs.FS
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadSet(set MigrationSet) ([]migration, error) {
	entries, err := fs.ReadDir(set.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", set.Domain, err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_what.sql", set.Domain, e.Name())
		}
		b, err := fs.ReadFile(set.FS, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations of %s: version %d twice", set.Domain, out[i].version)
		}
	}
	return out, nil
}

// Migrate applies every migration not yet applied and returns how many ran.
// On PostgreSQL an advisory lock keeps two servers starting at once from
// racing; SQLite's single writer does the same.
func (db *DB) Migrate(ctx context.Context, sets []MigrationSet) (int, error) {
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if db.Engine == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7244101)"); err != nil {
			return 0, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7244101)") //nolint:errcheck // released with the session anyway
	}
	if _, err := conn.ExecContext(ctx, db.Engine.expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
		domain TEXT NOT NULL,
		version INTEGER NOT NULL,
		name TEXT NOT NULL,
		applied_at {{ts}} NOT NULL,
		PRIMARY KEY (domain, version))`)); err != nil {
		return 0, fmt.Errorf("schema_migrations: %w", err)
	}
	applied := 0
	for _, set := range sets {
		ms, err := loadSet(set)
		if err != nil {
			return applied, err
		}
		done := map[int]bool{}
		rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations WHERE domain = $1", set.Domain)
		if err != nil {
			return applied, err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return applied, err
			}
			done[v] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return applied, err
		}
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return applied, err
			}
			if _, err := tx.ExecContext(ctx, db.Engine.expand(m.sql)); err != nil {
				_ = tx.Rollback()
				return applied, fmt.Errorf("migration %s/%s: %w", set.Domain, m.name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (domain, version, name, applied_at) VALUES ($1, $2, $3, $4)",
				set.Domain, m.version, m.name, time.Now().UTC()); err != nil {
				_ = tx.Rollback()
				return applied, fmt.Errorf("migration %s/%s: %w", set.Domain, m.name, err)
			}
			if err := tx.Commit(); err != nil {
				return applied, fmt.Errorf("migration %s/%s: commit: %w", set.Domain, m.name, err)
			}
			applied++
		}
	}
	return applied, nil
}

// Embedded is the migration set of a domain whose files are embedded as
// migrations/*.sql.
func Embedded(domain string, files fs.FS) MigrationSet {
	sub, err := fs.Sub(files, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return MigrationSet{Domain: domain, FS: sub}
}
