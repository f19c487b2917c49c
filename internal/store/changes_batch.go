package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RecordBatch appends many changes at once, in the same transaction as the
// data they describe: one counter update reserves their numbers, and the
// rows go in with multi-row inserts. Bulk writers (generating a year of
// lessons) use it where one Record per row would cost two round trips each.
func (tx *Tx) RecordBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	for _, c := range cs {
		if c.Entity == "" || c.EntityID == "" || c.Op == "" {
			return errors.New("record change: entity, id and op are required")
		}
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "UPDATE change_counter SET n = n + $1 WHERE id = 1 RETURNING n", len(cs)).Scan(&last); err != nil {
		return fmt.Errorf("record changes: counter: %w", err)
	}
	first := last - int64(len(cs)) + 1
	// Small batches: SQLite resolves each $n by a linear search while
	// parsing, so a statement costs the square of its parameter count.
	const perInsert = 60
	for start := 0; start < len(cs); start += perInsert {
		end := min(start+perInsert, len(cs))
		var b strings.Builder
		b.WriteString("INSERT INTO changes (seq, at, entity, entity_id, op, org_id, actor, data) VALUES ")
		var a Args
		for i, c := range cs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			at := c.At
			if at.IsZero() {
				at = time.Now()
			}
			var data any
			if len(c.Data) > 0 {
				data = string(c.Data)
			}
			fmt.Fprintf(&b, "(%s, %s, %s, %s, %s, %s, %s, %s)", a.Add(first+int64(start+i)), a.Add(at.UTC().Truncate(time.Microsecond)),
				a.Add(c.Entity), a.Add(c.EntityID), a.Add(c.Op), a.Add(c.OrgID), a.Add(c.Actor), a.Add(data))
		}
		if _, err := tx.ExecContext(ctx, b.String(), a.Values...); err != nil {
			return fmt.Errorf("record changes: %w", err)
		}
	}
	return nil
}
