package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"shkola/internal/store"
)

// Verifier checks a restored database before the restore is reported done;
// the application passes its audit-chain check.
type Verifier func(ctx context.Context, db *store.DB) error

// Restore checks the archive read from ra (see Open) and only then restores
// it into target. See (*Archive).Restore.
func Restore(ctx context.Context, ra io.ReaderAt, size int64, target *store.DB, migrations []store.MigrationSet, verify Verifier) (*Manifest, error) {
	a, err := Open(ra, size, migrations)
	if err != nil {
		return nil, err
	}
	return &a.Manifest, a.Restore(ctx, target, verify)
}

// Restore loads the archive into target, which must hold no data: no tables,
// or only the tables and seed rows of freshly run migrations. It migrates the
// target to the archive's schema versions, loads every table in foreign-key
// order in one transaction, moves PostgreSQL identity sequences past the
// restored ids, checks the row counts and runs verify (nil skips it). If
// anything fails after the target was touched, the tables the restore created
// are dropped again, so the target is left empty.
func (a *Archive) Restore(ctx context.Context, target *store.DB, verify Verifier) error {
	before, err := a.checkEmpty(ctx, target)
	if err != nil {
		return err
	}
	if err := a.restore(ctx, target, verify); err != nil {
		if uerr := a.undo(context.WithoutCancel(ctx), target, before); uerr != nil {
			err = errors.Join(err, fmt.Errorf("emptying %s again: %w", target.Location, uerr))
		}
		return err
	}
	return nil
}

func (a *Archive) restore(ctx context.Context, target *store.DB, verify Verifier) error {
	if _, err := target.Migrate(ctx, a.sets); err != nil {
		return fmt.Errorf("migrate %s to the archive's schema: %w", target.Location, err)
	}
	cat := catalog{q: target.W, engine: target.Engine}
	present, err := cat.tables(ctx)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	infos := map[string]tableInfo{}
	for _, name := range present {
		if infos[name], err = cat.table(ctx, name); err != nil {
			return fmt.Errorf("table %q: %w", name, err)
		}
	}
	var names []string
	byName := map[string]Table{}
	for _, t := range a.Manifest.Tables {
		info, ok := infos[t.Name]
		if !ok {
			return fmt.Errorf("table %q of the archive does not exist in the schema its migrations build", t.Name)
		}
		for _, c := range t.Columns {
			if _, ok := info.column(c); !ok {
				return fmt.Errorf("table %q: column %q of the archive does not exist in the schema", t.Name, c)
			}
		}
		names = append(names, info.name)
		byName[info.name] = t
	}
	refs, err := cat.references(ctx, names)
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	err = target.WithTx(ctx, func(tx *store.Tx) error {
		if target.Engine == store.SQLite {
			// Checked at commit instead, so rows of tables that reference
			// each other can load in any order.
			if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
		}
		for _, name := range loadOrder(names, refs) {
			if err := a.loadTable(ctx, tx, infos[name], byName[name]); err != nil {
				return fmt.Errorf("table %q: %w", name, err)
			}
		}
		if target.Engine == store.Postgres {
			for _, name := range names {
				if err := resetSequences(ctx, tx, infos[name]); err != nil {
					return fmt.Errorf("table %q: identity sequence: %w", name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := CountsMatch(&a.Manifest)(ctx, target); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if verify != nil {
		if err := verify(ctx, target); err != nil {
			return fmt.Errorf("verification failed: %w", err)
		}
	}
	return nil
}

// loadTable replaces the table's rows (seed rows of the migrations) with the
// archive's, in batches of multi-row INSERTs.
func (a *Archive) loadTable(ctx context.Context, tx *store.Tx, info tableInfo, t Table) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(info.name)); err != nil {
		return err
	}
	cols := make([]column, len(t.Columns))
	for i, name := range t.Columns {
		cols[i], _ = info.column(name) // presence checked by the caller
	}
	per := max(1, min(500, 4000/len(cols)))
	full := insertSQL(tx.Engine, info, cols, per)
	batch := make([]any, 0, per*len(cols))
	var loaded int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n := len(batch) / len(cols)
		query := full
		if n != per {
			query = insertSQL(tx.Engine, info, cols, n)
		}
		if _, err := tx.ExecContext(ctx, query, batch...); err != nil {
			return fmt.Errorf("rows %d-%d: %w", loaded-int64(n)+1, loaded, err)
		}
		batch = batch[:0]
		return nil
	}
	err := a.eachRow(t, func(line []byte) error {
		row, err := decodeRow(line)
		if err != nil {
			return fmt.Errorf("row %d: %w", loaded+1, err)
		}
		if err := checkColumns(row, t.Columns); err != nil {
			return fmt.Errorf("row %d: %w", loaded+1, err)
		}
		for _, c := range cols {
			batch = append(batch, coerce(row[c.name], c.kind))
		}
		loaded++
		if len(batch) == per*len(cols) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if loaded != t.Rows {
		return fmt.Errorf("loaded %d rows, the manifest says %d", loaded, t.Rows)
	}
	return nil
}

func insertSQL(e store.Engine, info tableInfo, cols []column, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + quoteIdent(info.name) + " (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.name))
	}
	b.WriteString(")")
	if e == store.Postgres && info.alwaysIdentity {
		b.WriteString(" OVERRIDING SYSTEM VALUE")
	}
	b.WriteString(" VALUES ")
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteString(")")
	}
	return b.String()
}

// resetSequences moves each serial or identity sequence of the table past the
// largest restored value, so the next insert does not collide with a restored
// id. setval is strict: for a column without a sequence it does nothing.
func resetSequences(ctx context.Context, tx *store.Tx, info tableInfo) error {
	for _, c := range info.columns {
		if c.kind != kindInt {
			continue
		}
		col := quoteIdent(c.name)
		if _, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX("+col+"), 0) + 1, false) FROM "+quoteIdent(info.name),
			quoteIdent(info.name), c.name); err != nil {
			return err
		}
	}
	return nil
}

