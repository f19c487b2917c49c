package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReserveIDs takes n fresh ids of table (whose key column is id) inside
// the writing transaction, so a bulk writer can seal values bound to a
// row's id before the row exists and write it in one multi-row INSERT.
// PostgreSQL draws them from the column's sequence; SQLite has one writer,
// so the ids after the largest ever used are free until this transaction
// ends, and inserting them explicitly moves AUTOINCREMENT past them.
func (tx *Tx) ReserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	out := make([]int64, 0, n)
	if tx.Engine == Postgres {
		rows, err := tx.QueryContext(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, n)
		if err != nil {
			return nil, fmt.Errorf("reserve ids of %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	// The table name is one of the caller's constants, never input; it is
	// still checked so that it cannot become SQL.
	if !plainName(table) {
		return nil, fmt.Errorf("reserve ids: bad table name %q", table)
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(n) FROM (SELECT COALESCE(MAX(id), 0) AS n FROM `+table+`
		UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = $1) t`, table).Scan(&last); err != nil {
		return nil, fmt.Errorf("reserve ids of %s: %w", table, err)
	}
	for i := range n {
		out = append(out, last+1+int64(i))
	}
	return out, nil
}

func plainName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return s != ""
}

// RecordBatch appends many changes in the same transaction as the data
// they describe, as Record does for one, with one counter update and
// multi-row INSERTs (COPY on PostgreSQL). Unlike Record it writes at once:
// its callers are bulk writers (an import, a year of generated lessons)
// whose changes would not fit in memory to the end, and which hold the
// counter for their whole transaction anyway. The changes get consecutive
// numbers in the order given.
func (tx *Tx) RecordBatch(ctx context.Context, cs []Change) error {
	for _, c := range cs {
		if c.Entity == "" || c.EntityID == "" || c.Op == "" {
			return fmt.Errorf("record change: entity, id and op are required")
		}
	}
	return tx.recordNow(ctx, cs)
}

// recordNow numbers and writes cs.
func (tx *Tx) recordNow(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	now := time.Now()
	if tx.Engine == Postgres && len(cs) < copyMin {
		return tx.recordCounted(ctx, cs, now)
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "UPDATE change_counter SET n = n + $1 WHERE id = 1 RETURNING n", len(cs)).Scan(&last); err != nil {
		return fmt.Errorf("record changes: counter: %w", err)
	}
	first := last - int64(len(cs)) + 1
	return CopyRows(ctx, tx, "changes", []string{"seq", "at", "entity", "entity_id", "op", "org_id", "actor", "data"}, len(cs), func(i int, args []any) error {
		c := cs[i]
		if c.At.IsZero() {
			c.At = now
		}
		var data any
		if len(c.Data) > 0 {
			data = string(c.Data)
		}
		args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7] = first+int64(i), c.At.UTC().Truncate(time.Microsecond), c.Entity, c.EntityID, c.Op, c.OrgID, c.Actor, data
		return nil
	})
}

// recordCounted numbers and writes a few changes in one statement on
// PostgreSQL: the counter's UPDATE in a WITH, the rows from VALUES. The
// counter row stays locked until COMMIT, so each statement fewer after
// taking it is time every other writer waits less.
func (tx *Tx) recordCounted(ctx context.Context, cs []Change, now time.Time) error {
	var q strings.Builder
	n := strconv.Itoa(len(cs))
	q.WriteString("WITH c AS (UPDATE change_counter SET n = n + " + n + " WHERE id = 1 RETURNING n)\n" +
		"INSERT INTO changes (seq, at, entity, entity_id, op, org_id, actor, data)\n" +
		"SELECT c.n - " + n + " + v.i, v.at, v.entity, v.entity_id, v.op, v.org_id, v.actor, v.data FROM c, (VALUES ")
	args := make([]any, 0, 7*len(cs))
	for i, c := range cs {
		if i > 0 {
			q.WriteByte(',')
		}
		if c.At.IsZero() {
			c.At = now
		}
		var data any
		if len(c.Data) > 0 {
			data = string(c.Data)
		}
		p := len(args)
		fmt.Fprintf(&q, "(%d, $%d::timestamptz, $%d::text, $%d::text, $%d::text, $%d::bigint, $%d::text, $%d::text)", i+1, p+1, p+2, p+3, p+4, p+5, p+6, p+7)
		args = append(args, c.At.UTC().Truncate(time.Microsecond), c.Entity, c.EntityID, c.Op, c.OrgID, c.Actor, data)
	}
	q.WriteString(") AS v(i, at, entity, entity_id, op, org_id, actor, data)")
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	return nil
}

// maxParams keeps a statement under the engines' bind-parameter limits
// (SQLite 32766, PostgreSQL 65535).
const maxParams = 30000

// InsertRows writes n rows of per columns with multi-row INSERTs (prefix
// ends with "VALUES "), as many rows per statement as the parameter limit
// allows. fill sets the per arguments of row i. Full statements share one
// prepared statement: the text of thousands of placeholders is too long
// for the SQLite statement cache, and parsing it each run is costly.
func InsertRows(ctx context.Context, tx *Tx, prefix string, per, n int, fill func(i int, args []any) error) error {
	return InsertRowsWith(ctx, tx, prefix, nil, per, n, fill)
}

// InsertRowsWith is InsertRows for a prefix that has placeholders of its
// own (a WITH that updates a counter): lead are their arguments, numbered
// first and passed with every statement.
func InsertRowsWith(ctx context.Context, tx *Tx, prefix string, lead []any, per, n int, fill func(i int, args []any) error) error {
	chunk := max(1, min(n, (maxParams-len(lead))/per))
	args := make([]any, 0, len(lead)+chunk*per)
	text := func(rows int) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range per {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(tx.Engine.Param(len(lead) + i*per + j + 1)) // "?" on SQLite: see Param
			}
			b.WriteByte(')')
		}
		return b.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			_ = full.Close() // the statement's work is done; a close error changes nothing written
		}
	}()
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		args = append(args[:0], lead...)
		for i := start; i < end; i++ {
			base := len(args)
			args = append(args, make([]any, per)...)
			if err := fill(i, args[base:base+per]); err != nil {
				return err
			}
		}
		var err error
		switch {
		case end-start < chunk || n < 2*chunk:
			_, err = tx.ExecContext(ctx, text(end-start), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, text(chunk)); err == nil {
				_, err = full.ExecContext(ctx, args...)
			}
		default:
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
