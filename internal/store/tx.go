package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Querier is what query functions take, so the same function runs inside a
// transaction or on the read pool.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction. Besides SQL it records changes (Record), so the
// change feed, the audit log, notifications and webhooks are fed from the very
// commit that changed the data.
type Tx struct {
	*sql.Tx
	Engine Engine
	// conn is the connection the transaction runs on, for engine fast
	// paths that need the driver's own connection (CopyRows).
	conn *sql.Conn
	qc   *QueryCounter
	// after runs once the transaction has committed (wake-ups, cache drops).
	after []func()
}

// AfterCommit schedules fn to run after a successful commit.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// WithTx runs fn in a transaction on the writer: it commits when fn returns
// nil and rolls back otherwise, so a request changes everything or nothing.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	// The transaction is begun on a connection of its own (taken from the
	// pool as BeginTx would), so CopyRows can reach the driver's
	// connection it runs on.
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: stx, Engine: db.Engine, conn: conn, qc: db.Queries}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			if rerr := stx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
			return
		}
		if cerr := stx.Commit(); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
			return
		}
		for _, f := range tx.after {
			f()
		}
	}()
	return fn(tx)
}

// Read is the pool for queries that change nothing.
func (db *DB) Read() Querier { return db.R }

// IsNoRows reports whether err means the query found no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
