package store

import (
	"context"
	"errors"
	"fmt"
)

// SuspendForeignKeys is for a bulk load of millions of rows into tables
// inside tx (the demo generator): on PostgreSQL it drops the foreign keys
// of those tables and returns restore, which adds them again exactly as
// they were and so checks every row once more, one query per key. A
// foreign key checked row by row costs PostgreSQL a query per key and row
// (three quarters of a COPY into the journal's tables); a key added to a
// full table is checked with one join. SQLite looks a parent up in its own
// B-tree, cheaply, so there nothing is dropped and restore does nothing.
//
// Until restore, the tables accept rows without parents and the tables
// they refer to lose nothing to a refused delete: the caller writes new
// rows only and calls restore before it commits. A failure rolls the
// transaction back, the keys with it. Table names are the caller's
// constants, never input.
func (tx *Tx) SuspendForeignKeys(ctx context.Context, tables ...string) (restore func(context.Context) error, err error) {
	nothing := func(context.Context) error { return nil }
	if tx.Engine != Postgres || len(tables) == 0 {
		return nothing, nil
	}
	for _, t := range tables {
		if !plainName(t) {
			return nil, fmt.Errorf("suspend foreign keys: bad table name %q", t)
		}
	}
	// The server writes the statements from its catalogue, quoted.
	rows, err := tx.QueryContext(ctx, `SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
		format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[]) ORDER BY c.conrelid::regclass::text, c.conname`, tables)
	if err != nil {
		return nil, fmt.Errorf("suspend foreign keys: %w", err)
	}
	var drops, adds []string
	for rows.Next() {
		var drop, add string
		if err := rows.Scan(&drop, &add); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		drops, adds = append(drops, drop), append(adds, add)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for _, d := range drops {
		if _, err := tx.ExecContext(ctx, d); err != nil {
			return nil, fmt.Errorf("suspend foreign keys: %w", err)
		}
	}
	return func(ctx context.Context) error {
		for _, a := range adds {
			if _, err := tx.ExecContext(ctx, a); err != nil {
				return fmt.Errorf("restore foreign key: %s: %w", a, err)
			}
		}
		return nil
	}, nil
}
