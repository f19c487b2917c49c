package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
)

// The statement cache of a SQLite connection keeps at most stmtCacheBytes of
// statement text. A prepared statement takes 45-65 times its text in
// SQLite's memory (measured with SQLITE_STMTSTATUS_MEMUSED), so a full
// cache holds about 6-8 MB per connection; the application's statements
// are 50 bytes to 4 KB and all of them fit many times over. A text longer
// than stmtMaxText (the multi-row INSERTs of a bulk write, tens of KB and
// megabytes prepared) runs unkept, as before, so it cannot push the
// everyday statements out.
const (
	stmtCacheBytes = 128 << 10
	stmtMaxText    = 16 << 10
)

// stmtCache keeps one connection's prepared statements by their text, so a
// statement the connection ran before is not parsed again. modernc's SQLite
// parses every statement it is handed as text and has no cache of its own;
// parsing was a third of the server's CPU. pgx keeps its own cache, so only
// SQLite connections get one.
//
// database/sql hands a connection to one goroutine at a time and holds its
// lock around every driver call (Rows.Close included), so the cache needs
// no lock of its own. A kept statement whose Rows are still open (a query
// issued while another of the same text is being read, inside one
// transaction) cannot run again until they close: SQLite would reset it
// under the open Rows. Such a run is prepared for once, as without a cache.
type stmtCache struct {
	prep   driver.ConnPrepareContext
	query  driver.QueryerContext
	exec   driver.ExecerContext
	c      *QueryCounter
	budget int // bytes of text kept at most
	maxLen int // longest text kept

	m     map[string]*keptStmt
	lru   keptStmt // sentinel of the ring: lru.next is the most recently used
	bytes int      // text kept
}

// keptStmt is a statement in the cache.
type keptStmt struct {
	text       string
	st         driver.Stmt
	busy       bool // Rows from it are open
	dropped    bool // evicted while busy: closed when its Rows close
	prev, next *keptStmt
}

// newStmtCache returns a cache for conn, or nil when the driver lacks what
// it needs (context-taking prepare, query and exec, on the connection and on
// its statements, which modernc has).
func newStmtCache(conn driver.Conn, c *QueryCounter, budget, maxLen int) *stmtCache {
	p, ok1 := conn.(driver.ConnPrepareContext)
	q, ok2 := conn.(driver.QueryerContext)
	e, ok3 := conn.(driver.ExecerContext)
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	// A text longer than the budget would evict itself.
	sc := &stmtCache{prep: p, query: q, exec: e, c: c, budget: budget, maxLen: min(maxLen, budget), m: map[string]*keptStmt{}}
	sc.lru.next, sc.lru.prev = &sc.lru, &sc.lru
	return sc
}

// QueryContext runs query through its kept statement.
func (sc *stmtCache) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	k, err := sc.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return sc.query.QueryContext(ctx, query, args)
	}
	rows, err := k.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, errors.Join(err, sc.release(k))
	}
	return &keptRows{Rows: rows, sc: sc, k: k}, nil
}

// ExecContext runs query through its kept statement.
func (sc *stmtCache) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	k, err := sc.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return sc.exec.ExecContext(ctx, query, args)
	}
	r, err := k.st.(driver.StmtExecContext).ExecContext(ctx, args)
	if rerr := sc.release(k); err == nil && rerr != nil {
		return nil, rerr
	}
	return r, err
}

// take returns the kept statement of query, prepared if it is not kept yet,
// and marks it busy; nil means: run query unkept (it is too long, holds
// several statements, or its kept statement is busy).
func (sc *stmtCache) take(ctx context.Context, query string) (*keptStmt, error) {
	if k := sc.m[query]; k != nil {
		if k.busy {
			sc.c.oneOff.Add(1)
			return nil, nil
		}
		sc.c.reused.Add(1)
		sc.unlink(k)
		sc.pushFront(k)
		k.busy = true
		return k, nil
	}
	if !keepable(query, sc.maxLen) {
		sc.c.oneOff.Add(1)
		return nil, nil
	}
	st, err := sc.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	_, ok1 := st.(driver.StmtQueryContext)
	_, ok2 := st.(driver.StmtExecContext)
	if !ok1 || !ok2 {
		sc.c.oneOff.Add(1)
		return nil, st.Close()
	}
	sc.c.kept.Add(1)
	k := &keptStmt{text: query, st: st, busy: true}
	sc.m[query] = k
	sc.pushFront(k)
	sc.bytes += len(query)
	// The new statement is at the front and no larger than the budget, so
	// this stops before reaching it.
	for sc.bytes > sc.budget {
		sc.evict(sc.lru.prev)
	}
	return k, nil
}

