package store

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared is the read pool as a Querier that keeps each statement text
// prepared on SQLite, where modernc parses every statement anew: on a read
// of the journal grid parsing cost as much as running the queries.
// database/sql prepares a Stmt once per pooled connection. It is for a
// domain's fixed statements (texts that vary with the kind of caller, not
// with the data); past maxPrepared texts a text runs unprepared. On
// PostgreSQL it passes statements through: pgx keeps them prepared itself.
type Prepared struct {
	db *DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxPrepared = 128

// NewPrepared returns the read pool of db with prepared statements.
func NewPrepared(db *DB) *Prepared { return &Prepared{db: db, m: map[string]*sql.Stmt{}} }

// stmt returns the prepared statement of text, nil when it runs as it is.
func (p *Prepared) stmt(ctx context.Context, text string) *sql.Stmt {
	if p.db.Engine != SQLite {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[text]; ok || len(p.m) >= maxPrepared {
		return st
	}
	st, err := p.db.R.PrepareContext(ctx, text)
	if err != nil {
		return nil // run unprepared: the error, if it is the statement's, comes back from there
	}
	p.m[text] = st
	return st
}

// QueryContext runs a query on the read pool.
func (p *Prepared) QueryContext(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, text); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.R.QueryContext(ctx, text, args...)
}

// QueryRowContext runs a query for one row on the read pool.
func (p *Prepared) QueryRowContext(ctx context.Context, text string, args ...any) *sql.Row {
	if st := p.stmt(ctx, text); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.R.QueryRowContext(ctx, text, args...)
}

// ExecContext runs a statement on the read pool (which on SQLite refuses
// writes).
func (p *Prepared) ExecContext(ctx context.Context, text string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, text); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.R.ExecContext(ctx, text, args...)
}
