package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// recordChunk bounds the rows of one INSERT (8 values each), well within
// both engines' limits on parameters.
const recordChunk = 500

// RecordBatch appends several changes in the same transaction as the data
// they describe, as Record does for one, with one counter update and one
// INSERT per few hundred changes: a bulk write of a lesson's 30 cells, or a
// year of generated lessons, costs a handful of statements instead of two
// per change. The changes get consecutive numbers in the order given.
func (tx *Tx) RecordBatch(ctx context.Context, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	for _, c := range cs {
		if c.Entity == "" || c.EntityID == "" || c.Op == "" {
			return errors.New("record changes: entity, id and op are required")
		}
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "UPDATE change_counter SET n = n + $1 WHERE id = 1 RETURNING n", len(cs)).Scan(&last); err != nil {
		return fmt.Errorf("record changes: counter: %w", err)
	}
	seq := last - int64(len(cs)) + 1
	now := time.Now()
	for start := 0; start < len(cs); start += recordChunk {
		chunk := cs[start:min(start+recordChunk, len(cs))]
		var b strings.Builder
		b.WriteString("INSERT INTO changes (seq, at, entity, entity_id, op, org_id, actor, data) VALUES ")
		args := make([]any, 0, 8*len(chunk))
		for i, c := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range 8 {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(tx.Engine.Param(len(args) + j + 1))
			}
			b.WriteByte(')')
			at := c.At
			if at.IsZero() {
				at = now
			}
			var data any
			if len(c.Data) > 0 {
				data = string(c.Data)
			}
			args = append(args, seq, at.UTC().Truncate(time.Microsecond), c.Entity, c.EntityID, c.Op, c.OrgID, c.Actor, data)
			seq++
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("record changes: %w", err)
		}
	}
	return nil
}
