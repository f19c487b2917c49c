package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// QueryCounter counts what the process sends to the database: statements,
// prepares and transaction boundaries. Each is a round trip on PostgreSQL
// (a call into the library on SQLite), so "round trips per request" is read
// here rather than guessed from the code. Counting sits at the driver
// boundary, so every path is seen: pools, transactions and prepared
// statements alike. It costs one atomic add per statement.
type QueryCounter struct {
	queries, execs, prepares, tx atomic.Int64
	trace                        atomic.Pointer[func(kind, query string)]
	// What the statement caches did (stmtcache.go), apart from round trips.
	kept, reused, oneOff, evicted atomic.Int64
}

// QueryCounts is one reading of a QueryCounter.
type QueryCounts struct {
	Queries  int64 // statements returning rows (SELECT, … RETURNING)
	Execs    int64 // statements returning none
	Prepares int64 // statements prepared for reuse
	Tx       int64 // BEGIN, COMMIT and ROLLBACK
}

// RoundTrips is everything that went to the database.
func (c QueryCounts) RoundTrips() int64 { return c.Queries + c.Execs + c.Prepares + c.Tx }

// Sub is what happened between an earlier reading and this one.
func (c QueryCounts) Sub(earlier QueryCounts) QueryCounts {
	return QueryCounts{c.Queries - earlier.Queries, c.Execs - earlier.Execs, c.Prepares - earlier.Prepares, c.Tx - earlier.Tx}
}

// Read returns the counts so far; a nil counter reads as zero.
func (c *QueryCounter) Read() QueryCounts {
	if c == nil {
		return QueryCounts{}
	}
	return QueryCounts{c.queries.Load(), c.execs.Load(), c.prepares.Load(), c.tx.Load()}
}

// Trace calls fn with every statement sent from now on (kind is query,
// exec, prepare, begin, commit or rollback); nil stops. It is for finding
// out which statements an operation sends, not for production.
func (c *QueryCounter) Trace(fn func(kind, query string)) {
	if fn == nil {
		c.trace.Store(nil)
		return
	}
	c.trace.Store(&fn)
}

func (c *QueryCounter) note(n *atomic.Int64, kind, query string) {
	n.Add(1)
	if fn := c.trace.Load(); fn != nil {
		(*fn)(kind, query)
	}
}

// openCounted opens a pool like sql.Open whose connections report to c.
// With cache set each connection keeps its statements prepared
// (stmtcache.go).
func openCounted(driverName, dsn string, c *QueryCounter, cache bool) (*sql.DB, error) {
	// sql.Open does not connect; it finds the registered driver instance
	// (with whatever the driver package registered on it).
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, err
	}
	var conn driver.Connector = dsnConnector{dsn: dsn, drv: drv}
	if dc, ok := drv.(driver.DriverContext); ok {
		if conn, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return sql.OpenDB(countingConnector{Connector: conn, c: c, cache: cache}), nil
}

// DriverConn returns the engine's own connection behind the one sql.Conn.Raw
// hands out (which is the counting wrapper), for engine fast paths such as
// PostgreSQL COPY.
func DriverConn(dc any) any {
	if w, ok := dc.(*countingConn); ok {
		return w.Conn
	}
	return dc
}

type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (d dsnConnector) Connect(context.Context) (driver.Conn, error) { return d.drv.Open(d.dsn) }
func (d dsnConnector) Driver() driver.Driver                        { return d.drv }

type countingConnector struct {
	driver.Connector
	c     *QueryCounter
	cache bool
}

func (cc countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	w := &countingConn{Conn: conn, c: cc.c}
	if cc.cache {
		w.stmts = newStmtCache(conn, cc.c, stmtCacheBytes, stmtMaxText)
	}
	return w, nil
}

// countingConn passes everything to the driver's connection. Optional
// interfaces the driver lacks answer as database/sql expects of a driver
// without them (ErrSkip, or the neutral value). Statements given as text
// run through the connection's statement cache when it has one; a
// statement prepared by the caller is the caller's, prepared and closed
// as asked.
type countingConn struct {
	driver.Conn
	c     *QueryCounter
	stmts *stmtCache // nil: the driver parses each text itself
}

func (w *countingConn) Close() error {
	if w.stmts == nil {
		return w.Conn.Close()
	}
	return errors.Join(w.stmts.Close(), w.Conn.Close())
}

func (w *countingConn) Prepare(query string) (driver.Stmt, error) {
	return w.PrepareContext(context.Background(), query)
}

func (w *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var s driver.Stmt
	var err error
	if p, ok := w.Conn.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, query)
	} else {
		s, err = w.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	w.c.note(&w.c.prepares, "prepare", query)
	return &countingStmt{Stmt: s, c: w.c, query: query}, nil
}

func (w *countingConn) Begin() (driver.Tx, error) {
	return w.BeginTx(context.Background(), driver.TxOptions{})
}

func (w *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var t driver.Tx
	var err error
	if b, ok := w.Conn.(driver.ConnBeginTx); ok {
		t, err = b.BeginTx(ctx, opts)
	} else {
		//lint:ignore SA1019 the only way into a driver without BeginTx
		t, err = w.Conn.Begin()
	}
	if err != nil {
		return nil, err
	}
	w.c.note(&w.c.tx, "begin", "")
	return countingTx{Tx: t, c: w.c}, nil
}

func (w *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	var e driver.ExecerContext = w.stmts
	if w.stmts == nil {
		var ok bool
		if e, ok = w.Conn.(driver.ExecerContext); !ok {
			return nil, driver.ErrSkip
		}
	}
	r, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		w.c.note(&w.c.execs, "exec", query)
	}
	return r, err
}

func (w *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	var q driver.QueryerContext = w.stmts
	if w.stmts == nil {
		var ok bool
		if q, ok = w.Conn.(driver.QueryerContext); !ok {
			return nil, driver.ErrSkip
		}
	}
	r, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		w.c.note(&w.c.queries, "query", query)
	}
	return r, err
}

func (w *countingConn) Ping(ctx context.Context) error {
	if p, ok := w.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (w *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := w.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (w *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := w.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (w *countingConn) IsValid() bool {
	if v, ok := w.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingTx struct {
	driver.Tx
	c *QueryCounter
}

func (t countingTx) Commit() error   { t.c.note(&t.c.tx, "commit", ""); return t.Tx.Commit() }
func (t countingTx) Rollback() error { t.c.note(&t.c.tx, "rollback", ""); return t.Tx.Rollback() }

type countingStmt struct {
	driver.Stmt
	c     *QueryCounter
	query string
}

func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.c.note(&s.c.execs, "exec", s.query)
	//lint:ignore SA1019 database/sql calls this only for drivers without ExecContext
	return s.Stmt.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.c.note(&s.c.queries, "query", s.query)
	//lint:ignore SA1019 as Exec
	return s.Stmt.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		vals, err := namedToValues(args)
		if err != nil {
			return nil, err
		}
		return s.Exec(vals)
	}
	s.c.note(&s.c.execs, "exec", s.query)
	return e.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		vals, err := namedToValues(args)
		if err != nil {
			return nil, err
		}
		return s.Query(vals)
	}
	s.c.note(&s.c.queries, "query", s.query)
	return q.QueryContext(ctx, args)
}

func namedToValues(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("store: the driver does not support named parameters")
		}
		out[i] = a.Value
	}
	return out, nil
}
