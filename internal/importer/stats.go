package importer

import (
	"context"

	"shkola/internal/store"
)

// statsTables are the tables an import grows and then looks up in.
const statsTables = "persons, guardianships, enrolments, group_members, movements"

// statsRefresh keeps PostgreSQL's statistics up with an import that
// multiplies its tables inside one transaction. The planner believes the
// statistics of the last ANALYZE (autovacuum cannot see uncommitted rows),
// so a lookup planned for a table of a few thousand rows scans the millions
// the import has written since: a 1,000,000-line import ran at 24% of the
// raw COPY, against 50-80% at 100,000 lines. ANALYZE inside the
// transaction counts its own new rows, and invalidates the cached plans.
// It runs each time the lines written have doubled, from 20,000 on (a
// dozen times for a million lines, each a sample of 30,000 rows).
type statsRefresh struct {
	written, next int
}

func (r *statsRefresh) wrote(ctx context.Context, tx *store.Tx, lines int) error {
	if tx == nil || tx.Engine != store.Postgres {
		return nil
	}
	if r.next == 0 {
		r.next = 20000
	}
	r.written += lines
	if r.written < r.next {
		return nil
	}
	r.next = 2 * r.written
	_, err := tx.ExecContext(ctx, "ANALYZE "+statsTables)
	return err
}
