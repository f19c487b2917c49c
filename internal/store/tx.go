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
	// changes are the transaction's change-log entries, numbered and
	// written just before COMMIT (see flush).
	changes []Change
	// before runs after the work, in order, just before COMMIT: writers
	// of shared counters (the audit chain's head) register here.
	before []func(ctx context.Context) error
	values map[any]any
}

// AfterCommit schedules fn to run after a successful commit.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// BeforeCommit schedules fn to run when the transaction's work is done,
// just before COMMIT; an error rolls everything back.
func (tx *Tx) BeforeCommit(fn func(ctx context.Context) error) { tx.before = append(tx.before, fn) }

// Value returns what SetValue stored under key in this transaction, so a
// package can gather its writes and flush them once (BeforeCommit).
func (tx *Tx) Value(key any) any { return tx.values[key] }

// SetValue stores v under key for the life of the transaction.
func (tx *Tx) SetValue(key, v any) {
	if tx.values == nil {
		tx.values = map[any]any{}
	}
	tx.values[key] = v
}

// flush writes what was kept for the end: the change-log entries, then
// the BeforeCommit work. Every write transaction takes the change counter
// row and the audit head row, each locked until COMMIT, so concurrent
// writers queue on them; taking them last keeps that queue short (on
// PostgreSQL the holder no longer keeps them through its own statements).
// The order is the same in every transaction, so two never wait on each
// other.
func (tx *Tx) flush(ctx context.Context) error {
	if err := tx.recordNow(ctx, tx.changes); err != nil {
		return err
	}
	tx.changes = nil
	for _, f := range tx.before {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

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
		if ferr := tx.flush(ctx); ferr != nil {
			err = ferr
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
