package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyMin is the number of rows from which CopyRows uses COPY on
// PostgreSQL: COPY costs two round trips (pgx first asks for the column
// types), a multi-row INSERT one, but below a few hundred rows the INSERT's
// parsing and planning is cheap.
const copyMin = 200

// CopyRows writes n rows of the columns cols into table inside tx, as
// InsertRows does: fill sets the len(cols) values of row i. On PostgreSQL
// a batch of copyMin rows or more goes through COPY on the transaction's
// own connection (the server then neither parses nor plans a statement of
// thousands of parameters, and the values travel in binary); otherwise,
// and on SQLite, through multi-row INSERTs. Errors are the engine's own, so
// IsUniqueViolation works on either path. Table and column names are the
// caller's constants, never input.
func CopyRows(ctx context.Context, tx *Tx, table string, cols []string, n int, fill func(i int, args []any) error) error {
	if !plainName(table) {
		return fmt.Errorf("copy rows: bad table name %q", table)
	}
	for _, c := range cols {
		if !plainName(c) {
			return fmt.Errorf("copy rows into %s: bad column name %q", table, c)
		}
	}
	if tx.Engine != Postgres || n < copyMin || tx.conn == nil {
		return InsertRows(ctx, tx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ", len(cols), n, fill)
	}
	return tx.conn.Raw(func(dc any) error {
		sc, ok := DriverConn(dc).(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy rows into %s: not a pgx connection (%T)", table, dc)
		}
		i := 0
		row := make([]any, len(cols))
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			clear(row)
			if err := fill(i, row); err != nil {
				return nil, err
			}
			i++
			return row, nil
		})
		// It runs inside the open transaction: the server knows the
		// connection is in one, and COPY joins it.
		if qc := tx.qc; qc != nil {
			qc.note(&qc.prepares, "prepare", "select "+strings.Join(cols, ", ")+" from "+table)
			qc.note(&qc.execs, "copy", "COPY "+table+" ("+strings.Join(cols, ", ")+") FROM STDIN")
		}
		_, err := sc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
}