// keepable says whether query is worth keeping: not too long, and one
// statement. A text of several statements (a migration) is parsed anew on
// every run by the driver anyway. A semicolon inside a string literal
// makes a single statement look like several, which only costs its keeping.
func keepable(query string, maxLen int) bool {
	return len(query) <= maxLen && !strings.Contains(strings.TrimRight(query, "; \t\r\n"), ";")
}

// release ends a run of k; an evicted k is closed now.
func (sc *stmtCache) release(k *keptStmt) error {
	k.busy = false
	if k.dropped {
		return k.st.Close()
	}
	return nil
}

// evict drops k from the cache and closes it, or leaves that to its Rows.
func (sc *stmtCache) evict(k *keptStmt) {
	sc.c.evicted.Add(1)
	sc.unlink(k)
	delete(sc.m, k.text)
	sc.bytes -= len(k.text)
	if k.busy {
		k.dropped = true
		return
	}
	// Closing finalizes; SQLite reports there the error of the statement's
	// last run, which that run already returned.
	_ = k.st.Close()
}

// Close closes every kept statement. database/sql closes a connection only
// when no Rows of it are open, so none is busy.
func (sc *stmtCache) Close() error {
	var err error
	for k := sc.lru.next; k != &sc.lru; k = k.next {
		err = errors.Join(err, k.st.Close())
	}
	clear(sc.m)
	sc.lru.next, sc.lru.prev, sc.bytes = &sc.lru, &sc.lru, 0
	return err
}

func (sc *stmtCache) unlink(k *keptStmt) {
	k.prev.next, k.next.prev = k.next, k.prev
	k.prev, k.next = nil, nil
}

func (sc *stmtCache) pushFront(k *keptStmt) {
	k.prev, k.next = &sc.lru, sc.lru.next
	sc.lru.next.prev = k
	sc.lru.next = k
}

// keptRows frees its statement for the next run when it closes. It answers
// the column-type questions as the driver's Rows does (database/sql asks
// for them by type assertion).
type keptRows struct {
	driver.Rows
	sc *stmtCache
	k  *keptStmt
}

func (r *keptRows) Close() error {
	err := r.Rows.Close()
	if r.k != nil {
		err = errors.Join(err, r.sc.release(r.k))
		r.k = nil
	}
	return err
}

func (r *keptRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *keptRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *keptRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *keptRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *keptRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// StmtCounts is what the statement caches of SQLite connections did (zero
// on PostgreSQL, whose driver caches statements itself). None of it is a
// round trip of its own: a run is counted as the query or exec it is.
type StmtCounts struct {
	Kept    int64 // statements prepared and kept (a text's first run on a connection)
	Reused  int64 // runs of a kept statement, without parsing
	OneOff  int64 // runs parsed for that run only: too long, several statements, or the kept one busy
	Evicted int64 // kept statements dropped to make room
}

// Sub is what happened between an earlier reading and this one.
func (c StmtCounts) Sub(earlier StmtCounts) StmtCounts {
	return StmtCounts{c.Kept - earlier.Kept, c.Reused - earlier.Reused, c.OneOff - earlier.OneOff, c.Evicted - earlier.Evicted}
}

// Statements returns the statement caches' counts so far.
func (c *QueryCounter) Statements() StmtCounts {
	if c == nil {
		return StmtCounts{}
	}
	return StmtCounts{c.kept.Load(), c.reused.Load(), c.oneOff.Load(), c.evicted.Load()}
}