// CountsMatch is a Verifier that checks every table of the archive holds as
// many rows in db as the manifest says.
func CountsMatch(m *Manifest) Verifier {
	return func(ctx context.Context, db *store.DB) error {
		cat := catalog{q: db.R, engine: db.Engine}
		present, err := cat.tables(ctx)
		if err != nil {
			return err
		}
		in := map[string]string{}
		for _, t := range present {
			in[t] = t
		}
		for _, t := range m.Tables {
			name, ok := in[t.Name]
			if !ok {
				return fmt.Errorf("table %q is missing", t.Name)
			}
			var n int64
			if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(name)).Scan(&n); err != nil {
				return fmt.Errorf("table %q: %w", t.Name, err)
			}
			if n != t.Rows {
				return fmt.Errorf("table %q holds %d rows, the archive %d", t.Name, n, t.Rows)
			}
		}
		return nil
	}
}

// checkEmpty refuses a target that holds data, and returns the tables it has.
// A freshly migrated database counts as empty: its tables may hold only as
// many rows as the migrations seed, which a scratch SQLite database migrated
// the same way shows.
func (a *Archive) checkEmpty(ctx context.Context, target *store.DB) (map[string]bool, error) {
	cat := catalog{q: target.W, engine: target.Engine}
	tables, err := cat.tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the target's tables: %w", err)
	}
	before := map[string]bool{}
	for _, t := range tables {
		before[t] = true
	}
	if len(tables) == 0 {
		return before, nil
	}
	if before["schema_migrations"] {
		applied, err := readMigrations(ctx, target.W)
		if err != nil {
			return nil, fmt.Errorf("target schema_migrations: %w", err)
		}
		inArchive := map[Migration]bool{}
		for _, m := range a.Manifest.Migrations {
			inArchive[m] = true
		}
		for _, m := range applied {
			if !inArchive[m] {
				return nil, fmt.Errorf("target %s is migrated past the archive (%s/%s); restore needs an empty database", target.Location, m.Domain, m.Name)
			}
		}
	}
	seeded, err := seedCounts(ctx, a.all)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	for _, t := range tables {
		if t == "schema_migrations" {
			continue
		}
		var n int64
		if err := target.W.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
			return nil, fmt.Errorf("target table %q: %w", t, err)
		}
		if n > seeded[t] {
			return nil, fmt.Errorf("target %s is not empty: table %q holds %d rows; restore needs an empty database", target.Location, t, n)
		}
	}
	return before, nil
}

// seedCounts migrates a scratch SQLite database and counts the rows the
// migrations themselves insert.
func seedCounts(ctx context.Context, sets []store.MigrationSet) (map[string]int64, error) {
	dir, err := os.MkdirTemp("", "shkola-seed-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "seed.db"), dir)
	if err != nil {
		return nil, err
	}
	out, err := countSeeds(ctx, db, sets)
	return out, errors.Join(err, db.Close())
}

func countSeeds(ctx context.Context, db *store.DB, sets []store.MigrationSet) (map[string]int64, error) {
	if _, err := db.Migrate(ctx, sets); err != nil {
		return nil, fmt.Errorf("scratch migration: %w", err)
	}
	cat := catalog{q: db.W, engine: db.Engine}
	tables, err := cat.tables(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := db.W.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, nil
}

// undo drops the tables the restore created or filled (everything but the
// tables that were there before and are not in the archive), children first.
func (a *Archive) undo(ctx context.Context, target *store.DB, before map[string]bool) error {
	cat := catalog{q: target.W, engine: target.Engine}
	now, err := cat.tables(ctx)
	if err != nil {
		return err
	}
	inArchive := map[string]bool{"schema_migrations": true}
	for _, t := range a.Manifest.Tables {
		inArchive[t.Name] = true
	}
	var drop []string
	for _, t := range now {
		if !before[t] || inArchive[t] {
			drop = append(drop, t)
		}
	}
	refs, err := cat.references(ctx, drop)
	if err != nil {
		return err
	}
	order := loadOrder(drop, refs)
	return target.WithTx(ctx, func(tx *store.Tx) error {
		if target.Engine == store.SQLite {
			if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
				return err
			}
		}
		for i := len(order) - 1; i >= 0; i-- {
			stmt := "DROP TABLE IF EXISTS " + quoteIdent(order[i])
			if target.Engine == store.Postgres {
				stmt += " CASCADE"
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("drop %q: %w", order[i], err)
			}
		}
		return nil
	})
}
